import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { pageArgs, toPage } from "~/server/pagination";
import { protectedProcedure, router } from "~/server/trpc";

const notificationId = z.uuid("must be a notification id");

const inApp = (userId: string) => ({ userId, channel: "in_app" }) satisfies Prisma.NotificationWhereInput;

const notificationSelect = {
  id: true,
  createdAt: true,
  readAt: true,
  episode: { select: { season: true, number: true, title: true, airsAt: true, show: { select: { slug: true, title: true } } } },
} satisfies Prisma.NotificationSelect;

type NotificationRow = Prisma.NotificationGetPayload<{ select: typeof notificationSelect }>;

const notificationJson = ({ id, createdAt, readAt, episode: { airsAt, show, ...episode } }: NotificationRow) => ({
  id,
  createdAt: createdAt.toISOString(),
  read: readAt !== null,
  show,
  episode: { ...episode, airsAt: airsAt.toISOString() },
});

/** The person's reminders in the app (src/server/domain/reminders.ts makes them): the bell and /notifications. */
export const notificationsRouter = router({
  /** Newest first, a cursor page at a time. */
  list: protectedProcedure
    .meta({ scope: "read:shows" })
    .input(z.object({ cursor: notificationId.nullish(), limit: z.number().int().min(1).max(50).default(20) }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.notification.findMany({
        relationLoadStrategy: "join",
        where: inApp(ctx.user.id),
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        ...pageArgs(input),
        select: notificationSelect,
      });
      return toPage(rows, input.limit, notificationJson);
    }),

  unreadCount: protectedProcedure.meta({ scope: "read:shows" }).query(({ ctx }) => ctx.db.notification.count({ where: { ...inApp(ctx.user.id), readAt: null } })),

  /** Marks one reminder read, or all of them (no `id`); how many changed. */
  markRead: protectedProcedure
    .meta({ scope: "write:shows" })
    .input(z.object({ id: notificationId.optional() }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.db.notification.updateMany({ where: { ...inApp(ctx.user.id), readAt: null, ...(input.id && { id: input.id }) }, data: { readAt: new Date() } });
      return { marked: count };
    }),
});
