import { z } from "zod";
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

/** How many follows a page holds when the caller does not say, and the most it may ask for. */
export const FOLLOWS_PAGE = { defaultLimit: 50, maxLimit: 100 };

/** Where a page ends in the list's order: the last follow's time and id (the statement's keyset). */
export interface FollowsCursor {
  createdAt: Date;
  followId: string;
}

const cursorParts = z.tuple([z.iso.datetime(), z.string().min(1).max(64)]);

/** A cursor as clients hold it: opaque, URL-safe. */
export const encodeFollowsCursor = ({ createdAt, followId }: FollowsCursor) =>
  Buffer.from(JSON.stringify([createdAt.toISOString(), followId])).toString("base64url");

/** The `cursor` input: a string nextCursor gave, read back into its keyset (anything else: a 400). */
export const followsCursorInput = z
  .string()
  .max(200)
  .transform((value, ctx): FollowsCursor => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    } catch {
      parsed = null;
    }
    const parts = cursorParts.safeParse(parsed);
    if (!parts.success) {
      ctx.addIssue({ code: "custom", message: "This cursor is not one a page of your shows gave." });
      return z.NEVER;
    }
    const [createdAt, followId] = parts.data;
    return { createdAt: new Date(createdAt), followId };
  });

/** The values of the followed-shows statement for a page: `limit` follows after `after`, and one more. */
export const followedShowsValues = (userId: string, { after, limit }: { after?: FollowsCursor; limit: number }) => [
  userId,
  after?.createdAt.toISOString() ?? "infinity",
  after?.followId ?? "",
  limit + 1,
];

/** A page out of the statement's rows: the first `limit`, and the next page's cursor if a row more came (null: the last page). */
export function toFollowsPage(rows: FollowedShowRow[], limit: number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toFollowedShow), nextCursor: rows.length > limit && last ? encodeFollowsCursor(last) : null };
}

/**
 * A page of the shows `userId` follows, newest follow first, each as the API returns a show (toShow):
 * `limit` follows after `after` (from the start without it), and the cursor of the next page. The
 * API's hottest read: one hand-written statement rather than the Prisma findMany it stands for
 * (notify, createdAt, and the show as showSelect and toShow give it), whose query compilation would
 * cost more CPU than the rest of the call (docs/performance.md).
 */
export async function followedShows(db: Db, userId: string, page: { after?: FollowsCursor; limit: number }) {
  return toFollowsPage(await db.sql(FOLLOWED_SHOWS, followedShowsValues(userId, page)), page.limit);
}
