// Every hand-written SQL statement of the app, in one place, each with the schema of its rows (the
// one source of their type, checked on every row). Each stands for a Prisma query where that query
// costs too much (the hottest reads) or cannot say it (a row lock); tests/hand-written-sql.test.ts
// holds each read equal to the Prisma query it stands for, so a schema change one misses fails there.
// Run them with `db.sql` (the pool) or `sqlIn(tx)` (inside a transaction), src/server/platform/db.ts.
//
// Timestamps are `timestamp without time zone` holding UTC (Prisma's convention): the pool's driver
// would read them in the server's zone, so statements run on the pool read them `AT TIME ZONE 'UTC'`.
import { z } from "zod";
import { AccountEmailKind, BillingInterval, ShowStatus } from "~/generated/prisma/enums";
import type { Statement } from "~/server/platform/db";

const statement = <Row extends z.ZodRawShape>(text: string, row: Row): Statement<z.ZodObject<Row>> => ({ text, row: z.object(row) });

/**
 * A live session's sealed data, by its row key and the time now (every signed-in request reads it).
 * The driver sends a Date in the server's zone, with its offset: read as an instant, then as UTC.
 */
export const SESSION_DATA = statement(`SELECT "data" FROM "Session" WHERE "id" = $1 AND "expiresAt" > ($2::timestamptz AT TIME ZONE 'UTC')`, {
  data: z.string(),
});

/** Deletes every session of a person (by sub), giving back what each held. */
export const TAKE_SESSIONS = statement(`DELETE FROM "Session" WHERE "sub" = $1 RETURNING "id", "data"`, { id: z.string(), data: z.string() });

/**
 * A page of the shows a user follows (subscriptions.list, the API's hottest read), newest follow
 * first, the follow's id settling follows of the same instant; genres by name. By user, then keyset:
 * the follows strictly after ($2 createdAt as an ISO instant, $3 follow id) in that order ('infinity'
 * and '' for the first page), at most $4 of them, on the (userId, createdAt, id) index. The genres
 * come from Prisma's join table of the implicit Genre–Show relation (docs/data.md says why it stays
 * implicit).
 */
export const FOLLOWED_SHOWS = statement(
  `SELECT s.id AS "followId", s.notify, s."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
          sh.id, sh.slug, sh.title, sh.network, sh.summary, sh.premiered, sh.status::text AS status,
          ARRAY(SELECT g.name FROM "_GenreToShow" gs JOIN "Genre" g ON g.id = gs."A" WHERE gs."B" = sh.id ORDER BY g.name) AS genres
   FROM "Subscription" s JOIN "Show" sh ON sh.id = s."showId"
   WHERE s."userId" = $1 AND (s."createdAt", s.id) < ($2::timestamptz AT TIME ZONE 'UTC', $3::text)
   ORDER BY s."createdAt" DESC, s.id DESC
   LIMIT $4`,
  {
    followId: z.string(),
    notify: z.boolean(),
    createdAt: z.date(),
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    network: z.string(),
    summary: z.string(),
    premiered: z.number().int(),
    status: z.enum(ShowStatus),
    genres: z.array(z.string()),
  },
);

/** The plan of a user's billing account (me.profile, in most batches). */
export const ACCOUNT_TIER = statement(
  `SELECT t.id, t.name FROM "BillingAccount" a JOIN "PricingTier" t ON t.id = a."tierId" WHERE a."userId" = $1`,
  { id: z.string(), name: z.string() },
);

/**
 * What a switch to a plan is measured against (billing.quote), in one statement: the plan (no row
 * when there is no such plan) and the user's account with its plan's price (nulls when they have no
 * account yet).
 */
export const PLAN_QUOTE = statement(
  `SELECT t.id, t.name, t."priceCents", t.interval::text AS interval, t."maxSubscriptions",
          a."tierId" AS "accountTierId", c."priceCents" AS "accountPriceCents", a."pendingTierId",
          a."currentPeriodStart" AT TIME ZONE 'UTC' AS "currentPeriodStart", a."currentPeriodEnd" AT TIME ZONE 'UTC' AS "currentPeriodEnd",
          (SELECT count(*)::int FROM "Subscription" s WHERE s."userId" = $2) AS following
   FROM "PricingTier" t
   LEFT JOIN "BillingAccount" a ON a."userId" = $2
   LEFT JOIN "PricingTier" c ON c.id = a."tierId"
   WHERE t.id = $1`,
  {
    id: z.string(),
    name: z.string(),
    priceCents: z.number().int(),
    interval: z.enum(BillingInterval),
    maxSubscriptions: z.number().int().nullable(),
    accountTierId: z.string().nullable(),
    accountPriceCents: z.number().int().nullable(),
    pendingTierId: z.string().nullable(),
    currentPeriodStart: z.date().nullable(),
    currentPeriodEnd: z.date().nullable(),
    following: z.number().int(),
  },
);

/**
 * Locks a user's billing account row until the transaction ends (`FOR UPDATE`) and reads it with its
 * plan, the plan it waits to move to, and Free's cap. Run in a transaction (sqlIn), whose client
 * reads timestamps as UTC itself.
 */
export const LOCKED_ACCOUNT = statement(
  `SELECT a."id", a."tierId", t."name" AS "tierName", t."priceCents", t."maxSubscriptions",
          a."pendingTierId", p."name" AS "pendingTierName", p."maxSubscriptions" AS "pendingMaxSubscriptions", p."interval"::text AS "pendingInterval", p."priceCents" AS "pendingPriceCents",
          a."currentPeriodStart", a."currentPeriodEnd", a."paymentReference",
          (SELECT f."maxSubscriptions" FROM "PricingTier" f WHERE f."id" = $2) AS "freeMaxSubscriptions"
   FROM "BillingAccount" a JOIN "PricingTier" t ON t."id" = a."tierId" LEFT JOIN "PricingTier" p ON p."id" = a."pendingTierId"
   WHERE a."userId" = $1
   FOR UPDATE OF a`,
  {
    id: z.string(),
    tierId: z.string(),
    tierName: z.string(),
    priceCents: z.number().int(),
    maxSubscriptions: z.number().int().nullable(),
    pendingTierId: z.string().nullable(),
    pendingTierName: z.string().nullable(),
    pendingMaxSubscriptions: z.number().int().nullable(),
    pendingInterval: z.enum(BillingInterval).nullable(),
    pendingPriceCents: z.number().int().nullable(),
    currentPeriodStart: z.date(),
    currentPeriodEnd: z.date(),
    paymentReference: z.string().nullable(),
    freeMaxSubscriptions: z.number().int().nullable(),
  },
);

/** Locks a user's billing account row, if any, until the transaction ends (an account's deletion takes it first). */
export const LOCK_ACCOUNT_ROW = statement(`SELECT 1 AS locked FROM "BillingAccount" WHERE "userId" = $1 FOR UPDATE`, { locked: z.literal(1) });

/** Whether the database answers (/api/health). */
export const PING = statement(`SELECT 1 AS up`, { up: z.literal(1) });

/** Takes the lock under which workers create the job queues one at a time, until the transaction ends. */
export const JOB_QUEUES_LOCK = statement(`SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtext('showtrack:job-queues'))`, { locked: z.literal(1) });

/** Seconds since the newest heartbeat of any worker; null when none has ever beaten. */
export const WORKER_HEARTBEAT_AGE = statement(`SELECT extract(epoch FROM now() - max("seenAt"))::float8 AS age FROM "WorkerHeartbeat"`, {
  age: z.number().nullable(),
});

/** Seconds the oldest due job has waited, in pg-boss's table of `schema`; null when none waits. */
export const oldestDueJobAge = (schema: string) =>
  statement(
    `SELECT extract(epoch FROM now() - min(start_after))::float8 AS age FROM ${schema}.job
     WHERE state IN ('created', 'retry') AND start_after <= now() AND name NOT LIKE '\\_\\_pgboss\\_\\_%'`,
    { age: z.number().nullable() },
  );

/**
 * Makes the reminders whose time has come ($1 now, $2 the horizon), both channels, and counts them.
 * The unique key (person, episode, channel) makes each exactly once.
 */
export const DUE_REMINDERS = statement(
  `WITH made AS (
     INSERT INTO "Notification" ("userId", "episodeId", "channel", "createdAt")
     SELECT s."userId", e."id", c."channel"::"NotificationChannel", $1
     FROM "Episode" e
     JOIN "Subscription" s ON s."showId" = e."showId" AND s."notify"
     JOIN "User" u ON u."id" = s."userId" AND u."reminderLeadMinutes" IS NOT NULL
     CROSS JOIN (VALUES ('in_app'), ('email')) AS c("channel")
     WHERE e."airsAt" > $1
       AND e."airsAt" <= $2
       AND e."airsAt" - make_interval(mins => u."reminderLeadMinutes") <= $1
       AND s."createdAt" <= e."airsAt" - make_interval(mins => u."reminderLeadMinutes")
       AND (c."channel" = 'in_app' OR (u."email" IS NOT NULL AND u."emailVerified"))
     ON CONFLICT ("userId", "episodeId", "channel") DO NOTHING
     RETURNING 1)
   SELECT count(*)::int AS made FROM made`,
  { made: z.number().int() },
);

/** Claims one unsent reminder email due before the horizon ($1 now, $2 the horizon), none of $3, locked until the transaction ends. */
export const CLAIM_REMINDER_EMAIL = statement(
  `SELECT n."id", n."userId", u."email", sh."title", sh."id" AS "showId", sh."slug", e."season", e."number", e."title" AS "episodeTitle", e."airsAt"
   FROM "Notification" n
   JOIN "User" u ON u."id" = n."userId"
   JOIN "Episode" e ON e."id" = n."episodeId"
   JOIN "Show" sh ON sh."id" = e."showId"
   JOIN "Subscription" s ON s."userId" = n."userId" AND s."showId" = sh."id" AND s."notify"
   WHERE n."channel" = 'email' AND n."sentAt" IS NULL AND n."failedAt" IS NULL
     AND e."airsAt" > $1 AND e."airsAt" <= $2
     AND u."email" IS NOT NULL AND u."emailVerified" AND u."reminderLeadMinutes" IS NOT NULL
     AND n."id" <> ALL($3::text[])
   LIMIT 1
   FOR UPDATE OF n SKIP LOCKED`,
  {
    id: z.string(),
    userId: z.string(),
    email: z.string(),
    title: z.string(),
    showId: z.string(),
    slug: z.string(),
    season: z.number().int(),
    number: z.number().int(),
    episodeTitle: z.string(),
    airsAt: z.date(),
  },
);

/** Claims one unsent account email not older than $1, to a verified address, none of $2, locked until the transaction ends. */
export const CLAIM_ACCOUNT_EMAIL = statement(
  `SELECT m."id", u."email", m."kind"::text AS "kind", m."details"
   FROM "AccountEmail" m
   JOIN "User" u ON u."id" = m."userId"
   WHERE m."sentAt" IS NULL AND m."failedAt" IS NULL AND m."createdAt" > $1
     AND u."email" IS NOT NULL AND u."emailVerified"
     AND m."id" <> ALL($2::text[])
   LIMIT 1
   FOR UPDATE OF m SKIP LOCKED`,
  { id: z.string(), email: z.string(), kind: z.enum(AccountEmailKind), details: z.unknown() },
);

/** Everyone who follows more shows than their plan allows: none, whatever callers did (the fuzz test and the soak check it). */
export const OVER_CAP = statement(
  `SELECT u."auth0Sub" AS sub, count(s.id)::int AS following, t."maxSubscriptions" AS cap
   FROM "User" u
   JOIN "BillingAccount" a ON a."userId" = u.id JOIN "PricingTier" t ON t.id = a."tierId"
   LEFT JOIN "Subscription" s ON s."userId" = u.id
   WHERE t."maxSubscriptions" IS NOT NULL
   GROUP BY u."auth0Sub", t."maxSubscriptions"
   HAVING count(s.id) > t."maxSubscriptions"`,
  { sub: z.string(), following: z.number().int(), cap: z.number().int() },
);
