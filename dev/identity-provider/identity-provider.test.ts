// The local identity provider on its own: discovery, JWKS, login page, code + PKCE, refresh.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../tests/ports";
import { createIdentityProvider } from "./provider";

const CLIENT = { client_id: "idp-test-client", client_secret: "idp-test-secret" };
const APP = "http://localhost:3999";
const AUDIENCE = "https://api.idp-test.local";
const REDIRECT_URI = `${APP}/auth/callback`;

let server: http.Server;
let issuer: string;
let keysFile: string;

beforeAll(async () => {
  const port = await freeLoopbackPort();
  issuer = `http://localhost:${port}/`;
  keysFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "idp-")), "keys.json");
  server = await createIdentityProvider({
    issuer,
    appBaseUrl: APP,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    audience: AUDIENCE,
    apiScopes: "read:shows write:shows",
    keysFile,
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A browser stand-in: keeps cookies, follows redirects within the provider, stops at the app. */
class Browser {
  cookies = new Map<string, string>();
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, value] = pair!.split(/=(.*)/s);
      this.cookies.set(name!, value ?? "");
    }
    return response;
  }
  /** Follows redirects until a page of the provider or a redirect to the app. */
  async follow(url: string, init?: RequestInit): Promise<{ url: string; response: Response }> {
    let response = await this.request(url, init);
    while (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location")!, url).href;
      if (url.startsWith(APP)) return { url, response };
      response = await this.request(url);
    }
    return { url, response };
  }
}

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

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

async function token(fields: Record<string, string>) {
  const response = await fetch(`${issuer}oauth/token`, form({ ...CLIENT, ...fields }));
  return { status: response.status, body: (await response.json()) as Record<string, string> };
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
    const browser = new Browser();
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
    const browser2 = new Browser();
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
    const browser = new Browser();
    const { verifier, challenge } = pkce();
    const login = await browser.follow(authorizeUrl(challenge, "openid offline_access read:shows write:shows"));
    const back = await browser.follow(login.url, form({ sub: "dev|rita" })); // read-only user
    const code = new URL(back.url).searchParams.get("code");
    expect(code).toBeTruthy();
    const tokens = await token({ grant_type: "authorization_code", code: code!, redirect_uri: REDIRECT_URI, code_verifier: verifier });
    const claims = decodeJwt(tokens.body.access_token!);
    expect(claims.scope).toBe("read:shows");
    expect(claims.permissions).toEqual(["read:shows"]);
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
