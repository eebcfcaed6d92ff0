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

/** The fields of an episode that leave the server. */
export const episodeSelect = { season: true, number: true, title: true, airsAt: true } satisfies Prisma.EpisodeSelect;

/** An episode on the wire: `airsAt` an ISO 8601 string (UTC). */
export const episodeJson = ({ airsAt, ...episode }: Prisma.EpisodeGetPayload<{ select: typeof episodeSelect }>) => ({ ...episode, airsAt: airsAt.toISOString() });

/** A show's next episode: the first to air from `now` on. */
export const nextEpisodeSelect = (now: Date) =>
  ({ where: { airsAt: { gte: now } }, orderBy: { airsAt: "asc" }, take: 1, select: episodeSelect }) satisfies Prisma.Show$episodesArgs;

const RECENT_DAYS = 14;
const EPISODES_SHOWN = 12;

/** A show's episodes around `now`: those aired in the last two weeks and the next ones to air. */
export const episodesAroundSelect = (now: Date) =>
  ({
    where: { airsAt: { gte: new Date(now.getTime() - RECENT_DAYS * 86_400_000) } },
    orderBy: [{ airsAt: "asc" }, { season: "asc" }, { number: "asc" }],
    take: EPISODES_SHOWN,
    select: episodeSelect,
  }) satisfies Prisma.Show$episodesArgs;

/** Episodes around now, split: `upcoming` soonest first, `recent` (aired) newest first. */
export function upcomingAndRecent(episodes: Prisma.EpisodeGetPayload<{ select: typeof episodeSelect }>[], now: Date) {
  const aired = episodes.filter((episode) => episode.airsAt < now);
  return {
    upcoming: episodes.filter((episode) => episode.airsAt >= now).map(episodeJson),
    recent: aired.reverse().map(episodeJson),
  };
}
