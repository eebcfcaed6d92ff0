// Renewals, run by the job worker with the clock a parameter: when a paid period ends the card on file
// pays for the next one (once, whatever the number of workers); a decline makes the account past due,
// with Free's cap meanwhile, retried 1, 3 and 5 days after the period's end, then Free; a new card is
// tried at once; a downgrade to a paid plan is paid before it is had. Each outcome's email (receipt,
// decline, move to Free) reaches a real SMTP server started here, once.
import { describe, expect, it } from "vitest";
import { createInnerContext } from "~/server/context";
import { applyDueDowngrades } from "~/server/domain/entitlements";
import { testPaymentProvider, type PaymentProvider } from "~/server/domain/payments";
import { sendAccountEmails } from "~/server/domain/account-emails";
import { renewAccount, renewDueAccounts } from "~/server/domain/renewals";
import { createCaller } from "~/server/routers/_app";
import { db, sessionFor, type TestUser } from "./helpers";
import { smtpForFile } from "./smtp";

const inbox = smtpForFile();

/** What the SMTP server received for a test user (sessionFor's address), subject and text. */
const mailsTo = (sub: string) =>
  inbox.smtp.received.filter((mail) => mail.to && "text" in mail.to && mail.to.text === `${sub.replace(/\W/g, "")}@example.test`).map((mail) => ({ subject: mail.subject, text: mail.text }));

const VISA = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
const DECLINES_CHARGES = { ...VISA, number: "4000 0000 0000 0341" };
const DAY = 86_400_000;

/** The provider, counting its charges. */
function counting(provider: PaymentProvider = testPaymentProvider) {
  const charges: string[] = [];
  return { charges, provider: { ...provider, charge: async (charge: Parameters<PaymentProvider["charge"]>[0]) => (charges.push(charge.idempotencyKey), provider.charge(charge)) } };
}

/** A person on `tier` with `card`, whose paid period ended a minute ago. */
async function lapsed(sub: string, tier: "developer" | "enterprise", card = VISA, user: Partial<TestUser> = {}) {
  const caller = createCaller(createInnerContext({ session: sessionFor({ sub, ...user }) }));
  await caller.billing.setCard(VISA);
  await caller.billing.changeTier({ tierId: tier });
  if (card !== VISA) await caller.billing.setCard(card);
  const end = new Date(Date.now() - 60_000);
  const account = await db.billingAccount.update({
    where: { userId: (await db.user.findUniqueOrThrow({ where: { auth0Sub: sub } })).id },
    data: { currentPeriodStart: new Date(end.getTime() - 30 * DAY), currentPeriodEnd: end },
    select: { id: true, userId: true },
  });
  return { caller, account, end };
}

const accountOf = (id: string) =>
  db.billingAccount.findUniqueOrThrow({ where: { id }, select: { tierId: true, status: true, currentPeriodStart: true, currentPeriodEnd: true, renewalAttempts: true, nextRenewalAt: true } });

describe("renewals", () => {
  it("charge the card for the next period once, with two workers at it: a new period, one invoice and one receipt", async () => {
    const { account, end } = await lapsed("test|renews", "developer");
    const { charges, provider } = counting();
    const now = new Date();
    const runs = await Promise.all([renewDueAccounts(db, provider, now), renewDueAccounts(db, provider, now)]);
    expect(runs.reduce((sum, run) => sum + run.renewed, 0)).toBe(1);
    expect(charges).toHaveLength(1);
    expect(await accountOf(account.id)).toMatchObject({ tierId: "developer", status: "active", currentPeriodStart: end, renewalAttempts: 0, nextRenewalAt: null });
    const invoices = await db.invoice.findMany({ where: { billingAccountId: account.id, periodStart: end } });
    expect(invoices).toEqual([expect.objectContaining({ tierId: "developer", amountCents: 900, status: "paid" })]);
    // Nothing more is due: running again charges nothing.
    await renewDueAccounts(db, provider, now);
    expect(charges).toHaveLength(1);
    // Two workers sending: one receipt.
    await Promise.all([sendAccountEmails(db, inbox.mailer, now), sendAccountEmails(db, inbox.mailer, now)]);
    expect(mailsTo("test|renews")).toEqual([
      { subject: "Receipt: Developer plan, $9.00", text: expect.stringMatching(/renewed: \$9\.00 was charged[\s\S]*This payment covers/) },
    ]);
    expect(await sendAccountEmails(db, inbox.mailer, now)).toBe(0);
  });

  it("declined: past due with Free's cap, retried after 1, 3 and 5 days, then Free (follows kept)", async () => {
    const { caller, account, end } = await lapsed("test|declines", "enterprise", DECLINES_CHARGES);
    const shows = await db.show.findMany({ take: 5, select: { id: true }, orderBy: { id: "asc" } });
    // Followed while paid: more than Free's 3.
    await db.subscription.createMany({ data: shows.slice(0, 4).map((show) => ({ userId: account.userId, showId: show.id })) });
    const { charges, provider } = counting();
    const at = (days: number) => new Date(end.getTime() + days * DAY + 60_000);

    await renewDueAccounts(db, provider, at(0));
    expect(await accountOf(account.id)).toMatchObject({ tierId: "enterprise", status: "past_due", renewalAttempts: 1, nextRenewalAt: new Date(end.getTime() + DAY) });
    // An ended period nobody paid for keeps nothing of the paid plan: no fifth follow.
    await expect(caller.subscriptions.add({ showId: shows[4]!.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED", message: expect.stringContaining("renewal is unpaid, so until it is paid you follow as on Free") });
    // Not before the retry is due.
    await renewDueAccounts(db, provider, at(0.5));
    expect(charges).toHaveLength(1);
    await renewDueAccounts(db, provider, at(1));
    await renewDueAccounts(db, provider, at(3));
    expect(await accountOf(account.id)).toMatchObject({ status: "past_due", renewalAttempts: 3, nextRenewalAt: new Date(end.getTime() + 5 * DAY) });
    await renewDueAccounts(db, provider, at(5));
    expect(charges).toHaveLength(4);
    expect(new Set(charges).size).toBe(4); // each attempt its own key
    expect(await accountOf(account.id)).toMatchObject({ tierId: "free", status: "active", renewalAttempts: 0, nextRenewalAt: null });
    expect(await db.subscription.count({ where: { userId: account.userId } })).toBe(4);
    const last = await db.auditEvent.findFirstOrThrow({ where: { userId: account.userId }, orderBy: { seq: "desc" } });
    expect(last).toMatchObject({ action: "plan_change", details: { from: "Enterprise", to: "Free" } });
    // An email for each declined attempt (naming the next try, the last one saying so), then for the move to Free.
    await sendAccountEmails(db, inbox.mailer, at(5));
    await sendAccountEmails(db, inbox.mailer, at(5));
    // Sent a few at once: in any order.
    const mails = mailsTo("test|declines");
    expect(mails.map((mail) => mail.subject).sort()).toEqual([
      ...Array(3).fill("Action needed: your Enterprise plan could not be renewed"),
      "Your account is now on the Free plan",
    ]);
    const retryDates = mails.map((mail) => /We will try again on (\w+ \d+, \d+)/.exec(mail.text ?? "")?.[1]).filter(Boolean).sort();
    const day = (days: number) => new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeZone: "UTC" }).format(new Date(end.getTime() + days * DAY));
    expect(retryDates).toEqual([day(1), day(3), day(5)].sort());
    const moved = mails.find((mail) => mail.subject === "Your account is now on the Free plan")!;
    expect(moved.text).toContain("You keep all 4 shows you follow, but you cannot follow more until you are under Free's 3");
  });

  it("the retry days are a setting: one retry two days after, then Free", async () => {
    const { account, end } = await lapsed("test|retry-setting", "developer", DECLINES_CHARGES);
    const at = (days: number) => new Date(end.getTime() + days * DAY + 60_000);
    expect(await renewAccount(db, testPaymentProvider, account.userId, at(0), { retryDays: [2] })).toBe("past_due");
    expect(await accountOf(account.id)).toMatchObject({ renewalAttempts: 1, nextRenewalAt: new Date(end.getTime() + 2 * DAY) });
    expect(await renewAccount(db, testPaymentProvider, account.userId, at(1), { retryDays: [2] })).toBe("not_due");
    expect(await renewAccount(db, testPaymentProvider, account.userId, at(2), { retryDays: [2] })).toBe("moved_to_free");
  });

  it("emails go to verified addresses only", async () => {
    await lapsed("test|unverified", "developer", DECLINES_CHARGES, { email_verified: false });
    await renewDueAccounts(db, testPaymentProvider, new Date());
    await sendAccountEmails(db, inbox.mailer, new Date());
    expect(mailsTo("test|unverified")).toEqual([]);
    expect(await db.accountEmail.count({ where: { user: { auth0Sub: "test|unverified" }, sentAt: null } })).toBe(1);
  });

  it("a new card is tried at once, and clears the past due", async () => {
    const { caller, account } = await lapsed("test|new-card", "developer", DECLINES_CHARGES);
    await renewDueAccounts(db, testPaymentProvider, new Date());
    expect((await caller.billing.info()).status).toBe("past_due");
    const info = await caller.billing.setCard(VISA);
    expect(info).toMatchObject({ status: "active", tier: { id: "developer" } });
    expect(Date.parse(info.currentPeriodEnd)).toBeGreaterThan(Date.now());
    expect(await accountOf(account.id)).toMatchObject({ renewalAttempts: 0, nextRenewalAt: null });
  });

  it("closes the loophole: Enterprise bought for a prorated day is renewed at its full price, or lost", async () => {
    const { account, end } = await lapsed("test|loophole", "enterprise");
    const { charges, provider } = counting();
    await renewDueAccounts(db, provider, new Date());
    const invoice = await db.invoice.findFirstOrThrow({ where: { billingAccountId: account.id, periodStart: end } });
    expect(invoice).toMatchObject({ tierId: "enterprise", amountCents: 4900 });
    expect(charges).toHaveLength(1);
  });

  it("a period that ended long ago (a worker stopped, an account from before renewals) is renewed once, from now", async () => {
    const { account } = await lapsed("test|long-ago", "developer");
    await db.billingAccount.update({ where: { id: account.id }, data: { currentPeriodStart: new Date(Date.now() - 120 * DAY), currentPeriodEnd: new Date(Date.now() - 90 * DAY) } });
    const { charges, provider } = counting();
    const now = new Date();
    for (let run = 0; run < 4; run++) await renewDueAccounts(db, provider, new Date(now.getTime() + run * 60_000));
    expect(charges).toHaveLength(1);
    expect(await accountOf(account.id)).toMatchObject({ status: "active", currentPeriodStart: now });
  });

  it("ended long ago: an outcome lost on the way is asked again with the same key, and a decline's retries count from the restart", async () => {
    const { account } = await lapsed("test|lost-outcome", "developer", DECLINES_CHARGES);
    await db.billingAccount.update({ where: { id: account.id }, data: { currentPeriodStart: new Date(Date.now() - 40 * DAY), currentPeriodEnd: new Date(Date.now() - 10 * DAY) } });
    const keys: string[] = [];
    let lost = true;
    const flaky: PaymentProvider = {
      ...testPaymentProvider,
      charge: async (charge) => {
        keys.push(charge.idempotencyKey);
        if (lost) throw new Error("timed out waiting for the provider's answer");
        return testPaymentProvider.charge(charge);
      },
    };
    const now = new Date();
    await renewDueAccounts(db, flaky, now); // unknown outcome: tried again in an hour
    lost = false;
    await renewDueAccounts(db, flaky, new Date(now.getTime() + 61 * 60_000));
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    // Declined: the next try a day after the restart, not at once.
    expect(await accountOf(account.id)).toMatchObject({ status: "past_due", renewalAttempts: 1, currentPeriodEnd: now, nextRenewalAt: new Date(now.getTime() + DAY) });
  });

  it("past due, then Free chosen: nothing is owed any more; new cards tried early never move it to Free before the last retry's day", async () => {
    const { caller, account, end } = await lapsed("test|past-due-free", "developer", DECLINES_CHARGES);
    await renewDueAccounts(db, testPaymentProvider, new Date());
    for (let card = 0; card < 4; card++) await caller.billing.setCard(DECLINES_CHARGES);
    expect(await accountOf(account.id)).toMatchObject({ tierId: "developer", status: "past_due", renewalAttempts: 3 });
    expect((await accountOf(account.id)).nextRenewalAt!.getTime()).toBeGreaterThanOrEqual(end.getTime() + 5 * DAY);
    await caller.billing.changeTier({ tierId: "free" });
    expect(await accountOf(account.id)).toMatchObject({ tierId: "free", status: "active", renewalAttempts: 0, nextRenewalAt: null });
  });

  it("a downgrade to a paid plan is paid before it is had: the renewal charges the new plan", async () => {
    const { caller, account, end } = await lapsed("test|paid-downgrade", "enterprise");
    await db.billingAccount.update({ where: { id: account.id }, data: { currentPeriodEnd: new Date(Date.now() + DAY) } });
    await caller.billing.changeTier({ tierId: "developer" }); // scheduled for the period's end
    await db.billingAccount.update({ where: { id: account.id }, data: { currentPeriodEnd: end } });
    await applyDueDowngrades(db, new Date());
    expect(await accountOf(account.id)).toMatchObject({ tierId: "developer", currentPeriodEnd: end });
    await renewDueAccounts(db, testPaymentProvider, new Date());
    expect(await db.invoice.findFirstOrThrow({ where: { billingAccountId: account.id, periodStart: end } })).toMatchObject({ tierId: "developer", amountCents: 900 });
    expect(await accountOf(account.id)).toMatchObject({ tierId: "developer", status: "active", currentPeriodStart: end });
  });
});
