// A session is rolled every few minutes, not on every API call or link prefetch: by the proxy for
// pages, by the API routes themselves (the proxy does not run in front of /api). The session a
// request brings is read (decrypted) once, whoever asks for it.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { readSession } from "~/server/platform/session";
import { accessToken, cookieHeader, expireAccessToken, seededApiServer, sessionCookie, signIn } from "./helpers";

const APP = "http://localhost:3000";
const sessionSetCookies = (response: Response) => response.headers.getSetCookie().filter((header) => /^__session=[^;]/.test(header));

/** A cookie as the SDK sets it after a roll (expiring a full inactivity period from now). */
async function freshlyRolledCookie(): Promise<string> {
  // generateSessionCookie's cookie expires in an hour, well before a roll would: the proxy rolls it.
  const rolled = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie: await sessionCookie({ sub: "dev|alice" }) } }));
  expect(sessionSetCookies(rolled)).toHaveLength(1);
  return cookieHeader(rolled.headers.getSetCookie());
}

const sixMinutesOn = () => vi.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] });

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
    sixMinutesOn();
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
    const first = await get("/api/trpc/me.profile", { cookie: minted });
    expect(first.status).toBe(200);
    expect(sessionSetCookies(first)).toHaveLength(1);
    expect(first.headers.get("cache-control")).toBe("private, no-store");
    const rolled = cookieHeader(first.headers.getSetCookie());
    expect((await readSession(new NextRequest(`${APP}/`, { headers: { cookie: rolled } })))?.session.user.sub).toBe("dev|alice");

    for (const path of ["/api/trpc/subscriptions.list", "/api/me"]) {
      const response = await get(path, { cookie: rolled });
      expect({ path, status: response.status, cookies: sessionSetCookies(response) }).toEqual({ path, status: 200, cookies: [] });
    }
    sixMinutesOn();
    expect(sessionSetCookies(await get("/api/trpc/subscriptions.list", { cookie: rolled }))).toHaveLength(1);
    expect(sessionSetCookies(await get("/api/me", { cookie: rolled }))).toHaveLength(1);
  });

  it("never on a response shared caches may keep, nor for a bearer caller", async () => {
    const minted = await sessionCookie({ sub: "dev|alice" });
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
  it("decrypts a cookie once and gives the SDK's session; a tampered cookie is no session", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    const request = () => new NextRequest(`${APP}/api/trpc/me.profile`, { headers: { cookie } });
    const first = await readSession(request());
    expect(first?.session.user.sub).toBe("dev|bob");
    expect(await readSession(request())).toBe(first);
    const tampered = cookie.slice(0, -4) + (cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await readSession(new NextRequest(`${APP}/`, { headers: { cookie: tampered } }))).toBeNull();
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
