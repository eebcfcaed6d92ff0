import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http, { IncomingMessage, ServerResponse } from "node:http";
import type { KeyObject } from "node:crypto";
import { Socket, type AddressInfo } from "node:net";
import { importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { generateSessionCookie } from "@auth0/nextjs-auth0/testing";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import type { GetServerSidePropsContext, NextApiHandler } from "next";
import { NextRequest } from "next/server";
import { afterAll, beforeAll } from "vitest";
import { apiResolver } from "next/dist/server/api-utils/node/api-resolver";
import { seedDatabase } from "../prisma/seed-data";
import { form, HttpBrowser } from "./http-browser";
import { IDP_KEYS_FILE } from "./setup/paths";

export { freeLoopbackPort } from "../dev/ports";
import { proxy } from "~/proxy";
import { auth0, SESSION_COOKIE, sessionStore } from "~/server/platform/auth0";
import { createInnerContext } from "~/server/context";
import { db } from "~/server/platform/db";
import { appRouter, createCaller } from "~/server/routers/_app";
import type { Meta } from "~/server/trpc";
import billingInfo from "~/pages/api/billing-info";
import health from "~/pages/api/health";
import me from "~/pages/api/me";
import meExport from "~/pages/api/me/export";
import myShows from "~/pages/api/my/shows";
import openApi from "~/pages/api/openapi.json";
import pricingTiers from "~/pages/api/pricing-tiers";
import unsubscribe from "~/pages/api/unsubscribe";
import showEpisodes from "~/pages/api/shows/[slug]/episodes";
import trpcApiHandler, { config as trpcRouteConfig } from "~/pages/api/trpc/[trpc]";
import { API_SCOPES } from "~/utils/scopes";

export { db };

export const seed = () => seedDatabase(db);

export const ALL_SCOPES = API_SCOPES.join(" ");

export interface TestUser {
  sub: string;
  email?: string;
  /** Whether the identity provider vouches for the email (default: it does). */
  email_verified?: boolean;
  name?: string;
  /** The API scopes granted to the session's access token (default: all). */
  scope?: string;
  /** When the person entered their credentials (seconds; default: now, as right after a sign-in). */
  auth_time?: number;
  /** When the session's access token was issued (seconds; default: now, to the millisecond). */
  iat?: number;
}

/**
 * The claims of a session's access token, as the app reads them (decoded, not verified: the SDK took
 * the token from the issuer itself): Auth0 RBAC's `permissions` beside `scope`.
 */
const unsignedAccessToken = (claims: JWTPayload) =>
  [{ alg: "none", typ: "at+jwt" }, claims, ""].map((part) => (part === "" ? "" : Buffer.from(JSON.stringify(part)).toString("base64url"))).join(".");

export function sessionFor({ scope = ALL_SCOPES, iat = Date.now() / 1000, ...user }: TestUser) {
  const now = Math.floor(Date.now() / 1000);
  const permissions = scope.split(" ").filter(Boolean);
  return {
    user: { email: `${user.sub.replace(/\W/g, "")}@example.test`, email_verified: true, name: user.sub, auth_time: now, ...user },
    tokenSet: {
      // `iat` to the millisecond (a JWT's times may be fractional): sessions a test makes one after the
      // other are issued in that order, as sign-ins are.
      accessToken: unsignedAccessToken({ iss: `${process.env.AUTH0_DOMAIN}/`, sub: user.sub, aud: process.env.AUTH0_AUDIENCE, iat, exp: now + 3600, scope, permissions }),
      idToken: "test-id-token",
      expiresAt: now + 3600,
      scope: `openid profile email offline_access ${scope}`,
      audience: process.env.AUTH0_AUDIENCE,
    },
    internal: { sid: `sid-${user.sub}`, createdAt: now },
  };
}

/** A tRPC caller with the same inner context the HTTP handler builds, for `user` or anonymous. */
export function callerFor(user?: TestUser) {
  return createCaller(createInnerContext({ session: user ? sessionFor(user) : null }));
}

/**
 * A real session cookie (`__session=…`) holding `session`, encrypted with `secret`, as the SDK sets
 * one: in the database store's mode a new row of the store and a cookie naming it (a new session, the
 * way a sign-in begins one); with AUTH0_SESSION_STORE=cookie the whole session in the cookie.
 */
export async function cookieFor(session: SessionData, secret = process.env.AUTH0_SECRET!): Promise<string> {
  if (!sessionStore) return `${SESSION_COOKIE.name}=${await generateSessionCookie(session, { secret })}`;
  const id = randomBytes(16).toString("hex");
  await sessionStore.set(id, session);
  // The stateful cookie's payload is the session id alone (what the SDK's StatefulSessionStore writes).
  return `${SESSION_COOKIE.name}=${await generateSessionCookie({ id } as unknown as SessionData, { secret })}`;
}

/** A real session cookie for `user` (see cookieFor). */
export const sessionCookie = (user: TestUser, secret?: string): Promise<string> => cookieFor(sessionFor(user), secret);

/** Set-Cookie headers as the Cookie header a browser sends back (cleared cookies left out). */
export function cookieHeader(setCookies: readonly string[]): string {
  const pairs = setCookies.map((cookie) => cookie.split(";")[0]!);
  return pairs.filter((pair) => !pair.endsWith("=")).join("; ");
}

/**
 * Signs `sub` in for real, as a browser does: the SDK's /auth/login, one click on the local
 * provider's login page, the SDK's /auth/callback (and its token exchange). Returns the session
 * cookie the SDK set, holding the provider's real tokens, a refresh token among them.
 */
export async function signIn(sub: string, { userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", login: loginPath = "/auth/login" } = {}): Promise<string> {
  const app = process.env.APP_BASE_URL!;
  // Through the app's own proxy, as a browser's requests go (the session store records the browser).
  const headers = { "user-agent": userAgent };
  const login = await proxy(new NextRequest(`${app}${loginPath}`, { headers }));
  const browser = new HttpBrowser(app);
  const loginPage = await browser.follow(login.headers.get("location")!);
  const back = await browser.follow(loginPage.url, form({ sub }));
  const callback = await proxy(new NextRequest(back.url, { headers: { ...headers, cookie: cookieHeader(login.headers.getSetCookie()) } }));
  const cookie = cookieHeader(callback.headers.getSetCookie());
  if (!cookie.startsWith(`${SESSION_COOKIE.name}=`)) throw new Error(`signing in as ${sub} failed: ${callback.status} ${await callback.text()}`);
  return cookie;
}

/** The session a Cookie header holds, decrypted by the SDK; null when there is none. */
export const readSession = (cookie: string): Promise<SessionData | null> =>
  auth0.getSession(new NextRequest(`${process.env.APP_BASE_URL}/`, { headers: { cookie } }));

/** The same session (real refresh token and all) with its access token expired a minute ago. */
export async function expireAccessToken(cookie: string): Promise<string> {
  const session = await readSession(cookie);
  if (!session) throw new Error("the cookie holds no session");
  const { storeKey: _key, ...data } = session;
  return cookieFor({ ...data, tokenSet: { ...session.tokenSet, expiresAt: Math.floor(Date.now() / 1000) - 60 } } as SessionData);
}

/** What Next hands getServerSideProps: a Node request with its cookies parsed, and a response. */
export function gsspContext(url: string, cookie = "", params: Record<string, string> = {}): GetServerSidePropsContext {
  const req = new IncomingMessage(new Socket()) as IncomingMessage & { cookies: Record<string, string> };
  req.headers = { host: "localhost:3000", ...(cookie && { cookie }) };
  req.cookies = Object.fromEntries(cookie ? cookie.split("; ").map((pair) => pair.split(/=(.*)/s).slice(0, 2)) : []);
  return { req, res: new ServerResponse(req), query: {}, params, resolvedUrl: url } as GetServerSidePropsContext;
}

// The app's API routes as Next maps them (src/pages/api/…).
const API_ROUTES: Record<string, NextApiHandler> = {
  "/api/pricing-tiers": pricingTiers,
  "/api/billing-info": billingInfo,
  "/api/my/shows": myShows,
  "/api/me": me,
  "/api/me/export": meExport,
  "/api/openapi.json": openApi,
  "/api/health": health,
  "/api/unsubscribe": unsubscribe,
};

/**
 * The real API routes (tRPC and REST) behind Next's own Pages API resolver (cookie and body
 * parsing, res.status/json), on an ephemeral loopback port.
 */
export async function startApiServer() {
  const apiContext = { previewModeId: "", previewModeEncryptionKey: "", previewModeSigningKey: "", dev: false };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const query = Object.fromEntries(url.searchParams);
    const trpcPath = /^\/api\/trpc\/([^/]+)$/.exec(url.pathname)?.[1];
    const showSlug = /^\/api\/shows\/([^/]+)\/episodes$/.exec(url.pathname)?.[1];
    // A route module as Next loads it: its handler and its config (the tRPC route reads its own body).
    const [route, page, params] = trpcPath
      ? [{ default: trpcApiHandler, config: trpcRouteConfig }, "/api/trpc/[trpc]", { trpc: decodeURIComponent(trpcPath) }]
      : showSlug
        ? [{ default: showEpisodes }, "/api/shows/[slug]/episodes", { slug: decodeURIComponent(showSlug) }]
        : [API_ROUTES[url.pathname] && { default: API_ROUTES[url.pathname] }, url.pathname, {}];
    if (!route) {
      res.statusCode = 404;
      res.end();
      return;
    }
    void apiResolver(req, res, { ...query, ...params }, route, apiContext, false, false, page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    url: `${origin}/api/trpc`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type ApiServer = Awaited<ReturnType<typeof startApiServer>>;

/**
 * For a test file that talks HTTP: serves the API routes (on the file's seeded database) before its
 * tests, stops the server after. The returned object is filled in by then.
 */
export function seededApiServer(): ApiServer {
  const api = {} as ApiServer;
  beforeAll(async () => {
    Object.assign(api, await startApiServer());
  });
  afterAll(() => api.close());
  return api;
}

/**
 * An RS256 access token signed with the local identity provider's own key (the one its JWKS
 * publishes), with Auth0's claims, issued to the app's own client (`azp`). Override any claim
 * (`undefined` leaves it out), sign with another key, or give the header another `typ`.
 */
export async function accessToken(
  claims: JWTPayload = {},
  { key, kid = "showtrack-dev-rs256", typ = "at+jwt" }: { key?: CryptoKey | KeyObject | Uint8Array; kid?: string; typ?: string } = {},
): Promise<string> {
  const providerKey = (JSON.parse(fs.readFileSync(IDP_KEYS_FILE, "utf8")) as { keys: JWK[] }).keys[0]!;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: `${process.env.AUTH0_DOMAIN}/`,
    aud: process.env.AUTH0_AUDIENCE,
    sub: "dev|bob",
    azp: process.env.AUTH0_CLIENT_ID,
    iat: now,
    exp: now + 600,
    scope: ALL_SCOPES,
    permissions: ALL_SCOPES.split(" "),
    ...claims,
  })
    .setProtectedHeader({ alg: "RS256", kid, typ })
    .sign(key ?? (await importJWK(providerKey, "RS256")));
}

/** superjson's wire format for a plain JSON input. */
export const wireInput = (input: unknown) => JSON.stringify({ json: input });

interface ProcedureDef {
  _def: { type: "query" | "mutation" | "subscription"; meta?: Meta };
}
/** Every procedure of the router by path, so that a new one cannot escape the enumerating tests. */
// At runtime `_def.procedures` is flat ("shows.list" → procedure); its static type is the nested router.
export const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, ProcedureDef>).map(
  ([path, procedure]) => ({ path, type: procedure._def.type, meta: procedure._def.meta ?? {} }),
);

export interface TrpcResponseBody {
  result?: { data: { json: unknown } };
  error?: { json: { message: string; code: number; data: { code: string; httpStatus: number; zodError: unknown; requestId: string | null; refusal: string | null; stack?: string } } };
}

/**
 * Calls one procedure over HTTP the way @trpc/client does from the app's pages: GET for queries,
 * POST for mutations, which a browser sends with the page's Origin (override it in `headers`).
 */
export async function callProcedure(apiUrl: string, path: string, { input, headers = {} }: { input?: unknown; headers?: Record<string, string> } = {}) {
  const type = procedures.find((procedure) => procedure.path === path)?.type;
  const response =
    type === "query"
      ? await fetch(`${apiUrl}/${path}${input === undefined ? "" : `?input=${encodeURIComponent(wireInput(input))}`}`, { headers })
      : await fetch(`${apiUrl}/${path}`, {
          method: "POST",
          headers: { origin: new URL(process.env.APP_BASE_URL!).origin, ...headers, "content-type": "application/json" },
          body: input === undefined ? "" : wireInput(input),
        });
  return { status: response.status, body: (await response.json()) as TrpcResponseBody };
}

/** Polls `check` (a state of the database, a process's output) until it holds; time is the work's, never a fixed sleep. */
export async function until<T>(check: () => Promise<T>, holds: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (holds(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
