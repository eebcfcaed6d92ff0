// What a developer would write by hand instead of the typed API: the benchmark's yardsticks
// (`npm run bench`, bench/run.ts), imported by the bench's pages in its copy of the app.
import type { IncomingMessage } from "node:http";
import pg from "pg";
import { auditEventSelect, readableActions, toActivity } from "~/server/domain/audit";
import { invoiceJson, invoiceSelect, newestInvoicesFirst, paymentMethodOf, pendingTierJson, tierSelect, toTier } from "~/server/domain/billing";
import { listTokens } from "~/server/domain/api-tokens";
import { encodeFollowsCursor, FOLLOWS_PAGE } from "~/server/domain/followed-shows";
import type { Prisma } from "~/generated/prisma/client";
import { listSessions } from "~/server/domain/sessions";
import { showSelect, toShow } from "~/server/domain/shows";
import { pageArgs, toPage } from "~/server/pagination";
import { authFromSession } from "~/server/platform/auth";
import { auth0 } from "~/server/platform/auth0";
import { db } from "~/server/platform/db";
import { env } from "~/server/platform/env";
import { followedShowsReader } from "./followed-shows-by-sql";

const readFollowedShows = followedShowsReader(new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 }));

/** A0/A: the session and one prepared statement through a `pg` pool. */
export async function followedShowsBySql(req: IncomingMessage) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  return readFollowedShows(session.user.sub);
}

const FIRST_PAGE = FOLLOWS_PAGE.defaultLimit;

/**
 * The first page of the follows (subscriptions.list without input) by an ordinary Prisma findMany
 * (show and genres included), one row more telling whether a next page is there.
 */
async function firstFollowsPage(where: Prisma.SubscriptionWhereInput) {
  const rows = await db.subscription.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: FIRST_PAGE + 1,
    select: { id: true, notify: true, createdAt: true, show: { select: showSelect } },
  });
  const page = rows.slice(0, FIRST_PAGE);
  const last = page.at(-1);
  return {
    items: page.map(({ show, notify, createdAt }) => ({ notify, createdAt: createdAt.toISOString(), show: toShow(show) })),
    nextCursor: rows.length > FIRST_PAGE && last ? encodeFollowsCursor({ createdAt: last.createdAt, followId: last.id }) : null,
  };
}

/** B: the session and an ordinary Prisma findMany (show and genres included). */
export async function followedShowsByPrisma(req: IncomingMessage) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  return firstFollowsPage({ user: { auth0Sub: session.user.sub } });
}

/**
 * The /account twin: the reads of the page's prefetches (me.profile, subscriptions.list,
 * billing.info, me.activity, sessions.list, tokens.list, me.reminders) with Prisma and no tRPC, mapped to the JSON its view takes (the
 * procedures' outputs). Null when signed out.
 */
export async function accountByPrisma(req: IncomingMessage, activityLimit: number) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  const auth = authFromSession(session);
  const { scopes } = auth;
  const user = await db.user.findUnique({
    where: { auth0Sub: session.user.sub },
    select: {
      id: true,
      email: true,
      name: true,
      picture: true,
      createdAt: true,
      reminderLeadMinutes: true,
      _count: { select: { subscriptions: true } },
      billingAccount: {
        select: {
          status: true,
          currentPeriodStart: true,
          currentPeriodEnd: true,
          paymentBrand: true,
          paymentLast4: true,
          tier: { select: tierSelect },
          pendingTier: { select: { id: true, name: true } },
          invoices: { select: invoiceSelect, orderBy: newestInvoicesFirst, take: 5 },
        },
      },
    },
  });
  // Opening an account (the API does it on a first visit) is no read: the bench user has one.
  if (!user?.billingAccount) throw new Error(`No billing account for ${session.user.sub}`);
  const [shows, events, sessions, tokens] = await Promise.all([
    firstFollowsPage({ userId: user.id }),
    db.auditEvent.findMany({
      where: { userId: user.id, action: { in: readableActions(auth) } },
      orderBy: { seq: "desc" },
      ...pageArgs({ limit: activityLimit }),
      select: auditEventSelect,
    }),
    listSessions(db, session),
    listTokens(db, user.id, { permissionsMaxAgeSeconds: env.AUTH0_SESSION_ABSOLUTE_DURATION }),
  ]);
  const { billingAccount: account, createdAt, reminderLeadMinutes, _count, ...profile } = user;
  const { tier, pendingTier, paymentBrand, paymentLast4, invoices } = account;
  return {
    // The header's user, which _app reads from every server-rendered page's props (as createSsr gives it).
    user: { sub: session.user.sub, ...(session.user.name && { name: session.user.name }), ...(session.user.email && { email: session.user.email }) },
    scopes,
    profile: { ...profile, createdAt: createdAt.toISOString(), tier: { id: tier.id, name: tier.name } },
    billing: {
      status: account.status,
      currentPeriodStart: account.currentPeriodStart.toISOString(),
      currentPeriodEnd: account.currentPeriodEnd.toISOString(),
      tier: toTier(tier),
      pendingTier: pendingTier && pendingTierJson(pendingTier),
      paymentMethod: paymentMethodOf({ paymentBrand, paymentLast4 }),
      usage: { subscriptions: _count.subscriptions, limit: tier.maxSubscriptions },
      invoices: invoices.map(invoiceJson),
    },
    subscriptions: shows,
    activity: toPage(events, activityLimit, toActivity),
    sessions,
    tokens,
    reminders: { leadMinutes: reminderLeadMinutes },
  };
}
