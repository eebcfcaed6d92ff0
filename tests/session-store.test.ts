// Sessions people can trust and end, over real HTTP with real sign-ins at the local provider: one
// session per request (two session cookies are a 401, never a mix of two people), the sessions a
// person sees and ends on /account, back-channel logout from the provider, lifetimes kept by the
// server, and the SDK routes the app does not use.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { proxy } from "~/proxy";
import { createInnerContext } from "~/server/context";
import { deleteUser } from "~/server/domain/users";
import { createCaller } from "~/server/routers/_app";
import {
  accessToken,
  callProcedure,
  cookieFor,
  db,
  expireAccessToken,
  readSession,
  seededApiServer,
  sessionCookie,
  signIn,
} from "./helpers";

const api = seededApiServer();
const APP = process.env.APP_BASE_URL!;
const IDP = process.env.AUTH0_DOMAIN!;
const ORIGIN = { origin: new URL(APP).origin };
const CLEARED = /^__session=; Path=\/; Max-Age=0; HttpOnly; SameSite=lax$/;

const value = (cookie: string) => cookie.slice(cookie.indexOf("=") + 1);
const profile = (cookie: string) => callProcedure(api.url, "me.profile", { headers: { cookie } });
const rowOf = async (cookie: string) => {
  const session = (await readSession(cookie))!;
  return db.session.findUniqueOrThrow({ where: { id: String(session.storeKey) } });
};

describe("one session per request", () => {
  let rita: string;
  let alice: string;
  beforeAll(async () => {
    rita = await signIn("dev|rita"); // read-only
    alice = await signIn("dev|alice");
  });

  for (const expiredOne of ["rita", "alice"] as const) {
    for (const order of ["rita first", "alice first"] as const) {
      it(`two session cookies (${order}, ${expiredOne}'s access token expired): 401 and both cleared, neither session touched`, async () => {
        const cookies = { rita, alice, [expiredOne]: await expireAccessToken(expiredOne === "rita" ? rita : alice) };
        const before = await Promise.all([rowOf(cookies.rita), rowOf(cookies.alice)]);
        const [first, second] = order === "rita first" ? [cookies.rita, cookies.alice] : [cookies.alice, cookies.rita];
        const header = `__session=${value(first)}; __session=${value(second)}`;

        const call = await fetch(`${api.url}/billing.info`, { headers: { cookie: header } });
        expect(call.status).toBe(401);
        expect(((await call.json()) as { error: { json: { message: string } } }).error.json.message).toBe(
          "The request carries more than one session cookie. Please sign in again.",
        );
        expect(call.headers.getSetCookie()).toEqual([expect.stringMatching(CLEARED)]);
        // A write too: nothing is done for either of them.
        const write = await callProcedure(api.url, "billing.setCard", {
          input: { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" },
          headers: { cookie: header },
        });
        expect(write.status).toBe(401);

        const page = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie: header } }));
        expect(page.status).toBe(401);
        expect(await page.text()).toContain("more than one Showtrack session");
        expect(page.headers.getSetCookie()).toContainEqual(expect.stringMatching(CLEARED));

        // No refresh ran, no roll: each row holds what it held, its own createdAt and token set.
        const after = await Promise.all([rowOf(cookies.rita), rowOf(cookies.alice)]);
        expect(after).toEqual(before);
        const [ritaSession, aliceSession] = await Promise.all([readSession(cookies.rita), readSession(cookies.alice)]);
        expect(ritaSession!.user.sub).toBe("dev|rita");
        expect(ritaSession!.tokenSet.scope).not.toContain("write:billing");
        expect(aliceSession!.internal.createdAt).not.toBe(undefined);
        expect(ritaSession!.internal.sid).not.toBe(aliceSession!.internal.sid);
      });
    }
  }

  it("each alone still works, its expired token refreshed for its own person only", async () => {
    const expiredRita = await expireAccessToken(rita);
    const { internal } = (await readSession(expiredRita))!;
    const response = await fetch(`${api.url}/me.profile`, { headers: { cookie: expiredRita } });
    expect(response.status).toBe(200);
    const refreshed = (await readSession(expiredRita))!;
    expect(refreshed.user.sub).toBe("dev|rita");
    expect(refreshed.internal).toEqual(internal);
    expect(refreshed.tokenSet.scope).not.toContain("write:billing");
    expect(refreshed.tokenSet.expiresAt).toBeGreaterThan(Date.now() / 1000 + 60);
  });

  it("a whole cookie beside a chunk set, or a chunk twice, is two sessions as well", async () => {
    for (const header of [`${alice}; __session__0=abc; __session__1=def`, `__session__0=abc; __session__0=abd`]) {
      expect((await profile(header)).status).toBe(401);
    }
    expect((await profile(alice)).status).toBe(200);
  });

  it("nextjs-auth0 v3's appSession cookie, which a sibling host could plant, is never read", async () => {
    const planted = `appSession=${value(alice)}`;
    expect((await profile(planted)).status).toBe(401);
    expect((await profile(`appSession.0=${value(alice)}`)).status).toBe(401);
    // The page behind the proxy does not see it either (Next hands it the request's headers as the proxy left them).
    const page = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie: `theme=dark; ${planted}` } }));
    expect(page.headers.get("x-middleware-request-cookie")).toBe("theme=dark");
    // Nor does it hide two session cookies from the proxy (a parsed map would keep only the last).
    const two = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie: `${rita}; theme=a/b; __session=${value(alice)}; ${planted}` } }));
    expect(two.status).toBe(401);
    // Beside a real session it changes nothing: not a second session, not a lockout.
    expect((await profile(`${rita}; appSession=x`)).status).toBe(200);
    const roll = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie: `${rita}; appSession=x` } }));
    expect(roll.status).not.toBe(401);
  });
});

describe("SDK routes", () => {
  it("the access-token endpoint and the SDK's unused routes answer 404, even with a session", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    for (const [method, path] of [
      ["GET", "/auth/access-token"],
      ["POST", "/auth/mfa/challenge"],
      ["POST", "/auth/passwordless/start"],
      ["GET", "/auth/connect"],
    ] as const) {
      const response = await proxy(new NextRequest(`${APP}${path}`, { method, headers: { cookie } }));
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
    }
    // The SDK's My Account proxy is not reached: /me/… is an ordinary path of the app (Next's 404).
    const me = await proxy(new NextRequest(`${APP}/me/v1/authentication-methods`, { headers: { cookie } }));
    expect(me.headers.get("x-middleware-next")).toBe("1");
  });
});

describe("where you're signed in", () => {
  const CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

  it("lists each of the person's sessions with its browser, system and times, and marks this one", async () => {
    const firefox = await signIn("dev|carol");
    const chrome = await signIn("dev|carol", { userAgent: CHROME });
    const { status, body } = await callProcedure(api.url, "sessions.list", { headers: { cookie: chrome } });
    expect(status).toBe(200);
    const { listed, sessions } = body.result!.data.json as { listed: boolean; sessions: { browser: string; os: string; current: boolean; ip: string | null; createdAt: string }[] };
    expect(listed).toBe(true);
    expect(sessions).toHaveLength(2);
    expect(sessions.find((session) => session.current)).toMatchObject({ browser: "Chrome 156", os: "Linux" });
    expect(sessions.find((session) => !session.current)).toMatchObject({ browser: "Firefox 128", os: "Linux" });
    expect(Date.parse(sessions[0]!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    // Nobody else's sessions, and not to a token.
    const bob = await callProcedure(api.url, "sessions.list", { headers: { cookie: await signIn("dev|bob") } });
    const bobs = (bob.body.result!.data.json as { sessions: { id: string }[] }).sessions.map((session) => session.id);
    expect(bobs.toSorted()).toEqual((await db.session.findMany({ where: { sub: "dev|bob" }, select: { id: true } })).map((row) => row.id).toSorted());
    const bearer = await callProcedure(api.url, "sessions.list", { headers: { authorization: `Bearer ${await accessToken({ sub: "dev|carol" })}` } });
    expect(bearer.status).toBe(403);
    expect((await profile(firefox)).status).toBe(200);
  });

  it("'Sign out everywhere else' ends the others at once, a copy of their cookie included; this one goes on", async () => {
    const here = await signIn("dev|bob");
    const elsewhere = await signIn("dev|bob", { userAgent: CHROME });
    const copied = elsewhere; // the same cookie, copied before the sign-out
    const others = (await db.session.count({ where: { sub: "dev|bob" } })) - 1;
    expect(others).toBeGreaterThanOrEqual(1);
    const ended = await callProcedure(api.url, "sessions.endOthers", { headers: { cookie: here } });
    expect(ended.body.result!.data.json).toEqual({ ended: others });
    expect(await db.session.count({ where: { sub: "dev|bob" } })).toBe(1);
    for (const cookie of [elsewhere, copied]) {
      expect((await profile(cookie)).status).toBe(401);
      const page = await proxy(new NextRequest(`${APP}/account`, { headers: { cookie } }));
      expect(page.headers.get("x-middleware-next")).toBe("1"); // the page itself then sends to sign-in
    }
    expect((await profile(here)).status).toBe(200);
  });

  it("'Sign out' ends one session; this browser's own clears its cookie", async () => {
    const here = await signIn("dev|dave");
    const other = await signIn("dev|dave", { userAgent: CHROME });
    const list = async () => (await callProcedure(api.url, "sessions.list", { headers: { cookie: here } })).body.result!.data.json as { sessions: { id: string; current: boolean }[] };
    const otherId = (await list()).sessions.find((session) => !session.current)!.id;
    expect((await callProcedure(api.url, "sessions.end", { input: { id: otherId }, headers: { cookie: here, ...ORIGIN } })).status).toBe(200);
    expect((await profile(other)).status).toBe(401);
    // Someone else's session id ends nothing.
    const carols = await db.session.findFirstOrThrow({ where: { sub: "dev|carol" }, select: { id: true } });
    expect((await callProcedure(api.url, "sessions.end", { input: { id: carols.id }, headers: { cookie: here, ...ORIGIN } })).body.result!.data.json).toEqual({ ended: 0 });
    expect(await db.session.count({ where: { id: carols.id } })).toBe(1);

    const ownId = (await list()).sessions.find((session) => session.current)!.id;
    const response = await fetch(`${api.url}/sessions.end`, {
      method: "POST",
      headers: { cookie: here, ...ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ json: { id: ownId } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(CLEARED)]);
    expect((await profile(here)).status).toBe(401);
    // Input that names no session is a 400.
    expect((await callProcedure(api.url, "sessions.end", { input: { id: "x" }, headers: { cookie: await signIn("dev|dave"), ...ORIGIN } })).status).toBe(400);
  });
});

describe("the store's rows", () => {
  it("a row's sealed session copied into another row opens as no session", async () => {
    const [mine, theirs] = await Promise.all([sessionCookie({ sub: "dev|alice" }), sessionCookie({ sub: "dev|carol" })]);
    const [myRow, theirRow] = await Promise.all([rowOf(mine), rowOf(theirs)]);
    await db.session.update({ where: { id: myRow.id }, data: { data: theirRow.data } });
    expect(await readSession(mine)).toBeNull();
    expect((await profile(mine)).status).toBe(401);
    expect((await readSession(theirs))?.user.sub).toBe("dev|carol");
  });

  it("a request that read its session before its account was deleted does not bring the account back", async () => {
    const cookie = await sessionCookie({ sub: "test|deleted-meanwhile" });
    expect((await profile(cookie)).status).toBe(200);
    const session = (await readSession(cookie))!;
    // What deleting the account leaves: no user, no session; the request still holds what it read.
    await db.session.deleteMany({ where: { sub: "test|deleted-meanwhile" } });
    await deleteUser(db, await db.user.findUniqueOrThrow({ where: { auth0Sub: "test|deleted-meanwhile" } }));
    await expect(createCaller(createInnerContext({ session })).me.profile()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(await db.user.count({ where: { auth0Sub: "test|deleted-meanwhile" } })).toBe(0);
  });
});

describe("lifetimes held by the server", () => {
  it("a session past its inactivity or absolute expiry is none, whatever its cookie says", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" });
    const row = await rowOf(cookie);
    const inactivity = Number(process.env.AUTH0_SESSION_INACTIVITY_DURATION ?? 86_400);
    expect(row.expiresAt.getTime()).toBeCloseTo(Date.now() + inactivity * 1000, -4);
    await db.session.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await profile(cookie)).status).toBe(401);

    // The absolute lifetime: a session signed in long ago expires at createdAt + absolute, rolls or not.
    const now = Math.floor(Date.now() / 1000);
    const old = (await readSession(await sessionCookie({ sub: "dev|alice" })))!;
    const { storeKey: _key, ...data } = old;
    const ancient = await cookieFor({ ...data, internal: { ...old.internal, createdAt: now - 7 * 86_400 + 60 } } as SessionData);
    expect((await rowOf(ancient)).expiresAt.getTime()).toBeLessThanOrEqual((now + 60) * 1000);

  });

});

describe("back-channel logout", () => {
  // The app's SDK routes on a real HTTP server, where the provider can deliver its logout tokens.
  let server: http.Server;
  let endpoint: string;
  beforeAll(async () => {
    server = http.createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      const response = await proxy(new NextRequest(new URL(req.url!, APP), { method: req.method, headers: req.headers as Record<string, string>, ...(body && { body }) }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/backchannel-logout`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("the provider ending Bob's sessions ends his sessions here, at once, and nobody else's", async () => {
    const admin = (method: string, what: string, init: RequestInit = {}) =>
      fetch(`${IDP}/test-admin/users/${encodeURIComponent("dev|bob")}/${what}`, { method, ...init });
    await admin("PUT", "backchannel-logout-uri", { headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ uri: endpoint }) });
    try {
      const bob = await signIn("dev|bob");
      const carol = await signIn("dev|carol");
      expect((await profile(bob)).status).toBe(200);
      const ended = await admin("DELETE", "sessions");
      expect(ended.status).toBe(200);
      const report = (await ended.json()) as { logout_tokens: { error?: string }[] };
      expect(report.logout_tokens.length).toBeGreaterThan(0);
      expect(report.logout_tokens.filter((token) => token.error)).toEqual([]);
      expect((await profile(bob)).status).toBe(401);
      expect((await profile(carol)).status).toBe(200);
    } finally {
      await admin("DELETE", "backchannel-logout-uri");
    }
  });

  it("a logout token of another type, or an old one, is refused before anything else", async () => {
    const bob = await signIn("dev|bob");
    const { sid } = (await readSession(bob))!.internal;
    const post = (token: string) =>
      fetch(endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ logout_token: token }) });
    const events = { "http://schemas.openid.net/event/backchannel-logout": {} };
    // Signed with the provider's own key: only the type or the age is wrong.
    const accessTyped = await accessToken({ sub: "dev|bob", sid, events, aud: process.env.AUTH0_CLIENT_ID });
    expect((await post(accessTyped)).status).toBe(400);
    const old = await accessToken({ sub: "dev|bob", sid, events, aud: process.env.AUTH0_CLIENT_ID, iat: Math.floor(Date.now() / 1000) - 3600 }, { typ: "logout+jwt" });
    expect((await post(old)).status).toBe(400);
    expect((await profile(bob)).status).toBe(200);
    // The same token, fresh: the SDK takes it (its claims are all a logout token's), and Bob is signed out.
    const fresh = await accessToken({ sub: "dev|bob", sid, events, aud: process.env.AUTH0_CLIENT_ID, exp: undefined, scope: undefined, permissions: undefined, azp: undefined }, { typ: "logout+jwt" });
    expect((await profile(bob)).status).toBe(200);
    expect((await post(fresh)).status).toBe(204);
    expect((await profile(bob)).status).toBe(401);
  });

  it("a forged logout token is refused and ends nothing", async () => {
    const bob = await signIn("dev|bob");
    const forged = await accessToken({ sub: "dev|bob", events: { "http://schemas.openid.net/event/backchannel-logout": {} } });
    const response = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ logout_token: `${forged}x` }) });
    expect(response.status).toBe(400);
    expect((await profile(bob)).status).toBe(200);
  });
});
