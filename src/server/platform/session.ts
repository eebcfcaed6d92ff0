import type { IncomingMessage, ServerResponse } from "node:http";
import { AccessTokenError, AccessTokenErrorCode, DiscoveryError } from "@auth0/nextjs-auth0/errors";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { TRPCError } from "@trpc/server";
import { logAuthFailure } from "~/server/platform/auth";
import { auth0, SESSION_COOKIE } from "~/server/platform/auth0";
import { userHash } from "~/server/platform/logger";

// Refresh a little before the token's own expiry: a token about to lapse is not trusted, and a few
// seconds of clock difference with the issuer do not matter.
const EXPIRY_SKEW_SECONDS = 10;

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

/** Expires the session cookie, and the chunks the SDK splits a large one into (`__session__0`, …). */
export function clearSessionCookie(req: IncomingMessage, res: ServerResponse) {
  const names = (req.headers.cookie ?? "").split(";").map((pair) => pair.split("=")[0]!.trim());
  const { name, path, sameSite, secure } = SESSION_COOKIE;
  for (const cookie of names.filter((cookie) => cookie === name || cookie.startsWith(`${name}__`))) {
    res.appendHeader("Set-Cookie", `${cookie}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=${sameSite}${secure ? "; Secure" : ""}`);
  }
}

/**
 * The request's cookie session, honest about its permissions: when its access token has expired,
 * it is first refreshed with the refresh token (the SDK saves the new token set in the response's
 * cookie), so that its scopes are those the issuer grants now, not at sign-in up to 7 days ago.
 * A refused refresh (grant revoked, user blocked, no refresh token) ends the session: null, and
 * the cookie is cleared. An issuer that cannot be reached is a 503, and the cookie is kept.
 */
export async function currentSession(req: IncomingMessage, res: ServerResponse): Promise<SessionData | null> {
  const session = await auth0.getSession(req);
  if (!session || !needsRefresh(session)) return session;
  try {
    const { token, scope, expiresAt } = await auth0.getAccessToken(req, res, { refresh: true });
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
