import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { rowId, text } from "~/server/inputs";
import { containsFolded } from "~/server/domain/search";
import { followedBySelect, followerOf, followingFlag, showSelect, toShow } from "~/server/domain/shows";
import { publicProcedure, router } from "~/server/trpc";

// Stable order for paging: title, then id to break ties.
const showOrder = [{ title: "asc" }, { id: "asc" }] satisfies Prisma.ShowOrderByWithRelationInput[];

export const showsRouter = router({
  list: publicProcedure
    .input(
      z.object({
        cursor: rowId("a show").nullish(),
        limit: z.number().int().min(1).max(50).default(20),
        search: text({ max: 100 }).optional(),
        genre: text({ min: 1, max: 50 }).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const follower = followerOf(ctx.auth);
      // One statement: the page, its genres and whether the caller follows each show (no flags without read:shows).
      const rows = await ctx.db.show.findMany({
        relationLoadStrategy: "join",
        where: {
          ...(input.search ? { titleSearch: { contains: containsFolded(input.search) } } : {}),
          ...(input.genre ? { genres: { some: { name: input.genre } } } : {}),
        },
        orderBy: showOrder,
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        select: { ...showSelect, subscriptions: followedBySelect(follower) },
      });
      const page = rows.slice(0, input.limit);
      return {
        items: page.map(({ subscriptions, ...show }) => ({ ...toShow(show), ...followingFlag(follower, subscriptions) })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
      };
    }),

  bySlug: publicProcedure
    .input(z.object({ slug: text({ min: 1, max: 100 }) }))
    .query(async ({ ctx, input }) => {
      const follower = followerOf(ctx.auth);
      const row = await ctx.db.show.findUnique({
        relationLoadStrategy: "join",
        where: { slug: input.slug },
        select: { ...showSelect, subscriptions: followedBySelect(follower) },
      });
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `No show called "${input.slug}".` });
      const { subscriptions, ...show } = row;
      return { ...toShow(show), ...followingFlag(follower, subscriptions) };
    }),

  genres: publicProcedure.query(async ({ ctx }) => {
    const genres = await ctx.db.genre.findMany({ select: { name: true }, orderBy: { name: "asc" } });
    return genres.map((genre) => genre.name);
  }),
});
