// `npm run db:studio` against this file's seeded database, read through Studio's own SQL endpoint.
import { spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, freeLoopbackPort } from "./helpers";

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
