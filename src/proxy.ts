import { decodeJwt, decodeProtectedHeader, errors } from "jose";
import { NextResponse, type NextRequest } from "next/server";
import { logAuthFailure } from "~/server/platform/auth";
import { auth0, FORMER_SESSION_COOKIE, SESSION_COOKIE, sessionStore } from "~/server/platform/auth0";
import { addressKey, RateLimitExceeded, rateLimiter, rateLimitHeaders } from "~/server/platform/rate-limit";
import { clientAddress } from "~/server/platform/request";
import { carriesSeveralSessions, cookieNames, dueForRoll, expiredCookie, forgetLegacyCookies, needsRefresh, rolled, sessionCookieClearing } from "~/server/platform/session";
import { withDevice, type DeviceInfo } from "~/server/platform/session-store";
import { recordSessionMoment } from "~/server/domain/audit";
import { db } from "~/server/platform/db";
import { NONCE_HEADER, REQUEST_ID_HEADER, newNonce, newRequestId, securityHeaders } from "~/server/platform/security-headers";

// Next 16 runs proxy.ts (formerly middleware.ts) on the Node runtime. It serves the SDK routes the
// app uses (AUTH_ROUTES; the SDK's others answer 404), refuses a request carrying several sessions,
// and rolls the session of page requests every few minutes (see dueForRoll), not on each link
// prefetch. Every response it lets through or answers itself gets the security headers and a
// request id. It does not run in front of /api: its round trip through Next's middleware cost an API
// call more CPU than the procedure itself. API routes set the same things themselves
// (beginApiRequest) and roll the session in createContext.
export async function proxy(request: NextRequest) {
  // Before anything reads the request, and so that the page never sees them either.
  forgetLegacyCookies(request);
  const nonce = newNonce();
  const requestId = newRequestId();
  // What the app receives: the caller's headers (a forged x-nonce overwritten) plus ours.
  const forwarded = new Headers(request.headers);
  forwarded.set(NONCE_HEADER, nonce);
  forwarded.set(REQUEST_ID_HEADER, requestId);

  const authResponse = await authenticate(request);
  const response = passesThrough(authResponse) ? withForwardedHeaders(authResponse, forwarded) : authResponse;
  for (const [name, value] of Object.entries(securityHeaders(nonce, request.nextUrl.pathname))) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  for (const cookie of formerCookieClearing(request.headers.get("cookie"))) response.headers.append("set-cookie", cookie);
  return response;
}

/**
 * The SDK routes the app uses: sign-in, its callback, sign-out, the header's profile, and the
 * identity provider's back-channel logout (with the database store: a cookie session cannot be ended
 * from elsewhere, so it answers 404 rather than the SDK's 500). The SDK mounts more (its access-token endpoint, MFA,
 * passwordless, passkeys, the My Account and My Organization proxies under /me/ and /my-org/):
 * none is reached, as the app neither uses nor tests them.
 */
const AUTH_ROUTES = new Set(["/auth/login", "/auth/callback", "/auth/logout", "/auth/profile", ...(sessionStore ? ["/auth/backchannel-logout"] : [])]);

/** Routes that start or finish a sign-in: each costs a point of the caller's sign-in budget. */
const SIGN_IN_ROUTES = new Set(["/auth/login", "/auth/callback"]);

const withoutTrailingSlash = (pathname: string) => (pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname);

/**
 * What the browser behind a proxied request is, for the session store's device list; a session it
 * begins (signing in) or ends (signing out) goes into the person's audit trail.
 */
const deviceOfRequest = (request: NextRequest): DeviceInfo => ({
  userAgent: request.headers.get("user-agent") ?? undefined,
  ip: clientAddress(request.headers.get("x-forwarded-for"), undefined),
  onBegun: (session) => recordSessionMoment(db, "session_signed_in", session),
  onEnded: (session) => recordSessionMoment(db, "session_ended", session),
});

async function authenticate(request: NextRequest): Promise<NextResponse> {
  const pathname = withoutTrailingSlash(request.nextUrl.pathname);
  const sdkRoute = AUTH_ROUTES.has(pathname);
  if (!sdkRoute && (pathname.startsWith("/auth/") || pathname === "/auth")) return new NextResponse(null, { status: 404 });
  // The identity provider's server-to-server call carries no session of anyone.
  if (pathname !== "/auth/backchannel-logout" && carriesSeveralSessions(request.headers.get("cookie"))) return severalSessions(request);
  if (SIGN_IN_ROUTES.has(pathname)) {
    const refused = await signInBudgetRefusal(request);
    if (refused) return refused;
  }
  if (pathname === "/auth/backchannel-logout") return backChannelLogout(request);
  if (sdkRoute) return withDevice(deviceOfRequest(request), () => auth0.middleware(request));
  return rollWhenDue(request);
}

// A logout token is sent the moment the person signs out at the provider: one much older than this
// is a replay (the SDK itself checks neither its type nor its age).
const LOGOUT_TOKEN_MAX_AGE_SECONDS = 5 * 60;

/** Why a logout token is refused before the SDK verifies it: a type or an age it cannot have. */
function logoutTokenProblem(token: string | null): string | null {
  if (!token) return null; // the SDK answers a missing token itself
  try {
    const { typ } = decodeProtectedHeader(token);
    if (typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(typ)) return `typ ${typ} is not logout+jwt`;
    const { iat } = decodeJwt(token);
    if (typeof iat !== "number" || Math.abs(Date.now() / 1000 - iat) > LOGOUT_TOKEN_MAX_AGE_SECONDS) return "issued too long ago, or in the future";
    return null;
  } catch {
    return "not a JWT";
  }
}

const badLogoutToken = (reason: string) => {
  logAuthFailure("invalid_logout_token", { error: reason });
  return new NextResponse("The logout token is not valid.", { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
};

/**
 * The SDK's back-channel logout: it verifies the identity provider's logout token (signature, issuer,
 * audience, claims) and ends the sessions it names in the store. A token that does not verify makes
 * the SDK throw rather than answer: that is the sender's fault, a 400. Anything else (the store
 * failing) is ours: a 500, so that the provider may send it again.
 */
async function backChannelLogout(request: NextRequest): Promise<NextResponse> {
  const problem = logoutTokenProblem(new URLSearchParams(await request.clone().text()).get("logout_token"));
  if (problem) return badLogoutToken(problem);
  try {
    return await auth0.middleware(request);
  } catch (error) {
    if (error instanceof errors.JOSEError) return badLogoutToken(error.message);
    throw error;
  }
}

/** A 401 that signs the browser out: every session cookie it sent is expired. */
function severalSessions(request: NextRequest): NextResponse {
  const response = new NextResponse(
    `<!doctype html><html lang="en"><meta charset="utf-8"><title>Signed out · Showtrack</title><h1>You were signed out</h1><p>Your browser sent more than one Showtrack session at once, so none of them is used. <a href="/auth/login">Sign in again</a>.</p></html>`,
    { status: 401, headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } },
  );
  for (const cookie of sessionCookieClearing(request.headers.get("cookie"))) response.headers.append("set-cookie", cookie);
  return response;
}

/**
 * A session cookie under the name used before the `__Host-` prefix (https only) is read by nobody:
 * it is expired, so that the browser forgets it and the person simply signs in again.
 */
function formerCookieClearing(header: string | null): string[] {
  if (SESSION_COOKIE.name === FORMER_SESSION_COOKIE || !header) return [];
  const former = cookieNames(header).filter((name) => name === FORMER_SESSION_COOKIE || name.startsWith(`${FORMER_SESSION_COOKIE}__`));
  return [...new Set(former)].map(expiredCookie);
}

/**
 * Rolls the session of a page request when due. A page request passes untouched when there is no
 * session, when it was rolled a moment ago, or when its access token is due for a refresh: the
 * handler refreshes it (src/server/platform/session.ts) and writes the new session, and a roll of the
 * old one in the same response could win over it.
 */
async function rollWhenDue(request: NextRequest): Promise<NextResponse> {
  const response = NextResponse.next();
  const session = await auth0.getSession(request);
  if (!session || needsRefresh(session) || !dueForRoll(session)) return response;
  await withDevice(deviceOfRequest(request), () => auth0.updateSession(request, response, rolled(session)));
  response.headers.set("cache-control", "private, no-store");
  return response;
}

/** A 429 when the caller's sign-in budget is spent (password guessing, callback floods); else null. */
async function signInBudgetRefusal(request: NextRequest): Promise<NextResponse | null> {
  try {
    // The proxy sees no socket: without trusted proxies in front (TRUST_PROXY, required in
    // production) an address here would be whatever X-Forwarded-For the caller wrote, so the
    // instance's sign-ins share one budget (a laptop's, or the local provider's production build).
    const address = clientAddress(request.headers.get("x-forwarded-for"), undefined);
    await rateLimiter().consume("signin", address ? addressKey(address) : "instance");
    return null;
  } catch (error) {
    if (!(error instanceof RateLimitExceeded)) throw error;
    return new NextResponse(`Too many sign-in attempts. Please try again in ${error.state.retryAfterSeconds} seconds.`, {
      status: 429,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...rateLimitHeaders(error.state) },
    });
  }
}

// NextResponse.next() marks itself so (Next reads the same header): the SDK did not answer the
// request itself, the page will.
const passesThrough = (response: NextResponse) => response.headers.get("x-middleware-next") === "1";

// The SDK's pass-through carries no request headers of ours: the same response (its rolled session
// cookie and Cache-Control included) on a NextResponse.next() that forwards them.
function withForwardedHeaders(authResponse: NextResponse, headers: Headers): NextResponse {
  const response = NextResponse.next({ request: { headers } });
  for (const [name, value] of authResponse.headers) {
    if (name === "set-cookie") response.headers.append(name, value);
    else response.headers.set(name, value);
  }
  return response;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt|api/).*)"],
};
