// What a developer would write by hand instead of the typed API: the benchmark's yardsticks
// (`npm run bench`, scripts/bench.ts). Only the `*.bench.mts` pages of a SHOWTRACK_BENCH=1 build import it.
import type { IncomingMessage } from "node:http";
import pg from "pg";
import { auth0 } from "~/server/platform/auth0";
import { db } from "~/server/platform/db";
import { showSelect, toShow } from "~/server/domain/shows";
import { FOLLOWED_SHOWS_SQL, toFollowedShow, type FollowedShowRow } from "./hand-written-sql";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

/** A0/A: the session and one prepared statement through a `pg` pool. */
export async function followedShowsBySql(req: IncomingMessage) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  const { rows } = await pool.query<FollowedShowRow>({ name: "bench_followed_shows", text: FOLLOWED_SHOWS_SQL, values: [session.user.sub] });
  return rows.map(toFollowedShow);
}

/** B: the session and an ordinary Prisma findMany (show and genres included). */
export async function followedShowsByPrisma(req: IncomingMessage) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  const rows = await db.subscription.findMany({
    where: { user: { auth0Sub: session.user.sub } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { notify: true, createdAt: true, show: { select: showSelect } },
  });
  return rows.map(({ show, ...subscription }) => ({ ...subscription, show: toShow(show) }));
}

/** The /account twin: the same reads as the page's four prefetches, with Prisma, no tRPC. */
export async function accountByPrisma(req: IncomingMessage) {
  const session = await auth0.getSession(req);
  if (!session) return null;
  const user = await db.user.findUnique({
    where: { auth0Sub: session.user.sub },
    select: { id: true, email: true, name: true, picture: true, createdAt: true, billingAccount: { include: { tier: true } } },
  });
  if (!user) return null;
  const [shows, invoices, activity] = await Promise.all([
    db.subscription.findMany({
      where: { userId: user.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { notify: true, createdAt: true, show: { select: showSelect } },
    }),
    db.invoice.findMany({ where: { billingAccount: { userId: user.id } }, orderBy: [{ issuedAt: "desc" }, { id: "desc" }], take: 5 }),
    db.auditEvent.findMany({ where: { userId: user.id }, orderBy: { seq: "desc" }, take: 11 }),
  ]);
  return { user, shows: shows.map(({ show, ...subscription }) => ({ ...subscription, show: toShow(show) })), invoices, activity };
}
