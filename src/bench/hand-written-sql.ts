// The hand-written statement of the benchmark's A0, A and D cases (no app imports: D runs outside Next).

/** The caller's followed shows, newest first, with the user looked up in the same statement. */
export const FOLLOWED_SHOWS_SQL = `
  SELECT s.notify, s."createdAt" AT TIME ZONE 'UTC' AS "createdAt", sh.id, sh.slug, sh.title, sh.network, sh.summary, sh.premiered, sh.status::text AS status,
         COALESCE((SELECT array_agg(g.name ORDER BY g.name) FROM "_GenreToShow" gs JOIN "Genre" g ON g.id = gs."A" WHERE gs."B" = sh.id), '{}') AS genres
  FROM "Subscription" s
  JOIN "User" u ON u.id = s."userId"
  JOIN "Show" sh ON sh.id = s."showId"
  WHERE u."auth0Sub" = $1
  ORDER BY s."createdAt" DESC, s.id DESC`;

export interface FollowedShowRow {
  notify: boolean;
  createdAt: Date;
  id: string;
  slug: string;
  title: string;
  network: string;
  summary: string;
  premiered: number;
  status: string;
  genres: string[];
}

export const toFollowedShow = ({ notify, createdAt, ...show }: FollowedShowRow) => ({ notify, createdAt, show });
