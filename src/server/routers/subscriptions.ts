import { NotFound } from "~/server/domain/errors";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { rowId } from "~/server/inputs";
import { actorOf, recordEvent } from "~/server/domain/audit";
import { readOpeningAccount } from "~/server/domain/billing";
import { assertCanFollowAnother, followCapOf, followCapSelect, followLimitError, lockBillingAccount } from "~/server/domain/entitlements";
import { followedShows, followsCursorInput, FOLLOWS_PAGE } from "~/server/domain/followed-shows";
import { protectedProcedure, router } from "~/server/trpc";

const showIdInput = z.object({ showId: rowId("a show") });

/** A page of the list: after the cursor a previous page gave (none: the first page), `limit` follows. */
const listInput = z
  .object({
    cursor: followsCursorInput.optional(),
    limit: z.int().min(1).max(FOLLOWS_PAGE.maxLimit).default(FOLLOWS_PAGE.defaultLimit),
  })
  .default({ limit: FOLLOWS_PAGE.defaultLimit });

const subscriptionSelect = { showId: true, notify: true, createdAt: true } satisfies Prisma.SubscriptionSelect;
const subscriptionJson = ({ createdAt, ...subscription }: Prisma.SubscriptionGetPayload<{ select: typeof subscriptionSelect }>) => ({
  ...subscription,
  createdAt: createdAt.toISOString(),
});
const followedShowSelect = { id: true, show: { select: { title: true } } } satisfies Prisma.SubscriptionSelect;

const usageSelect = {
  ...followCapSelect,
  user: { select: { _count: { select: { subscriptions: true } } } },
} satisfies Prisma.BillingAccountSelect;

const followKey = (userId: string, showId: string) => ({ userId_showId: { userId, showId } });

export const subscriptionsRouter = router({
  /**
   * A page of the caller's shows, newest follow first, `{ items, nextCursor }` (null: the last page):
   * one hand-written SQL statement (see followedShows).
   */
  list: protectedProcedure
    .meta({ scope: "read:shows" })
    .input(listInput)
    .query(({ ctx, input }) => followedShows(ctx.db, ctx.user.id, { after: input.cursor, limit: input.limit })),

  /**
   * How many shows the caller follows and how many new follows may reach (null: unlimited), by the
   * rule `add` applies (a waiting downgrade's cap holds from now on); when that is full, the refusal a
   * follow would get and why (`capReason`), so pages say it before a click. One statement;
   * read:shows, like the follows it counts.
   */
  usage: protectedProcedure.meta({ scope: "read:shows" }).query(async ({ ctx }) => {
    const account = await readOpeningAccount(ctx.db, ctx.user.id, () =>
      ctx.db.billingAccount.findUnique({ relationLoadStrategy: "join", where: { userId: ctx.user.id }, select: usageSelect }),
    );
    const cap = await followCapOf(ctx.db, account);
    const following = account.user._count.subscriptions;
    return { plan: account.tier.name, following, limit: cap.maxSubscriptions, capReason: cap.reason, refusal: followLimitError(cap, following)?.message ?? null };
  }),

  /** Follows a show; following it again changes nothing. Refused past the plan's cap. */
  add: protectedProcedure.meta({ scope: "write:shows" }).input(showIdInput).mutation(({ ctx, input }) =>
    ctx.db.$transaction(async (tx) => {
      // First the account lock: concurrent adds of this user (any instance) queue here, so the
      // count below cannot be overtaken and a second add of the same show finds the first.
      const account = await lockBillingAccount(tx, ctx.user.id);
      const existing = await tx.subscription.findUnique({ where: followKey(ctx.user.id, input.showId), select: subscriptionSelect });
      if (existing) return subscriptionJson(existing);

      const show = await tx.show.findUnique({ where: { id: input.showId }, select: { id: true, title: true } });
      if (!show) throw new NotFound("That show does not exist.");

      const following = await tx.subscription.count({ where: { userId: ctx.user.id } });
      assertCanFollowAnother(account.cap, following);
      const subscription = await tx.subscription.create({
        data: { userId: ctx.user.id, showId: input.showId },
        select: subscriptionSelect,
      });
      await recordEvent(tx, actorOf(ctx), { action: "follow", target: show.id, details: { showTitle: show.title } });
      return subscriptionJson(subscription);
    }),
  ),

  /** Unfollows a show; unfollowing a show one does not follow changes nothing (and records nothing). */
  remove: protectedProcedure.meta({ scope: "write:shows" }).input(showIdInput).mutation(({ ctx, input }) =>
    ctx.db.$transaction(async (tx) => {
      const followed = await tx.subscription.findUnique({ where: followKey(ctx.user.id, input.showId), select: followedShowSelect });
      if (!followed) return { showId: input.showId, removed: false };
      // deleteMany: a concurrent unfollow may have removed it meanwhile; only the one that did records it.
      const { count } = await tx.subscription.deleteMany({ where: { id: followed.id } });
      if (count > 0) await recordEvent(tx, actorOf(ctx), { action: "unfollow", target: input.showId, details: { showTitle: followed.show.title } });
      return { showId: input.showId, removed: count > 0 };
    }),
  ),

  /** Turns episode reminders on or off for a followed show; setting the current value records nothing. */
  setNotify: protectedProcedure
    .meta({ scope: "write:shows" })
    .input(showIdInput.extend({ notify: z.boolean() }))
    .mutation(({ ctx, input }) =>
      ctx.db.$transaction(async (tx) => {
        const followed = await tx.subscription.findUnique({ where: followKey(ctx.user.id, input.showId), select: followedShowSelect });
        if (!followed) throw new NotFound("You do not follow that show.");
        const { count } = await tx.subscription.updateMany({ where: { id: followed.id, notify: !input.notify }, data: { notify: input.notify } });
        if (count > 0) {
          const action = input.notify ? "notify_on" : "notify_off";
          await recordEvent(tx, actorOf(ctx), { action, target: input.showId, details: { showTitle: followed.show.title } });
        }
        return { showId: input.showId, notify: input.notify };
      }),
    ),
});
