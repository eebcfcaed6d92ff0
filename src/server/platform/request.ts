import { isIP } from "node:net";
import type { IncomingMessage } from "node:http";
import { env } from "~/server/platform/env";
import { newRequestId, REQUEST_ID_HEADER } from "~/server/platform/security-headers";

/** What the API needs of the HTTP request behind a call (absent for server-side callers). */
export interface RequestInfo {
  /** The request's id, the server's own (see ensureRequestId). */
  id: string;
  /** The client's address (see clientAddress). */
  ip: string;
  origin?: string;
  secFetchSite?: string;
  /** The caller's User-Agent, as sent (the audit trail names a web session's browser by it). */
  userAgent?: string;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

// Each request's id once given, so that every later reader (context, logs, error messages) sees the same.
const requestIds = new WeakMap<IncomingMessage, string>();

/**
 * The request's id, always the server's own. A page's is the proxy's: the proxy replaces whatever
 * x-request-id the caller sent with its own before the page sees the request (src/proxy.ts). It
 * does not run in front of /api, so there the header is the caller's, never taken: an API route
 * gets a new id.
 */
export function ensureRequestId(req: IncomingMessage): string {
  const known = requestIds.get(req);
  if (known !== undefined) return known;
  const behindProxy = !(req.url ?? "/").startsWith("/api/");
  const fromProxy = behindProxy ? req.headers[REQUEST_ID_HEADER] : undefined;
  const id = typeof fromProxy === "string" && fromProxy !== "" ? fromProxy : newRequestId();
  requestIds.set(req, id);
  return id;
}

/**
 * The client's address as the outermost of TRUST_PROXY trusted proxies saw it: each appends the
 * address it received from to X-Forwarded-For, so it is the TRUST_PROXY-th entry from the end.
 * What comes before those entries is the client's to write, never trusted. Without trusted proxies,
 * `direct` (the socket's address), or undefined where there is none to be had (the proxy).
 */
export function clientAddress(forwardedFor: string | null | undefined, direct: string | undefined): string | undefined {
  const trusted = env.TRUST_PROXY ?? 0;
  if (trusted === 0) return direct;
  const hops = (forwardedFor ?? "").split(",").map((hop) => hop.trim()).filter(Boolean);
  const hop = hops.at(-trusted);
  return (hop && bareAddress(hop)) ?? direct;
}

/**
 * The IP address alone, from what a proxy may write in X-Forwarded-For (`203.0.113.7:51234`,
 * `[2001:db8::1]:443`): a port would make every connection another client (its own rate limit).
 * Null when it is no IP address.
 */
export function bareAddress(address: string): string | null {
  const bare = /^\[([^\]]+)\](?::\d+)?$/.exec(address)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address)?.[1] ?? address;
  return isIP(bare) === 0 ? null : bare;
}

/** The app's own origin (scheme, host and port of APP_BASE_URL). */
export const APP_ORIGIN = new URL(env.APP_BASE_URL).origin;

export function requestInfo(req: IncomingMessage): RequestInfo {
  return {
    id: ensureRequestId(req),
    ip: clientAddress(header(req, "x-forwarded-for"), req.socket?.remoteAddress) ?? "unknown",
    origin: header(req, "origin"),
    secFetchSite: header(req, "sec-fetch-site"),
    userAgent: header(req, "user-agent"),
  };
}

/**
 * Whether a cookie-authenticated write comes from the app's own pages: its Origin is APP_BASE_URL's,
 * or, without an Origin, the browser says it is same-origin (or user-initiated: `none`). A request
 * with neither is not from a browser page of ours either, and is refused.
 */
export function isSameOrigin(request: RequestInfo): boolean {
  if (request.origin !== undefined) return request.origin === APP_ORIGIN;
  return request.secFetchSite === "same-origin" || request.secFetchSite === "none";
}
