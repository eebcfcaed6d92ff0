import { hkdfSync } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { AccessTokenError, AccessTokenErrorCode, DiscoveryError } from "@auth0/nextjs-auth0/errors";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { TRPCError } from "@trpc/server";
import { jwtDecrypt } from "jose";
import { LRUCache } from "lru-cache";
import type { NextRequest } from "next/server";
import { logAuthFailure } from "~/server/platform/auth";
import { auth0, SESSION_COOKIE } from "~/server/platform/auth0";
import { env } from "~/server/platform/env";
import { logger, userHash } from "~/server/platform/logger";

// Refresh a little before the token's own expiry: a token about to lapse is not trusted, and a few
// seconds of clock difference with the issuer do not matter.
const EXPIRY_SKEW_SECONDS = 10;

/** A decrypted session cookie and its own expiry (the JWE's `exp`, seconds), when known. */
export interface ReadSession {
  session: SessionData;
  cookieExpiresAt?: number;
}

// The SDK derives its cookie key from AUTH0_SECRET on every read and write (HKDF, ~0.3 ms) and
// decrypts the 3–4 kB cookie again in the proxy and the handler. The same key, derived once, with
// the SDK's algorithms (dir + A256GCM) and clock tolerance; any cookie this does not read (legacy,
// chunked, connection tokens, not decryptable) is left to the SDK as before.
const COOKIE_KEY = new Uint8Array(hkdfSync("sha256", env.AUTH0_SECRET, "", "JWE CEK", 32));
const CLOCK_TOLERANCE_SECONDS = 15;
const sessionValue = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE.name}=([^;]+)`);
const leftToSdk = new RegExp(`(?:^|;\\s*)(?:${SESSION_COOKIE.name}__|appSession|__FC)`);

// Decrypted cookies by value, until the cookie itself expires: the same bytes always decrypt to the
// same session, so this returns exactly what decrypting again would (an expired one is gone).
// One cache per process (globalThis): the proxy and the pages are bundled apart but run together.
const cacheHolder = globalThis as unknown as { showtrackSessions?: LRUCache<string, Required<ReadSession>> };
const decrypted = (cacheHolder.showtrackSessions ??= new LRUCache({ max: 1_000 }));

async function decryptSessionCookie(value: string): Promise<Required<ReadSession> | undefined> {
  const cached = decrypted.get(value);
  // Checked here too: the cache's own clock (performance.now) only evicts, Date is the session's.
  if (cached && cached.cookieExpiresAt + CLOCK_TOLERANCE_SECONDS > Date.now() / 1000) return cached;
  try {
    const { payload, protectedHeader } = await jwtDecrypt<SessionData>(value, COOKIE_KEY, {
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    if (protectedHeader.iat !== undefined || payload.exp === undefined) return undefined; // a legacy (v3) cookie
    const entry = { session: Object.freeze(payload), cookieExpiresAt: payload.exp };
    decrypted.set(value, entry, { ttl: (payload.exp + CLOCK_TOLERANCE_SECONDS) * 1000 - Date.now() });
    return entry;
  } catch {
    return undefined;
  }
}

/** The request's session cookie, decrypted (once per cookie value and process); null when there is none. */
export async function readSession(req: IncomingMessage | NextRequest): Promise<ReadSession | null> {
  const header = req.headers instanceof Headers ? req.headers.get("cookie") : req.headers.cookie;
  const value = header && !leftToSdk.test(header) ? sessionValue.exec(header)?.[1] : undefined;
  const read = value ? await decryptSessionCookie(value) : undefined;
  if (read) return read;
  const session = await auth0.getSession(req);
  return session && { session };
}

// A rolled cookie is written only when it would outlive the current one by this much: a browser's
// burst of API calls and link prefetches costs one Set-Cookie every few minutes, not one each. The
// price: a session may end up to this much before a full AUTH0_SESSION_INACTIVITY_DURATION of idleness.
const ROLL_INTERVAL_SECONDS = 5 * 60;

/** Whether rolling the session now would move its cookie's expiry by ROLL_INTERVAL_SECONDS or more. */
export function dueForRoll({ session, cookieExpiresAt }: ReadSession): boolean {
  if (cookieExpiresAt === undefined) return true;
  const now = Date.now() / 1000;
  const rolledExpiry = Math.min(now + env.AUTH0_SESSION_INACTIVITY_DURATION, session.internal.createdAt + env.AUTH0_SESSION_ABSOLUTE_DURATION);
  return rolledExpiry - cookieExpiresAt >= ROLL_INTERVAL_SECONDS;
}

/** Whether the session's access token has expired (or is about to): it must be refreshed before use. */
export const needsRefresh = (session: SessionData) => session.tokenSet.expiresAt <= Date.now() / 1000 + EXPIRY_SKEW_SECONDS;

// OAuth errors that say the issuer is in trouble, not that it refuses this refresh token
// ("unknown_error" is the SDK's name for no OAuth answer at all: network down, a 5xx page).
const ISSUER_TROUBLE = new Set(["unknown_error", "server_error", "temporarily_unavailable"]);

function issuerUnavailable(error: unknown): boolean {
  if (error instanceof DiscoveryError) return true;
  return (
    error instanceof AccessTokenError &&
    error.code === AccessTokenErrorCode.FAILED_TO_REFRESH_TOKEN &&
    ISSUER_TROUBLE.has(error.cause?.code ?? "unknown_error")
  );
}

const isSessionCookie = (cookie: string) => cookie === SESSION_COOKIE.name || cookie.startsWith(`${SESSION_COOKIE.name}__`);

/**
 * Expires the session cookie, and the chunks the SDK splits a large one into (`__session__0`, …),
 * in place of any session cookie the response was to set (a roll earlier in the same request).
 */
export function clearSessionCookie(req: IncomingMessage, res: ServerResponse) {
  const setBefore = [res.getHeader("Set-Cookie") ?? []].flat().map(String);
  res.setHeader("Set-Cookie", setBefore.filter((header) => !isSessionCookie(header.slice(0, header.indexOf("=")))));
  const names = (req.headers.cookie ?? "").split(";").map((pair) => pair.split("=")[0]!.trim());
  const { path, sameSite, secure } = SESSION_COOKIE;
  for (const cookie of names.filter(isSessionCookie)) {
    res.appendHeader("Set-Cookie", `${cookie}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=${sameSite}${secure ? "; Secure" : ""}`);
  }
}

/**
 * Writes the session back with its expiry moved on (the SDK's roll: inactivity duration from now,
 * within the absolute one), on a response no cache may keep.
 */
async function rollSession(req: IncomingMessage, res: ServerResponse, session: SessionData) {
  try {
    await auth0.updateSession(req, res, session);
    keepOutOfCaches(res);
  } catch (error) {
    // A roll missed is a roll on the next request: never a reason to fail this one.
    logger.warn({ user: userHash(session.user.sub), err: error instanceof Error ? error.message : String(error) }, "session roll failed");
  }
}

/** A response that writes the session cookie is no one else's: no shared cache may keep it. */
const keepOutOfCaches = (res: ServerResponse) => res.setHeader("Cache-Control", "private, no-store");

/**
 * The request's cookie session, honest about its permissions: when its access token has expired,
 * it is first refreshed with the refresh token (the SDK saves the new token set in the response's
 * cookie), so that its scopes are those the issuer grants now, not at sign-in up to 7 days ago.
 * A refused refresh (grant revoked, user blocked, no refresh token) ends the session: null, and
 * the cookie is cleared. An issuer that cannot be reached is a 503, and the cookie is kept. With
 * `roll`, a session due for it (dueForRoll) is rolled; a refreshed one is written anew anyway.
 */
export async function currentSession(req: IncomingMessage, res: ServerResponse, { roll = false } = {}): Promise<SessionData | null> {
  const read = await readSession(req);
  if (!read) return null;
  const { session } = read;
  if (!needsRefresh(session)) {
    if (roll && dueForRoll(read)) await rollSession(req, res, session);
    return session;
  }
  try {
    const { token, scope, expiresAt } = await auth0.getAccessToken(req, res, { refresh: true });
    keepOutOfCaches(res);
    return { ...session, tokenSet: { ...session.tokenSet, accessToken: token, scope, expiresAt } };
  } catch (error) {
    const cause = error instanceof AccessTokenError && error.cause ? ` (${error.cause.code}: ${error.cause.message})` : "";
    const details = { user: userHash(session.user.sub), error: `${error instanceof Error ? error.message : String(error)}${cause}` };
    if (issuerUnavailable(error)) {
      logAuthFailure("session_refresh_unavailable", details);
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Sign-in cannot be checked right now. Please try again shortly.", cause: error });
    }
    logAuthFailure("session_refresh_refused", details);
    clearSessionCookie(req, res);
    return null;
  }
}
