// On https the session cookie is `__Host-session`: browsers take it only Secure, Path=/, without Domain,
// so a sibling subdomain cannot plant one. A cookie under the former name is read by nobody and expired.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { SESSION_COOKIE } from "~/server/platform/auth0";
import { callProcedure, seededApiServer, sessionCookie } from "./helpers";

vi.hoisted(() => {
  process.env.APP_BASE_URL = "https://showtrack.example";
});

const api = seededApiServer();
const APP = "https://showtrack.example";

describe("the session cookie on https", () => {
  it("is __Host-session, Secure, Path=/ and has no Domain", async () => {
    expect(SESSION_COOKIE).toMatchObject({ name: "__Host-session", secure: true, path: "/" });
    const cookie = await sessionCookie({ sub: "dev|alice" });
    expect(cookie).toMatch(/^__Host-session=/);
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie } })).status).toBe(200);
    // A roll, some minutes on: the SDK writes it with the pinned attributes.
    vi.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] });
    const rolled = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie } }));
    vi.useRealTimers();
    const set = rolled.headers.getSetCookie().find((header) => header.startsWith("__Host-session="))!;
    expect(set).toMatch(/; Path=\/;/);
    expect(set).toMatch(/; Secure/);
    expect(set).not.toMatch(/Domain=/i);
  });

  it("a planted or former __session beside it is not read, and is expired", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" });
    const planted = `__session=${cookie.slice(cookie.indexOf("=") + 1)}`;
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie: `${planted}; ${cookie}` } })).status).toBe(200);
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie: planted } })).status).toBe(401);
    const page = await proxy(new NextRequest(`${APP}/shows`, { headers: { cookie: planted } }));
    expect(page.headers.getSetCookie()).toContainEqual("__session=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=lax");
  });

  it("two __Host-session cookies are a 401", async () => {
    const [a, b] = await Promise.all([sessionCookie({ sub: "dev|alice" }), sessionCookie({ sub: "dev|bob" })]);
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie: `${a}; ${b}` } })).status).toBe(401);
  });
});
