// The hottest reads run hand-written SQL instead of Prisma queries (issue 9): each answers byte
// for byte what the Prisma query it stands for answers. subscriptions.list, as a property: on any
// follows — ties in time, shows without genres, a server clock in another time zone.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountTier } from "~/server/domain/billing";
import { followedShows } from "~/server/domain/followed-shows";
import { showSelect, toShow } from "~/server/domain/shows";
import { db } from "./helpers";

/** What subscriptions.list answered as a Prisma query: the reference the statement must match. */
async function byPrisma(userId: string) {
  const rows = await db.subscription.findMany({
    where: { userId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { notify: true, createdAt: true, show: { select: showSelect } },
  });
  return rows.map(({ notify, createdAt, show }) => ({ notify, createdAt: createdAt.toISOString(), show: toShow(show) }));
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
  it("answers what the Prisma query answers, in the same order and shape", async () => {
    // A few instants only, so that follows often share one and the id must settle their order.
    const instants = [Date.UTC(2026, 0, 1, 23, 30), Date.UTC(2026, 5, 15, 0, 0, 0, 1), Date.UTC(2026, 10, 27, 12)];
    const follows = fc.uniqueArray(
      fc.record({ show: fc.nat({ max: showIds.length - 1 }), notify: fc.boolean(), at: fc.constantFrom(...instants) }),
      { selector: (follow) => follow.show, maxLength: showIds.length },
    );
    await fc.assert(
      fc.asyncProperty(follows, async (picked) => {
        await db.subscription.deleteMany({ where: { userId } });
        await db.subscription.createMany({
          data: picked.map(({ show, notify, at }) => ({ userId, showId: showIds[show]!, notify, createdAt: new Date(at) })),
        });
        expect(JSON.stringify(await followedShows(db, userId))).toBe(JSON.stringify(await byPrisma(userId)));
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
