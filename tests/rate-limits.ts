// The rate-limit tests, run once with the in-memory store and once with Redis (the two files that
// import this set the env first: 5 reads and 3 writes a minute).
import { randomBytes, randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createContext } from "~/server/context";
import { createCaller } from "~/server/routers/_app";
import { callProcedure, gsspContext, seededApiServer, sessionCookie } from "./helpers";


export function describeRateLimits(store: string) {
  const api = seededApiServer();
  const someone = async () => sessionCookie({ sub: `test|rl-${randomUUID()}` }); // a budget no other run has touched

  describe(`rate limits (${store})`, () => {
    it("serves a user's reads up to the budget, then 429 with Retry-After; another user is unaffected", async () => {
      const cookie = await someone();
      const remaining: string[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${api.url}/subscriptions.list`, { headers: { cookie } });
        expect(response.status).toBe(200);
        remaining.push(response.headers.get("ratelimit-remaining")!);
      }
      expect(remaining).toEqual(["4", "3", "2", "1", "0"]);
      const refused = await fetch(`${api.url}/subscriptions.list`, { headers: { cookie } });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
      expect(refused.headers.get("ratelimit-limit")).toBe("5");
      expect(((await refused.json()) as { error: { json: { data: { code: string } } } }).error.json.data.code).toBe("TOO_MANY_REQUESTS");

      expect((await fetch(`${api.url}/subscriptions.list`, { headers: { cookie: await someone() } })).status).toBe(200);
      // The REST routes draw on the same budget.
      const rest = await fetch(`${api.origin}/api/my/shows`, { headers: { cookie } });
      expect([rest.status, rest.headers.has("retry-after")]).toEqual([429, true]);
    });

    it("gives a personal token a budget of its own: spending it leaves its person's untouched", async () => {
      const headers = { cookie: await someone() };
      const card = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
      // Three writes, the whole write budget: a card, a plan with API access, the token.
      expect((await callProcedure(api.url, "billing.setCard", { input: card, headers })).status).toBe(200);
      expect((await callProcedure(api.url, "billing.changeTier", { input: { tierId: "developer" }, headers })).status).toBe(200);
      const created = await callProcedure(api.url, "tokens.create", { input: { name: "rl", scopes: ["read:shows"], expiresInDays: 1 }, headers });
      const { token } = created.body.result!.data.json as { token: string };
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${api.url}/subscriptions.list`, { headers: { authorization: `Bearer ${token}` } })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      expect((await fetch(`${api.url}/subscriptions.list`, { headers })).status).toBe(200);
    });

    it("keeps writes on a budget of their own, and counts each procedure of a batch", async () => {
      const cookie = await someone();
      const writes = [];
      for (let i = 0; i < 4; i++) writes.push((await callProcedure(api.url, "subscriptions.remove", { input: { showId: "c00000000000000000000000" }, headers: { cookie } })).status);
      expect(writes).toEqual([200, 200, 200, 429]);
      const batch = await fetch(`${api.url}/me.profile,billing.info,subscriptions.list?batch=1&input=${encodeURIComponent("{}")}`, { headers: { cookie } });
      expect(batch.status).toBe(200); // 3 reads of 5
      const twoMore = await fetch(`${api.url}/me.profile,billing.info,subscriptions.list?batch=1&input=${encodeURIComponent("{}")}`, { headers: { cookie } });
      expect(twoMore.status).toBe(207); // tRPC's batch status when some calls failed: 2 served, 1 refused
    });

    it("limits anonymous callers by IP", async () => {
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fetch(`${api.url}/shows.genres`, { headers: { "x-forwarded-for": `203.0.113.${i}` } })).status);
      // X-Forwarded-For is ignored without TRUST_PROXY: all six come from 127.0.0.1.
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    });

    it("counts an anonymous IPv6 caller by its /64: each of its addresses spends the one budget", async () => {
      // A call's context as the handler builds it, from a socket at `address` (no trusted proxies).
      const genresFrom = async (address: string) => {
        const { req, res } = gsspContext("/api/trpc/shows.genres");
        Object.defineProperty(req.socket, "remoteAddress", { value: address });
        const caller = createCaller(await createContext({ req, res }));
        return caller.shows.genres().then(
          () => "served",
          (error: { code?: string }) => error.code,
        );
      };
      const [a, b] = [randomBytes(2).readUInt16BE(0), randomBytes(2).readUInt16BE(0) & 0xfffe]; // a /64 no other run has touched
      const block = `2001:db8:${a.toString(16)}:${b.toString(16)}`;
      const statuses = [];
      for (let i = 1; i <= 6; i++) statuses.push(await genresFrom(`${block}:${i.toString(16)}::${i.toString(16)}`));
      expect(statuses).toEqual(["served", "served", "served", "served", "served", "TOO_MANY_REQUESTS"]);
      expect(await genresFrom(`2001:db8:${a.toString(16)}:${(b + 1).toString(16)}::1`)).toBe("served");
    });
  });
}
