// Renewals: when a paid period ends, the card on file pays for the next one. The job worker runs them
// (src/server/faces/worker.ts); a new card runs the account's at once.
import { queueAccountEmail } from "~/server/domain/account-emails";
import { recordEvent } from "~/server/domain/audit";
import { cardFingerprint, isLapsed, periodEnd } from "~/server/domain/billing";
import { lockBillingAccount } from "~/server/domain/entitlements";
import type { PaymentProvider } from "~/server/domain/payments";
import type { Db } from "~/server/platform/db";
import { renewalsConfig } from "~/server/platform/config";
import { FREE_TIER_ID } from "~/utils/tiers";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** How long a renewal's transaction may hold the account: above the payment provider's own limits. */
const RENEWAL_MS = 60_000;

export type RenewalOutcome = "renewed" | "past_due" | "moved_to_free" | "not_due";

/**
 * The provider's idempotency key of one renewal attempt: the account, its plan, the period it pays
 * for (which starts where the last one ended), the attempt and the card. A retried job, a second
 * worker or a crash between charge and commit sends the same key, so the provider charges once; the
 * invoice's unique key (account, plan, period start) then allows one invoice for the period.
 */
const renewalKey = (accountId: string, tierId: string, periodStart: Date, attempt: number, card: string) =>
  `renewal:${accountId}:${tierId}:${periodStart.toISOString()}:${attempt}:${cardFingerprint(card)}`;

/**
 * Renews one account if its paid period has ended and an attempt is due (`force`: now, whatever the
 * retry schedule, as after a new card): charges the card on file for the next period. Paid: a new
 * period, its invoice and a receipt, and the account is active. Declined: `past_due` and an email,
 * tried again `retryDays` after the period's end (RENEWAL_RETRY_DAYS); after the last, the account
 * moves to Free, with an email (follows above Free's cap are kept, and new ones refused until it
 * fits). Under the account's lock, like any plan change; the emails commit with the change they tell.
 */
export async function renewAccount(db: Db, payments: PaymentProvider, userId: string, now: Date, { force = false, retryDays = renewalsConfig.RENEWAL_RETRY_DAYS } = {}): Promise<RenewalOutcome> {
  const lastRetryDay = retryDays[retryDays.length - 1] ?? 0;
  // The next period follows the last one without a gap, unless that ended longer ago than the retries
  // last (a worker stopped for days, an account from before renewals): then the ended period is taken
  // to end now, so that no period is billed for time already gone. That is committed before any
  // charge: the period start, and so the charge's key, is then the same on every try of this renewal
  // (an outcome lost to a timeout is asked again with the same key), and its retries count from now.
  await db.billingAccount.updateMany({
    where: { userId, renewalAttempts: 0, pendingTierId: null, tier: { priceCents: { gt: 0 } }, currentPeriodEnd: { lt: new Date(now.getTime() - lastRetryDay * DAY_MS) } },
    data: { currentPeriodEnd: now },
  });
  return db.$transaction(
    async (tx) => {
      const account = await lockBillingAccount(tx, userId, now);
      const row = await tx.billingAccount.findUniqueOrThrow({
        where: { id: account.id },
        select: { renewalAttempts: true, nextRenewalAt: true, tier: { select: { id: true, name: true, priceCents: true, currency: true, interval: true } } },
      });
      if (!isLapsed(account, now) || (!force && row.nextRenewalAt !== null && row.nextRenewalAt > now)) return "not_due";

      const start = account.currentPeriodEnd;
      const invoiceKey = { billingAccountId: account.id, tierId: row.tier.id, periodStart: start };
      const charged = { plan: row.tier.name, amountCents: row.tier.priceCents, currency: row.tier.currency };
      const outcome = account.paymentReference
        ? await payments.charge({
            reference: account.paymentReference,
            amountCents: row.tier.priceCents,
            currency: row.tier.currency,
            idempotencyKey: renewalKey(account.id, row.tier.id, start, row.renewalAttempts, account.paymentReference),
          })
        : { status: "declined" as const, reason: "No card on file." };

      if (outcome.status === "paid") {
        const end = periodEnd(start, row.tier.interval);
        await tx.invoice.createMany({
          data: [{ ...invoiceKey, amountCents: row.tier.priceCents, currency: row.tier.currency, status: "paid", periodEnd: end }],
          skipDuplicates: true,
        });
        await tx.billingAccount.update({
          where: { id: account.id },
          data: { status: "active", currentPeriodStart: start, currentPeriodEnd: end, renewalAttempts: 0, nextRenewalAt: null },
        });
        await queueAccountEmail(tx, userId, "renewal_receipt", invoiceKey, {
          ...charged,
          periodStart: start.toISOString(),
          periodEnd: end.toISOString(),
        });
        return "renewed";
      }
      // Declined. The account moves to Free only once the last retry's day has come, however many
      // cards were tried before it; until then it is past due, tried again on the schedule (never
      // sooner than an hour from now).
      const attempts = Math.min(row.renewalAttempts + 1, retryDays.length + 1);
      const retryDay = retryDays[attempts - 1] ?? lastRetryDay;
      const lastDayReached = now.getTime() >= start.getTime() + lastRetryDay * DAY_MS;
      if (attempts <= retryDays.length || !lastDayReached) {
        const next = new Date(Math.max(start.getTime() + retryDay * DAY_MS, now.getTime() + HOUR_MS));
        await tx.billingAccount.update({
          where: { id: account.id },
          data: { status: "past_due", renewalAttempts: Math.min(attempts, retryDays.length), nextRenewalAt: next },
        });
        // One email per declined attempt: the attempt is part of its key.
        await queueAccountEmail(tx, userId, "renewal_declined", { ...invoiceKey, attempt: row.renewalAttempts }, {
          ...charged,
          reason: outcome.reason,
          nextAttemptAt: attempts <= retryDays.length ? next.toISOString() : null,
        });
        return "past_due";
      }
      const free = await tx.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID }, select: { id: true, name: true, interval: true, maxSubscriptions: true } });
      await tx.billingAccount.update({
        where: { id: account.id },
        data: { tierId: free.id, status: "active", currentPeriodStart: now, currentPeriodEnd: periodEnd(now, free.interval), renewalAttempts: 0, nextRenewalAt: null },
      });
      await recordEvent(tx, { userId }, { action: "plan_change", target: free.id, details: { from: row.tier.name, to: free.name } });
      const following = await tx.subscription.count({ where: { userId } });
      await queueAccountEmail(tx, userId, "moved_to_free", invoiceKey, { from: row.tier.name, following, freeCap: free.maxSubscriptions });
      return "moved_to_free";
    },
    { timeout: RENEWAL_MS },
  );
}

/** Renews every account whose paid period has ended and whose attempt is due (the job worker's, every minute). */
export async function renewDueAccounts(db: Db, payments: PaymentProvider, now: Date, onFailure: (userId: string, error: unknown) => void = () => undefined) {
  const due = await db.billingAccount.findMany({
    where: {
      pendingTierId: null,
      currentPeriodEnd: { lte: now },
      tier: { priceCents: { gt: 0 } },
      OR: [{ nextRenewalAt: null }, { nextRenewalAt: { lte: now } }],
    },
    orderBy: { currentPeriodEnd: "asc" },
    select: { userId: true },
    take: 200,
  });
  const outcomes: Record<RenewalOutcome, number> = { renewed: 0, past_due: 0, moved_to_free: 0, not_due: 0 };
  for (const { userId } of due) {
    // One account failing holds up no other: it is tried again on the next run, with the same key.
    try {
      outcomes[await renewAccount(db, payments, userId, now)]++;
    } catch (error) {
      // Not a decline: the outcome is unknown (the provider failing, a payment still processing).
      // Nothing changed, and the same attempt (the same key) comes again in an hour, not every minute.
      onFailure(userId, error);
      await db.billingAccount.updateMany({ where: { userId }, data: { nextRenewalAt: new Date(now.getTime() + HOUR_MS) } }).catch(() => undefined);
    }
  }
  return outcomes;
}
