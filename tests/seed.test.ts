import { describe, expect, it } from "vitest";
import { DEMO_USERS, seedShows } from "../prisma/seed-data";
import { db, seed } from "./helpers";

const counts = async () => ({
  pricingTiers: await db.pricingTier.count(),
  genres: await db.genre.count(),
  shows: await db.show.count(),
  users: await db.user.count(),
  billingAccounts: await db.billingAccount.count(),
  subscriptions: await db.subscription.count(),
  invoices: await db.invoice.count(),
});

describe("seed", () => {
  it("is idempotent: seeding twice leaves the same rows", async () => {
    await seed();
    const once = await counts();
    const ids = await db.subscription.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    await seed();
    expect(await counts()).toEqual(once);
    expect(await db.subscription.findMany({ select: { id: true }, orderBy: { id: "asc" } })).toEqual(ids);
    expect(once).toMatchObject({ pricingTiers: 3, shows: seedShows().length, users: DEMO_USERS.length, invoices: 4 });
    expect(once.shows).toBeGreaterThanOrEqual(60);
  });

  it("gives the demo users their plans and shows", async () => {
    const users = await db.user.findMany({
      select: { auth0Sub: true, billingAccount: { select: { tierId: true } }, _count: { select: { subscriptions: true } } },
      orderBy: { auth0Sub: "asc" },
    });
    expect(users.map((u) => [u.auth0Sub, u.billingAccount?.tierId, u._count.subscriptions])).toEqual([
      ["dev|alice", "free", 2],
      ["dev|bob", "developer", 12],
      ["dev|carol", "enterprise", 5],
    ]);
  });

  it("makes each demo user a member since before their first follow and first invoice", async () => {
    const users = await db.user.findMany({
      select: {
        auth0Sub: true,
        createdAt: true,
        subscriptions: { select: { createdAt: true }, orderBy: { createdAt: "asc" }, take: 1 },
        billingAccount: { select: { invoices: { select: { issuedAt: true }, orderBy: { issuedAt: "asc" }, take: 1 } } },
      },
    });
    for (const user of users) {
      const firsts = [user.subscriptions[0]?.createdAt, user.billingAccount?.invoices[0]?.issuedAt].filter((date) => date !== undefined);
      for (const first of firsts) expect(user.createdAt.getTime(), user.auth0Sub).toBeLessThan(first.getTime());
    }
    expect(users.find((user) => user.auth0Sub === "dev|bob")?.billingAccount?.invoices).toHaveLength(1);
  });
});
