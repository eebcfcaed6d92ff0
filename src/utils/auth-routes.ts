/**
 * The Auth0 SDK's login route with the page to come back to. One definition for pages, the SSR
 * redirect and the client's "session ended" handler. `returnTo` is a path on this app (the SDK
 * refuses other origins).
 */
export function loginUrl(returnTo: string): string {
  return `/auth/login?returnTo=${encodeURIComponent(returnTo)}`;
}
