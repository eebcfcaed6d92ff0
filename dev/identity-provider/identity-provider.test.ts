// The local identity provider on its own: discovery, JWKS, login page, code + PKCE, refresh,
// revocation, re-authentication (max_age, prompt=login), back-channel logout tokens to a stand-in
// for the app, the test-admin endpoints (permissions taken away, grants revoked, sessions ended),
// and when the launchers start it.
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { form, HttpBrowser } from "../../tests/http-browser";
import { freeLoopbackPort } from "../ports";
import { startPlan } from "../../scripts/local-stack.mjs";
import { createIdentityProvider, type EndedSessions, type IdentityProviderOptions } from "./provider";
import { DEFAULT_ROLE, ROLES } from "./users";
import { API_SCOPES } from "../../src/utils/scopes";

const CLIENT = { client_id: "idp-test-client", client_secret: "idp-test-secret" };
const AUDIENCE = "https://api.idp-test.local";
const ACCESS_TOKEN_TTL = 120;
const BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout";

let server: http.Server;
let issuer: string;
let keysFile: string;

/** A POST the stand-in for the app received: where, and the logout token of its form. */
interface Delivery {
  path: string;
  contentType: string | undefined;
  logoutToken: string | null;
}
// The stand-in for the app: takes logout tokens at any path, except /refuse (400, as an app
// refusing a token answers). Its origin is the app's base URL; sign-in stops before it.
let appServer: http.Server;
let APP: string;
let REDIRECT_URI: string;
const deliveries: Delivery[] = [];

/** A provider on a free loopback port, with the test's client and audience; returns its issuer. */
async function startProvider(options: Partial<IdentityProviderOptions> = {}) {
  const port = await freeLoopbackPort();
  const started = await createIdentityProvider({
    issuer: `http://localhost:${port}/`,
    appBaseUrl: APP,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    audience: AUDIENCE,
    apiScopes: API_SCOPES.join(" "),
    keysFile,
    ...options,
  });
  await new Promise<void>((resolve) => started.listen(port, "127.0.0.1", resolve));
  return { server: started, issuer: `http://localhost:${port}/` };
}

beforeAll(async () => {
  appServer = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      deliveries.push({ path: req.url ?? "", contentType: req.headers["content-type"], logoutToken: new URLSearchParams(body).get("logout_token") });
      res.writeHead(req.url === "/refuse" ? 400 : 200).end();
    });
  });
  await new Promise<void>((resolve) => appServer.listen(0, "127.0.0.1", resolve));
  APP = `http://localhost:${(appServer.address() as AddressInfo).port}`;
  REDIRECT_URI = `${APP}/auth/callback`;
  keysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "idp-")), "keys.json");
  ({ server, issuer } = await startProvider({ accessTokenTTL: ACCESS_TOKEN_TTL, testAdmin: true }));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => appServer.close(() => resolve()));
});

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(challenge: string, scope = "openid profile email offline_access read:shows", at = issuer) {
  const params = new URLSearchParams({
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope,
    audience: AUDIENCE,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state: "state-1",
    nonce: "nonce-1",
  });
  return `${at}authorize?${params}`;
}

interface TokenResponse {
  access_token?: string;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
  token_type?: string;
  expires_in?: number;
  error?: string;
}

async function token(fields: Record<string, string>, at = issuer) {
  const response = await fetch(`${at}oauth/token`, form({ ...CLIENT, ...fields }));
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

const SIGN_IN_SCOPE = "openid offline_access read:shows write:shows";

/**
 * Starts an authorization in `browser` (with `extra` parameters): where it stops, the login page or
 * the app's callback when the provider's session suffices, and the PKCE verifier for the code.
 */
async function authorize(browser: HttpBrowser, extra: Record<string, string> = {}, { scope = SIGN_IN_SCOPE, at = issuer } = {}) {
  const { verifier, challenge } = pkce();
  const url = new URL(authorizeUrl(challenge, scope, at));
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  const { url: stopped } = await browser.follow(url.href);
  return { stopped, verifier, atLoginPage: new URL(stopped).pathname.startsWith("/interaction/") };
}

/** The token response for the code of the app's callback URL. */
async function exchange(callback: string, verifier: string, at = issuer) {
  const code = new URL(callback).searchParams.get("code");
  if (!code) throw new Error(`no code: ${callback}`);
  const tokens = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, at);
  if (tokens.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(tokens.body)}`);
  return tokens.body;
}

/**
 * Signs `sub` in (one click on the login page) and exchanges the code: the token response. The
 * browser keeps the provider's session cookie.
 */
async function signIn(sub: string, { scope = SIGN_IN_SCOPE, browser = new HttpBrowser(APP), at = issuer } = {}) {
  const { stopped, verifier, atLoginPage } = await authorize(browser, {}, { scope, at });
  if (!atLoginPage) throw new Error(`no login page for ${sub}: ${stopped}`);
  const back = await browser.follow(stopped, form({ sub }));
  return exchange(back.url, verifier, at);
}

/** The `sid` of a sign-in's ID token: the provider session the app's session belongs to. */
const sidOf = (tokens: TokenResponse) => {
  const { sid } = decodeJwt(tokens.id_token!);
  if (typeof sid !== "string") throw new Error("the ID token has no sid");
  return sid;
};

/** Checks a logout token as the app's SDK does (OIDC Back-Channel Logout 1.0, 2.6); its claims. */
async function verifyLogoutToken(logoutToken: string | null, at = issuer) {
  const jwks = createRemoteJWKSet(new URL(`${at}.well-known/jwks.json`));
  const { payload, protectedHeader } = await jwtVerify(logoutToken ?? "", jwks, {
    issuer: at,
    audience: CLIENT.client_id,
    algorithms: ["RS256"],
    typ: "logout+jwt",
    requiredClaims: ["iat", "exp", "jti"],
  });
  expect(protectedHeader.kid).toBe("showtrack-dev-rs256");
  expect(payload.iss).toMatch(/\/$/); // Auth0's issuer shape, the one the SDK discovers
  expect(payload.aud).toBe(CLIENT.client_id);
  expect(payload.events).toEqual({ [BACKCHANNEL_LOGOUT_EVENT]: {} });
  expect(payload).not.toHaveProperty("nonce");
  return payload;
}

const endSessions = async (sub: string, at = issuer) => {
  const response = await fetch(`${at}test-admin/users/${encodeURIComponent(sub)}/sessions`, { method: "DELETE" });
  expect(response.status).toBe(200);
  return (await response.json()) as EndedSessions;
};

/** Fills in the sign-out page's form and submits it, as the page's own script does at once. */
async function confirmLogout(browser: HttpBrowser, logoutPage: { url: string; response: Response }) {
  const html = await logoutPage.response.text();
  const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !xsrf) throw new Error(`not the sign-out page: ${logoutPage.url}\n${html}`);
  return browser.follow(new URL(action, logoutPage.url).href, form({ xsrf, logout: "yes" }));
}

describe("local identity provider", () => {
  it("publishes Auth0-shaped discovery and an RS256 public JWKS", async () => {
    const discovery = (await (await fetch(`${issuer}.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}authorize`,
      token_endpoint: `${issuer}oauth/token`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      end_session_endpoint: `${issuer}oidc/logout`,
      revocation_endpoint: `${issuer}oauth/revoke`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    const { keys } = (await (await fetch(`${issuer}.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(keys).toEqual([expect.objectContaining({ kty: "RSA", alg: "RS256", use: "sig", kid: "showtrack-dev-rs256" })]);
    expect(keys[0]).not.toHaveProperty("d"); // public parts only
    expect(fs.existsSync(keysFile)).toBe(true);
  });

  it("signs in with code + PKCE, issues a JWT access token for the audience, and refreshes it", async () => {
    const browser = new HttpBrowser(APP);
    const login = await browser.follow(authorizeUrl(pkce().challenge));
    expect(login.url).toMatch(/\/interaction\//);
    const html = await login.response.text();
    expect(html).toContain("Continue as Alice Free");
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/); // nothing loaded from elsewhere

    const wrong = await browser.request(login.url, form({ email: "alice@example.test", password: "nope" }));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain("Wrong email or password.");

    const back = await browser.follow(login.url, form({ email: "alice@example.test", password: "showtrack" }));
    const callback = new URL(back.url);
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get("state")).toBe("state-1");

    // PKCE is required: a code without its verifier is refused.
    const code1 = callback.searchParams.get("code")!;
    expect((await token({ grant_type: "authorization_code", code: code1, redirect_uri: REDIRECT_URI })).status).toBe(400);

    // One click on a test user signs in as that user.
    const browser2 = new HttpBrowser(APP);
    const { verifier: v2, challenge: c2 } = pkce();
    const login2 = await browser2.follow(authorizeUrl(c2));
    const back2 = await browser2.follow(login2.url, form({ sub: "dev|bob" }));
    const code = new URL(back2.url).searchParams.get("code")!;
    const tokens = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: v2 });
    expect(tokens.status).toBe(200);
    expect(tokens.body).toMatchObject({ token_type: "Bearer", refresh_token: expect.any(String) });

    const jwks = createRemoteJWKSet(new URL(`${issuer}.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(tokens.body.access_token!, jwks, { issuer, audience: AUDIENCE });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ sub: "dev|bob", scope: expect.stringContaining("read:shows") });
    expect(decodeJwt(tokens.body.id_token!)).toMatchObject({ sub: "dev|bob", email: "bob@example.test", name: "Bob Developer" });

    const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.body.refresh_token! });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(tokens.body.access_token);
    await expect(jwtVerify(refreshed.body.access_token!, jwks, { issuer, audience: AUDIENCE })).resolves.toBeTruthy();
  });

  it("revokes a refresh token at /oauth/revoke (client_secret_post); the token endpoint then refuses it", async () => {
    const { refresh_token } = await signIn("dev|bob");
    const refresh = () => token({ grant_type: "refresh_token", refresh_token: refresh_token! });
    const revoke = (fields: Record<string, string>) => fetch(`${issuer}oauth/revoke`, form({ token: refresh_token!, ...fields }));

    // The wrong secret is refused and revokes nothing.
    const wrong = await revoke({ client_id: CLIENT.client_id, client_secret: "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: "invalid_client" });
    expect((await refresh()).status).toBe(200);

    const revoked = await revoke({ ...CLIENT, token_type_hint: "refresh_token" });
    expect(revoked.status).toBe(200);
    expect(await refresh()).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_grant" }) });
    // Revoking it again is no error (RFC 7009 2.2): the app may retry.
    expect((await revoke({ ...CLIENT })).status).toBe(200);
  });

  it("grants only the API permissions a user holds (RBAC), in scope and in permissions", async () => {
    const tokens = await signIn("dev|rita"); // read-only user
    const claims = decodeJwt(tokens.access_token!);
    expect(claims.scope).toBe("read:shows");
    expect(claims.permissions).toEqual(["read:shows"]);
  });

  it("gives a new sign-up the default role's permissions, and Rita her role's whatever she asks for", async () => {
    const browser = new HttpBrowser(APP);
    const { verifier, challenge } = pkce();
    const login = await browser.follow(authorizeUrl(challenge, `openid profile email ${API_SCOPES.join(" ")}`));
    const back = await browser.follow(login.url, form({ signup: "yes", email: "newcomer@example.test", name: "New Comer" }));
    const code = new URL(back.url).searchParams.get("code")!;
    const tokens = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    const claims = decodeJwt(tokens.body.access_token!);
    expect(claims.sub).toMatch(/^auth0\|[0-9a-f]{24}$/);
    expect(claims.permissions).toEqual(ROLES[DEFAULT_ROLE]);
    // Rita's role is read-only: asking for every permission gets her the read ones.
    const rita = decodeJwt((await signIn("dev|rita", { scope: `openid offline_access ${API_SCOPES.join(" ")}` })).access_token!);
    expect(rita.permissions).toEqual(ROLES.viewer);
    expect(decodeJwt(tokens.body.id_token!)).toMatchObject({ email: "newcomer@example.test", name: "New Comer" });
    // The email is now taken.
    const again = await new HttpBrowser(APP).follow(authorizeUrl(pkce().challenge));
    expect((await new HttpBrowser(APP).request(again.url, form({ signup: "yes", email: "newcomer@example.test" }))).status).not.toBe(302);
  });

  it("issues access tokens for accessTokenTTL seconds", async () => {
    const tokens = await signIn("dev|alice");
    expect(tokens.expires_in).toBe(ACCESS_TOKEN_TTL);
    const { iat, exp } = decodeJwt(tokens.access_token!);
    expect(exp! - iat!).toBe(ACCESS_TOKEN_TTL);
  });

  it("refreshes with the permissions held now; refuses the refresh token of a revoked grant", async () => {
    const { refresh_token } = await signIn("dev|carol");
    const refresh = () => token({ grant_type: "refresh_token", refresh_token: refresh_token! });
    const admin = (method: string, path: string) => fetch(`${issuer}test-admin/users/dev%7Ccarol/${path}`, { method });

    expect((await admin("DELETE", "permissions/write:shows")).status).toBe(204);
    const reduced = await refresh();
    expect(reduced.body.scope).toBe("read:shows");
    expect(decodeJwt(reduced.body.access_token!)).toMatchObject({ scope: "read:shows", permissions: ["read:shows"] });

    expect((await admin("PUT", "permissions/write:shows")).status).toBe(204);
    expect(decodeJwt((await refresh()).body.access_token!).permissions).toEqual(["read:shows", "write:shows"]);

    expect((await admin("DELETE", "grants")).status).toBe(204);
    expect(await refresh()).toEqual({ status: 400, body: expect.objectContaining({ error: "invalid_grant" }) });
    expect((await fetch(`${issuer}test-admin/users/dev%7Cnobody/grants`, { method: "DELETE" })).status).toBe(404);
  });

  it("serves /test-admin only when asked to", async () => {
    const plain = await startProvider();
    try {
      const response = await fetch(`${plain.issuer}test-admin/users/dev%7Ccarol/grants`, { method: "DELETE" });
      expect(response.status).toBe(404);
    } finally {
      await new Promise<void>((resolve) => plain.server.close(() => resolve()));
    }
  });

  it("refuses to start with NODE_ENV=production and a deployed app's address, in one line", () => {
    const result = spawnSync(path.resolve("node_modules/.bin/tsx"), [path.join(import.meta.dirname, "server.ts")], {
      env: { ...process.env, NODE_ENV: "production", APP_BASE_URL: "https://showtrack.example.com", IDP_PORT: "0" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^\[idp\] The local identity provider .* does not start with NODE_ENV=production and APP_BASE_URL=https:\/\/showtrack\.example\.com .*\n$/);
  });
});

describe("re-authentication", () => {
  it("every ID token has auth_time; max_age=0 and prompt=login ask to sign in again despite a live session", async () => {
    const browser = new HttpBrowser(APP);
    const first = decodeJwt((await signIn("dev|alice", { browser })).id_token!);
    expect(first.auth_time).toEqual(expect.any(Number));

    // The session is live: within max_age the provider goes straight back to the app.
    const live = await authorize(browser, { max_age: "600" });
    expect(live.atLoginPage).toBe(false);
    expect(decodeJwt((await exchange(live.stopped, live.verifier)).id_token!).auth_time).toBe(first.auth_time);

    const asks: Record<string, string>[] = [{ max_age: "0" }, { prompt: "login" }];
    for (const ask of asks) {
      const again = await authorize(browser, ask);
      expect(again.atLoginPage, JSON.stringify(ask)).toBe(true);
      const back = await browser.follow(again.stopped, form({ sub: "dev|alice" }));
      const renewed = decodeJwt((await exchange(back.url, again.verifier)).id_token!);
      expect(renewed).toMatchObject({ sub: "dev|alice", auth_time: expect.any(Number) });
      expect(renewed.auth_time).toBeGreaterThanOrEqual(first.auth_time as number);
    }
  });

  it("asks to sign in again once the sign-in is older than max_age; the new ID token says when", async () => {
    const browser = new HttpBrowser(APP);
    const first = decodeJwt((await signIn("dev|alice", { browser })).id_token!);
    // Ten minutes and a second later, by the provider's clock (it reads Date).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 601_000 });
    try {
      const stale = await authorize(browser, { max_age: "600" });
      expect(stale.atLoginPage).toBe(true);
      const back = await browser.follow(stale.stopped, form({ sub: "dev|alice" }));
      const renewed = decodeJwt((await exchange(back.url, stale.verifier)).id_token!);
      expect(renewed.auth_time).toBeGreaterThanOrEqual((first.auth_time as number) + 601);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("back-channel logout", () => {
  const logoutUrls = {
    "RP-initiated logout (/oidc/logout)": () =>
      `${issuer}oidc/logout?${new URLSearchParams({ client_id: CLIENT.client_id, post_logout_redirect_uri: APP })}`,
    "Auth0's /v2/logout": () => `${issuer}v2/logout?${new URLSearchParams({ client_id: CLIENT.client_id, returnTo: APP })}`,
  };

  it.each(Object.entries(logoutUrls))("signing out by %s sends the app a logout token for that session", async (_, logoutUrl) => {
    const browser = new HttpBrowser(APP);
    const sid = sidOf(await signIn("dev|bob", { browser }));
    deliveries.length = 0;

    const done = await confirmLogout(browser, await browser.follow(logoutUrl()));
    expect(done.url.startsWith(APP)).toBe(true); // back at the app
    expect(deliveries).toEqual([{ path: "/auth/backchannel-logout", contentType: "application/x-www-form-urlencoded", logoutToken: expect.any(String) }]);
    expect(await verifyLogoutToken(deliveries[0]!.logoutToken)).toMatchObject({ iss: issuer, sub: "dev|bob", sid });

    // The provider's session is over: the next authorization asks to sign in.
    expect((await authorize(browser)).atLoginPage).toBe(true);
  });

  it("an administrator ending a user's sessions (test-admin) ends each and sends a logout token for each", async () => {
    const [first, second, bystander] = [new HttpBrowser(APP), new HttpBrowser(APP), new HttpBrowser(APP)];
    const sids = [sidOf(await signIn("dev|dave", { browser: first })), sidOf(await signIn("dev|dave", { browser: second }))];
    await signIn("dev|bob", { browser: bystander });
    deliveries.length = 0;

    const ended = await endSessions("dev|dave");
    expect(ended.sessions).toBe(2);
    expect(ended.logout_tokens).toHaveLength(2);
    expect(ended.logout_tokens).toEqual(expect.arrayContaining(sids.map((sid) => ({ client_id: CLIENT.client_id, sid }))));
    expect(deliveries.map(({ path }) => path)).toEqual(["/auth/backchannel-logout", "/auth/backchannel-logout"]);
    const claims = await Promise.all(deliveries.map(({ logoutToken }) => verifyLogoutToken(logoutToken)));
    expect(claims.map(({ sub }) => sub)).toEqual(["dev|dave", "dev|dave"]);
    expect(claims.map(({ sid }) => sid as string).toSorted()).toEqual(sids.toSorted());

    // Both of Dave's browsers must sign in again; Bob's session goes on.
    expect((await authorize(first)).atLoginPage).toBe(true);
    expect((await authorize(second)).atLoginPage).toBe(true);
    expect((await authorize(bystander)).atLoginPage).toBe(false);
    expect(await endSessions("dev|dave")).toEqual({ sessions: 0, logout_tokens: [] });
    expect((await fetch(`${issuer}test-admin/users/dev%7Cnobody/sessions`, { method: "DELETE" })).status).toBe(404);
  });

  it("sends one user's logout tokens where test-admin points them, and reports a token the app refused", async () => {
    const logoutUri = (method: "PUT" | "DELETE", uri?: string) =>
      fetch(`${issuer}test-admin/users/dev%7Crita/backchannel-logout-uri`, { method, ...(uri !== undefined && { body: new URLSearchParams({ uri }) }) });
    await endSessions("dev|rita"); // those of earlier tests
    expect((await logoutUri("PUT", "not a URL")).status).toBe(400);

    expect((await logoutUri("PUT", `${APP}/elsewhere`)).status).toBe(204);
    let sid = sidOf(await signIn("dev|rita"));
    deliveries.length = 0;
    expect(await endSessions("dev|rita")).toEqual({ sessions: 1, logout_tokens: [{ client_id: CLIENT.client_id, sid }] });
    expect(deliveries.map(({ path }) => path)).toEqual(["/elsewhere"]);
    expect(await verifyLogoutToken(deliveries[0]!.logoutToken)).toMatchObject({ sub: "dev|rita", sid });

    expect((await logoutUri("PUT", `${APP}/refuse`)).status).toBe(204);
    sid = sidOf(await signIn("dev|rita"));
    expect(await endSessions("dev|rita")).toEqual({
      sessions: 1,
      logout_tokens: [{ client_id: CLIENT.client_id, sid, error: expect.stringMatching(/got: 400 Bad Request$/) }],
    });

    expect((await logoutUri("DELETE")).status).toBe(204);
    sid = sidOf(await signIn("dev|rita"));
    deliveries.length = 0;
    await endSessions("dev|rita");
    expect(deliveries.map(({ path }) => path)).toEqual(["/auth/backchannel-logout"]);
  });

  it("sends logout tokens to the backchannelLogoutUri option when given (the app listening elsewhere)", async () => {
    const elsewhere = await startProvider({ testAdmin: true, backchannelLogoutUri: `${APP}/configured` });
    try {
      const sid = sidOf(await signIn("dev|carol", { at: elsewhere.issuer }));
      deliveries.length = 0;
      expect(await endSessions("dev|carol", elsewhere.issuer)).toEqual({ sessions: 1, logout_tokens: [{ client_id: CLIENT.client_id, sid }] });
      expect(deliveries.map(({ path }) => path)).toEqual(["/configured"]);
      expect(await verifyLogoutToken(deliveries[0]!.logoutToken, elsewhere.issuer)).toMatchObject({ iss: elsewhere.issuer, sub: "dev|carol", sid });
    } finally {
      await new Promise<void>((resolve) => elsewhere.server.close(() => resolve()));
    }
  });
});

describe("npm start and the local stack", () => {
  const laptop = { AUTH0_DOMAIN: "http://localhost:4001", APP_BASE_URL: "http://localhost:3000" };

  it("runs plain next start unless --local asks for the local stack, which a deployed-looking production refuses", () => {
    expect(startPlan(["-p", "4000"], laptop)).toEqual({ run: "next", args: ["-p", "4000"], note: expect.stringContaining("npm start -- --local") });
    expect(startPlan([], { ...laptop, NODE_ENV: "production", AUTH0_DOMAIN: "https://showtrack.eu.auth0.com" })).toEqual({ run: "next", args: [] });

    expect(startPlan(["--local", "-p", "4000"], laptop)).toEqual({ run: "local", args: ["-p", "4000"] });
    // A laptop trying its production build.
    expect(startPlan(["--local"], { ...laptop, NODE_ENV: "production" })).toEqual({ run: "local", args: [] });
    expect(startPlan(["--local"], { ...laptop, NODE_ENV: "production", APP_BASE_URL: "http://127.0.0.1:3000" })).toEqual({ run: "local", args: [] });
    for (const APP_BASE_URL of ["https://showtrack.example.com", "http://showtrack.example.com", "https://localhost:3000", "http://10.0.0.7:3000"]) {
      expect(startPlan(["--local"], { ...laptop, NODE_ENV: "production", APP_BASE_URL })).toEqual({ refuse: expect.stringContaining(`APP_BASE_URL=${APP_BASE_URL} `) });
    }
    expect(startPlan(["--local"], { ...laptop, AUTH0_DOMAIN: "https://showtrack.eu.auth0.com" })).toEqual({
      refuse: expect.stringContaining("AUTH0_DOMAIN=https://showtrack.eu.auth0.com is not it"),
    });
  });

  it("`npm start -- --local` refuses in one line and exit code 1, before starting anything", () => {
    const result = spawnSync(process.execPath, [path.resolve("scripts/start.mjs"), "--local"], {
      env: { ...process.env, ...laptop, NODE_ENV: "production", APP_BASE_URL: "https://showtrack.example.com" },
      encoding: "utf8",
    });
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
    expect(result.stderr).toMatch(/^\[start\] The local identity provider [^\n]*APP_BASE_URL=https:\/\/showtrack\.example\.com [^\n]*\n$/);
  });
});
