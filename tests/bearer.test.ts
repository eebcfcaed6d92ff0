// Bearer access tokens (the browser-app and machine clients' way in) and per-procedure scopes.
import { decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK, SignJWT, type JWK, type JWTHeaderParameters, type JWTPayload } from "jose";
import { createHash, createHmac, randomBytes } from "node:crypto";
import fs from "node:fs";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { logger } from "~/server/platform/logger";
import { form, HttpBrowser } from "./http-browser";
import { accessToken, ALL_SCOPES, callProcedure, cookieFor, db, procedures, readSession, sessionCookie, sessionFor, seededApiServer, signIn } from "./helpers";
import { IDP_KEYS_FILE } from "./setup/paths";
import { API_SCOPES } from "~/utils/scopes";

const api = seededApiServer();

const protectedProcedures = procedures.filter((p) => p.meta.requiresAuth);

async function call(path: string, options: { input?: unknown; headers?: Record<string, string> } = {}) {
  const { status, body } = await callProcedure(api.url, path, options);
  return { status, code: body.error?.json.data.code, message: body.error?.json.message };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// Every refusal is logged with its reason (src/server/platform/auth.ts → logAuthFailure), never the token.
const warn = vi.spyOn(logger, "warn");
beforeEach(() => warn.mockClear());
const loggedReasons = () => warn.mock.calls.map(([fields]) => (fields as { reason: string }).reason);
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** `accessToken(claims)`'s claims, signed with the provider's key under another protected header. */
async function withHeader(header: Partial<JWTHeaderParameters>, claims: JWTPayload = {}) {
  const key = (JSON.parse(fs.readFileSync(IDP_KEYS_FILE, "utf8")) as { keys: JWK[] }).keys[0]!;
  return new SignJWT(decodeJwt(await accessToken(claims)))
    .setProtectedHeader({ alg: "RS256", kid: "showtrack-dev-rs256", ...header })
    .sign(await importJWK(key, "RS256"));
}

/**
 * An access token of the browser app's public client, got from the local provider as auth0-spa-js
 * gets it: the authorization code flow with PKCE, one click on the login page, the code exchanged
 * at /oauth/token without a secret.
 */
async function browserAppToken(sub: string): Promise<string> {
  const idp = process.env.AUTH0_DOMAIN!;
  const redirectUri = `${process.env.APP_BASE_URL}/spa`;
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL("/authorize", idp);
  authorize.search = new URLSearchParams({
    client_id: "showtrack-spa",
    response_type: "code",
    redirect_uri: redirectUri,
    scope: "openid profile read:shows",
    audience: process.env.AUTH0_AUDIENCE!,
    state: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  const browser = new HttpBrowser(process.env.APP_BASE_URL!);
  const loginPage = await browser.follow(authorize.href);
  const back = await browser.follow(loginPage.url, form({ sub }));
  const code = new URL(back.url).searchParams.get("code");
  if (!code) throw new Error(`the provider sent no code: ${back.url}`);
  const response = await fetch(new URL("/oauth/token", idp), {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", client_id: "showtrack-spa", code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  const { access_token } = (await response.json()) as { access_token?: string };
  if (!access_token) throw new Error(`the token exchange failed: ${response.status}`);
  return access_token;
}

describe("bearer tokens", () => {
  it("a valid token gets through and provisions the user by sub", async () => {
    const response = await fetch(`${api.url}/me.profile`, { headers: bearer(await accessToken({ sub: "api|newcomer" })) });
    expect(response.status).toBe(200);
    expect(await db.user.count({ where: { auth0Sub: "api|newcomer" } })).toBe(1);
    const bob = await call("billing.info", { headers: bearer(await accessToken({ sub: "dev|bob" })) });
    expect(bob.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const negatives: [string, string, () => Promise<string>][] = [
    ["alg none", "algorithm_not_allowed", async () => `${base64url({ alg: "none", typ: "JWT" })}.${base64url({ sub: "dev|bob", aud: process.env.AUTH0_AUDIENCE, iss: `${process.env.AUTH0_DOMAIN}/`, exp: now() + 600 })}.`],
    [
      "HS256 signed with the public key",
      "algorithm_not_allowed",
      async () => {
        const { kty, n, e } = (JSON.parse(fs.readFileSync(IDP_KEYS_FILE, "utf8")) as { keys: Record<string, string>[] }).keys[0]!;
        const header = base64url({ alg: "HS256", typ: "JWT", kid: "showtrack-dev-rs256" });
        const payload = base64url({ sub: "dev|bob", aud: process.env.AUTH0_AUDIENCE, iss: `${process.env.AUTH0_DOMAIN}/`, exp: now() + 600, scope: "read:billing" });
        const signature = createHmac("sha256", JSON.stringify({ kty, n, e })).update(`${header}.${payload}`).digest("base64url");
        return `${header}.${payload}.${signature}`;
      },
    ],
    ["wrong audience", "wrong_audience", () => accessToken({ aud: "https://api.someone-else.test" })],
    ["wrong issuer", "wrong_issuer", () => accessToken({ iss: "http://localhost:4999/" })],
    ["expired", "expired", () => accessToken({ exp: now() - 120 })],
    ["not yet valid", "not_yet_valid", () => accessToken({ nbf: now() + 120 })],
    ["unknown kid", "unknown_key", async () => accessToken({}, { key: (await generateKeyPair("RS256")).privateKey, kid: "not-a-known-key" })],
    [
      "bad signature",
      "bad_signature",
      async () => {
        const [header, , signature] = (await accessToken()).split(".");
        return `${header}.${base64url({ sub: "dev|alice", aud: process.env.AUTH0_AUDIENCE, iss: `${process.env.AUTH0_DOMAIN}/`, exp: now() + 600 })}.${signature}`;
      },
    ],
    ["malformed", "malformed", async () => "not-a-jwt"],
    // Same key, same issuer, same claims: only the declared type says it is not an access token.
    ["an ID token's type (JWT)", "wrong_token_type", () => withHeader({ typ: "JWT" })],
    ["a type of its own", "wrong_token_type", () => withHeader({ typ: "dpop+jwt" })],
    // A machine-to-machine client of the same tenant, granted the API but not on this deployment's list.
    ["a foreign client's azp", "unknown_client", () => accessToken({ azp: "someone-elses-backend", gty: "client-credentials" })],
    ["a foreign client's client_id (RFC 9068)", "unknown_client", () => accessToken({ azp: undefined, client_id: "someone-elses-backend" })],
    ["an allowed azp but a foreign client_id", "unknown_client", () => accessToken({ client_id: "someone-elses-backend" })],
    ["no client named at all", "unknown_client", () => accessToken({ azp: undefined })],
    ["an azp that is not a string", "invalid_claims", () => accessToken({ azp: [process.env.AUTH0_CLIENT_ID] })],
  ];
  for (const [label, reason, makeToken] of negatives) {
    it(`refuses a token with ${label}: 401, never 500, and logs "${reason}" without the token`, async () => {
      const token = await makeToken();
      const result = await call("billing.info", { headers: bearer(token) });
      expect(result).toEqual({ status: 401, code: "UNAUTHORIZED", message: "The access token is invalid or expired." });
      expect(loggedReasons()).toEqual([reason]);
      expect(JSON.stringify(warn.mock.calls)).not.toContain(token.split(".")[1] || token);
    });
  }

  it("takes a token without typ, and an access token's type in either spelling, in any case", async () => {
    for (const typ of [undefined, "at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"]) {
      const result = await call("billing.info", { headers: bearer(await withHeader({ typ })) });
      expect({ typ, status: result.status }).toEqual({ typ, status: 200 });
    }
    expect(loggedReasons()).toEqual([]);
  });

  it("takes the app's and the browser app's clients, named in azp (Auth0) or client_id (RFC 9068)", async () => {
    for (const client of [process.env.AUTH0_CLIENT_ID!, "showtrack-spa"]) {
      for (const claims of [{ azp: client }, { azp: undefined, client_id: client }, { azp: client, client_id: client }]) {
        const result = await call("billing.info", { headers: bearer(await accessToken(claims)) });
        expect({ claims, status: result.status }).toEqual({ claims, status: 200 });
      }
    }
  });

  it("takes the local provider's real tokens: the app's, from a sign-in, and the browser app's", async () => {
    const session = await readSession(await signIn("dev|alice"));
    const appToken = session!.tokenSet.accessToken;
    expect(decodeProtectedHeader(appToken).typ).toBe("at+jwt");
    expect(decodeJwt(appToken).client_id).toBe(process.env.AUTH0_CLIENT_ID);
    expect((await call("me.profile", { headers: bearer(appToken) })).status).toBe(200);

    const spaToken = await browserAppToken("dev|alice");
    expect(decodeProtectedHeader(spaToken).typ).toBe("at+jwt");
    expect(decodeJwt(spaToken).client_id).toBe("showtrack-spa");
    const shows = await fetch(`${api.origin}/api/my/shows`, { headers: bearer(spaToken) });
    expect(shows.status).toBe(200);
    expect(loggedReasons()).toEqual([]);
  });

  it("Rita, read-only at the provider, is limited by her permissions whatever her sign-in asked for", async () => {
    // The app's sign-in asks for all four permissions; her role holds the read ones.
    const cookie = await signIn("dev|rita");
    const show = await db.show.findFirstOrThrow({ select: { id: true } });
    expect((await call("billing.info", { headers: { cookie } })).status).toBe(200);
    expect(await call("subscriptions.add", { input: { showId: show.id }, headers: { cookie } })).toMatchObject({ status: 403, code: "FORBIDDEN" });
    const appToken = (await readSession(cookie))!.tokenSet.accessToken;
    expect(await call("subscriptions.add", { input: { showId: show.id }, headers: bearer(appToken) })).toMatchObject({ status: 403, code: "FORBIDDEN" });
    expect(await call("billing.changeTier", { input: { tierId: "developer" }, headers: bearer(appToken) })).toMatchObject({ status: 403, code: "FORBIDDEN" });
  });

  it("refuses an empty bearer and a non-bearer Authorization header", async () => {
    expect((await call("me.profile", { headers: { authorization: "Bearer " } })).status).toBe(401);
    expect((await call("me.profile", { headers: { authorization: "Basic Ym9iOnNlY3JldA==" } })).status).toBe(401);
    expect(loggedReasons()).toEqual(["malformed", "malformed"]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain("Ym9iOnNlY3JldA==");
  });

  it("a bad bearer token next to a good session cookie is refused, not downgraded", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" });
    expect((await call("me.profile", { headers: { cookie } })).status).toBe(200);
    expect(await call("me.profile", { headers: { cookie, ...bearer(await accessToken({ aud: "https://elsewhere.test" })) } })).toMatchObject({
      status: 401,
      code: "UNAUTHORIZED",
    });
    // Even for a public procedure: the caller meant to be someone, and is not.
    expect((await call("shows.genres", { headers: { cookie, authorization: "Bearer garbage" } })).status).toBe(401);
  });
});

describe("scopes", () => {
  // A valid input for every protected procedure; the first test keeps this table complete.
  const sampleInput = async (path: string): Promise<unknown> => {
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: {} } }, select: { id: true } });
    const inputs: Record<string, unknown> = {
      "subscriptions.list": undefined,
      "subscriptions.usage": undefined,
      "subscriptions.add": { showId: show.id },
      "subscriptions.remove": { showId: show.id },
      // Carol's own follow (once the session round has deleted her, any show: this input is then unused).
      "subscriptions.setNotify": { showId: (await db.subscription.findFirst({ where: { user: { auth0Sub: "dev|carol" } } }))?.showId ?? show.id, notify: false },
      "billing.info": undefined,
      "billing.changeTier": { tierId: "enterprise" },
      "billing.invoices": { limit: 5 },
      "billing.quote": { tierId: "free" },
      "billing.setCard": { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" },
      "me.profile": undefined,
      "me.reminders": undefined,
      "me.setReminderLead": { minutes: 60 },
      "me.activity": { limit: 5 },
      "me.export": undefined,
      // The session round deletes Carol here (signing in again makes her afresh).
      "me.delete": { confirmEmail: "devcarol@example.test" },
      "sessions.list": undefined,
      "sessions.end": { id: "A".repeat(43) },
      "sessions.endOthers": undefined,
      "notifications.list": { limit: 5 },
      "notifications.unreadCount": undefined,
      "notifications.markRead": {},
      "tokens.list": undefined,
      "tokens.create": { name: "sample", scopes: ["read:shows"], expiresInDays: 30 },
      "tokens.revoke": { id: "cm0000000000000000000000a" },
    };
    if (!(path in inputs)) throw new Error(`No sample input for ${path}: add one`);
    return inputs[path];
  };

  it("every protected procedure declares its scopes, except me.profile, me.activity (which filters by scope), me.delete and sessions (cookie only)", () => {
    const declared = Object.fromEntries(protectedProcedures.map((p) => [p.path, p.meta.scope ?? null]));
    expect(declared).toEqual({
      "subscriptions.list": "read:shows",
      "subscriptions.usage": "read:shows",
      "subscriptions.add": "write:shows",
      "subscriptions.remove": "write:shows",
      "subscriptions.setNotify": "write:shows",
      "billing.info": "read:billing",
      "billing.changeTier": "write:billing",
      "billing.invoices": "read:billing",
      "billing.quote": "read:billing",
      "billing.setCard": "write:billing",
      "me.profile": null,
      "me.reminders": "read:shows",
      "me.setReminderLead": "write:shows",
      "me.activity": null,
      "me.export": ["read:shows", "read:billing"],
      "me.delete": null,
      "sessions.list": null,
      "sessions.end": null,
      "sessions.endOthers": null,
      "tokens.list": null,
      "tokens.create": null,
      "tokens.revoke": null,
      "notifications.list": "read:shows",
      "notifications.unreadCount": "read:shows",
      "notifications.markRead": "write:shows",
    });
  });

  for (const via of ["bearer", "session"] as const) {
    it(`over ${via}: without one of its scopes every protected procedure is 403 naming it; with them, 200`, async () => {
      for (const { path, meta } of protectedProcedures) {
        const scopes: readonly string[] = [meta.scope ?? []].flat();
        const input = await sampleInput(path);
        const credentials = async (scopes: string) =>
          via === "bearer"
            ? bearer(await accessToken({ sub: "dev|carol", scope: scopes, permissions: scopes.split(" ").filter(Boolean) }))
            : { cookie: await sessionCookie({ sub: "dev|carol", scope: scopes }) };
        for (const scope of scopes) {
          const everythingElse = API_SCOPES.filter((s) => s !== scope).join(" ");
          const refused = await call(path, { input, headers: await credentials(everythingElse) });
          expect({ path, ...refused }).toEqual({ path, status: 403, code: "FORBIDDEN", message: `Your access does not include the ${scope} permission.` });
        }
        const allowed = await call(path, { input, headers: await credentials(scopes.join(" ")) });
        // Deleting an account and ending sessions are refused to every bearer token, whatever its scopes
        // (sessionOnlyProcedure, src/server/trpc.ts).
        // A token may carry only permissions its maker holds, and this caller holds none.
        const sessionOnly = path === "me.delete" || path.startsWith("sessions.") || path.startsWith("tokens.");
        const expected = (sessionOnly && via === "bearer") || path === "tokens.create" ? 403 : 200;
        expect({ path, status: allowed.status }).toEqual({ path, status: expected });
      }
    });
  }

  it("authorises a person's token from Auth0's permissions claim alone, never from the scope the sign-in asked for", async () => {
    const token = await accessToken({ sub: "dev|carol", scope: "openid read:shows write:shows", permissions: ["read:billing"] });
    expect((await call("billing.info", { headers: bearer(token) })).status).toBe(200);
    expect((await call("subscriptions.list", { headers: bearer(token) })).status).toBe(403);
    // A tenant without RBAC: every scope asked for, no permissions claim → no permission at all.
    const withoutRbac = await accessToken({ sub: "dev|carol", scope: ALL_SCOPES, permissions: undefined });
    expect((await call("subscriptions.list", { headers: bearer(withoutRbac) })).status).toBe(403);
    const session = sessionFor({ sub: "dev|carol" });
    const opaque = await cookieFor({ ...session, tokenSet: { ...session.tokenSet, accessToken: "an-opaque-token" } });
    expect((await call("subscriptions.list", { headers: { cookie: opaque } })).status).toBe(403);
    // A session whose token is for another API (the tenant's default one, when the sign-in asked for none) grants nothing here.
    const claims = JSON.parse(Buffer.from(session.tokenSet.accessToken.split(".")[1]!, "base64url").toString()) as Record<string, unknown>;
    const otherApi = [{ alg: "none", typ: "at+jwt" }, { ...claims, aud: "https://another-api.example" }].map((part) => Buffer.from(JSON.stringify(part)).toString("base64url")).join(".") + ".";
    const elsewhere = await cookieFor({ ...session, tokenSet: { ...session.tokenSet, accessToken: otherApi, audience: undefined } });
    expect((await call("subscriptions.list", { headers: { cookie: elsewhere } })).status).toBe(403);
  });
});
