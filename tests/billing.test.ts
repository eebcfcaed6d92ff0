import { describe, expect, it } from "vitest";
import { callerFor, db } from "./helpers";

const someShowIds = async (count: number) =>
  (await db.show.findMany({ orderBy: { slug: "desc" }, take: count, select: { id: true } })).map((s) => s.id);

describe("billing", () => {
  it("lists the three pricing tiers in order, to anyone", async () => {
    const tiers = await callerFor().billing.pricingTiers();
    expect(tiers.map((tier) => [tier.id, tier.maxSubscriptions])).toEqual([
      ["free", 3],
      ["developer", 25],
      ["enterprise", null],
    ]);
    expect(tiers[1]).toEqual({
      id: "developer",
      name: "Developer",
      priceCents: 900,
      currency: "usd",
      interval: "month",
      maxSubscriptions: 25,
      features: expect.arrayContaining(["Follow up to 25 shows"]),
    });
  });

  it("opens a Free account on first access", async () => {
    const info = await callerFor({ sub: "test|newcomer" }).billing.info();
    expect(info).toMatchObject({
      status: "active",
      tier: { id: "free", name: "Free" },
      paymentMethod: null,
      usage: { subscriptions: 0, limit: 3 },
      invoices: [],
    });
    expect(Date.parse(info.currentPeriodEnd)).toBeGreaterThan(Date.parse(info.currentPeriodStart));
    expect(await db.billingAccount.count({ where: { user: { auth0Sub: "test|newcomer" } } })).toBe(1);
  });

  it("shows bob's plan, card, usage and latest invoices", async () => {
    const info = await callerFor({ sub: "dev|bob" }).billing.info();
    expect(info).toMatchObject({
      tier: { id: "developer" },
      paymentMethod: { brand: "visa", last4: "4242" },
      usage: { subscriptions: 12, limit: 25 },
    });
    expect(info.invoices).toHaveLength(3);
    expect(Object.keys(info.invoices[0]!).sort()).toEqual(
      ["amountCents", "currency", "id", "issuedAt", "periodEnd", "periodStart", "status"].sort(),
    );
  });

  it("refuses a downgrade below current usage, naming how many shows to drop", async () => {
    const bob = callerFor({ sub: "dev|bob" });
    await expect(bob.billing.changeTier({ tierId: "free" })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "The Free plan follows up to 3 shows, and you follow 12. Unfollow 9 shows first.",
    });
    expect((await bob.billing.info()).tier.id).toBe("developer");
  });

  it("an upgrade to a paid tier starts a new period with a paid invoice; it then lifts the cap", async () => {
    const user = callerFor({ sub: "test|upgrader" });
    const ids = await someShowIds(4);
    for (const showId of ids.slice(0, 3)) await user.subscriptions.add({ showId });
    await expect(user.subscriptions.add({ showId: ids[3]! })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });

    const info = await user.billing.changeTier({ tierId: "developer" });
    expect(info.tier.id).toBe("developer");
    expect(info.usage).toEqual({ subscriptions: 3, limit: 25 });
    expect(info.invoices).toEqual([
      expect.objectContaining({
        amountCents: 900,
        currency: "usd",
        status: "paid",
        periodStart: info.currentPeriodStart,
        periodEnd: info.currentPeriodEnd,
      }),
    ]);
    await user.subscriptions.add({ showId: ids[3]! });

    // Back to Free is refused while following 4; staying on the same plan changes nothing.
    await expect(user.billing.changeTier({ tierId: "free" })).rejects.toMatchObject({
      message: "The Free plan follows up to 3 shows, and you follow 4. Unfollow 1 show first.",
    });
    expect((await user.billing.changeTier({ tierId: "developer" })).invoices).toHaveLength(1);
  });

  it("pages through invoices newest first", async () => {
    const bob = callerFor({ sub: "dev|bob" });
    const first = await bob.billing.invoices({ limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBe(first.items[1]!.id);
    const second = await bob.billing.invoices({ limit: 2, cursor: first.nextCursor });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const dates = [...first.items, ...second.items].map((invoice) => Date.parse(invoice.issuedAt));
    expect(dates).toEqual([...dates].sort((a, b) => b - a));
  });

  it("user B cannot read or change user A's billing or invoices", async () => {
    const mallory = callerFor({ sub: "test|mallory" });
    const bobInvoices = await callerFor({ sub: "dev|bob" }).billing.invoices({ limit: 1 });
    expect((await mallory.billing.invoices({ limit: 10 })).items).toEqual([]);
    expect((await mallory.billing.invoices({ limit: 10, cursor: bobInvoices.items[0]!.id })).items).toEqual([]);
    const info = await mallory.billing.info();
    expect(info.paymentMethod).toBeNull();
    expect(info.invoices).toEqual([]);
    await mallory.billing.changeTier({ tierId: "enterprise" });
    expect((await callerFor({ sub: "dev|bob" }).billing.info()).tier.id).toBe("developer");
  });
});

describe("me and health", () => {
  it("me.profile returns the provisioned user with their tier, refreshed from the session", async () => {
    const profile = await callerFor({ sub: "dev|carol", name: "Carol Renamed", email: "carol@new.test" }).me.profile();
    expect(profile).toEqual({
      id: expect.any(String),
      email: "carol@new.test",
      name: "Carol Renamed",
      picture: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      tier: { id: "enterprise", name: "Enterprise" },
    });
    expect((await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|carol" } })).name).toBe("Carol Renamed");
  });

  it("health reports the database", async () => {
    expect(await callerFor().health.check()).toEqual({ ok: true, db: "up" });
  });
});
