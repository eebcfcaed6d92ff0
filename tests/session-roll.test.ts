// The proxy rolls a session every few minutes, not on every API call or link prefetch, and the
// session a request brings is read (decrypted) once, whoever asks for it.
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { readSession } from "~/server/platform/session";
import { cookieHeader, sessionCookie } from "./helpers";

const APP = "http://localhost:3000";
const sessionSetCookies = (response: Response) => response.headers.getSetCookie().filter((header) => /^__session=[^;]/.test(header));

/** A cookie as the SDK sets it after a roll (expiring a full inactivity period from now). */
async function freshlyRolledCookie(): Promise<string> {
  // generateSessionCookie's cookie expires in an hour, well before a roll would: the proxy rolls it.
  const rolled = await proxy(new NextRequest(`${APP}/api/trpc/me.profile`, { headers: { cookie: await sessionCookie({ sub: "dev|alice" }) } }));
  expect(sessionSetCookies(rolled)).toHaveLength(1);
  return cookieHeader(rolled.headers.getSetCookie());
}

afterEach(() => vi.useRealTimers());

describe("rolling the session", () => {
  it("leaves API calls, link prefetches and pages alone right after a roll", async () => {
    const cookie = await freshlyRolledCookie();
    for (const path of ["/api/trpc/subscriptions.list", "/_next/data/build-id/shows/copper-harbor.json", "/account"]) {
      const response = await proxy(new NextRequest(`${APP}${path}`, { headers: { cookie } }));
      expect({ path, cookies: sessionSetCookies(response) }).toEqual({ path, cookies: [] });
    }
  });

  it("rolls it again once that moves its expiry by minutes", async () => {
    const cookie = await freshlyRolledCookie();
    vi.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] });
    const response = await proxy(new NextRequest(`${APP}/api/trpc/subscriptions.list`, { headers: { cookie } }));
    expect(sessionSetCookies(response)).toHaveLength(1);
    expect(response.headers.get("cache-control")).toContain("no-store");
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
