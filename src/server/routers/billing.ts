import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { actorOf, recordEvent } from "~/server/domain/audit";
import { invoiceJson, periodEnd, readOpeningAccount } from "~/server/domain/billing";
import type { Db } from "~/server/platform/db";
import { rowId } from "~/server/inputs";
import { assertPlanFits, lockBillingAccount } from "~/server/domain/entitlements";
import { protectedProcedure, publicProcedure, router } from "~/server/trpc";
import { TIER_IDS } from "~/utils/tiers";

const tierId = z.enum(TIER_IDS);

const tierSelect = {
  id: true,
  name: true,
  priceCents: true,
  currency: true,
  interval: true,
  maxSubscriptions: true,
  features: true,
} satisfies Prisma.PricingTierSelect;

const featuresSchema = z.array(z.string());

function toTier(tier: Prisma.PricingTierGetPayload<{ select: typeof tierSelect }>) {
  return { ...tier, id: tierId.parse(tier.id), features: featuresSchema.parse(tier.features) };
}

const invoiceSelect = {
  id: true,
  amountCents: true,
  currency: true,
  status: true,
  periodStart: true,
  periodEnd: true,
  issuedAt: true,
} satisfies Prisma.InvoiceSelect;

const newestInvoicesFirst = [{ issuedAt: "desc" }, { id: "desc" }] satisfies Prisma.InvoiceOrderByWithRelationInput[];

const billingInfoSelect = {
  status: true,
  currentPeriodStart: true,
  currentPeriodEnd: true,
  paymentBrand: true,
  paymentLast4: true,
  tier: { select: tierSelect },
  invoices: { select: invoiceSelect, orderBy: newestInvoicesFirst, take: 5 },
  user: { select: { _count: { select: { subscriptions: true } } } },
} satisfies Prisma.BillingAccountSelect;

/** One statement for a user who has an account (plan, invoices and usage joined in). */
async function billingInfo(db: Db, userId: string) {
  const { tier, invoices, user, paymentBrand, paymentLast4, currentPeriodStart, currentPeriodEnd, ...account } = await readOpeningAccount(db, userId, () =>
    db.billingAccount.findUnique({ relationLoadStrategy: "join", where: { userId }, select: billingInfoSelect }),
  );
  return {
    ...account,
    currentPeriodStart: currentPeriodStart.toISOString(),
    currentPeriodEnd: currentPeriodEnd.toISOString(),
    tier: toTier(tier),
    paymentMethod: paymentBrand && paymentLast4 ? { brand: paymentBrand, last4: paymentLast4 } : null,
    usage: { subscriptions: user._count.subscriptions, limit: tier.maxSubscriptions },
    invoices: invoices.map(invoiceJson),
  };
}

export const billingRouter = router({
  pricingTiers: publicProcedure.query(async ({ ctx }) => {
    const tiers = await ctx.db.pricingTier.findMany({ select: tierSelect, orderBy: { sortOrder: "asc" } });
    return tiers.map(toTier);
  }),

  info: protectedProcedure.meta({ scope: "read:billing" }).query(({ ctx }) => billingInfo(ctx.db, ctx.user.id)),

  /**
   * Moves the account to another tier, starting a new billing period. A paid tier's period is
   * invoiced (and marked paid: there is no payment provider yet). A downgrade below the shows
   * one follows is refused, saying how many to unfollow. The account lock (see entitlements.ts)
   * keeps follows racing with the change from overshooting the new cap.
   */
  changeTier: protectedProcedure
    .meta({ scope: "write:billing" })
    .input(z.object({ tierId }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.$transaction(async (tx) => {
        const account = await lockBillingAccount(tx, ctx.user.id);
        if (account.tierId === input.tierId) return;
        const target = await tx.pricingTier.findUnique({ where: { id: input.tierId } });
        if (!target) throw new TRPCError({ code: "NOT_FOUND", message: "That plan does not exist." });
        assertPlanFits(target, await tx.subscription.count({ where: { userId: ctx.user.id } }));
        await recordEvent(tx, actorOf(ctx), { action: "plan_change", target: target.id, details: { from: account.tierName, to: target.name } });

        const periodStart = new Date();
        const period = { currentPeriodStart: periodStart, currentPeriodEnd: periodEnd(periodStart, target.interval) };
        await tx.billingAccount.update({ where: { id: account.id }, data: { tierId: target.id, status: "active", ...period } });
        if (target.priceCents > 0) {
          await tx.invoice.create({
            data: {
              billingAccountId: account.id,
              amountCents: target.priceCents,
              currency: target.currency,
              status: "paid",
              periodStart: period.currentPeriodStart,
              periodEnd: period.currentPeriodEnd,
              issuedAt: periodStart,
            },
          });
        }
      });
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
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        select: invoiceSelect,
      });
      const items = rows.slice(0, input.limit);
      return { items: items.map(invoiceJson), nextCursor: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null };
    }),
});
