import { NotFound } from "~/server/domain/errors";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { rowId, text } from "~/server/inputs";
import { containsFolded } from "~/server/domain/search";
import {
  episodeJson,
  episodesAroundSelect,
  followedBySelect,
  followerOf,
  followingFlag,
  nextEpisodeSelect,
  showSelect,
  toShow,
  upcomingAndRecent,
} from "~/server/domain/shows";
import { publicProcedure, router } from "~/server/trpc";
import { pageArgs, toPage } from "~/server/pagination";

// Stable orders for paging, id breaking ties: by title (the catalogue), or newest premiere first (the
// landing page's featured shows).
const SHOW_ORDERS = {
  title: [{ title: "asc" }, { id: "asc" }],
  newest: [{ premiered: "desc" }, { id: "asc" }],
} satisfies Record<string, Prisma.ShowOrderByWithRelationInput[]>;

export const showsRouter = router({
  list: publicProcedure
    .input(
      z.object({
        cursor: rowId("a show").nullish(),
        limit: z.number().int().min(1).max(50).default(20),
        search: text({ max: 100 }).optional(),
        genre: text({ min: 1, max: 50 }).optional(),
        sort: z.enum(["title", "newest"]).default("title"),
      }),
    )
    .query(async ({ ctx, input }) => {
      const follower = followerOf(ctx.auth);
      const now = new Date();
      // One statement: the page, its genres, each show's next episode and whether the caller follows it (no flags without read:shows).
      const rows = await ctx.db.show.findMany({
        relationLoadStrategy: "join",
        where: {
          ...(input.search ? { titleSearch: { contains: containsFolded(input.search) } } : {}),
          ...(input.genre ? { genres: { some: { name: input.genre } } } : {}),
        },
        orderBy: SHOW_ORDERS[input.sort],
        ...pageArgs(input),
        select: { ...showSelect, subscriptions: followedBySelect(follower), episodes: nextEpisodeSelect(now) },
      });
      return toPage(rows, input.limit, ({ subscriptions, episodes: [next], ...show }) => ({
        ...toShow(show),
        nextEpisode: next ? episodeJson(next) : null,
        ...followingFlag(follower, subscriptions),
      }));
    }),

  bySlug: publicProcedure
    .input(z.object({ slug: text({ min: 1, max: 100 }) }))
    .query(async ({ ctx, input }) => {
      const follower = followerOf(ctx.auth);
      const now = new Date();
      const row = await ctx.db.show.findUnique({
        relationLoadStrategy: "join",
        where: { slug: input.slug },
        select: { ...showSelect, subscriptions: followedBySelect(follower), episodes: episodesAroundSelect(now) },
      });
      if (!row) throw new NotFound(`No show called "${input.slug}".`);
      const { subscriptions, episodes, ...show } = row;
      return { ...toShow(show), episodes: upcomingAndRecent(episodes, now), ...followingFlag(follower, subscriptions) };
    }),

  genres: publicProcedure.query(async ({ ctx }) => {
    const genres = await ctx.db.genre.findMany({ select: { name: true }, orderBy: { name: "asc" } });
    return genres.map((genre) => genre.name);
  }),
});
