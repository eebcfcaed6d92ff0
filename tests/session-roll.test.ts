// A session is rolled every few minutes, not on every API call or link prefetch: by the proxy for
// pages, by the API routes themselves (the proxy does not run in front of /api). The session is
// read by the SDK, from its cookie and the store's row.
import { NextRequest } from "next/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { readSession } from "~/server/platform/session";
import { accessToken, cookieHeader, expireAccessToken, seededApiServer, sessionCookie, signIn } from "./helpers";

const APP = "http://localhost:3000";
const sessionSetCookies = (response: Response) => response.headers.getSetCookie().filter((header) => /^__session=[^;]/.test(header));
const sessionOf = (cookie: string) => readSession(new NextRequest(`${APP}/`, { headers: { cookie } }));

const minutesOn = (minutes: number) => vi.useFakeTimers({ now: start + minutes * 60_000, toFake: ["Date"] });
let start = Date.now();
beforeEach(() => {
  start = Date.now();
});

/** A cookie as the SDK sets it after a roll, six minutes after sign-in (the clock stays there). */
async function freshlyRolledCookie(): Promise<string> {
  const cookie = await sessionCookie({ sub: "dev|alice" });
  minutesOn(6);
  const rolled = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie } }));
  expect(sessionSetCookies(rolled)).toHaveLength(1);
  return cookieHeader(rolled.headers.getSetCookie());
}

afterEach(() => vi.useRealTimers());

describe("the proxy rolls the session of pages", () => {
  it("and leaves link prefetches and pages alone right after a roll", async () => {
    const cookie = await freshlyRolledCookie();
    for (const path of ["/_next/data/build-id/shows/copper-harbor.json", "/account"]) {
      const response = await proxy(new NextRequest(`${APP}${path}`, { headers: { cookie } }));
      expect({ path, cookies: sessionSetCookies(response) }).toEqual({ path, cookies: [] });
    }
  });

  it("again once that moves its expiry by minutes", async () => {
    const cookie = await freshlyRolledCookie();
    minutesOn(12);
    const response = await proxy(new NextRequest(`${APP}/shows`, { headers: { cookie } }));
    expect(sessionSetCookies(response)).toHaveLength(1);
    expect(response.headers.get("cache-control")).toContain("no-store");
  });
});

describe("API routes roll the session themselves", () => {
  const api = seededApiServer();
  const get = (path: string, headers: Record<string, string>) => fetch(`${api.origin}${path}`, { headers });

  it("when it is due, on a response no cache keeps; then not again for minutes", async () => {
    const minted = await sessionCookie({ sub: "dev|alice" });
    // Right after sign-in, nothing to roll.
    expect(sessionSetCookies(await get("/api/trpc/me.profile", { cookie: minted }))).toEqual([]);
    minutesOn(6);
    const first = await get("/api/trpc/me.profile", { cookie: minted });
    expect(first.status).toBe(200);
    expect(sessionSetCookies(first)).toHaveLength(1);
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    const rolled = cookieHeader(first.headers.getSetCookie());
    expect((await sessionOf(rolled))?.user.sub).toBe("dev|alice");

    for (const path of ["/api/trpc/subscriptions.list", "/api/me"]) {
      const response = await get(path, { cookie: rolled });
      expect({ path, status: response.status, cookies: sessionSetCookies(response) }).toEqual({ path, status: 200, cookies: [] });
    }
    minutesOn(12);
    expect(sessionSetCookies(await get("/api/trpc/subscriptions.list", { cookie: rolled }))).toHaveLength(1);
    minutesOn(18);
    expect(sessionSetCookies(await get("/api/me", { cookie: rolled }))).toHaveLength(1);
  });

  it("never on a response shared caches may keep, nor for a bearer caller", async () => {
    const minted = await sessionCookie({ sub: "dev|alice" });
    minutesOn(6);
    const shared = await get("/api/pricing-tiers", { cookie: minted });
    expect(shared.headers.get("cache-control")).toMatch(/^public/);
    expect(sessionSetCookies(shared)).toEqual([]);
    const bearer = await get("/api/trpc/me.profile", { cookie: minted, authorization: `Bearer ${await accessToken({ sub: "dev|alice" })}` });
    expect(bearer.status).toBe(200);
    expect(sessionSetCookies(bearer)).toEqual([]);
  });

  it("a session refreshed on a public route makes that response private", async () => {
    const expired = await expireAccessToken(await signIn("dev|alice"));
    const response = await get("/api/pricing-tiers", { cookie: expired });
    expect(response.status).toBe(200);
    expect(sessionSetCookies(response)).toHaveLength(1);
    expect(response.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("reading the session", () => {
  it("gives the SDK's session; a tampered cookie is no session", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    expect((await sessionOf(cookie))?.user.sub).toBe("dev|bob");
    const tampered = cookie.slice(0, -4) + (cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await sessionOf(tampered)).toBeNull();
  });

  it("no longer gives a session once its cookie has expired", async () => {
    const cookie = await sessionCookie({ sub: "dev|carol" });
    const request = () => new NextRequest(`${APP}/api/trpc/me.profile`, { headers: { cookie } });
    expect(await readSession(request())).not.toBeNull();
    // generateSessionCookie's cookies expire after an hour (plus the SDK's 15 s of clock tolerance).
    vi.useFakeTimers({ now: Date.now() + 61 * 60_000, toFake: ["Date"] });
    expect(await readSession(request())).toBeNull();
  });
});
