// `npm run db:studio` against this file's seeded database, read and written through the endpoint
// Studio's UI uses (/bff), as its UI does.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, db, freeLoopbackPort } from "./helpers";

let studio: ChildProcess;
let port: number;

beforeAll(async () => {
  port = await freeLoopbackPort();
  studio = spawn("npm", ["run", "db:studio"], {
    env: { ...process.env, STUDIO_PORT: String(port) },
    detached: true, // its own process group: npm, tsx and Studio stop together
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    studio.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`localhost:${port}`)) resolve();
    });
    studio.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    studio.on("exit", (code) => reject(new Error(`Studio exited with ${code}:\n${output}`)));
  });
});

afterAll(() => {
  if (studio.pid) process.kill(-studio.pid, "SIGTERM");
});

async function studioQuery(sql: string) {
  const response = await fetch(`http://127.0.0.1:${port}/bff`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ procedure: "query", query: { sql, parameters: [] } }),
  });
  expect(response.status).toBe(200);
  const [error, rows] = (await response.json()) as [unknown, Record<string, unknown>[]];
  expect(error).toBeNull();
  return rows;
}

describe("Prisma Studio (npm run db:studio)", () => {
  it("reads the seeded subscriptions of this test database", async () => {
    const rows = await studioQuery(
      `SELECT u."auth0Sub" AS sub, count(*)::int AS follows FROM "Subscription" s JOIN "User" u ON u.id = s."userId"
       GROUP BY u."auth0Sub" ORDER BY u."auth0Sub"`,
    );
    expect(rows).toEqual([
      { sub: "dev|alice", follows: 2 },
      { sub: "dev|bob", follows: 12 },
      { sub: "dev|carol", follows: 5 },
    ]);
    expect(await studioQuery('SELECT count(*)::int AS n FROM "Subscription"')).toEqual([{ n: await db.subscription.count() }]);
  });
});

describe("seeding a follow in Studio", () => {
  it("a Subscription row added as Studio's UI adds it is one of the person's shows in the app", async () => {
    // The UI's own data layer: the Postgres adapter over the BFF client, installed with Studio.
    const { createStudioBFFClient } = await import("../tools/studio/node_modules/@prisma/studio-core/dist/data/bff/index.js");
    const { createPostgresAdapter } = await import("../tools/studio/node_modules/@prisma/studio-core/dist/data/postgres-core/index.js");
    const studio = createPostgresAdapter({ executor: createStudioBFFClient({ url: `http://127.0.0.1:${port}/bff` }) });
    const [introspectError, database] = await studio.introspect({});
    expect(introspectError).toBeNull();
    const table = database!.schemas.public!.tables.Subscription!;

    // What a person copies from the User and Show tables: Alice's id and a show she does not follow.
    const alice = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|alice" }, select: { id: true } });
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { userId: alice.id } } }, orderBy: { slug: "asc" }, select: { id: true } });
    // id has no database default (Prisma makes cuids): the person types one; notify and createdAt take theirs.
    const [insertError, inserted] = await studio.insert({ table, rows: [{ id: "seeded-in-studio", userId: alice.id, showId: show.id }] }, {});
    expect(insertError).toBeNull();
    expect(inserted!.rows).toMatchObject([{ id: "seeded-in-studio", userId: alice.id, showId: show.id, notify: true }]);

    const [newest, ...rest] = (await callerFor({ sub: "dev|alice" }).subscriptions.list()).items;
    expect({ show: newest?.show.id, notify: newest?.notify, follows: rest.length + 1 }).toEqual({ show: show.id, notify: true, follows: 3 });
  });
});
