import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { ShowStatus } from "~/generated/prisma/enums";
import { ensureBillingAccount } from "~/server/billing";
import { protectedProcedure, router } from "~/server/trpc";

const showIdInput = z.object({ showId: z.cuid("must be a show id") });

const followedShowRows = z.array(
  z.object({
    notify: z.coerce.boolean(),
    createdAt: z.coerce.date(),
    id: z.string(),
    slug: z.string(),
    title: z.string(),
    network: z.string(),
    summary: z.string(),
    premiered: z.coerce.number().int(),
    status: z.enum(ShowStatus),
    genres: z.string().transform((json) => z.array(z.string()).parse(JSON.parse(json))),
  }),
);

const subscriptionSelect = { showId: true, notify: true, createdAt: true } satisfies Prisma.SubscriptionSelect;

export const subscriptionsRouter = router({
  /** The caller's shows, newest follow first: one SQL query (the relation API would take three). */
  list: protectedProcedure.meta({ scope: "read:shows" }).query(async ({ ctx }) => {
    // _GenreToShow is Prisma's table for the implicit Genre<->Show relation (A = Genre, B = Show).
    const rows = await ctx.db.$queryRaw<unknown[]>`
      SELECT s.notify, s.createdAt, sh.id, sh.slug, sh.title, sh.network, sh.summary, sh.premiered, sh.status,
        (SELECT json_group_array(name) FROM (
          SELECT g.name FROM _GenreToShow gs JOIN Genre g ON g.id = gs.A WHERE gs.B = sh.id ORDER BY g.name
        )) AS genres
      FROM Subscription s JOIN Show sh ON sh.id = s.showId
      WHERE s.userId = ${ctx.user.id}
      ORDER BY s.createdAt DESC, s.id DESC`;
    return followedShowRows.parse(rows).map(({ notify, createdAt, ...show }) => ({ notify, createdAt, show }));
  }),

  /** Follows a show; following it again changes nothing. Refused past the plan's cap. */
  add: protectedProcedure.meta({ scope: "write:shows" }).input(showIdInput).mutation(({ ctx, input }) =>
    // The cap check and the insert share one transaction, so concurrent adds cannot overshoot it.
    ctx.db.$transaction(async (tx) => {
      const key = { userId_showId: { userId: ctx.user.id, showId: input.showId } };
      const existing = await tx.subscription.findUnique({ where: key, select: subscriptionSelect });
      if (existing) return existing;

      const show = await tx.show.findUnique({ where: { id: input.showId }, select: { id: true } });
      if (!show) throw new TRPCError({ code: "NOT_FOUND", message: "That show does not exist." });

      const { tier } = await ensureBillingAccount(tx, ctx.user.id);
      if (tier.maxSubscriptions !== null) {
        const following = await tx.subscription.count({ where: { userId: ctx.user.id } });
        if (following >= tier.maxSubscriptions) {
          throw new TRPCError({
            code: "FORBIDDEN",
            message: `Your ${tier.name} plan follows up to ${tier.maxSubscriptions} shows. Upgrade to follow more.`,
          });
        }
      }
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
