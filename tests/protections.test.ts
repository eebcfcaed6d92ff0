// The API tried as an attacker would, through the real HTTP handler: cross-site writes, oversize and
// malformed inputs, and a database that is gone. Each protection fails its test when removed.
import { describe, expect, it } from "vitest";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES } from "~/utils/api-limits";
import { accessToken, callProcedure, db, seededApiServer, sessionCookie, wireInput } from "./helpers";

const api = seededApiServer();

const aShowId = async () => (await db.show.findFirstOrThrow({ orderBy: { slug: "asc" }, select: { id: true } })).id;
const followsOf = (sub: string) => db.subscription.count({ where: { user: { auth0Sub: sub } } });
const userExists = async (sub: string) => (await db.user.count({ where: { auth0Sub: sub } })) > 0;

describe("same-origin writes", () => {
  it("refuses a cookie-authenticated write from another origin, and writes nothing", async () => {
    const cookie = await sessionCookie({ sub: "test|csrf-victim" });
    const input = { showId: await aShowId() };
    const attempts: Record<string, string>[] = [
      { cookie, origin: "https://evil.example" },
      { cookie, origin: "null" }, // a sandboxed frame or a file: page
      { cookie, origin: "http://localhost:3000.evil.example" },
    ];
    for (const headers of attempts) {
      const { status, body } = await callProcedure(api.url, "subscriptions.add", { input, headers });
      expect({ headers, status, code: body.error?.json.data.code }).toEqual({ headers, status: 403, code: "FORBIDDEN" });
    }
    expect(await userExists("test|csrf-victim")).toBe(false); // not even provisioned
  });

  it("uses Sec-Fetch-Site when there is no Origin, and refuses a write that has neither", async () => {
    const cookie = await sessionCookie({ sub: "test|fetch-site" });
    const input = { showId: await aShowId() };
    const post = (headers: Record<string, string>) =>
      fetch(`${api.url}/subscriptions.add`, { method: "POST", headers: { cookie, "content-type": "application/json", ...headers }, body: wireInput(input) });
    expect((await post({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post({})).status).toBe(403);
    expect((await post({ "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(await followsOf("test|fetch-site")).toBe(1);
  });

  it("serves the same write from the app's origin, and a bearer call from anywhere", async () => {
    const input = { showId: await aShowId() };
    const fromApp = await callProcedure(api.url, "subscriptions.add", { input, headers: { cookie: await sessionCookie({ sub: "test|same-origin" }) } });
    expect(fromApp.status).toBe(200);
    const bearer = await callProcedure(api.url, "subscriptions.add", {
      input,
      headers: { authorization: `Bearer ${await accessToken({ sub: "test|bearer-writer" })}`, origin: "https://evil.example" },
    });
    expect(bearer.status).toBe(200);
    expect([await followsOf("test|same-origin"), await followsOf("test|bearer-writer")]).toEqual([1, 1]);
  });

  it("does not serve a cross-origin read as the cookie's user either (tests/cors.test.ts has the rest)", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    const { status } = await callProcedure(api.url, "subscriptions.list", { headers: { cookie, origin: "https://evil.example" } });
    expect(status).toBe(403);
  });
});

describe("input limits", () => {
  it("refuses a body over the limit with 413 before parsing it", async () => {
    const cookie = await sessionCookie({ sub: "test|big-body" });
    const body = wireInput({ showId: await aShowId(), padding: "x".repeat(MAX_BODY_BYTES) });
    const response = await fetch(`${api.url}/subscriptions.add`, {
      method: "POST",
      headers: { cookie, origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json" },
      body,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { json: { data: { code: "PAYLOAD_TOO_LARGE" } } } });
    expect(await userExists("test|big-body")).toBe(false); // refused before anything ran
    // Without a declared length (chunked), tRPC cuts the body off at the same size.
    const chunked = await fetch(`${api.url}/subscriptions.add`, {
      method: "POST",
      headers: { cookie, origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json" },
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await followsOf("test|big-body")).toBe(0);
  });

  it(`serves a batch of ${MAX_BATCH_SIZE} procedures and refuses one more with 400`, async () => {
    const batch = (size: number) => {
      const paths = Array.from({ length: size }, () => "billing.pricingTiers").join(",");
      const input = Object.fromEntries(Array.from({ length: size }, (_, i) => [i, { json: null }]));
      return fetch(`${api.url}/${paths}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`);
    };
    expect((await batch(MAX_BATCH_SIZE)).status).toBe(200);
    const refused = await batch(MAX_BATCH_SIZE + 1);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain("Batch call exceeds maximum size");
  });

  it("refuses input nested 5,000 deep with 400, in a body and in a query string", async () => {
    // Written as text: JSON.stringify itself would overflow the stack on such an object.
    const nested = (depth: number) => `${'{"a":'.repeat(depth)}0${"}".repeat(depth)}`;
    const cookie = await sessionCookie({ sub: "test|deep" });
    const post = await fetch(`${api.url}/subscriptions.add`, {
      method: "POST",
      headers: { cookie, origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json" },
      body: `{"json":${nested(5_000)}}`,
    });
    expect(post.status).toBe(400);
    expect(JSON.stringify(await post.json())).toMatch(/nested more than \d+ levels deep/);
    const get = await fetch(`${api.url}/shows.list?input=${encodeURIComponent(`{"json":${nested(300)}}`)}`);
    expect(get.status).toBe(400);
  });

  it("refuses a lone UTF-16 surrogate or a NUL with a 400 naming the field", async () => {
    for (const [path, input, field] of [
      ["shows.list", { search: "abc\uD800" }, "search"],
      ["shows.list", { genre: "\uDC00Drama" }, "genre"],
      ["shows.bySlug", { slug: "x\uDBFF" }, "slug"],
    ] as const) {
      const { status, body } = await callProcedure(api.url, path, { input });
      expect({ path, status }).toEqual({ path, status: 400 });
      expect(body.error?.json.data.zodError).toMatchObject({ fieldErrors: { [field]: ["must be well-formed Unicode text"] } });
    }
    const nul = await callProcedure(api.url, "shows.bySlug", { input: { slug: "a\u0000b" } });
    expect([nul.status, nul.body.error?.json.data.zodError]).toEqual([400, { formErrors: [], fieldErrors: { slug: ["must not contain NUL characters"] } }]);
    // Characters outside the Basic Multilingual Plane (a surrogate *pair*) are text like any other.
    expect((await callProcedure(api.url, "shows.list", { input: { search: "🎬" } })).status).toBe(200);
  });
});

describe("health, with the database gone", () => {
  it("answers 200 while the database is up, then 503 over REST and tRPC", async () => {
    const up = await fetch(`${api.origin}/api/health`);
    // No worker runs here: no heartbeat, and nothing waits.
    expect([up.status, await up.json()]).toEqual([200, { ok: true, db: "up", jobs: { workerHeartbeatAgeSeconds: null, oldestDueJobAgeSeconds: 0 } }]);

    // This file's own database, dropped under the running server.
    const name = new URL(process.env.DATABASE_URL!).pathname.slice(1);
    await db.$disconnect();
    const { dropDatabase } = await import("../dev/postgres");
    await dropDatabase(process.env.DATABASE_URL!, name);

    const down = await fetch(`${api.origin}/api/health`);
    expect([down.status, await down.json()]).toEqual([503, { ok: false, db: "down" }]);
    const procedure = await callProcedure(api.url, "health.check");
    expect([procedure.status, procedure.body.error?.json.message]).toEqual([503, "Unavailable: db down."]);
  });
});
