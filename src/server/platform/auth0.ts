import { Auth0Client, filterDefaultIdTokenClaims } from "@auth0/nextjs-auth0/server";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import { issuerUrl } from "~/server/platform/auth";
import { db } from "~/server/platform/db";
import { env } from "~/server/platform/env";
import { logger } from "~/server/platform/logger";
import { createSessionStore } from "~/server/platform/session-store";

const secure = new URL(env.APP_BASE_URL).protocol === "https:";

/**
 * The session cookie's attributes, pinned here rather than left to the SDK's defaults and
 * AUTH0_COOKIE_* variables: src/server/platform/session.ts expires the cookie itself (the SDK cannot delete
 * a session from a Pages Router response) and must name it as it was set. On https the name carries
 * the `__Host-` prefix: browsers then accept it only Secure, with Path=/ and no Domain, so a sibling
 * subdomain cannot plant a session of its own beside ours.
 */
export const SESSION_COOKIE = {
  name: secure ? "__Host-session" : "__session",
  path: "/",
  sameSite: "lax",
  secure,
} as const;

/** The cookie's name before the `__Host-` prefix: the proxy expires such leftovers. */
export const FORMER_SESSION_COOKIE = "__session";

/** The database store of sessions (AUTH0_SESSION_STORE=db), or none: the whole session in the cookie. */
export const sessionStore =
  env.AUTH0_SESSION_STORE === "db"
    ? createSessionStore(db, { inactivitySeconds: env.AUTH0_SESSION_INACTIVITY_DURATION, absoluteSeconds: env.AUTH0_SESSION_ABSOLUTE_DURATION })
    : null;

/**
 * The SDK keeps only a few ID token claims; `auth_time` (when the person last entered their
 * credentials) is kept too, so that deleting an account can ask for a recent sign-in.
 */
function keepAuthTime(session: SessionData): SessionData {
  const { auth_time: authTime } = session.user;
  return { ...session, user: { ...filterDefaultIdTokenClaims(session.user), ...(typeof authTime === "number" && { auth_time: authTime }) } };
}

// The one Auth0 client of the app. Values come from the validated env rather than the SDK's own
// env lookup, so a bad variable fails at boot with its name.
export const auth0 = new Auth0Client({
  domain: env.AUTH0_DOMAIN,
  clientId: env.AUTH0_CLIENT_ID,
  clientSecret: env.AUTH0_CLIENT_SECRET,
  secret: env.AUTH0_SECRET,
  appBaseUrl: env.APP_BASE_URL,
  // v4 does not read audience/scope from env: pass them explicitly.
  authorizationParameters: {
    scope: `openid profile email offline_access ${env.AUTH0_API_SCOPES}`.trim(),
    audience: env.AUTH0_AUDIENCE,
  },
  allowInsecureRequests: env.AUTH0_ALLOW_INSECURE_REQUESTS,
  // A signed-out visitor's header asks /auth/profile: 204 (no user) rather than a 401 that every
  // signed-out page would log as an error in the browser console.
  noContentProfileResponseWhenUnauthenticated: true,
  // The browser never holds the API's access token: pages call the API with the session cookie, and
  // a token handed to page scripts would serve any injected script off-site until it expires.
  enableAccessTokenEndpoint: false,
  beforeSessionSaved: async (session) => keepAuthTime(session),
  ...(sessionStore && { sessionStore }),
  // The sign-in's transaction cookie, which the callback trusts as it trusts the session: on https
  // `__Host-` too, so that a sibling subdomain cannot plant one and sign a person in as someone else.
  transactionCookie: { prefix: secure ? "__Host-txn_" : "__txn_", path: "/", secure },
  // Rolling session: renewed by every request through the proxy, ended by inactivity or age.
  session: {
    rolling: true,
    inactivityDuration: env.AUTH0_SESSION_INACTIVITY_DURATION,
    absoluteDuration: env.AUTH0_SESSION_ABSOLUTE_DURATION,
    // Pinned (SameSite=Lax, Secure on https), not left to the SDK's AUTH0_COOKIE_* env; the SDK makes
    // it HttpOnly always (tests/browser/headers.test.ts checks all three).
    cookie: SESSION_COOKIE,
  },
});

/**
 * Revokes a refresh token at the identity provider (RFC 7009, Auth0's /oauth/revoke), so that no
 * copy of it can mint access tokens any more. Whether it worked: a failure is logged, not thrown.
 */
export async function revokeRefreshToken(token: string): Promise<boolean> {
  try {
    const response = await fetch(new URL("oauth/revoke", issuerUrl()), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token, token_type_hint: "refresh_token", client_id: env.AUTH0_CLIENT_ID, client_secret: env.AUTH0_CLIENT_SECRET }),
      signal: AbortSignal.timeout(5_000),
    });
    if (response.ok) return true;
    logger.warn({ status: response.status }, "refresh token revocation refused");
  } catch (error) {
    logger.warn({ err: error instanceof Error ? error.message : String(error) }, "refresh token revocation failed");
  }
  return false;
}
