import { billingRouter } from "~/server/routers/billing";
import { healthRouter } from "~/server/routers/health";
import { meRouter } from "~/server/routers/me";
import { notificationsRouter } from "~/server/routers/notifications";
import { sessionsRouter } from "~/server/routers/sessions";
import { showsRouter } from "~/server/routers/shows";
import { subscriptionsRouter } from "~/server/routers/subscriptions";
import { tokensRouter } from "~/server/routers/tokens";
import { createCallerFactory, router } from "~/server/trpc";

export const appRouter = router({
  shows: showsRouter,
  subscriptions: subscriptionsRouter,
  billing: billingRouter,
  me: meRouter,
  sessions: sessionsRouter,
  notifications: notificationsRouter,
  tokens: tokensRouter,
  health: healthRouter,
});

/** The one API type the clients import (pages, scripts, tests). */
export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
