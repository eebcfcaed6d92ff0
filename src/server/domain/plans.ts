// A person's plan: what it is (the account page), what a switch would do (the quote), the switch
// itself by the billing policy (planChange in billing.ts), and the card that pays for it. The routers
// call these; the payment provider comes in as a parameter (the tRPC context's `payments`).
import type { Prisma } from "~/generated/prisma/client";
import { recordEvent, type Actor } from "~/server/domain/audit";
import {
  chargeKey,
  invoiceJson,
  invoiceSelect,
  isDowngradeDue,
  newestInvoicesFirst,
  paymentMethodOf,
  pendingTierJson,
  planChange,
  planChangeJson,
  readOpeningAccount,
  tierSelect,
  toTier,
} from "~/server/domain/billing";
import { assertPlanFits, followCapOf, lockBillingAccount, planFitError } from "~/server/domain/entitlements";
import { Conflict, NotFound, PaymentRequired } from "~/server/domain/errors";
import { PaymentInProgress, type CardDetails, type PaymentProvider } from "~/server/domain/payments";
import { renewAccount } from "~/server/domain/renewals";
import type { Db } from "~/server/platform/db";
import { PLAN_QUOTE } from "~/server/platform/statements";

const billingInfoSelect = {
  status: true,
  currentPeriodStart: true,
  currentPeriodEnd: true,
  paymentBrand: true,
  paymentLast4: true,
  pendingTierId: true,
  // With the fields above, all followCapSelect reads.
  tier: { select: tierSelect },
  pendingTier: { select: { id: true, name: true, maxSubscriptions: true } },
  invoices: { select: invoiceSelect, orderBy: newestInvoicesFirst, take: 5 },
  user: { select: { _count: { select: { subscriptions: true } } } },
} satisfies Prisma.BillingAccountSelect;

const readInfo = (db: Db, userId: string) =>
  readOpeningAccount(db, userId, () => db.billingAccount.findUnique({ relationLoadStrategy: "join", where: { userId }, select: billingInfoSelect }));

/**
 * The account as the API returns it: plan, period, card, usage and the latest invoices. One statement
 * for a user who has an account; a downgrade whose day has come is applied first (under the account
 * lock), then read again.
 */
export async function billingInfo(db: Db, userId: string, now = new Date()) {
  let found = await readInfo(db, userId);
  if (isDowngradeDue(found, now)) {
    await db.$transaction((tx) => lockBillingAccount(tx, userId, now));
    found = await readInfo(db, userId);
  }
  const cap = await followCapOf(db, found, now);
  const { tier, invoices, user, paymentBrand, paymentLast4, pendingTierId: _pendingTierId, pendingTier, currentPeriodStart, currentPeriodEnd, ...account } = found;
  return {
    ...account,
    currentPeriodStart: currentPeriodStart.toISOString(),
    currentPeriodEnd: currentPeriodEnd.toISOString(),
    tier: toTier(tier),
    /** The lower plan the account moves to at `currentPeriodEnd`, if one was chosen. */
    pendingTier: pendingTier && pendingTierJson(pendingTier),
    paymentMethod: paymentMethodOf({ paymentBrand, paymentLast4 }),
    /** Follows, and the cap new ones must fit (a waiting downgrade's, from now on; see entitlements.ts). */
    usage: { subscriptions: user._count.subscriptions, limit: cap.maxSubscriptions },
    invoices: invoices.map(invoiceJson),
  };
}

const NO_SUCH_PLAN = "That plan does not exist.";

/** What switching to `tierId` would do now (the confirmation dialog shows it), by the same rule as changePlan. */
export async function quotePlanChange(db: Db, userId: string, tierId: string, now = new Date()) {
  const quoted = await readOpeningAccount(db, userId, async () => {
    const [row] = await db.sql(PLAN_QUOTE, [tierId, userId]);
    if (!row) throw new NotFound(NO_SUCH_PLAN);
    const { accountTierId, accountPriceCents, pendingTierId, currentPeriodStart, currentPeriodEnd, following, ...target } = row;
    if (accountTierId === null || accountPriceCents === null || currentPeriodStart === null || currentPeriodEnd === null) return null;
    return { target, following, account: { tierId: accountTierId, priceCents: accountPriceCents, pendingTierId, currentPeriodStart, currentPeriodEnd } };
  });
  const change = planChangeJson(planChange(quoted.account, quoted.target, now));
  // A downgrade changePlan would refuse says so before it is confirmed, in changePlan's words.
  return change.kind === "downgrade" ? { ...change, refusal: planFitError(quoted.target, quoted.following)?.message ?? null } : change;
}

async function findTier(tx: Prisma.TransactionClient, id: string) {
  const tier = await tx.pricingTier.findUnique({ where: { id } });
  if (!tier) throw new NotFound(NO_SUCH_PLAN);
  return tier;
}

const NO_CARD = "A paid plan needs a card on file. Add one under Payment method on your account page.";

/** How long a plan change with its charge may hold its transaction: above the provider's own limits. */
const CHANGE_WITH_CHARGE_MS = 60_000;

/**
 * Switches plans by the policy of `planChange` (billing.ts): cancels a waiting downgrade, schedules
 * one, or upgrades now. An upgrade charges the card on file once per plan and period: the invoice's
 * unique key (account, plan, period start) is also the provider's idempotency key, and a retry that
 * finds the invoice is already paid. A declined card rolls everything back. The account lock (see
 * entitlements.ts) queues a person's concurrent switches and follows, so ten at once charge once and
 * no follow overshoots the plan one is moving to.
 */
export async function changePlan(db: Db, payments: PaymentProvider, actor: Actor, tierId: string, now = new Date()): Promise<void> {
  const { userId } = actor;
  await db.$transaction(
    async (tx) => {
      const account = await lockBillingAccount(tx, userId, now);
      const target = await findTier(tx, tierId);
      const change = planChange(account, target, now);
      const plans = { from: account.tierName, to: target.name };
      switch (change.kind) {
        case "none":
          return;
        case "cancel_downgrade":
          await tx.billingAccount.update({ where: { id: account.id }, data: { pendingTierId: null } });
          await recordEvent(tx, actor, { action: "plan_change_canceled", target: account.pendingTierId ?? target.id, details: { from: account.tierName, to: account.pendingTierName ?? target.name } });
          return;
        case "downgrade":
          assertPlanFits(target, await tx.subscription.count({ where: { userId } }));
          await tx.billingAccount.update({ where: { id: account.id }, data: { pendingTierId: target.id } });
          await recordEvent(tx, actor, { action: "plan_change_scheduled", target: target.id, details: { ...plans, on: change.effectiveAt.toISOString() } });
          return;
        case "upgrade": {
          const reference = account.paymentReference;
          if (!reference) throw new PaymentRequired(NO_CARD);
          await recordEvent(tx, actor, { action: "plan_change", target: target.id, details: plans });
          const invoiceKey = { billingAccountId: account.id, tierId: target.id, periodStart: change.periodStart };
          const paid = await tx.invoice.findUnique({ where: { billingAccountId_tierId_periodStart: invoiceKey }, select: { id: true } });
          if (!paid && change.chargeCents > 0) {
            const outcome = await payments
              .charge({ reference, amountCents: change.chargeCents, currency: target.currency, idempotencyKey: chargeKey(account.id, target.id, account.currentPeriodStart, reference) })
              .catch((error: unknown) => {
                if (error instanceof PaymentInProgress) throw new Conflict("A payment for this change is already being processed. Please try again in a minute.", { cause: error });
                throw error;
              });
            if (outcome.status === "declined") throw new PaymentRequired(`${outcome.reason} Your plan has not changed.`);
            // skipDuplicates: a twin that got here first wrote the same invoice: already paid, not an error.
            await tx.invoice.createMany({
              data: [{ ...invoiceKey, amountCents: change.chargeCents, currency: target.currency, status: "paid", periodEnd: change.periodEnd }],
              skipDuplicates: true,
            });
          }
          await tx.billingAccount.update({
            where: { id: account.id },
            // A paid plan starts afresh: no renewal of the old one is owed any more.
            data: { tierId: target.id, pendingTierId: null, status: "active", renewalAttempts: 0, nextRenewalAt: null, currentPeriodStart: change.periodStart, currentPeriodEnd: change.periodEnd },
          });
        }
      }
    },
    // The charge is a call to the payment provider, under the account's lock: room for its own
    // timeout and retry (src/server/domain/stripe-payments.ts), so that it is never cut off by ours.
    { timeout: CHANGE_WITH_CHARGE_MS },
  );
}

/**
 * Adds or replaces the card on file. The provider keeps the number; the account keeps its brand,
 * last 4 digits and the provider's reference. A card the provider refuses changes nothing. A renewal
 * that failed is tried again at once with the new card.
 */
export async function replaceCard(db: Db, payments: PaymentProvider, actor: Actor, card: CardDetails, email: string | null, now = new Date()): Promise<void> {
  const { userId } = actor;
  const onFile = await db.billingAccount.findUnique({ where: { userId }, select: { paymentReference: true } });
  const attached = await payments.attachCard(card, { reference: onFile?.paymentReference ?? null, email });
  if (attached.status === "declined") throw new PaymentRequired(attached.reason);
  await db.$transaction(async (tx) => {
    const account = await lockBillingAccount(tx, userId, now);
    await tx.billingAccount.update({
      where: { id: account.id },
      data: { paymentBrand: attached.brand, paymentLast4: attached.last4, paymentReference: attached.reference },
    });
    await recordEvent(tx, actor, { action: "card_change", target: "card", details: { brand: attached.brand, last4: attached.last4 } });
  });
  const { status } = await db.billingAccount.findUniqueOrThrow({ where: { userId }, select: { status: true } });
  if (status === "past_due") await renewAccount(db, payments, userId, now, { force: true });
}
