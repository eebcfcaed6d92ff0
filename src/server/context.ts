import type { IncomingMessage, ServerResponse } from "node:http";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { TRPCError } from "@trpc/server";
import { authFromSession, bearerFailure, bearerToken, logAuthFailure, verifyAccessToken, type Auth } from "~/server/platform/auth";
import { checkToken, isPersonalToken } from "~/server/domain/api-tokens";
import { createPaymentProvider } from "~/server/domain/payment-provider";
import type { PaymentProvider } from "~/server/domain/payments";
import { db as defaultDb, type Db } from "~/server/platform/db";
import { env } from "~/server/platform/env";
import { toTRPCError } from "~/server/errors";
import type { RateLimitState } from "~/server/platform/rate-limit";
import { requestInfo, type RequestInfo } from "~/server/platform/request";
import { clearSessionCookie, currentSession, SessionRefused } from "~/server/platform/session";

export interface InnerContextOptions {
  session?: SessionData | null;
  /** Defaults to the session's; set for bearer callers. */
  auth?: Auth | null;
  /** Credentials were presented but are not valid: every procedure refuses the request (401). */
  authError?: string | null;
  /**
   * Credentials are valid but may not be used now (a personal token on a plan without API access,
   * or whose person has not signed in for too long): 403.
   */
  authForbidden?: string | null;
  db?: Db;
  /** The HTTP request behind the call; none for server-side callers (tests, scripts). */
  request?: RequestInfo | null;
  /** Ends the cookie session in the response (me.delete); none for server-side callers. */
  endSession?: (() => void) | null;
  /** Where cards are kept and charged (default: this deployment's provider); tests hand in their own. */
  payments?: PaymentProvider;
}

const configuredPayments = createPaymentProvider();

/** What procedures see. Tests and SSR helpers build it directly, without an HTTP request. */
export function createInnerContext({ session = null, auth, authError = null, authForbidden = null, db = defaultDb, request = null, endSession = null, payments = configuredPayments }: InnerContextOptions) {
  // The rate limiter's last verdict for this request, for its response headers.
  const rateLimit: { state?: RateLimitState } = {};
  return { session, auth: auth ?? (session ? authFromSession(session) : null), authError, authForbidden, db, request, rateLimit, endSession, payments };
}

export type Context = ReturnType<typeof createInnerContext>;

async function bearerContext(token: string, request: RequestInfo): Promise<Context> {
  try {
    return createInnerContext({ request, auth: await verifyAccessToken(token) });
  } catch (error) {
    const reason = bearerFailure(error);
    logAuthFailure(reason, { requestId: request.id, error: error instanceof Error ? error.message : String(error) });
    // Keys we cannot fetch say nothing about the token: a 503 to retry, not a 401 to sign in again.
    if (reason === "jwks_unreachable") {
      throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: "Access tokens cannot be checked right now. Please try again shortly.", cause: error });
    }
    return createInnerContext({ request, authError: "The access token is invalid or expired." });
  }
}

/**
 * A personal access token: looked up by its hash in the database at every request. Its person's
 * permissions count for as long as a session may last without signing in again.
 */
async function personalTokenContext(token: string, request: RequestInfo): Promise<Context> {
  const checked = await checkToken(defaultDb, token, { permissionsMaxAgeSeconds: env.AUTH0_SESSION_ABSOLUTE_DURATION });
  if (checked.ok) return createInnerContext({ request, auth: { sub: checked.sub, scopes: checked.scopes, via: "token", token: checked.token } });
  logAuthFailure(checked.reason, { requestId: request.id });
  return checked.reason === "plan_without_api_access" || checked.reason === "permissions_unconfirmed"
    ? createInnerContext({ request, authForbidden: checked.message })
    : createInnerContext({ request, authError: checked.message });
}

/**
 * Per HTTP request (API handler, REST routes, getServerSideProps); `res` carries a refreshed, rolled
 * or cleared session cookie back. `rollSession`: API routes roll the cookie session themselves (the
 * proxy, which rolls it for pages, does not run in front of them). A bearer token, when present,
 * decides alone: a bad one is refused even if a good session cookie rides along. Throws
 * SERVICE_UNAVAILABLE when the issuer is needed and cannot be reached.
 */
export async function createContext({ req, res, rollSession = false }: { req: IncomingMessage; res: ServerResponse; rollSession?: boolean }): Promise<Context> {
  const request = requestInfo(req);
  const token = bearerToken(req.headers.authorization);
  if (token === "malformed") {
    const authError = "The Authorization header is not a bearer token.";
    logAuthFailure("malformed", { requestId: request.id, error: authError });
    return createInnerContext({ request, authError });
  }
  if (token) return isPersonalToken(token) ? personalTokenContext(token, request) : bearerContext(token, request);
  try {
    return createInnerContext({ request, session: await currentSession(req, res, { roll: rollSession }), endSession: () => clearSessionCookie(req, res) });
  } catch (error) {
    // The issuer out of reach, a spent refresh budget: their tRPC codes, for every face alike.
    if (!(error instanceof SessionRefused)) throw toTRPCError(error);
    logAuthFailure("several_sessions", { requestId: request.id, error: error.message });
    return createInnerContext({ request, authError: error.message });
  }
}
