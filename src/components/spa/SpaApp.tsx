import type { Auth0Client } from "@auth0/auth0-spa-js";
import { useCallback, useEffect, useRef, useState } from "react";
import { formatDate } from "~/utils/format";

// The browser-app model: no server data and no session cookie. The app signs in by itself
// (Authorization Code + PKCE with auth0-spa-js), keeps its tokens, renews them with the refresh
// token, and calls the REST API with `Authorization: Bearer`. Next serves it at /spa; `npm run
// build:spa` builds it as static files for a host of its own (scripts/build-spa.ts).

/** Where the app signs in and which API it calls; all public (no secret in a browser app). */
export interface SpaConfig {
  /** The tenant's domain (example.eu.auth0.com) or http://localhost:4001 for the local provider. */
  domain: string;
  /** The public client (Single Page Application) the app signs in with. */
  clientId: string;
  /** The API identifier the access token is for. */
  audience: string;
  /** The API's origin; "" for the origin the app is served from. */
  apiBaseUrl: string;
  /** The app's own path, which the provider redirects back to (registered there as a redirect URI). */
  path: string;
}

interface FollowedShow {
  createdAt: string;
  show: { id: string; title: string; network: string };
}
type State =
  | { status: "starting" }
  | { status: "signed-out" }
  | { status: "signed-in"; name: string; shows: FollowedShow[] | null; more: boolean; tokenIssuedAt: string }
  | { status: "error"; message: string };

const SCOPE = "openid profile email offline_access read:shows";

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function SpaApp({ config }: { config: SpaConfig }) {
  const client = useRef<Auth0Client | null>(null);
  const [state, setState] = useState<State>({ status: "starting" });
  const { apiBaseUrl, path } = config;

  const loadShows = useCallback(
    async (cacheMode: "on" | "off") => {
      const auth0 = client.current!;
      const token = await auth0.getTokenSilently({ cacheMode }); // "off": a new token via the refresh token
      if (!token) throw new Error("No access token was issued.");
      // The token alone: no cookie goes with the request, on this origin or another.
      const response = await fetch(`${apiBaseUrl}/api/my/shows`, { headers: { authorization: `Bearer ${token}` }, credentials: "omit" }).catch(
        (cause: unknown) => {
          // The browser tells a script no more than this, whether the API is down or refuses this origin (CORS).
          throw new Error(`The API at ${apiBaseUrl || window.location.origin} could not be reached from this page.`, { cause });
        },
      );
      // The first page of the follows (GET /api/my/shows answers a page and the next one's cursor).
      const body = (await response.json()) as { items: FollowedShow[]; nextCursor: string | null } | { error: { message: string } };
      if (!response.ok || "error" in body) throw new Error("error" in body ? body.error.message : `HTTP ${response.status}`);
      const user = await auth0.getUser();
      const issuedAt = new Date(JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))).iat * 1000);
      setState({ status: "signed-in", name: user?.name ?? user?.email ?? "you", shows: body.items, more: body.nextCursor !== null, tokenIssuedAt: issuedAt.toLocaleTimeString() });
    },
    [apiBaseUrl],
  );

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { createAuth0Client } = await import("@auth0/auth0-spa-js");
      const auth0 = await createAuth0Client({
        domain: config.domain,
        clientId: config.clientId,
        authorizationParams: {
          redirect_uri: `${window.location.origin}${path}`,
          scope: SCOPE,
          audience: config.audience,
        },
        useRefreshTokens: true,
        // Survives a reload; a real app weighs this against XSS exposure (memory is the default).
        cacheLocation: "localstorage",
      });
      client.current = auth0;
      const params = new URLSearchParams(window.location.search);
      if (params.has("code") && params.has("state")) {
        await auth0.handleRedirectCallback();
        window.history.replaceState({}, "", path);
      }
      if (cancelled) return;
      if (await auth0.isAuthenticated()) await loadShows("on");
      else setState({ status: "signed-out" });
    })().catch((error: unknown) => !cancelled && setState({ status: "error", message: messageOf(error) }));
    return () => {
      cancelled = true;
    };
  }, [config.domain, config.clientId, config.audience, path, loadShows]);

  const run = (action: () => Promise<unknown>) => action().catch((error: unknown) => setState({ status: "error", message: messageOf(error) }));

  return (
    <section className="panel" id="spa" data-status={state.status} aria-live="polite">
      {state.status === "starting" ? <p className="loading">Starting…</p> : null}
      {state.status === "error" ? <p className="notice">{state.message}</p> : null}
      {state.status === "signed-out" ? (
        <button type="button" className="button" id="spa-login" onClick={() => run(() => client.current!.loginWithRedirect())}>
          Sign in (browser app)
        </button>
      ) : null}
      {state.status === "signed-in" ? (
        <>
          <p>
            Signed in as <strong id="spa-user">{state.name}</strong>. Access token issued at <span id="spa-token-time">{state.tokenIssuedAt}</span>.
          </p>
          {state.shows && state.shows.length > 0 ? (
            <ul id="spa-shows">
              {state.shows.map(({ show, createdAt }) => (
                <li key={show.id}>
                  {show.title} <span className="muted">({show.network}, since {formatDate(createdAt)})</span>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">You follow no show yet.</p>
          )}
          {state.more ? <p className="muted">Your newest follows: the others are on your account page.</p> : null}
          <p className="actions">
            <button type="button" className="button secondary" id="spa-refresh" onClick={() => run(() => loadShows("off"))}>
              Renew the token and reload
            </button>{" "}
            <button
              type="button"
              className="button secondary"
              id="spa-logout"
              onClick={() => run(() => client.current!.logout({ logoutParams: { returnTo: `${window.location.origin}${path}` } }))}
            >
              Sign out (browser app)
            </button>
          </p>
        </>
      ) : null}
    </section>
  );
}
