import { Auth0Client } from "@auth0/nextjs-auth0/server";
import { env } from "~/server/platform/env";

/**
 * The session cookie's attributes, pinned here rather than left to the SDK's defaults and
 * AUTH0_COOKIE_* variables: src/server/platform/session.ts expires the cookie itself (the SDK cannot delete
 * a session from a Pages Router response) and must name it as it was set. No domain: the app's own.
 */
export const SESSION_COOKIE = {
  name: "__session",
  path: "/",
  sameSite: "lax",
  secure: new URL(env.APP_BASE_URL).protocol === "https:",
} as const;

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
