import type { z } from "zod";
import type { Db } from "~/server/platform/db";
import { FOLLOWED_SHOWS } from "~/server/platform/statements";

/** A row of the followed-shows statement. */
export type FollowedShowRow = z.infer<typeof FOLLOWED_SHOWS.row>;

/** A row as subscriptions.list returns it: the follow, and its show as toShow gives it. */
export const toFollowedShow = ({ notify, createdAt, id, slug, title, network, summary, premiered, status, genres }: FollowedShowRow) => ({
  notify,
  createdAt: createdAt.toISOString(),
  show: { id, slug, title, network, summary, premiered, status, genres },
});

/**
 * The shows `userId` follows, newest follow first, each as the API returns a show (toShow). The API's
 * hottest read: one hand-written statement rather than the Prisma findMany it stands for (notify,
 * createdAt, and the show as showSelect and toShow give it), whose query compilation would cost more
 * CPU than the rest of the call (docs/performance.md).
 */
export async function followedShows(db: Db, userId: string) {
  return (await db.sql(FOLLOWED_SHOWS, [userId])).map(toFollowedShow);
}
