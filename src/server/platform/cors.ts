import type { IncomingMessage, ServerResponse } from "node:http";
import { env } from "~/server/platform/env";
import { APP_ORIGIN, type RequestInfo } from "~/server/platform/request";

// Browser apps on other origins (CORS_ALLOWED_ORIGINS) call the API with bearer tokens, never
// cookies: no credentials mode, so no Access-Control-Allow-Credentials, ever. Any other origin
// gets no CORS header, and its browser keeps the response from the page.

/** Request headers a cross-origin caller may send: its token, JSON bodies, and tRPC's own. */
const ALLOWED_HEADERS = "authorization, content-type, trpc-accept, x-request-id";
/** Response headers its script may read: the request id to quote, rate limits, bearer challenges. */
const EXPOSED_HEADERS = "x-request-id, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset, www-authenticate";
/** How long a browser may reuse a preflight's answer (seconds). */
const PREFLIGHT_MAX_AGE = 600;

const originOf = (req: IncomingMessage) => (Array.isArray(req.headers.origin) ? req.headers.origin[0] : req.headers.origin);

function isAllowed(origin: string | undefined, allowed: readonly string[]): origin is string {
  return origin !== undefined && allowed.includes(origin);
}

/**
 * Answers CORS for an API route allowing `methods`: an allowed origin's preflight (OPTIONS) is
 * answered here, and its other requests get `Access-Control-Allow-Origin`. Returns true when the
 * request was a preflight (or any OPTIONS) and has been answered; the handler then stops.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, methods: string, allowed = env.CORS_ALLOWED_ORIGINS): boolean {
  // The answer depends on Origin: caches must not hand one origin's answer to another.
  res.appendHeader("Vary", "Origin");
  const origin = originOf(req);
  if (isAllowed(origin, allowed)) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
  }
  if (req.method !== "OPTIONS") return false;
  if (isAllowed(origin, allowed)) {
    res.setHeader("Access-Control-Allow-Methods", methods);
    res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
    res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE));
  }
  res.setHeader("Allow", `${methods}, OPTIONS`);
  res.statusCode = 204;
  res.end();
  return true;
}

/**
 * A request a page of another origin made (its browser says so in `Origin`). Such a request is
 * never served as the session cookie's user: another origin calls the API with a bearer token.
 */
export function fromAnotherOrigin(request: RequestInfo): boolean {
  return request.origin !== undefined && request.origin !== APP_ORIGIN;
}
