// The local identity provider on its own: discovery, JWKS, login page, code + PKCE, refresh, and
// the test-admin endpoints (permissions taken away, grants revoked).
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { form, HttpBrowser } from "../../tests/http-browser";
import { freeLoopbackPort } from "../ports";
import { createIdentityProvider, type IdentityProviderOptions } from "./provider";

const CLIENT = { client_id: "idp-test-client", client_secret: "idp-test-secret" };
const APP = "http://localhost:3999";
const AUDIENCE = "https://api.idp-test.local";
const REDIRECT_URI = `${APP}/auth/callback`;
const ACCESS_TOKEN_TTL = 120;

let server: http.Server;
let issuer: string;
let keysFile: string;

/** A provider on a free loopback port, with the test's client and audience; returns its issuer. */
async function startProvider(options: Partial<IdentityProviderOptions> = {}) {
  const port = await freeLoopbackPort();
  const started = await createIdentityProvider({
    issuer: `http://localhost:${port}/`,
    appBaseUrl: APP,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    audience: AUDIENCE,
    apiScopes: "read:shows write:shows",
    keysFile,
    ...options,
  });
  await new Promise<void>((resolve) => started.listen(port, "127.0.0.1", resolve));
  return { server: started, issuer: `http://localhost:${port}/` };
}

beforeAll(async () => {
  keysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "idp-")), "keys.json");
  ({ server, issuer } = await startProvider({ accessTokenTTL: ACCESS_TOKEN_TTL, testAdmin: true }));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function pkce() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

function authorizeUrl(challenge: string, scope = "openid profile email offline_access read:shows") {
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
  return `${issuer}authorize?${params}`;
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

async function token(fields: Record<string, string>) {
  const response = await fetch(`${issuer}oauth/token`, form({ ...CLIENT, ...fields }));
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

/** Signs `sub` in (one click on the login page) and exchanges the code: the token response. */
async function signIn(sub: string, scope = "openid offline_access read:shows write:shows") {
  const browser = new HttpBrowser(APP);
  const { verifier, challenge } = pkce();
  const login = await browser.follow(authorizeUrl(challenge, scope));
  const back = await browser.follow(login.url, form({ sub }));
  const code = new URL(back.url).searchParams.get("code");
  if (!code) throw new Error(`no code for ${sub}: ${back.url}`);
  const tokens = await token({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  if (tokens.status !== 200) throw new Error(`token exchange failed: ${JSON.stringify(tokens.body)}`);
  return tokens.body;
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

  it("grants only the API permissions a user holds (RBAC), in scope and in permissions", async () => {
    const tokens = await signIn("dev|rita"); // read-only user
    const claims = decodeJwt(tokens.access_token!);
    expect(claims.scope).toBe("read:shows");
    expect(claims.permissions).toEqual(["read:shows"]);
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

  it("refuses to start in production", async () => {
    const { spawnSync } = await import("node:child_process");
    const result = spawnSync(path.resolve("node_modules/.bin/tsx"), [path.join(import.meta.dirname, "server.ts")], {
      env: { ...process.env, NODE_ENV: "production", IDP_PORT: "0" },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("refuses NODE_ENV=production");
  });
});
