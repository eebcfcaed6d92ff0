import type { IncomingMessage, ServerResponse } from "node:http";
import { AccessTokenError, AccessTokenErrorCode, DiscoveryError } from "@auth0/nextjs-auth0/errors";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { NextRequest } from "next/server";
import { logAuthFailure } from "~/server/platform/auth";
import { auth0, SESSION_COOKIE } from "~/server/platform/auth0";
import { env } from "~/server/platform/env";
import { logger, userHash } from "~/server/platform/logger";
import { rateLimiter } from "~/server/platform/rate-limit";
import { clientAddress } from "~/server/platform/request";
import { db } from "~/server/platform/db";
import { endStoredSession, withDevice, type DeviceInfo } from "~/server/platform/session-store";

// Refresh a little before the token's own expiry: a token about to lapse is not trusted, and a few
// seconds of clock difference with the issuer do not matter.
const EXPIRY_SKEW_SECONDS = 10;

/** Why a request's session is refused outright (it is treated as signed out, and its cookies cleared). */
export class SessionRefused extends Error {}

/** The issuer cannot be reached or is busy: the session cannot be checked now, and is kept. */
export class IssuerUnavailable extends Error {
  constructor(options?: ErrorOptions) {
    super("Sign-in cannot be checked right now. Please try again shortly.", options);
  }
}

const chunkOf = new RegExp(`^${SESSION_COOKIE.name}__(\\d+)$`);

// nextjs-auth0 v3's session cookie (and its chunks), which v4 still reads when ours is absent. This
// app never wrote one, and it has no `__Host-` prefix: a sibling subdomain could plant one and have a
// signed-out browser read as someone else. Such cookies are removed before the SDK reads a request.
const LEGACY_SESSION_COOKIE = /^appSession(?:\.\d+)?$/;

/** The names of the Cookie header's cookies, in order, duplicates kept. */
export const cookieNames = (header: string | null | undefined) =>
  (header ?? "")
    .split(";")
    .map((pair) => pair.slice(0, pair.includes("=") ? pair.indexOf("=") : undefined).trim())
    .filter(Boolean);

const isSessionCookie = (name: string) => name === SESSION_COOKIE.name || chunkOf.test(name);

/** The Cookie header without nextjs-auth0 v3's session cookies, which the SDK must not read. */
export function withoutLegacyCookies(header: string): string {
  return header
    .split(";")
    .filter((pair) => !LEGACY_SESSION_COOKIE.test(pair.slice(0, pair.includes("=") ? pair.indexOf("=") : undefined).trim()))
    .join(";")
    .trim();
}

/**
 * Removes v3 session cookies from the request itself, before anything (the SDK above all) reads it.
 * The header is rewritten as a string, pair by pair, never through a parsed map of cookies: that would
 * keep one of two cookies of the same name, and hide from carriesSeveralSessions that there were two.
 */
export function forgetLegacyCookies(req: IncomingMessage | NextRequest): void {
  if (!(req.headers instanceof Headers)) {
    if (req.headers.cookie) req.headers.cookie = withoutLegacyCookies(req.headers.cookie);
    return;
  }
  const header = req.headers.get("cookie");
  const legacy = new Set(cookieNames(header).filter((name) => LEGACY_SESSION_COOKIE.test(name)));
  if (!header || legacy.size === 0) return;
  // A NextRequest keeps its cookies parsed apart from the header: the SDK reads those, the page the header.
  if ("cookies" in req) for (const name of legacy) req.cookies.delete(name);
  req.headers.set("cookie", withoutLegacyCookies(header));
}

/**
 * Whether the Cookie header carries more than one session: the same session cookie twice, a chunk
 * twice, or a whole cookie beside a chunk set. Browsers send two cookies of one name
 * when they were set for different paths or domains (a sibling subdomain can plant one); the SDK
 * keeps the last of them, and any reader that took another would act for someone else. Such a
 * request is treated as signed out.
 */
export function carriesSeveralSessions(header: string | null | undefined): boolean {
  const names = cookieNames(header).filter(isSessionCookie);
  const distinct = new Set(names);
  if (distinct.size !== names.length) return true;
  const kinds = new Set([...distinct].map((name) => (chunkOf.test(name) ? "chunks" : name)));
  return kinds.size > 1;
}

const headerOf = (req: IncomingMessage | NextRequest) => (req.headers instanceof Headers ? req.headers.get("cookie") : req.headers.cookie);

/**
 * The request's session, read by the SDK (the cookie, and in the database store its row); null when
 * there is none. Throws SessionRefused for a request that carries several.
 */
export async function readSession(req: IncomingMessage | NextRequest): Promise<SessionData | null> {
  forgetLegacyCookies(req);
  if (carriesSeveralSessions(headerOf(req))) throw new SessionRefused("The request carries more than one session cookie. Please sign in again.");
  return auth0.getSession(req);
}

// A rolled cookie is written only when it would outlive the current one by this much: a browser's
// burst of API calls and link prefetches costs one write every few minutes, not one each. The
// price: a session may end up to this much before a full AUTH0_SESSION_INACTIVITY_DURATION of idleness.
const ROLL_INTERVAL_SECONDS = 5 * 60;

/** When the session was last written with a new expiry (see `rolled`); its sign-in before any roll. */
const ROLLED_AT = "rolledAt";
const rolledAt = (session: SessionData) => (typeof session[ROLLED_AT] === "number" ? session[ROLLED_AT] : session.internal.createdAt);

/** The session marked as rolled now: the next roll is due ROLL_INTERVAL_SECONDS later. */
export const rolled = (session: SessionData): SessionData => ({ ...session, [ROLLED_AT]: Math.floor(Date.now() / 1000) });

/** Whether rolling the session now would move its expiry by ROLL_INTERVAL_SECONDS or more. */
export function dueForRoll(session: SessionData): boolean {
  const expiryFrom = (seconds: number) =>
    Math.min(seconds + env.AUTH0_SESSION_INACTIVITY_DURATION, session.internal.createdAt + env.AUTH0_SESSION_ABSOLUTE_DURATION);
  return expiryFrom(Date.now() / 1000) - expiryFrom(rolledAt(session)) >= ROLL_INTERVAL_SECONDS;
}

/** Whether the session's access token has expired (or is about to): it must be refreshed before use. */
export const needsRefresh = (session: SessionData) => session.tokenSet.expiresAt <= Date.now() / 1000 + EXPIRY_SKEW_SECONDS;

// OAuth errors that say the issuer is in trouble or busy, not that it refuses this refresh token
// ("unknown_error" is the SDK's name for no OAuth answer at all: network down, a 5xx or 429 page).
const ISSUER_TROUBLE = new Set(["unknown_error", "server_error", "temporarily_unavailable", "too_many_requests", "slow_down"]);

// The issuer refusing the app itself, not the person: every refresh would fail alike.
const OUR_CLIENT_REFUSED = new Set(["invalid_client", "unauthorized_client"]);

function issuerUnavailable(error: unknown): boolean {
  if (error instanceof DiscoveryError) return true;
  return (
    error instanceof AccessTokenError &&
    error.code === AccessTokenErrorCode.FAILED_TO_REFRESH_TOKEN &&
    ISSUER_TROUBLE.has(error.cause?.code ?? "unknown_error")
  );
}

/**
 * Expires every session cookie the request carried (the SDK's chunks `__session__0`, …, included), in place of any session cookie the response was to set (a roll earlier in the same
 * request). Set-Cookie values, for a Node response or the proxy's.
 */
export function sessionCookieClearing(cookieHeader: string | null | undefined): string[] {
  return [...new Set(cookieNames(cookieHeader).filter(isSessionCookie))].map(expiredCookie);
}

/** A Set-Cookie that expires the cookie `name`, set with the session cookie's attributes. */
export function expiredCookie(name: string): string {
  const { path, sameSite, secure } = SESSION_COOKIE;
  return `${name}=; Path=${path}; Max-Age=0; HttpOnly${secure ? "; Secure" : ""}; SameSite=${sameSite}`;
}

export function clearSessionCookie(req: IncomingMessage, res: ServerResponse) {
  const setBefore = [res.getHeader("Set-Cookie") ?? []].flat().map(String);
  res.setHeader("Set-Cookie", setBefore.filter((header) => !isSessionCookie(header.slice(0, header.indexOf("=")))));
  for (const cookie of sessionCookieClearing(req.headers.cookie)) res.appendHeader("Set-Cookie", cookie);
}

/** What the session store records of the request's browser. */
export const deviceOf = (req: IncomingMessage): DeviceInfo => ({
  userAgent: typeof req.headers["user-agent"] === "string" ? req.headers["user-agent"] : undefined,
  ip: clientAddress(typeof req.headers["x-forwarded-for"] === "string" ? req.headers["x-forwarded-for"] : undefined, req.socket?.remoteAddress),
});

/**
 * Writes the session back with its expiry moved on (the SDK's roll: inactivity duration from now,
 * within the absolute one), on a response no cache may keep.
 */
async function rollSession(req: IncomingMessage, res: ServerResponse, session: SessionData) {
  try {
    await withDevice(deviceOf(req), () => auth0.updateSession(req, res, rolled(session)));
    keepOutOfCaches(res);
  } catch (error) {
    // A roll missed is a roll on the next request: never a reason to fail this one.
    logger.warn({ user: userHash(session.user.sub), err: error instanceof Error ? error.message : String(error) }, "session roll failed");
  }
}

/** A response that writes the session cookie is no one else's: no shared cache may keep it. */
const keepOutOfCaches = (res: ServerResponse) => res.setHeader("Cache-Control", "private, no-store");

/** The session cookie(s) a response sets, as a request would carry them back. */
function cookiesSetBy(res: ServerResponse): string {
  const set = [res.getHeader("Set-Cookie") ?? []].flat().map(String);
  return set
    .map((header) => header.split(";")[0]!)
    .filter((pair) => isSessionCookie(pair.slice(0, pair.indexOf("="))) && !pair.endsWith("="))
    .join("; ");
}

/**
 * The session as the SDK wrote it into the response: what a refresh leaves is what the next request
 * will read, and it must still be the same person's same session.
 */
async function sessionWritten(req: IncomingMessage, res: ServerResponse): Promise<SessionData | null> {
  const cookie = cookiesSetBy(res);
  if (!cookie) return null;
  return auth0.getSession(new NextRequest(new URL(req.url ?? "/", env.APP_BASE_URL), { headers: { cookie } }));
}

/**
 * The request's cookie session, honest about its permissions: when its access token has expired,
 * it is first refreshed with the refresh token (the SDK saves the new token set in the store and the
 * response's cookie), so that its scopes are those the issuer grants now, not at sign-in up to 7 days
 * ago. A refused refresh (grant revoked, user blocked, no refresh token) ends the session: null, and
 * the cookie is cleared. An issuer that cannot be reached or is busy throws IssuerUnavailable, and the
 * session is kept. With `roll`, a session due for it (dueForRoll) is rolled; a refreshed one is written anew
 * anyway. Throws SessionRefused for a request carrying several sessions (its cookies are cleared).
 */
export async function currentSession(req: IncomingMessage, res: ServerResponse, { roll = false } = {}): Promise<SessionData | null> {
  let session: SessionData | null;
  try {
    session = await readSession(req);
  } catch (error) {
    if (error instanceof SessionRefused) clearSessionCookie(req, res);
    throw error;
  }
  if (!session) return null;
  if (!needsRefresh(session)) {
    if (roll && dueForRoll(session)) await rollSession(req, res, session);
    return session;
  }
  // One refresh is a call to the issuer's token endpoint, like a sign-in: it spends the person's sign-in
  // budget (RateLimitExceeded when spent), so that a replayed stale cookie cannot make the app hammer the issuer.
  await rateLimiter().consume("signin", `refresh:${session.user.sub}`);
  const details = { user: userHash(session.user.sub) };
  try {
    await withDevice(deviceOf(req), () => auth0.getAccessToken(req, res, { refresh: true }));
    keepOutOfCaches(res);
  } catch (error) {
    const cause = error instanceof AccessTokenError && error.cause ? ` (${error.cause.code}: ${error.cause.message})` : "";
    const failure = { ...details, error: `${error instanceof Error ? error.message : String(error)}${cause}` };
    if (issuerUnavailable(error)) {
      logAuthFailure("session_refresh_unavailable", failure);
      throw new IssuerUnavailable({ cause: error });
    }
    // Anything but the issuer's refusal of this person's grant (a database error writing the session, our
    // own client credentials refused after a secret rotation) is no verdict on the session: a 500, and
    // the person stays signed in.
    if (!(error instanceof AccessTokenError) || OUR_CLIENT_REFUSED.has(error.cause?.code ?? "")) throw error;
    logAuthFailure("session_refresh_refused", failure);
    await endStoredSession(db, session);
    clearSessionCookie(req, res);
    return null;
  }
  const refreshed = await sessionWritten(req, res);
  if (!refreshed || refreshed.user.sub !== session.user.sub || refreshed.internal.sid !== session.internal.sid) {
    logAuthFailure("session_refresh_refused", { ...details, error: "the refreshed session is not the one that was read" });
    clearSessionCookie(req, res);
    return null;
  }
  return refreshed;
}
