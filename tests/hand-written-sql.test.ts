// Every hand-written statement (src/server/platform/statements.ts) answers what the Prisma query it
// stands for answers. subscriptions.list, as a property, page after page of any size: on any follows —
// ties in time, shows without genres, a server clock in another time zone.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FREE_TIER_ID } from "~/utils/tiers";
import { accountTier, planChange } from "~/server/domain/billing";
import { planFitError } from "~/server/domain/entitlements";
import { followedShows, followsCursorInput } from "~/server/domain/followed-shows";
import { quotePlanChange } from "~/server/domain/plans";
import { showSelect, toShow } from "~/server/domain/shows";
import { sqlIn } from "~/server/platform/db";
import * as statements from "~/server/platform/statements";
import { db } from "./helpers";

/**
 * A page of subscriptions.list as a Prisma query, by Prisma's own cursor paging (after the follow of
 * id `after`): the reference the statement must match, with the id of the page's last follow.
 */
async function byPrisma(userId: string, after: string | undefined, limit: number) {
  const rows = await db.subscription.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    take: limit,
    select: { id: true, notify: true, createdAt: true, show: { select: showSelect } },
  });
  return { items: rows.map(({ notify, createdAt, show }) => ({ notify, createdAt: createdAt.toISOString(), show: toShow(show) })), last: rows.at(-1)?.id };
}

const timeZone = process.env.TZ;
let userId: string;
let showIds: string[];

beforeAll(async () => {
  // The driver reads a timestamp without time zone in the process's zone; the statement must not care.
  process.env.TZ = "Pacific/Kiritimati"; // UTC+14
  userId = (await db.user.create({ data: { auth0Sub: "test|followed-shows", email: "followed-shows@example.test" } })).id;
  const bare = await db.show.create({
    data: { slug: "no-genres", title: "No Genres", network: "Nowhere", summary: "A show with no genre.", premiered: 2001, status: "ended" },
  });
  showIds = [bare.id, ...(await db.show.findMany({ select: { id: true }, take: 20 })).map((show) => show.id)];
});

afterAll(() => {
  process.env.TZ = timeZone;
});

describe("followedShows", () => {
  it("answers, page after page, what the Prisma query answers, in the same order and shape", async () => {
    // A few instants only, so that follows often share one and the id must settle their order.
    const instants = [Date.UTC(2026, 0, 1, 23, 30), Date.UTC(2026, 5, 15, 0, 0, 0, 1), Date.UTC(2026, 10, 27, 12)];
    const follows = fc.uniqueArray(
      fc.record({ show: fc.nat({ max: showIds.length - 1 }), notify: fc.boolean(), at: fc.constantFrom(...instants) }),
      { selector: (follow) => follow.show, maxLength: showIds.length },
    );
    await fc.assert(
      fc.asyncProperty(follows, fc.integer({ min: 1, max: 8 }), async (picked, limit) => {
        await db.subscription.deleteMany({ where: { userId } });
        await db.subscription.createMany({
          data: picked.map(({ show, notify, at }) => ({ userId, showId: showIds[show]!, notify, createdAt: new Date(at) })),
        });
        // Every page, until the statement says there is none after: then Prisma has none either.
        let cursor: string | null = null;
        let after: string | undefined;
        do {
          const page: Awaited<ReturnType<typeof followedShows>> = await followedShows(db, userId, { after: cursor === null ? undefined : followsCursorInput.parse(cursor), limit });
          const reference = await byPrisma(userId, after, limit);
          expect(JSON.stringify(page.items)).toBe(JSON.stringify(reference.items));
          cursor = page.nextCursor;
          after = reference.last;
        } while (cursor !== null);
        expect((await byPrisma(userId, after, limit)).items).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });
});

describe("accountTier", () => {
  const byPrismaTier = async (userId: string) => {
    const { tier } = await db.billingAccount.findUniqueOrThrow({ where: { userId }, select: { tier: { select: { id: true, name: true } } } });
    return tier;
  };

  it("answers the account's plan as the Prisma query does, on every plan, and opens a Free account on first access", async () => {
    const { id: newcomer } = await db.user.create({ data: { auth0Sub: "test|account-tier", email: "account-tier@example.test" } });
    expect(await accountTier(db, newcomer)).toEqual({ id: "free", name: "Free" });
    for (const { id: tierId } of await db.pricingTier.findMany({ select: { id: true } })) {
      await db.billingAccount.update({ where: { userId: newcomer }, data: { tierId } });
      expect(JSON.stringify(await accountTier(db, newcomer))).toBe(JSON.stringify(await byPrismaTier(newcomer)));
    }
  });
});

describe("billing.quote's statement", () => {
  /** What the quote was as Prisma queries: the target plan, the account with its plan's price, and its follows. */
  async function byPrismaQuote(userId: string, tierId: string, now: Date) {
    const target = await db.pricingTier.findUniqueOrThrow({ where: { id: tierId }, select: { id: true, name: true, priceCents: true, interval: true, maxSubscriptions: true } });
    const { tier, ...account } = await db.billingAccount.findUniqueOrThrow({
      where: { userId },
      select: { tierId: true, pendingTierId: true, currentPeriodStart: true, currentPeriodEnd: true, tier: { select: { priceCents: true } } },
    });
    const change = planChange({ ...account, priceCents: tier.priceCents }, target, now);
    const following = await db.subscription.count({ where: { userId } });
    return change.kind === "downgrade" ? { ...change, refusal: planFitError(target, following)?.message ?? null } : change;
  }

  it("quotes as the Prisma queries do, from every plan to every plan, with and without a downgrade waiting", async () => {
    const { id: userId } = await db.user.create({ data: { auth0Sub: "test|quote-sql", email: "quote-sql@example.test" } });
    const tiers = (await db.pricingTier.findMany({ select: { id: true } })).map((tier) => tier.id);
    const start = new Date(Date.UTC(2026, 10, 1, 23, 30, 0, 123));
    const end = new Date(Date.UTC(2026, 11, 1, 23, 30, 0, 123));
    const now = new Date(Date.UTC(2026, 10, 17, 5));
    await quotePlanChange(db, userId, FREE_TIER_ID, now); // opens the account
    // Five follows: a switch to Free is refused, to the others not.
    const shows = await db.show.findMany({ take: 5, select: { id: true } });
    await db.subscription.createMany({ data: shows.map((show) => ({ userId, showId: show.id })) });
    for (const current of tiers) {
      for (const pending of [null, ...tiers]) {
        await db.billingAccount.update({ where: { userId }, data: { tierId: current, pendingTierId: pending, currentPeriodStart: start, currentPeriodEnd: end } });
        for (const target of tiers) {
          const expected = JSON.parse(JSON.stringify(await byPrismaQuote(userId, target, now))) as unknown;
          expect(await quotePlanChange(db, userId, target, now)).toEqual(expected);
        }
      }
    }
  });
});

describe("the locked account's statement", () => {
  it("reads the account, its plans and Free's cap as Prisma does", async () => {
    const { id: userId } = await db.user.create({ data: { auth0Sub: "test|locked-sql", email: "locked-sql@example.test" } });
    await accountTier(db, userId);
    await db.billingAccount.update({ where: { userId }, data: { tierId: "developer", pendingTierId: "free", paymentReference: "test_pm_4242" } });
    const [locked] = await db.$transaction((tx) => sqlIn(tx)(statements.LOCKED_ACCOUNT, [userId, FREE_TIER_ID]));
    const account = await db.billingAccount.findUniqueOrThrow({
      where: { userId },
      select: {
        id: true, tierId: true, pendingTierId: true, currentPeriodStart: true, currentPeriodEnd: true, paymentReference: true,
        tier: { select: { name: true, priceCents: true, maxSubscriptions: true } },
        pendingTier: { select: { name: true, maxSubscriptions: true, interval: true, priceCents: true } },
      },
    });
    const free = await db.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID }, select: { maxSubscriptions: true } });
    expect(locked).toEqual({
      id: account.id,
      tierId: account.tierId,
      tierName: account.tier.name,
      priceCents: account.tier.priceCents,
      maxSubscriptions: account.tier.maxSubscriptions,
      pendingTierId: account.pendingTierId,
      pendingTierName: account.pendingTier?.name,
      pendingMaxSubscriptions: account.pendingTier?.maxSubscriptions,
      pendingInterval: account.pendingTier?.interval,
      pendingPriceCents: account.pendingTier?.priceCents,
      currentPeriodStart: account.currentPeriodStart,
      currentPeriodEnd: account.currentPeriodEnd,
      paymentReference: account.paymentReference,
      freeMaxSubscriptions: free.maxSubscriptions,
    });
  });
});

describe("the sessions' statements", () => {
  it("read and take what Prisma reads", async () => {
    const expiresAt = new Date(Date.now() + 60_000);
    await db.session.createMany({
      data: [
        { id: "sql-live", sub: "test|sessions-sql", data: "sealed-1", createdAt: new Date(), lastSeenAt: new Date(), expiresAt },
        { id: "sql-expired", sub: "test|sessions-sql", data: "sealed-2", createdAt: new Date(), lastSeenAt: new Date(), expiresAt: new Date(Date.now() - 1000) },
      ],
    });
    for (const id of ["sql-live", "sql-expired"]) {
      const byPrisma = await db.session.findFirst({ where: { id, expiresAt: { gt: new Date() } }, select: { data: true } });
      expect((await db.sql(statements.SESSION_DATA, [id, new Date()]))[0] ?? null).toEqual(byPrisma);
    }
    const all = await db.session.findMany({ where: { sub: "test|sessions-sql" }, select: { id: true, data: true }, orderBy: { id: "asc" } });
    const taken = await db.sql(statements.TAKE_SESSIONS, ["test|sessions-sql"]);
    expect(taken.sort((a, b) => a.id.localeCompare(b.id))).toEqual(all);
    expect(await db.session.count({ where: { sub: "test|sessions-sql" } })).toBe(0);
  });
});

it("holds every hand-written statement to a test", () => {
  // The reads that stand for Prisma queries are held equal to them above. The others do what no Prisma
  // query says, and the tests of what they do hold them: the locks (subscriptions.test.ts,
  // account-deletion.test.ts, worker.test.ts), the reminders' (reminders.test.ts), the account emails'
  // (renewals.test.ts), the health's (worker.test.ts),
  // the consistency check's (fuzz.test.ts).
  expect(Object.keys(statements).sort()).toEqual(
    [
      ...["ACCOUNT_TIER", "FOLLOWED_SHOWS", "LOCKED_ACCOUNT", "PLAN_QUOTE", "SESSION_DATA", "TAKE_SESSIONS"],
      ...["LOCK_ACCOUNT_ROW", "JOB_QUEUES_LOCK", "PING", "DUE_REMINDERS", "CLAIM_REMINDER_EMAIL", "CLAIM_ACCOUNT_EMAIL", "WORKER_HEARTBEAT_AGE", "oldestDueJobAge", "OVER_CAP"],
    ].sort(),
  );
});
