// AUTH0_SESSION_STORE=cookie: the SDK's stateless mode, the whole session encrypted in the cookie (a
// deployment that wants no session read per request). Cookies minted by the SDK's testing helper work
// as they always did; there are no sessions to list or end; two session cookies are still a 401; and
// since a replayed cookie can ask for a refresh again and again, refreshes spend the person's budget.
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import { NextRequest } from "next/server";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { logger } from "~/server/platform/logger";
import { callProcedure, cookieHeader, readSession, seededApiServer, sessionFor, signIn } from "./helpers";

vi.hoisted(() => {
  process.env.AUTH0_SESSION_STORE = "cookie";
  process.env.RATE_LIMIT_SIGNINS_PER_MINUTE = "3";
});

const api = seededApiServer();
const warn = vi.spyOn(logger, "warn");
beforeEach(() => warn.mockClear());
const reasons = () => warn.mock.calls.map(([fields]) => (fields as { reason?: string }).reason).filter(Boolean);

const minted = async (sub: string) => `__session=${await generateSessionCookie(sessionFor({ sub }), { secret: process.env.AUTH0_SECRET! })}`;
const profile = (cookie: string) => callProcedure(api.url, "me.profile", { headers: { cookie } });

describe("the cookie store", () => {
  it("takes generateSessionCookie's cookies as before, and has no sessions to list or end", async () => {
    const cookie = await minted("dev|bob");
    expect((await profile(cookie)).status).toBe(200);
    const list = await callProcedure(api.url, "sessions.list", { headers: { cookie } });
    expect(list.body.result?.data.json).toEqual({ listed: false, sessions: [] });
    expect((await callProcedure(api.url, "sessions.endOthers", { headers: { cookie } })).body.result?.data.json).toEqual({ ended: 0 });
  });

  it("a real sign-in puts the whole session in the cookie; a refresh writes the same person's same session", async () => {
    const cookie = await signIn("dev|carol");
    const session = (await readSession(cookie))!;
    expect(session.tokenSet.refreshToken).toBeTruthy();
    const expired = `__session=${await generateSessionCookie({ ...session, tokenSet: { ...session.tokenSet, expiresAt: Math.floor(Date.now() / 1000) - 60 } }, { secret: process.env.AUTH0_SECRET! })}`;
    const response = await fetch(`${api.url}/me.profile`, { headers: { cookie: expired } });
    expect(response.status).toBe(200);
    const renewed = (await readSession(cookieHeader(response.headers.getSetCookie())))!;
    expect(renewed.user.sub).toBe("dev|carol");
    expect(renewed.internal).toEqual(session.internal);
    expect(renewed.tokenSet.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);
  });

  it("has no back-channel logout to offer: 404, not the SDK's 500", async () => {
    const response = await proxy(new NextRequest("http://localhost:3000/auth/backchannel-logout", { method: "POST", body: "logout_token=x", headers: { "content-type": "application/x-www-form-urlencoded" } }));
    expect(response.status).toBe(404);
  });

  it("two session cookies are a 401", async () => {
    const [alice, bob] = await Promise.all([minted("dev|alice"), minted("dev|bob")]);
    expect((await profile(`${alice}; ${bob}`)).status).toBe(401);
  });

  it("a replayed expired cookie asks the issuer for a refresh at most the sign-in budget's times a minute", async () => {
    const { tokenSet, ...session } = sessionFor({ sub: "test|replayed" });
    const stale = `__session=${await generateSessionCookie(
      { ...session, tokenSet: { ...tokenSet, refreshToken: "a-refresh-token-the-issuer-refuses", expiresAt: Math.floor(Date.now() / 1000) - 60 } },
      { secret: process.env.AUTH0_SECRET! },
    )}`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await profile(stale)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Three refused refreshes reached the issuer; the last two never left the app.
    expect(reasons()).toEqual(["session_refresh_refused", "session_refresh_refused", "session_refresh_refused"]);
  });
});
