import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { Context } from "~/server/context";
import { publicProcedure, router } from "~/server/trpc";

const showSelect = {
  id: true,
  slug: true,
  title: true,
  network: true,
  summary: true,
  premiered: true,
  status: true,
  genres: { select: { name: true }, orderBy: { name: "asc" } },
} satisfies Prisma.ShowSelect;

type ShowRow = Prisma.ShowGetPayload<{ select: typeof showSelect }>;

/** The wire shape of a show: genres as plain names. */
function toShow({ genres, ...show }: ShowRow) {
  return { ...show, genres: genres.map((genre) => genre.name) };
}

/** Which of these shows the caller follows; none for anonymous callers (no query either). */
async function followedShowIds(ctx: Context, showIds: string[]): Promise<Set<string>> {
  const sub = ctx.auth?.sub;
  if (!sub || showIds.length === 0) return new Set();
  const rows = await ctx.db.subscription.findMany({
    where: { user: { auth0Sub: sub }, showId: { in: showIds } },
    select: { showId: true },
  });
  return new Set(rows.map((row) => row.showId));
}

// Stable order for paging: title, then id to break ties.
const showOrder = [{ title: "asc" }, { id: "asc" }] satisfies Prisma.ShowOrderByWithRelationInput[];

export const showsRouter = router({
  list: publicProcedure
    .input(
      z.object({
        cursor: z.string().min(1).max(64).nullish(),
        limit: z.number().int().min(1).max(50).default(20),
        search: z.string().trim().max(100).optional(),
        genre: z.string().trim().min(1).max(50).optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.db.show.findMany({
        where: {
          ...(input.search ? { title: { contains: input.search } } : {}),
          ...(input.genre ? { genres: { some: { name: input.genre } } } : {}),
        },
        orderBy: showOrder,
        take: input.limit + 1,
        ...(input.cursor ? { cursor: { id: input.cursor }, skip: 1 } : {}),
        select: showSelect,
      });
      const page = rows.slice(0, input.limit);
      const followed = await followedShowIds(ctx, page.map((show) => show.id));
      return {
        items: page.map((show) => ({ ...toShow(show), following: followed.has(show.id) })),
        nextCursor: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null,
      };
    }),

  bySlug: publicProcedure
    .input(z.object({ slug: z.string().trim().min(1).max(100) }))
    .query(async ({ ctx, input }) => {
      const show = await ctx.db.show.findUnique({ where: { slug: input.slug }, select: showSelect });
      if (!show) throw new TRPCError({ code: "NOT_FOUND", message: `No show called "${input.slug}".` });
      return toShow(show);
    }),

  genres: publicProcedure.query(async ({ ctx }) => {
    const genres = await ctx.db.genre.findMany({ select: { name: true }, orderBy: { name: "asc" } });
    return genres.map((genre) => genre.name);
  }),
});
