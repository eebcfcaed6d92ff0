// Honest cookie sessions: once the session's access token has expired, it is refreshed with the
// session's refresh token before its scopes are trusted, on every way in (tRPC, REST routes,
// getServerSideProps), and a refused refresh signs the caller out. Real sign-in at the local
// provider, real tokens, the real SDK; only the access token's expiry is moved into the past.
import type { ServerResponse } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { logger, userHash } from "~/server/platform/logger";
import { getServerSideProps as accountProps } from "~/pages/account";
import { verifyAccessToken } from "~/server/platform/auth";
import {
  ALL_SCOPES,
  callProcedure,
  cookieHeader,
  db,
  expireAccessToken,
  gsspContext,
  readSession,
  seededApiServer,
  sessionCookie,
  signIn,
} from "./helpers";

const api = seededApiServer();
const CAROL = "dev|carol";

/** What an Auth0 administrator does to Carol, at the local provider (its /test-admin/ endpoints). */
const admin = (method: "PUT" | "DELETE", what: string) =>
  fetch(`${process.env.AUTH0_DOMAIN}/test-admin/users/${encodeURIComponent(CAROL)}/${what}`, { method });

let signedIn: string; // Carol's session cookie, as the SDK set it at sign-in
beforeAll(async () => {
  signedIn = await signIn(CAROL);
});
// The provider serves the whole run: give back what a test took away.
afterAll(() => admin("PUT", "permissions/write:shows"));

const warn = vi.spyOn(logger, "warn");
beforeEach(() => warn.mockClear());
const loggedFailures = () => warn.mock.calls.map(([fields]) => fields as Record<string, string>);

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sessionSetCookies = (setCookies: readonly string[]) => setCookies.filter((cookie) => cookie.startsWith("__session"));
const pageSetCookies = (res: ServerResponse) => [res.getHeader("set-cookie") ?? []].flat().map(String);
const CLEARED = /^__session=; Path=\/; Max-Age=0; HttpOnly; SameSite=lax$/;

describe("a cookie session whose access token expired", () => {
  it("is refreshed first: the call succeeds and the response carries the session with a fresh token", async () => {
    const expired = await expireAccessToken(signedIn);
    const before = (await readSession(expired))!;
    const response = await fetch(`${api.url}/subscriptions.list`, { headers: { cookie: expired } });
    expect(response.status).toBe(200);

    const renewed = cookieHeader(response.headers.getSetCookie());
    const after = (await readSession(renewed))!;
    expect(after.user.sub).toBe(CAROL);
    expect(after.tokenSet.accessToken).not.toBe(before.tokenSet.accessToken);
    expect(after.tokenSet.expiresAt).toBeGreaterThan(nowSeconds() + 3000);
    expect(after.tokenSet.refreshToken).toBeTruthy();
    // A real token of the issuer for this API, with the permissions Carol holds.
    const auth = await verifyAccessToken(after.tokenSet.accessToken);
    expect(auth.scopes.toSorted()).toEqual(ALL_SCOPES.split(" ").toSorted());

    // The renewed cookie is used as it comes back: no second refresh.
    const again = await fetch(`${api.url}/me.profile`, { headers: { cookie: renewed } });
    expect(again.status).toBe(200);
    expect(sessionSetCookies(again.headers.getSetCookie())).toEqual([]);
  });

  it("is refreshed the same way by the REST routes and by getServerSideProps", async () => {
    const expired = await expireAccessToken(signedIn);
    const rest = await fetch(`${api.origin}/api/my/shows`, { headers: { cookie: expired } });
    expect(rest.status).toBe(200);
    expect((await readSession(cookieHeader(rest.headers.getSetCookie())))!.tokenSet.expiresAt).toBeGreaterThan(nowSeconds());

    // Each way in with a session of its own: in the database store, the first refresh serves them all.
    const page = gsspContext("/account", await expireAccessToken(signedIn));
    expect(await accountProps(page)).toHaveProperty("props");
    expect((await readSession(cookieHeader(pageSetCookies(page.res))))!.tokenSet.expiresAt).toBeGreaterThan(nowSeconds());
  });

  it("after a permission is taken away at the provider, the refreshed token lacks it: 403 for what needs it", async () => {
    expect((await admin("DELETE", "permissions/write:shows")).status).toBe(204);
    const expired = await expireAccessToken(signedIn);
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { user: { auth0Sub: CAROL } } } } });

    const add = await callProcedure(api.url, "subscriptions.add", { input: { showId: show.id }, headers: { cookie: expired } });
    expect(add.status).toBe(403);
    expect(add.body.error?.json.message).toBe("Your access does not include the write:shows permission.");

    // What she still holds keeps working, and her renewed session says what she holds now.
    const list = await fetch(`${api.url}/subscriptions.list`, { headers: { cookie: await expireAccessToken(signedIn) } });
    expect(list.status).toBe(200);
    const renewed = (await readSession(cookieHeader(list.headers.getSetCookie())))!;
    expect(renewed.tokenSet.scope?.split(" ").toSorted()).toEqual(["read:billing", "read:shows", "write:billing"]);
  });

  it("after the grant is revoked, the caller is signed out everywhere: 401, the cookie cleared, the reason logged", async () => {
    expect((await admin("DELETE", "grants")).status).toBe(204);
    const expired = await expireAccessToken(signedIn);
    const { tokenSet } = (await readSession(expired))!;

    const trpc = await fetch(`${api.url}/me.profile`, { headers: { cookie: expired } });
    expect(trpc.status).toBe(401);
    expect(sessionSetCookies(trpc.headers.getSetCookie())).toEqual([expect.stringMatching(CLEARED)]);

    // A refused refresh ends the session itself, not only this browser's cookie.
    expect(await readSession(expired)).toBeNull();

    const rest = await fetch(`${api.origin}/api/me`, { headers: { cookie: await expireAccessToken(signedIn) } });
    expect(rest.status).toBe(401);
    expect(sessionSetCookies(rest.headers.getSetCookie())).toEqual([expect.stringMatching(CLEARED)]);

    const page = gsspContext("/account", await expireAccessToken(signedIn));
    expect(await accountProps(page)).toEqual({ redirect: { destination: "/auth/login?returnTo=%2Faccount", permanent: false } });
    expect(pageSetCookies(page.res)).toEqual([expect.stringMatching(CLEARED)]);

    const failures = loggedFailures();
    expect(failures).toHaveLength(3);
    for (const failure of failures) {
      expect(failure).toMatchObject({ reason: "session_refresh_refused", user: userHash(CAROL), error: expect.stringContaining("invalid_grant") });
    }
    for (const secret of [tokenSet.refreshToken!, tokenSet.accessToken, expired.slice("__session=".length), CAROL]) {
      expect(JSON.stringify(warn.mock.calls)).not.toContain(secret);
    }
  });

  it("without a refresh token, it is signed out as well", async () => {
    const expired = await expireAccessToken(await sessionCookie({ sub: "dev|alice" })); // a session with no refresh token
    const response = await fetch(`${api.url}/me.profile`, { headers: { cookie: expired } });
    expect(response.status).toBe(401);
    expect(sessionSetCookies(response.headers.getSetCookie())).toEqual([expect.stringMatching(CLEARED)]);
    expect(loggedFailures()).toEqual([expect.objectContaining({ reason: "session_refresh_refused", user: userHash("dev|alice") })]);
  });
});
