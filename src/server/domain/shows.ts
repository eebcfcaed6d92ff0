import type { Prisma } from "~/generated/prisma/client";
import type { Auth } from "~/server/platform/auth";

/** The fields of a show that leave the server, wherever a show is returned. */
export const showSelect = {
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
export function toShow({ genres, ...show }: ShowRow) {
  return { ...show, genres: genres.map((genre) => genre.name) };
}

/**
 * Whose follows a show query may reveal: the caller's own, and only with read:shows (a token without
 * it learns nothing about the person's shows). Null: return no `following` flag at all.
 */
export function followerOf(auth: Auth | null): string | null {
  return auth?.scopes.includes("read:shows") ? auth.sub : null;
}

/** Selects at most one subscription of `follower` (none when null): whether they follow the show. */
export const followedBySelect = (follower: string | null) =>
  ({
    where: follower ? { user: { auth0Sub: follower } } : { id: { in: [] } },
    select: { id: true },
    take: 1,
  }) satisfies Prisma.Show$subscriptionsArgs;

/** The `following` flag of a show row for `follower`: present only when it may be revealed. */
export const followingFlag = (follower: string | null, subscriptions: readonly unknown[]) =>
  follower === null ? {} : { following: subscriptions.length > 0 };
