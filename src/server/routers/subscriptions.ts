import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { rowId } from "~/server/inputs";
import { assertCanFollowAnother, lockBillingAccount } from "~/server/entitlements";
import { showSelect, toShow } from "~/server/shows";
import { protectedProcedure, router } from "~/server/trpc";

const showIdInput = z.object({ showId: rowId("a show") });

const subscriptionSelect = { showId: true, notify: true, createdAt: true } satisfies Prisma.SubscriptionSelect;

export const subscriptionsRouter = router({
  /** The caller's shows, newest follow first: one SQL statement (the shows and genres joined in). */
  list: protectedProcedure.meta({ scope: "read:shows" }).query(async ({ ctx }) => {
    const rows = await ctx.db.subscription.findMany({
      relationLoadStrategy: "join",
      where: { userId: ctx.user.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { notify: true, createdAt: true, show: { select: showSelect } },
    });
    return rows.map(({ show, ...subscription }) => ({ ...subscription, show: toShow(show) }));
  }),

  /** Follows a show; following it again changes nothing. Refused past the plan's cap. */
  add: protectedProcedure.meta({ scope: "write:shows" }).input(showIdInput).mutation(({ ctx, input }) =>
    ctx.db.$transaction(async (tx) => {
      // First the account lock: concurrent adds of this user (any instance) queue here, so the
      // count below cannot be overtaken and a second add of the same show finds the first.
      const account = await lockBillingAccount(tx, ctx.user.id);
      const key = { userId_showId: { userId: ctx.user.id, showId: input.showId } };
      const existing = await tx.subscription.findUnique({ where: key, select: subscriptionSelect });
      if (existing) return existing;

      const show = await tx.show.findUnique({ where: { id: input.showId }, select: { id: true } });
      if (!show) throw new TRPCError({ code: "NOT_FOUND", message: "That show does not exist." });

      const following = await tx.subscription.count({ where: { userId: ctx.user.id } });
      assertCanFollowAnother({ name: account.tierName, maxSubscriptions: account.maxSubscriptions }, following);
      return tx.subscription.create({
        data: { userId: ctx.user.id, showId: input.showId },
        select: subscriptionSelect,
      });
    }),
  ),

  /** Unfollows a show; unfollowing a show one does not follow changes nothing. */
  remove: protectedProcedure.meta({ scope: "write:shows" }).input(showIdInput).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.subscription.deleteMany({
      where: { userId: ctx.user.id, showId: input.showId },
    });
    return { showId: input.showId, removed: count > 0 };
  }),

  setNotify: protectedProcedure
    .meta({ scope: "write:shows" })
    .input(showIdInput.extend({ notify: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const { count } = await ctx.db.subscription.updateMany({
        where: { userId: ctx.user.id, showId: input.showId },
        data: { notify: input.notify },
      });
      if (count === 0) throw new TRPCError({ code: "NOT_FOUND", message: "You do not follow that show." });
      return { showId: input.showId, notify: input.notify };
    }),
});
