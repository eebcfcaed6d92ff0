// A typed Node client of the Showtrack API: the same `AppRouter` type as the pages, over HTTP with
// a bearer access token (any client of the API audience: a CLI, a job, another service).
//
//   SHOWTRACK_URL=http://localhost:3000 SHOWTRACK_TOKEN=<access token> npx tsx scripts/api-client.ts
//
// With the local provider, a token comes from the browser app (/spa) or any OAuth client of it.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import type { AppRouter } from "../src/server/routers/_app";
import { transformer } from "../src/utils/transformer";

export function createShowtrackClient(baseUrl: string, accessToken: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL("/api/trpc", baseUrl).href,
        transformer,
        headers: { authorization: `Bearer ${accessToken}` },
      }),
    ],
  });
}

/** Every show I follow, page after page (each page's nextCursor asks for the next). */
async function allFollows(client: ReturnType<typeof createShowtrackClient>) {
  const shows = [];
  let cursor: string | undefined;
  do {
    const page = await client.subscriptions.list.query({ cursor, limit: 100 });
    shows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return shows;
}

/** What the example prints: who I am, my plan, and the shows I follow (fully typed). */
export async function summary(client: ReturnType<typeof createShowtrackClient>) {
  const [profile, shows] = await Promise.all([client.me.profile.query(), allFollows(client)]);
  return [
    `${profile.name ?? profile.email} (${profile.tier.name} plan) follows ${shows.length} show(s):`,
    ...shows.map(({ show, createdAt }) => `- ${show.title} on ${show.network}, since ${createdAt.slice(0, 10)}`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const token = process.env.SHOWTRACK_TOKEN;
  if (!token) {
    console.error("Set SHOWTRACK_TOKEN to an access token for the API audience.");
    process.exit(1);
  }
  console.log(await summary(createShowtrackClient(process.env.SHOWTRACK_URL ?? "http://localhost:3000", token)));
}
