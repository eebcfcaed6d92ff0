// The hand-written statement of the benchmark's A0, A and D cases (no app code at run time: D runs
// outside Next). Its rows have the shape of the app's own followed-shows statement.
import type { FollowedShowRow } from "../server/domain/followed-shows";

export type { FollowedShowRow };

/** The caller's followed shows, newest first, with the user looked up in the same statement. */
export const FOLLOWED_SHOWS_SQL = `
  SELECT s.notify, s."createdAt" AT TIME ZONE 'UTC' AS "createdAt", sh.id, sh.slug, sh.title, sh.network, sh.summary, sh.premiered, sh.status::text AS status,
         COALESCE((SELECT array_agg(g.name ORDER BY g.name) FROM "_GenreToShow" gs JOIN "Genre" g ON g.id = gs."A" WHERE gs."B" = sh.id), '{}') AS genres
  FROM "Subscription" s
  JOIN "User" u ON u.id = s."userId"
  JOIN "Show" sh ON sh.id = s."showId"
  WHERE u."auth0Sub" = $1
  ORDER BY s."createdAt" DESC, s.id DESC`;

export const toFollowedShow = ({ notify, createdAt, ...show }: FollowedShowRow) => ({ notify, createdAt, show });
