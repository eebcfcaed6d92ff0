import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { actorOf, recordEvent } from "~/server/domain/audit";
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
  tierId,
  tierSelect,
  toTier,
} from "~/server/domain/billing";
import type { Db } from "~/server/platform/db";
import { rowId } from "~/server/inputs";
import { assertPlanFits, lockBillingAccount } from "~/server/domain/entitlements";
import { cardDetailsInput, PaymentInProgress } from "~/server/domain/payments";
import { Conflict, NotFound, PaymentRequired } from "~/server/domain/errors";
import { renewAccount } from "~/server/domain/renewals";
import { protectedProcedure, publicProcedure, router } from "~/server/trpc";
import { pageArgs, toPage } from "~/server/pagination";

const billingInfoSelect = {
  status: true,
  currentPeriodStart: true,
  currentPeriodEnd: true,
  paymentBrand: true,
  paymentLast4: true,
  pendingTierId: true,
  tier: { select: tierSelect },
  pendingTier: { select: { id: true, name: true } },
  invoices: { select: invoiceSelect, orderBy: newestInvoicesFirst, take: 5 },
  user: { select: { _count: { select: { subscriptions: true } } } },
} satisfies Prisma.BillingAccountSelect;

const readInfo = (db: Db, userId: string) =>
  readOpeningAccount(db, userId, () => db.billingAccount.findUnique({ relationLoadStrategy: "join", where: { userId }, select: billingInfoSelect }));

/**
 * One statement for a user who has an account (plan, invoices and usage joined in). A downgrade
 * whose day has come is applied first (under the account lock), then read again.
 */
async function billingInfo(db: Db, userId: string) {
  let found = await readInfo(db, userId);
  if (isDowngradeDue(found, new Date())) {
    await db.$transaction((tx) => lockBillingAccount(tx, userId));
    found = await readInfo(db, userId);
  }
  const { tier, invoices, user, paymentBrand, paymentLast4, pendingTierId: _pendingTierId, pendingTier, currentPeriodStart, currentPeriodEnd, ...account } = found;
  return {
    ...account,
    currentPeriodStart: currentPeriodStart.toISOString(),
    currentPeriodEnd: currentPeriodEnd.toISOString(),
    tier: toTier(tier),
    /** The lower plan the account moves to at `currentPeriodEnd`, if one was chosen. */
    pendingTier: pendingTier && pendingTierJson(pendingTier),
    paymentMethod: paymentMethodOf({ paymentBrand, paymentLast4 }),
    usage: { subscriptions: user._count.subscriptions, limit: tier.maxSubscriptions },
    invoices: invoices.map(invoiceJson),
  };
}

const quotedAccountSelect = { tierId: true, pendingTierId: true, currentPeriodStart: true, currentPeriodEnd: true } satisfies Prisma.BillingAccountSelect;

async function findTier(db: Prisma.TransactionClient, id: string) {
  const tier = await db.pricingTier.findUnique({ where: { id } });
  if (!tier) throw new NotFound("That plan does not exist.");
  return tier;
}

const NO_CARD = "A paid plan needs a card on file. Add one under Payment method on your account page.";

/** How long a plan change with its charge may hold its transaction: above the provider's own limits. */
const CHANGE_WITH_CHARGE_MS = 60_000;

export const billingRouter = router({
  pricingTiers: publicProcedure.query(async ({ ctx }) => {
    const tiers = await ctx.db.pricingTier.findMany({ select: tierSelect, orderBy: { sortOrder: "asc" } });
    return tiers.map(toTier);
  }),

  info: protectedProcedure.meta({ scope: "read:billing" }).query(({ ctx }) => billingInfo(ctx.db, ctx.user.id)),

  /** What switching to `tierId` would do now (the confirmation dialog shows it), by the same rule as changeTier. */
  quote: protectedProcedure
    .meta({ scope: "read:billing" })
    .input(z.object({ tierId }))
    .query(async ({ ctx, input }) => {
      // One statement: the target plan, and the caller's current plan with their account joined in.
      const { target, current } = await readOpeningAccount(ctx.db, ctx.user.id, async () => {
        const tiers = await ctx.db.pricingTier.findMany({
          relationLoadStrategy: "join",
          where: { OR: [{ id: input.tierId }, { billingAccounts: { some: { userId: ctx.user.id } } }] },
          select: { id: true, priceCents: true, interval: true, billingAccounts: { where: { userId: ctx.user.id }, select: quotedAccountSelect } },
        });
        const target = tiers.find((tier) => tier.id === input.tierId);
        const current = tiers.find((tier) => tier.billingAccounts.length > 0);
        if (!target) throw new NotFound("That plan does not exist.");
        return current ? { target, current } : null;
      });
      const [account] = current.billingAccounts as [(typeof current.billingAccounts)[number]];
      return planChangeJson(planChange({ ...account, priceCents: current.priceCents }, target, new Date()));
    }),

  /**
   * Switches plans by the policy of `planChange` (src/server/domain/billing.ts). An upgrade charges
   * the card on file once per plan and period: the invoice's unique key (account, plan, period
   * start) is also the provider's idempotency key, and a retry that finds the invoice is already
   * paid. A declined card rolls everything back. The account lock (see entitlements.ts) queues a
   * person's concurrent switches and follows, so ten at once charge once and no follow overshoots
   * the plan one is moving to.
   */
  changeTier: protectedProcedure
    .meta({ scope: "write:billing" })
    .input(z.object({ tierId }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(
        async (tx) => {
          const account = await lockBillingAccount(tx, ctx.user.id);
          const target = await findTier(tx, input.tierId);
          const change = planChange(account, target, new Date());
          const plans = { from: account.tierName, to: target.name };
          switch (change.kind) {
            case "none":
              return;
            case "cancel_downgrade":
              await tx.billingAccount.update({ where: { id: account.id }, data: { pendingTierId: null } });
              await recordEvent(tx, actorOf(ctx), { action: "plan_change_canceled", target: account.pendingTierId ?? target.id, details: { from: account.tierName, to: account.pendingTierName ?? target.name } });
              return;
            case "downgrade":
              assertPlanFits(target, await tx.subscription.count({ where: { userId: ctx.user.id } }));
              await tx.billingAccount.update({ where: { id: account.id }, data: { pendingTierId: target.id } });
              await recordEvent(tx, actorOf(ctx), { action: "plan_change_scheduled", target: target.id, details: { ...plans, on: change.effectiveAt.toISOString() } });
              return;
            case "upgrade": {
              if (!account.paymentReference) throw new PaymentRequired(NO_CARD);
              await recordEvent(tx, actorOf(ctx), { action: "plan_change", target: target.id, details: plans });
              const invoiceKey = { billingAccountId: account.id, tierId: target.id, periodStart: change.periodStart };
              const paid = await tx.invoice.findUnique({ where: { billingAccountId_tierId_periodStart: invoiceKey }, select: { id: true } });
              if (!paid && change.chargeCents > 0) {
                const outcome = await ctx.payments
                  .charge({
                    reference: account.paymentReference,
                    amountCents: change.chargeCents,
                    currency: target.currency,
                    idempotencyKey: chargeKey(account.id, target.id, account.currentPeriodStart, account.paymentReference),
                  })
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
      return billingInfo(ctx.db, ctx.user.id);
    }),

  /**
   * Adds or replaces the card on file. The provider keeps the number; the account keeps its brand,
   * last 4 digits and the provider's reference. A card the provider refuses changes nothing.
   */
  setCard: protectedProcedure
    .meta({ scope: "write:billing" })
    .input(cardDetailsInput)
    .mutation(async ({ ctx, input }) => {
      const onFile = await ctx.db.billingAccount.findUnique({ where: { userId: ctx.user.id }, select: { paymentReference: true } });
      const attached = await ctx.payments.attachCard(input, { reference: onFile?.paymentReference ?? null, email: ctx.user.email });
      if (attached.status === "declined") throw new PaymentRequired(attached.reason);
      await ctx.db.$transaction(async (tx) => {
        const account = await lockBillingAccount(tx, ctx.user.id);
        await tx.billingAccount.update({
          where: { id: account.id },
          data: { paymentBrand: attached.brand, paymentLast4: attached.last4, paymentReference: attached.reference },
        });
        await recordEvent(tx, actorOf(ctx), { action: "card_change", target: "card", details: { brand: attached.brand, last4: attached.last4 } });
      });
      // A renewal that failed is tried again at once with the new card.
      const { status } = await ctx.db.billingAccount.findUniqueOrThrow({ where: { userId: ctx.user.id }, select: { status: true } });
      if (status === "past_due") await renewAccount(ctx.db, ctx.payments, ctx.user.id, new Date(), { force: true });
      return billingInfo(ctx.db, ctx.user.id);
    }),

  invoices: protectedProcedure
    .meta({ scope: "read:billing" })
    .input(
      z.object({
        cursor: rowId("an invoice").nullish(),
        limit: z.number().int().min(1).max(50).default(10),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.invoice.findMany({
        where: { billingAccount: { userId: ctx.user.id } },
        orderBy: newestInvoicesFirst,
        ...pageArgs(input),
        select: invoiceSelect,
      });
      return toPage(rows, input.limit, invoiceJson);
    }),
});
