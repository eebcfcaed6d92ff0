import { z } from "zod";
import { actorOf } from "~/server/domain/audit";
import { invoiceJson, invoiceSelect, newestInvoicesFirst, tierId, tierSelect, toTier } from "~/server/domain/billing";
import { cardDetailsInput } from "~/server/domain/payments";
import { billingInfo, changePlan, quotePlanChange, replaceCard } from "~/server/domain/plans";
import { rowId } from "~/server/inputs";
import { pageArgs, toPage } from "~/server/pagination";
import { protectedProcedure, publicProcedure, router } from "~/server/trpc";

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
    .query(({ ctx, input }) => quotePlanChange(ctx.db, ctx.user.id, input.tierId)),

  /** Switches plans by the billing policy (src/server/domain/plans.ts), charging an upgrade to the card on file. */
  changeTier: protectedProcedure
    .meta({ scope: "write:billing" })
    .input(z.object({ tierId }))
    .mutation(async ({ ctx, input }) => {
      await changePlan(ctx.db, ctx.payments, actorOf(ctx), input.tierId);
      return billingInfo(ctx.db, ctx.user.id);
    }),

  /** Adds or replaces the card on file; a renewal that failed is tried again with it. */
  setCard: protectedProcedure
    .meta({ scope: "write:billing" })
    .input(cardDetailsInput)
    .mutation(async ({ ctx, input }) => {
      await replaceCard(ctx.db, ctx.payments, actorOf(ctx), input, ctx.user.email);
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
