import { NextResponse, type NextRequest } from "next/server";
import { auth0 } from "~/server/platform/auth0";
import { RateLimitExceeded, rateLimiter, rateLimitHeaders } from "~/server/platform/rate-limit";
import { clientAddress } from "~/server/platform/request";
import { dueForRoll, needsRefresh, readSession } from "~/server/platform/session";
import { NONCE_HEADER, REQUEST_ID_HEADER, newNonce, requestIdOf, securityHeaders } from "~/server/platform/security-headers";

// Next 16 runs proxy.ts (formerly middleware.ts) on the Node runtime. It mounts /auth/login,
// /auth/callback, /auth/logout, /auth/profile and /auth/access-token, and rolls the session
// cookie of page requests every few minutes (see dueForRoll), not on each link prefetch.
// Every response it lets through or answers itself gets the security headers and a request id.
// It does not run in front of /api: its round trip through Next's middleware cost an API call
// more CPU than the procedure itself (issue 9). API routes set the same things themselves
// (beginApiRequest) and roll the session in createContext.
export async function proxy(request: NextRequest) {
  const nonce = newNonce();
  const requestId = requestIdOf(request.headers);
  // What the app receives: the caller's headers (a forged x-nonce overwritten) plus ours.
  const forwarded = new Headers(request.headers);
  forwarded.set(NONCE_HEADER, nonce);
  forwarded.set(REQUEST_ID_HEADER, requestId);

  const refused = await signInBudgetRefusal(request);
  const authResponse = refused ?? (await rollWhenDue(request));
  const response = passesThrough(authResponse) ? withForwardedHeaders(authResponse, forwarded) : authResponse;
  for (const [name, value] of Object.entries(securityHeaders(nonce, request.nextUrl.pathname))) response.headers.set(name, value);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

/**
 * The SDK's middleware: its /auth/ routes, and elsewhere it rolls the session cookie. A page
 * request passes untouched when there is no session, when its cookie was rolled a moment ago, or
 * when its access token is due for a refresh: the handler refreshes it (src/server/platform/session.ts)
 * and writes the new session, and a roll of the old one in the same response could win over it.
 * The session read here is cached, so the handler's read of the same cookie decrypts nothing.
 */
async function rollWhenDue(request: NextRequest): Promise<NextResponse> {
  if (!request.nextUrl.pathname.startsWith("/auth/")) {
    const read = await readSession(request);
    if (!read || needsRefresh(read.session) || !dueForRoll(read)) return NextResponse.next();
  }
  return auth0.middleware(request);
}

/** Routes that start or finish a sign-in: each costs a point of the caller's IP's sign-in budget. */
const SIGN_IN_ROUTES = new Set(["/auth/login", "/auth/callback"]);

/** A 429 when the caller's sign-in budget is spent (password guessing, callback floods); else null. */
async function signInBudgetRefusal(request: NextRequest): Promise<NextResponse | null> {
  if (!SIGN_IN_ROUTES.has(request.nextUrl.pathname)) return null;
  try {
    // The proxy sees no socket: without trusted proxies in front (TRUST_PROXY) an address here would
    // be whatever X-Forwarded-For the caller wrote, so the instance's sign-ins share one budget.
    const address = clientAddress(request.headers.get("x-forwarded-for"), undefined);
    await rateLimiter().consume("signin", address ? `ip:${address}` : "instance");
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
  matcher: [
    "/((?!_next/static|_next/image|favicon.ico|robots.txt|api/).*)",
    // The benchmark's yardstick of what the proxy costs a route (served only by SHOWTRACK_BENCH=1 builds).
    "/api/bench/proxied/:path*",
  ],
};
