import type { IncomingMessage } from "node:http";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { auth0 } from "~/server/auth0";
import { authFromSession, bearerToken, verifyAccessToken, type Auth } from "~/server/auth";
import { db as defaultDb, type Db } from "~/server/db";
import type { RateLimitState } from "~/server/rate-limit";
import { requestInfo, type RequestInfo } from "~/server/request";

export interface InnerContextOptions {
  session?: SessionData | null;
  /** Defaults to the session's; set for bearer callers. */
  auth?: Auth | null;
  /** Credentials were presented but are not valid: every procedure refuses the request. */
  authError?: string | null;
  db?: Db;
  /** The HTTP request behind the call; none for server-side callers (tests, scripts). */
  request?: RequestInfo | null;
}

/** What procedures see. Tests and SSR helpers build it directly, without an HTTP request. */
export function createInnerContext({ session = null, auth, authError = null, db = defaultDb, request = null }: InnerContextOptions) {
  // The rate limiter's last verdict for this request, for its response headers.
  const rateLimit: { state?: RateLimitState } = {};
  return { session, auth: auth ?? (session ? authFromSession(session) : null), authError, db, request, rateLimit };
}

export type Context = ReturnType<typeof createInnerContext>;

/**
 * Per HTTP request (API handler, REST routes, getServerSideProps). A bearer token, when present,
 * decides alone: a bad one is refused even if a good session cookie rides along.
 */
export async function createContext({ req }: { req: IncomingMessage }): Promise<Context> {
  const request = requestInfo(req);
  const token = bearerToken(req.headers.authorization);
  if (token === "malformed") return createInnerContext({ request, authError: "The Authorization header is not a bearer token." });
  if (token) {
    try {
      return createInnerContext({ request, auth: await verifyAccessToken(token) });
    } catch {
      return createInnerContext({ request, authError: "The access token is invalid or expired." });
    }
  }
  return createInnerContext({ request, session: await auth0.getSession(req) });
}
