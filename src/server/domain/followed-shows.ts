import type { ShowStatus } from "~/generated/prisma/enums";
import { sqlRows, type Db } from "~/server/platform/db";

// subscriptions.list is the API's hottest read. It runs as one hand-written statement rather than the
// Prisma findMany it stands for (notify, createdAt, and the show as showSelect and toShow give it):
// that findMany cost more CPU than the rest of the call. tests/hand-written-sql.test.ts
// holds the two equal on generated follows, so a schema change this statement misses fails there.
// "createdAt" is a timestamp without time zone holding UTC (Prisma's convention): read as UTC,
// whatever the server's zone. Newest follow first; the id settles follows of the same instant.
const FOLLOWED_SHOWS = `
    SELECT s.notify, s."createdAt" AT TIME ZONE 'UTC' AS "createdAt",
           sh.id, sh.slug, sh.title, sh.network, sh.summary, sh.premiered, sh.status::text AS status,
           ARRAY(SELECT g.name FROM "_GenreToShow" gs JOIN "Genre" g ON g.id = gs."A" WHERE gs."B" = sh.id ORDER BY g.name) AS genres
    FROM "Subscription" s JOIN "Show" sh ON sh.id = s."showId"
    WHERE s."userId" = $1
    ORDER BY s."createdAt" DESC, s.id DESC`;

/** A row of the followed-shows statement, as the driver decodes it. */
export interface FollowedShowRow {
  notify: boolean;
  createdAt: Date;
  id: string;
  slug: string;
  title: string;
  network: string;
  summary: string;
  premiered: number;
  status: ShowStatus;
  genres: string[];
}

/** The shows `userId` follows, newest follow first, each as the API returns a show (toShow). */
export async function followedShows(db: Db, userId: string) {
  const rows = await sqlRows<FollowedShowRow>(db, FOLLOWED_SHOWS, [userId]);
  return rows.map(({ notify, createdAt, id, slug, title, network, summary, premiered, status, genres }) => ({
    notify,
    createdAt: createdAt.toISOString(),
    show: { id, slug, title, network, summary, premiered, status, genres },
  }));
}
