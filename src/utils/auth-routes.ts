/**
 * The Auth0 SDK's login route with the page to come back to. One definition for pages, the SSR
 * redirect and the client's "session ended" handler. `returnTo` is a path on this app (the SDK
 * refuses other origins).
 */
export function loginUrl(returnTo: string, { maxAgeSeconds }: { maxAgeSeconds?: number } = {}): string {
  const maxAge = maxAgeSeconds === undefined ? "" : `max_age=${maxAgeSeconds}&`;
  return `/auth/login?${maxAge}returnTo=${encodeURIComponent(returnTo)}`;
}

/**
 * How recent a sign-in deleting an account needs, in seconds: the server checks the session's
 * `auth_time`; the account page sends the person to sign in again with OIDC `max_age=0`, which makes
 * the identity provider ask for their credentials whatever its own session.
 */
export const RECENT_SIGN_IN_SECONDS = 10 * 60;
