import type { IncomingMessage } from "node:http";
import { env } from "~/server/env";
import { requestIdOf } from "~/server/security-headers";

/** What the API needs of the HTTP request behind a call (absent for server-side callers). */
export interface RequestInfo {
  /** The x-request-id of the request (a well-formed incoming one, else generated). */
  id: string;
  /** The client's address: the socket's, or X-Forwarded-For's first when TRUST_PROXY is set. */
  ip: string;
  origin?: string;
  secFetchSite?: string;
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * The request's id (the proxy's, a well-formed one of the caller's, else a new one), written back
 * into the request so that every later reader sees the same: the proxy does not run in front of
 * every handler (tests call them directly).
 */
export function ensureRequestId(req: IncomingMessage): string {
  const id = requestIdOf(req.headers);
  req.headers["x-request-id"] = id;
  return id;
}

export function requestInfo(req: IncomingMessage): RequestInfo {
  const forwardedFor = env.TRUST_PROXY ? header(req, "x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  return {
    id: ensureRequestId(req),
    ip: forwardedFor || req.socket?.remoteAddress || "unknown",
    origin: header(req, "origin"),
    secFetchSite: header(req, "sec-fetch-site"),
  };
}

/**
 * Whether a cookie-authenticated write comes from the app's own pages: its Origin is APP_BASE_URL's,
 * or, without an Origin, the browser says it is same-origin (or user-initiated: `none`). A request
 * with neither is not from a browser page of ours either, and is refused.
 */
export function isSameOrigin(request: RequestInfo, appBaseUrl = env.APP_BASE_URL): boolean {
  if (request.origin !== undefined) return request.origin === new URL(appBaseUrl).origin;
  return request.secFetchSite === "same-origin" || request.secFetchSite === "none";
}
