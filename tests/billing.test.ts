import { afterEach, describe, expect, it, vi } from "vitest";
import { testPaymentProvider } from "~/server/domain/payments";
import { callerFor, db } from "./helpers";

const VISA = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
/** Attaches, but its charges are declined. */
const DECLINES_CHARGES = { ...VISA, number: "4000 0000 0000 0341" };
/** Refused when attached. */
const DECLINED_CARD = { ...VISA, number: "4000 0000 0000 0002" };

/** A new user on Free with a good card on file. */
async function payingUser(sub: string) {
  const user = callerFor({ sub });
  await user.billing.setCard(VISA);
  return user;
}

const invoicesOf = (sub: string) =>
  db.invoice.findMany({ where: { billingAccount: { user: { auth0Sub: sub } } }, orderBy: { issuedAt: "asc" }, select: { tierId: true, amountCents: true, status: true, periodStart: true, periodEnd: true } });

afterEach(() => vi.restoreAllMocks());

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
      features: expect.arrayContaining(["API access with your own tokens"]),
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
    await expect(user.billing.changeTier({ tierId: "developer" })).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
      message: "A paid plan needs a card on file. Add one under Payment method on your account page.",
    });
    await user.billing.setCard(VISA);

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
    await mallory.billing.setCard(VISA);
    await mallory.billing.changeTier({ tierId: "enterprise" });
    expect((await callerFor({ sub: "dev|bob" }).billing.info()).tier.id).toBe("developer");
  });
});

describe("plan changes by the policy", () => {
  it("Free → Developer → Free → Developer: one invoice; the way down waits for the period's end and the way back cancels it", async () => {
    const sub = "test|back-and-forth";
    const user = await payingUser(sub);
    const charge = vi.spyOn(testPaymentProvider, "charge");

    const upgraded = await user.billing.changeTier({ tierId: "developer" });
    expect(upgraded).toMatchObject({ tier: { id: "developer" }, pendingTier: null, paymentMethod: { brand: "visa", last4: "4242" } });

    const down = await user.billing.changeTier({ tierId: "free" });
    expect(down).toMatchObject({ tier: { id: "developer" }, pendingTier: { id: "free", name: "Free" } });
    expect(down.currentPeriodEnd).toEqual(upgraded.currentPeriodEnd);

    const back = await user.billing.changeTier({ tierId: "developer" });
    expect(back).toMatchObject({ tier: { id: "developer" }, pendingTier: null });
    expect(back.currentPeriodStart).toEqual(upgraded.currentPeriodStart);

    expect(await invoicesOf(sub)).toEqual([
      { tierId: "developer", amountCents: 900, status: "paid", periodStart: new Date(upgraded.currentPeriodStart), periodEnd: new Date(upgraded.currentPeriodEnd) },
    ]);
    expect(charge).toHaveBeenCalledTimes(1);
    const events = await db.auditEvent.findMany({ where: { user: { auth0Sub: sub }, target: { not: "card" } }, orderBy: { seq: "asc" }, select: { action: true, details: true } });
    expect(events).toEqual([
      { action: "plan_change", details: { from: "Free", to: "Developer" } },
      { action: "plan_change_scheduled", details: { from: "Developer", to: "Free", on: upgraded.currentPeriodEnd } },
      { action: "plan_change_canceled", details: { from: "Developer", to: "Free" } },
    ]);
  });

  it("quotes what a switch does, by the same rule", async () => {
    const user = await payingUser("test|quoted");
    expect(await user.billing.quote({ tierId: "developer" })).toMatchObject({ kind: "upgrade", chargeCents: 900 });
    const { currentPeriodEnd } = await user.billing.changeTier({ tierId: "developer" });
    expect(await user.billing.quote({ tierId: "developer" })).toEqual({ kind: "none" });
    expect(await user.billing.quote({ tierId: "free" })).toEqual({ kind: "downgrade", effectiveAt: currentPeriodEnd, refusal: null });
  });

  it("quotes a downgrade that does not fit with changeTier's own refusal", async () => {
    const bob = callerFor({ sub: "dev|bob" });
    const quote = await bob.billing.quote({ tierId: "free" });
    const refused = await bob.billing.changeTier({ tierId: "free" }).catch((error: Error) => error);
    expect(quote).toMatchObject({ kind: "downgrade", refusal: "The Free plan follows up to 3 shows, and you follow 12. Unfollow 9 shows first." });
    expect(quote).toMatchObject({ refusal: (refused as Error).message });
  });

  it("while a downgrade waits, its cap holds from now on: usage, billing.info and a follow's refusal agree", async () => {
    const user = await payingUser("test|waiting-downgrade");
    await user.billing.changeTier({ tierId: "developer" });
    const [a, b, c] = await someShowIds(3);
    for (const showId of [a!, b!]) await user.subscriptions.add({ showId });
    const { currentPeriodEnd } = await user.billing.changeTier({ tierId: "free" });
    expect(await user.subscriptions.usage()).toEqual({ plan: "Developer", following: 2, limit: 3, capReason: "downgrade", refusal: null });
    await user.subscriptions.add({ showId: c! });

    const usage = await user.subscriptions.usage();
    const info = await user.billing.info();
    const refused = (await user.subscriptions.add({ showId: (await someShowIds(4))[3]! }).then(
      () => new Error("followed"),
      (error: Error) => error,
    )) as Error & { code?: string };
    expect(refused.code).toBe("PRECONDITION_FAILED");
    const on = new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(currentPeriodEnd));
    expect(usage).toEqual({
      plan: "Developer",
      following: 3,
      limit: 3,
      capReason: "downgrade",
      refusal: `You are switching to Free on ${on}, so from now on you follow up to 3 shows, and you follow 3. Keep Developer to follow more.`,
    });
    expect(refused.message).toBe(usage.refusal);
    expect(info.usage).toEqual({ subscriptions: 3, limit: 3 });

    // Keeping Developer lifts it at once.
    await user.billing.changeTier({ tierId: "developer" });
    expect(await user.subscriptions.usage()).toMatchObject({ limit: 25, capReason: "plan", refusal: null });
  });

  it("an upgrade between paid plans keeps the period and charges the prorated difference", async () => {
    const sub = "test|prorated";
    const user = await payingUser(sub);
    await user.billing.changeTier({ tierId: "developer" });
    // Half of a 30-day period left.
    const now = Date.now();
    const period = { currentPeriodStart: new Date(now - 15 * 86_400_000), currentPeriodEnd: new Date(now + 15 * 86_400_000) };
    await db.billingAccount.update({ where: { userId: (await user.me.profile()).id }, data: period });

    const info = await user.billing.changeTier({ tierId: "enterprise" });
    expect(info).toMatchObject({ tier: { id: "enterprise" }, currentPeriodStart: period.currentPeriodStart.toISOString(), currentPeriodEnd: period.currentPeriodEnd.toISOString() });
    const enterprise = (await invoicesOf(sub)).find((invoice) => invoice.tierId === "enterprise")!;
    expect(enterprise.periodStart).toEqual(period.currentPeriodStart);
    expect(enterprise.amountCents).toBeGreaterThanOrEqual(1999);
    expect(enterprise.amountCents).toBeLessThanOrEqual(2000); // (4900 − 900) × ½, less the seconds gone since
  });

  it("an invoice already paid for the plan and period is not charged again", async () => {
    const sub = "test|already-paid";
    const user = await payingUser(sub);
    const { currentPeriodStart, currentPeriodEnd } = await user.billing.changeTier({ tierId: "developer" });
    const account = await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: sub } } });
    // The invoice an earlier attempt left behind (paid, then its response lost).
    await db.invoice.create({ data: { billingAccountId: account.id, tierId: "enterprise", amountCents: 4000, currency: "usd", status: "paid", periodStart: currentPeriodStart, periodEnd: currentPeriodEnd } });
    const charge = vi.spyOn(testPaymentProvider, "charge");

    expect((await user.billing.changeTier({ tierId: "enterprise" })).tier.id).toBe("enterprise");
    expect(charge).not.toHaveBeenCalled();
    expect((await invoicesOf(sub)).filter((invoice) => invoice.tierId === "enterprise")).toHaveLength(1);
    // The database itself refuses a second invoice for one plan and period.
    await expect(
      db.invoice.create({ data: { billingAccountId: account.id, tierId: "enterprise", amountCents: 4000, currency: "usd", status: "paid", periodStart: currentPeriodStart, periodEnd: currentPeriodEnd } }),
    ).rejects.toMatchObject({ code: "P2002" });
  });

  it("10 concurrent switches charge once", async () => {
    const sub = "test|impatient";
    const user = await payingUser(sub);
    const charge = vi.spyOn(testPaymentProvider, "charge");
    const results = await Promise.all(Array.from({ length: 10 }, () => user.billing.changeTier({ tierId: "developer" })));
    expect(results.every((info) => info.tier.id === "developer")).toBe(true);
    expect(charge).toHaveBeenCalledTimes(1);
    expect(await invoicesOf(sub)).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { user: { auth0Sub: sub }, action: "plan_change" } })).toBe(1);
  });

  it("a declined charge changes nothing and says so", async () => {
    const sub = "test|declined";
    const user = callerFor({ sub });
    await user.billing.setCard(DECLINES_CHARGES);
    const before = await user.billing.info();
    await expect(user.billing.changeTier({ tierId: "developer" })).rejects.toMatchObject({
      code: "PAYMENT_REQUIRED",
      message: "Your card was declined. Try another card. Your plan has not changed.",
    });
    expect(await user.billing.info()).toEqual(before);
    expect(await invoicesOf(sub)).toEqual([]);
    expect(await db.auditEvent.count({ where: { user: { auth0Sub: sub }, action: "plan_change" } })).toBe(0);
  });

  it("a card is stored as brand, last 4 and the provider's reference only; a refused card changes nothing", async () => {
    const user = callerFor({ sub: "test|carded" });
    const info = await user.billing.setCard({ ...VISA, number: "5555-5555-5555-4444" });
    expect(info.paymentMethod).toEqual({ brand: "mastercard", last4: "4444" });
    await expect(user.billing.setCard(DECLINED_CARD)).rejects.toMatchObject({ code: "PAYMENT_REQUIRED", message: "Your card was declined. Try another card." });
    const row = await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: "test|carded" } } });
    expect(row).toMatchObject({ paymentBrand: "mastercard", paymentLast4: "4444", paymentReference: "test_pm_4444" });
    expect(JSON.stringify(row)).not.toContain("5555555555554444");
  });

  it("refuses a bad card number, an expired card and a bad CVC, naming the field", async () => {
    const user = callerFor({ sub: "test|typo" });
    const fields = async (card: typeof VISA) => {
      const error = await user.billing.setCard(card).catch((caught: { code: string; cause: { issues: { path: string[] }[] } }) => caught);
      expect(error).toMatchObject({ code: "BAD_REQUEST" });
      return (error as { cause: { issues: { path: string[] }[] } }).cause.issues.map((issue) => issue.path.join("."));
    };
    expect(await fields({ ...VISA, number: "4242 4242 4242 4241" })).toEqual(["number"]);
    expect(await fields({ ...VISA, expYear: 2020 })).toEqual(["expYear"]);
    expect(await fields({ ...VISA, cvc: "12" })).toEqual(["cvc"]);
  });

  it("a downgrade takes effect when the period ends; until then the cap of the plan one moves to holds", async () => {
    const sub = "test|downgrader";
    const user = await payingUser(sub);
    const ids = await someShowIds(4);
    await user.billing.changeTier({ tierId: "developer" });
    for (const showId of ids.slice(0, 3)) await user.subscriptions.add({ showId });
    await user.billing.changeTier({ tierId: "free" });
    // Said as it is: not on Free yet, and the way out is keeping Developer.
    await expect(user.subscriptions.add({ showId: ids[3]! })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: expect.stringMatching(/^You are switching to Free on \w{3} \d{1,2}, \d{4}, so from now on you follow up to 3 shows, and you follow 3\. Keep Developer to follow more\.$/),
    });

    const ended = new Date(Date.now() - 1000);
    await db.billingAccount.updateMany({ where: { user: { auth0Sub: sub } }, data: { currentPeriodEnd: ended } });
    const info = await user.billing.info();
    expect(info).toMatchObject({ tier: { id: "free" }, pendingTier: null, currentPeriodStart: ended.toISOString() });
    expect(Date.parse(info.currentPeriodEnd)).toBeGreaterThan(Date.now());
    const last = await db.auditEvent.findFirstOrThrow({ where: { user: { auth0Sub: sub } }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "plan_change", details: { from: "Developer", to: "Free" } });
  });

  it("read-only people may not switch plans or change the card", async () => {
    const rita = callerFor({ sub: "test|readonly", scope: "read:shows read:billing" });
    await expect(rita.billing.changeTier({ tierId: "developer" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(rita.billing.setCard(VISA)).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await rita.billing.info()).tier.id).toBe("free");
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
