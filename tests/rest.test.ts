// The REST routes of the seed, and their OpenAPI document checked against the real responses.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { accessToken, db, seededApiServer, sessionCookie } from "./helpers";

const api = seededApiServer();
let document: { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

beforeAll(async () => {
  const response = await fetch(`${api.origin}/api/openapi.json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as typeof document;
  ajv.addSchema(document, "openapi.json");
});

/** Fetches a route and checks the body against the document's schema for that status. */
async function get(path: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.origin}${path}`, { headers });
  const text = await response.text();
  const body: unknown = JSON.parse(text);
  const route = path.split("?")[0]!;
  const pointer = `openapi.json#/paths/${route.replaceAll("/", "~1")}/get/responses/${response.status}/content/application~1json/schema`;
  const valid = ajv.validate({ $ref: pointer }, body);
  expect({ path, status: response.status, errors: ajv.errors ?? null }).toEqual({ path, status: response.status, errors: null });
  expect(valid).toBe(true);
  return { status: response.status, body, text, headers: response.headers };
}

const ROUTES = ["/api/pricing-tiers", "/api/billing-info", "/api/my/shows", "/api/me", "/api/me/export"];
const EPISODES = "/api/shows/{slug}/episodes";
const bearer = async (claims = {}) => ({ authorization: `Bearer ${await accessToken({ sub: "dev|bob", ...claims })}` });

describe("REST routes", () => {
  it("the document describes exactly the routes served", () => {
    expect(Object.keys(document.paths).sort()).toEqual([...ROUTES, EPISODES].sort());
  });

  it("GET /api/shows/{slug}/episodes is public and cacheable, its answer as documented; an unknown slug is a 404", async () => {
    const pointer = (status: number) => `openapi.json#/paths/${EPISODES.replaceAll("/", "~1")}/get/responses/${status}/content/application~1json/schema`;
    const running = await db.show.findFirstOrThrow({ where: { status: "running", episodes: { some: {} } }, select: { slug: true } });
    const response = await fetch(`${api.origin}/api/shows/${running.slug}/episodes`);
    const body = (await response.json()) as { upcoming: unknown[]; recent: unknown[] };
    expect(response.status).toBe(200);
    expect(ajv.validate({ $ref: pointer(200) }, body), JSON.stringify(ajv.errors)).toBe(true);
    expect(body.upcoming.length + body.recent.length).toBeGreaterThan(0);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300, stale-while-revalidate=3600");
    const missing = await fetch(`${api.origin}/api/shows/no-such-show/episodes`);
    expect(missing.status).toBe(404);
    expect(ajv.validate({ $ref: pointer(404) }, await missing.json())).toBe(true);
  });

  it("GET /api/pricing-tiers is public and cacheable", async () => {
    const { status, body, headers } = await get("/api/pricing-tiers");
    expect(status).toBe(200);
    expect((body as { id: string }[]).map((tier) => tier.id)).toEqual(["free", "developer", "enterprise"]);
    expect(headers.get("cache-control")).toBe("public, max-age=300, stale-while-revalidate=3600");
  });

  for (const path of ROUTES.slice(1)) {
    it(`GET ${path}: anonymous → 401 with a Bearer challenge`, async () => {
      const { status, body, headers } = await get(path);
      expect(status).toBe(401);
      expect(body).toEqual({ error: { code: "UNAUTHORIZED", message: "Please sign in to continue." } });
      expect(headers.get("www-authenticate")).toBe('Bearer realm="showtrack"');
      expect(headers.get("cache-control")).toBe("private, no-store");
    });

    it(`GET ${path}: a bad token → 401 invalid_token`, async () => {
      const { status, headers } = await get(path, await bearer({ aud: "https://elsewhere.test" }));
      expect(status).toBe(401);
      expect(headers.get("www-authenticate")).toBe('Bearer realm="showtrack", error="invalid_token"');
    });

    it(`GET ${path}: the same answer through the cookie and the bearer token, never cached`, async () => {
      const viaCookie = await get(path, { cookie: await sessionCookie({ sub: "dev|bob", name: "Bob Developer", email: "bob@example.test" }) });
      const viaBearer = await get(path, await bearer());
      expect(viaCookie.status).toBe(200);
      expect(viaBearer.body).toEqual(viaCookie.body);
      expect(viaBearer.headers.get("cache-control")).toBe("private, no-store");
      expect(viaBearer.headers.get("vary")).toBe("Origin, Cookie, Authorization");
    });
  }

  it("GET /api/my/shows pages through the follows with cursor and limit, once each, in the list's order", async () => {
    const headers = await bearer();
    const expected = (
      await db.subscription.findMany({ where: { user: { auth0Sub: "dev|bob" } }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { showId: true } })
    ).map((s) => s.showId);
    const seen: string[] = [];
    let query = "?limit=5";
    for (;;) {
      const { status, body } = await get(`/api/my/shows${query}`, headers);
      expect(status).toBe(200);
      const page = body as { items: { show: { id: string } }[]; nextCursor: string | null };
      seen.push(...page.items.map((s) => s.show.id));
      if (page.nextCursor === null) break;
      expect(page.items).toHaveLength(5);
      query = `?limit=5&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toEqual(expected);
    expect(expected).toHaveLength(12);
  });

  it("GET /api/my/shows answers a bad limit or cursor with a 400 that says so", async () => {
    const headers = await bearer();
    for (const query of ["limit=0", "limit=101", "limit=ten", "limit=", "cursor=nonsense", "cursor="]) {
      const { status, body } = await get(`/api/my/shows?${query}`, headers);
      const { code, message } = (body as { error: { code: string; message: string } }).error;
      // Which parameter, and what is wrong with it, in words (no validation report, no stack).
      expect({ query, status, code, field: message.includes(`→ at ${query.split("=")[0]}`), json: message.trimStart().startsWith("[") }).toEqual({ query, status: 400, code: "BAD_REQUEST", field: true, json: false });
    }
    const { body } = await get("/api/my/shows?cursor=nonsense", headers);
    expect(body).toMatchObject({ error: { message: expect.stringContaining("This cursor is not one a page of your shows gave.") } });
  });

  it("bodies carry what each route promises", async () => {
    const headers = await bearer();
    expect((await get("/api/my/shows", headers)).body).toMatchObject({ items: expect.toSatisfy((items: unknown[]) => items.length === 12), nextCursor: null });
    expect((await get("/api/billing-info", headers)).body).toMatchObject({ tier: { id: "developer" }, usage: { subscriptions: 12, limit: 25 } });
    expect((await get("/api/me", headers)).body).toMatchObject({ email: "bob@example.test", tier: { id: "developer" } });
  });

  it("GET /api/me/export: all of Bob's data, as a dated attachment", async () => {
    const { status, body, text, headers } = await get("/api/me/export", { cookie: await sessionCookie({ sub: "dev|bob", name: "Bob Developer", email: "bob@example.test" }) });
    expect(status).toBe(200);
    expect(headers.get("content-disposition")).toBe(`attachment; filename="showtrack-export-${new Date().toISOString().slice(0, 10)}.json"`);
    expect(headers.get("cache-control")).toBe("private, no-store");
    const bob = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|bob" }, select: { id: true, _count: { select: { auditEvents: true } } } });
    const follows = await db.subscription.findMany({ where: { userId: bob.id }, select: { notify: true, show: { select: { slug: true } } } });
    const invoices = await db.invoice.count({ where: { billingAccount: { userId: bob.id } } });
    const data = body as { follows: { show: { slug: string }; reminders: boolean }[]; invoices: unknown[]; activity: unknown[] };
    expect(body).toMatchObject({
      profile: { id: bob.id, email: "bob@example.test", emailVerified: true, name: "Bob Developer" },
      plan: { tier: { id: "developer", name: "Developer" }, status: "active", paymentMethod: { brand: "visa", last4: "4242" } },
    });
    expect(data.follows.map(({ show, reminders }) => [show.slug, reminders]).sort()).toEqual(follows.map(({ show, notify }) => [show.slug, notify]).sort());
    expect(data.follows).toHaveLength(12);
    expect(data.invoices).toHaveLength(invoices);
    expect(invoices).toBe(3);
    expect(data.activity).toHaveLength(bob._count.auditEvents);
    expect(JSON.stringify(body)).not.toContain("dev|bob"); // no auth0Sub
    // For a person too: indented, amounts and events in words beside the machine's values.
    expect(text).toContain('\n  "profile": {\n');
    expect(body).toMatchObject({ plan: { price: "$9.00 / month" }, invoices: expect.arrayContaining([expect.objectContaining({ amountCents: 900, amount: "$9.00" })]) });
    const activity = data.activity as { action: string; target: string; description: string }[];
    expect(activity.every((event) => event.description.startsWith("You "))).toBe(true);
  });

  it("GET /api/me/export needs read:shows and read:billing both", async () => {
    for (const [held, missing] of [["read:shows", "read:billing"], ["read:billing", "read:shows"]]) {
      const { status, body } = await get("/api/me/export", await bearer({ scope: held, permissions: [held] }));
      expect({ status, body }).toEqual({ status: 403, body: { error: { code: "FORBIDDEN", message: `Your access does not include the ${missing} permission.` } } });
    }
  });

  it("insufficient scope → 403 naming it, with an insufficient_scope challenge", async () => {
    const readShowsOnly = await bearer({ scope: "read:shows", permissions: ["read:shows"] });
    const { status, body, headers } = await get("/api/billing-info", readShowsOnly);
    expect(status).toBe(403);
    expect(body).toEqual({ error: { code: "FORBIDDEN", message: "Your access does not include the read:billing permission." } });
    expect(headers.get("www-authenticate")).toBe('Bearer realm="showtrack", error="insufficient_scope"');
    expect((await get("/api/my/shows", readShowsOnly)).status).toBe(200);
  });

  it("only GET is served", async () => {
    const response = await fetch(`${api.origin}/api/me`, { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });
});
