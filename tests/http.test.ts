// The tRPC API over real HTTP with real nextjs-auth0 session cookies.
import { describe, expect, it, vi } from "vitest";
import { callProcedure, db, procedures, sessionCookie, seededApiServer } from "./helpers";

const api = seededApiServer();

const protectedPaths = procedures.filter((p) => p.meta.requiresAuth).map((p) => p.path);
const publicPaths = procedures.filter((p) => !p.meta.requiresAuth).map((p) => p.path);
const call = (path: string, input?: unknown, cookie?: string) =>
  callProcedure(api.url, path, { input, headers: cookie ? { cookie } : {} });

async function expiredCookie(sub: string) {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() - 2 * 86_400_000);
  try {
    return await sessionCookie({ sub });
  } finally {
    vi.useRealTimers();
  }
}

describe("authentication over HTTP", () => {
  it("knows which procedures are public: any other must be protected", () => {
    expect(publicPaths.sort()).toEqual(
      ["billing.pricingTiers", "health.check", "shows.bySlug", "shows.genres", "shows.list"].sort(),
    );
    expect(protectedPaths.sort()).toEqual(
      ["billing.changeTier", "billing.info", "billing.invoices", "billing.quote", "billing.setCard", "me.activity", "me.delete", "me.export", "me.profile", "me.reminders", "me.setReminderLead", "notifications.list", "notifications.markRead", "notifications.unreadCount", "sessions.end", "sessions.endOthers", "sessions.list", "subscriptions.add", "subscriptions.list", "subscriptions.remove", "subscriptions.setNotify", "subscriptions.usage", "tokens.create", "tokens.list", "tokens.revoke"].sort(),
    );
  });

  const badCookies: [string, () => Promise<string | undefined>][] = [
    ["no cookie", async () => undefined],
    ["a cookie signed with another secret", () => sessionCookie({ sub: "dev|alice" }, "ab".repeat(32))],
    ["an expired cookie", () => expiredCookie("dev|alice")],
  ];
  for (const [label, makeCookie] of badCookies) {
    it(`every protected procedure answers 401 UNAUTHORIZED with ${label}`, async () => {
      const cookie = await makeCookie();
      for (const path of protectedPaths) {
        const { status, body } = await call(path, undefined, cookie);
        expect({ path, status, code: body.error?.json.data.code }).toEqual({ path, status: 401, code: "UNAUTHORIZED" });
      }
    });
  }

  it("a valid cookie gets through", async () => {
    const { status, body } = await call("me.profile", undefined, await sessionCookie({ sub: "dev|alice" }));
    expect(status).toBe(200);
    expect(body.result?.data.json).toMatchObject({ tier: { id: "free" } });
  });
});

describe("invalid input over HTTP", () => {
  const invalid: [string, unknown, string][] = [
    ["shows.list", { limit: 500 }, "limit"],
    ["shows.list", { limit: "ten" }, "limit"],
    ["shows.list", { search: "x".repeat(101) }, "search"],
    ["shows.bySlug", { slug: "" }, "slug"],
    ["subscriptions.add", { showId: "not a show id" }, "showId"],
    ["subscriptions.add", {}, "showId"],
    ["subscriptions.setNotify", { showId: "cnotreal000000000000000", notify: "yes" }, "notify"],
    ["billing.changeTier", { tierId: "platinum" }, "tierId"],
    ["billing.invoices", { limit: -1 }, "limit"],
  ];
  for (const [path, input, field] of invalid) {
    it(`${path}(${JSON.stringify(input)}) → 400 naming ${field}`, async () => {
      const { status, body } = await call(path, input, await sessionCookie({ sub: "dev|alice" }));
      expect(status).toBe(400);
      expect(body.error?.json.data.code).toBe("BAD_REQUEST");
      expect(body.error?.json.data.zodError).toMatchObject({ fieldErrors: { [field]: [expect.any(String)] } });
      expect(body.error?.json.message).toContain(field);
      expect(body.error?.json.data.stack).toBeUndefined();
    });
  }

  it("a body that is not JSON is a 400, not a 500", async () => {
    const response = await fetch(`${api.url}/subscriptions.add`, {
      method: "POST",
      headers: { cookie: await sessionCookie({ sub: "dev|alice" }), origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
  });

  it("an unknown procedure is a 404", async () => {
    expect((await fetch(`${api.url}/shows.nope`)).status).toBe(404);
  });
});

describe("one user cannot touch another's data over HTTP", () => {
  it("subscriptions, billing and invoices stay with their owner", async () => {
    const alice = await sessionCookie({ sub: "dev|alice" });
    const bob = await sessionCookie({ sub: "dev|bob" });
    const aliceShows = (await call("subscriptions.list", undefined, alice)).body.result!.data.json as { items: { show: { id: string } }[] };
    const aliceShowId = aliceShows.items[0]!.show.id;
    const bobFollowsIt = await db.subscription.count({ where: { showId: aliceShowId, user: { auth0Sub: "dev|bob" } } });

    const bobsList = (await call("subscriptions.list", undefined, bob)).body.result!.data.json as { items: { show: { id: string } }[] };
    expect(bobsList.items).toHaveLength(12);
    await call("subscriptions.remove", { showId: aliceShowId }, bob);
    expect(await db.subscription.count({ where: { showId: aliceShowId, user: { auth0Sub: "dev|alice" } } })).toBe(1);
    if (!bobFollowsIt) {
      const notify = await call("subscriptions.setNotify", { showId: aliceShowId, notify: false }, bob);
      expect(notify.status).toBe(404);
    }

    const aliceBilling = (await call("billing.info", undefined, alice)).body.result!.data.json as { invoices: unknown[]; tier: { id: string } };
    expect(aliceBilling).toMatchObject({ tier: { id: "free" }, invoices: [] });
    const bobInvoices = (await call("billing.invoices", { limit: 10 }, bob)).body.result!.data.json as { items: { id: string }[] };
    const aliceInvoices = (await call("billing.invoices", { limit: 10, cursor: bobInvoices.items[0]!.id }, alice)).body.result!.data.json;
    expect(aliceInvoices).toEqual({ items: [], nextCursor: null });
  });
});

describe("the wire format", () => {
  it("outputs are plain JSON (dates as ISO strings, no transformer metadata) and batched calls answer in one response", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    const response = await fetch(`${api.url}/me.profile,billing.info?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, {
      headers: { cookie },
    });
    expect(response.status).toBe(200);
    const [profile, billing] = (await response.json()) as { result: { data: { json: { createdAt?: string }; meta?: unknown } } }[];
    expect(profile!.result.data).not.toHaveProperty("meta");
    expect(new Date(profile!.result.data.json.createdAt!).toISOString()).toBe(profile!.result.data.json.createdAt);
    expect(billing!.result.data.json).toMatchObject({ tier: { id: "developer" } });
  });

  it("a plan-cap refusal arrives as 412 with the message", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" }); // Free, following 2
    const ids = (await db.show.findMany({ where: { subscriptions: { none: {} } }, take: 2, select: { id: true } })).map((s) => s.id);
    expect((await call("subscriptions.add", { showId: ids[0] }, cookie)).status).toBe(200);
    const refused = await call("subscriptions.add", { showId: ids[1] }, cookie);
    expect(refused.status).toBe(412);
    expect(refused.body.error?.json.message).toBe("Your Free plan follows up to 3 shows, and you follow 3. Upgrade to follow more.");
  });
});
