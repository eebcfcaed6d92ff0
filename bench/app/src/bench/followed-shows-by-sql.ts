// The hand-written read of the A0, A and D cases: the app's own followed-shows statement (imported,
// not copied) through a bare `pg` pool, each as a prepared statement, its rows taken as they come.
import type pg from "pg";
import { FOLLOWS_PAGE, followedShowsValues, toFollowsPage, type FollowedShowRow } from "~/server/domain/followed-shows";
import { FOLLOWED_SHOWS } from "~/server/platform/statements";

/**
 * The first page of the shows a person (by their sub) follows, as subscriptions.list gives it without
 * input; each person's id is read once, as the app keeps its recent users.
 */
export function followedShowsReader(pool: pg.Pool) {
  const ids = new Map<string, string | null>();
  return async (sub: string) => {
    if (!ids.has(sub)) {
      const { rows } = await pool.query<{ id: string }>({ name: "bench_user_id", text: `SELECT id FROM "User" WHERE "auth0Sub" = $1`, values: [sub] });
      ids.set(sub, rows[0]?.id ?? null);
    }
    const id = ids.get(sub);
    const limit = FOLLOWS_PAGE.defaultLimit;
    if (!id) return toFollowsPage([], limit);
    const { rows } = await pool.query<FollowedShowRow>({ name: "bench_followed_shows", text: FOLLOWED_SHOWS.text, values: followedShowsValues(id, { limit }) });
    return toFollowsPage(rows, limit);
  };
}
