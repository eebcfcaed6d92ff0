import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { issuerUrl } from "~/server/platform/auth";
import { env } from "~/server/platform/env";
import { FIXED_SECURITY_HEADERS } from "~/server/platform/fixed-headers";

// The headers every response of the app carries: pages and /auth routes get them from src/proxy.ts;
// API responses get the fixed ones from next.config.ts (src/server/platform/fixed-headers.ts) and the
// rest from beginApiRequest (the proxy does not run in front of /api).

/** Request header through which the proxy hands the page's CSP nonce to `_document`. */
export const NONCE_HEADER = "x-nonce";
/** Response header naming one request, for logs on both sides; the proxy hands a page its id in it too. */
export const REQUEST_ID_HEADER = "x-request-id";

const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;
const identityProvider = new URL(issuerUrl()).origin;
const https = new URL(env.APP_BASE_URL).protocol === "https:";
const development = env.NODE_ENV === "development";

/**
 * A request's id is always the server's own. Logs, error messages and audit rows rely on it to tell
 * one request from another; an id the caller chose could repeat another request's on purpose, or
 * pin a request on someone else's trail.
 */
export const newRequestId = (): string => randomUUID();

/**
 * The `x-request-id` the caller sent (a client's, a load balancer's) when it is well-formed: logged
 * beside the request's own id so that the two sides' logs can be matched, never used as that id.
 * Reads a NextRequest's headers (the proxy) and Node's (API handlers).
 */
export function clientRequestIdOf(headers: Headers | IncomingHttpHeaders): string | undefined {
  const incoming = headers instanceof Headers ? headers.get(REQUEST_ID_HEADER) : headers[REQUEST_ID_HEADER];
  return typeof incoming === "string" && WELL_FORMED_REQUEST_ID.test(incoming) ? incoming : undefined;
}

/** A fresh nonce for one response: 128 random bits. */
export const newNonce = () => randomBytes(16).toString("base64");

export function contentSecurityPolicy(nonce: string, pathname: string): string {
  const directives = [
    "default-src 'self'",
    // Next's own scripts carry the nonce (src/pages/_document.tsx); 'strict-dynamic' extends the
    // trust to the chunks they load, and makes CSP 3 browsers ignore 'self', a CSP 2 fallback.
    // next dev evaluates code for its error stacks and hot reload.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    // Stylesheets are files; next dev injects <style> elements (its error overlay).
    `style-src 'self'${development ? " 'unsafe-inline'" : ""}`,
    // The browser app (/spa) is an OAuth client of its own: it must POST to the identity
    // provider's /oauth/token from the browser. No other page talks to another origin. A client-side
    // navigation keeps the policy of the page it started from, so /spa is only linked with a plain <a>.
    `connect-src 'self'${pathname === "/spa" ? ` ${identityProvider}` : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    // The app's forms stay on it; sign-in and sign-out leave through redirects, not form posts.
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

// Only a deployment served over https may pin browsers to it.
const HSTS: Record<string, string> = https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {};

/** The security headers of one page or /auth response at `pathname`. */
export function securityHeaders(nonce: string, pathname: string): Record<string, string> {
  return { "Content-Security-Policy": contentSecurityPolicy(nonce, pathname), ...FIXED_SECURITY_HEADERS, ...HSTS };
}

/**
 * What an API route adds to the fixed API headers (next.config.ts sets those on every /api response):
 * HSTS on https.
 */
export const API_RUNTIME_HEADERS: Readonly<Record<string, string>> = HSTS;
