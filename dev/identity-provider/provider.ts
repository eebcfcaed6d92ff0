// A development OpenID provider standing in for an Auth0 tenant: same issuer shape (trailing
// slash), `audience` → RS256 JWT access tokens with API scopes, refresh tokens for offline_access
// (revocable at /oauth/revoke), `auth_time` in every ID token of the app (max_age and prompt=login
// sign in again), RP-initiated logout with back-channel logout tokens to the app, and its own
// pages. Development and tests only.
import fs from "node:fs";
import http from "node:http";
import { decodeJwt, exportJWK, generateKeyPair } from "jose";
import Provider, { errors, type Configuration, type JWKS, type KoaContextWithOIDC } from "oidc-provider";
import { escapeHtml, loginPage, page } from "./pages";
import { TEST_USERS, userDirectory } from "./users";

export interface IdentityProviderOptions {
  issuer: string; // e.g. http://localhost:4001/
  appBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The public client of the browser-only page /spa (auth0-spa-js, code + PKCE, no secret). */
  spaClientId?: string;
  /** Origins of the static build of the browser app (`npm run build:spa`), served at their root: its redirect URIs and CORS. */
  spaOrigins?: string[];
  audience: string;
  apiScopes: string;
  keysFile: string; // generated on first run, then reused so tokens stay verifiable across restarts
  /** Access-token lifetime in seconds (default 3600, Auth0's default); short to see refreshes happen. */
  accessTokenTTL?: number;
  /** Serves the /test-admin/ endpoints (see testAdmin below). Off unless a test or developer asks. */
  testAdmin?: boolean;
  /**
   * The app client's back-channel logout URI, where logout tokens are POSTed; default
   * <appBaseUrl>/auth/backchannel-logout (the SDK's route). For an app that listens elsewhere than
   * appBaseUrl says. With testAdmin, one user's tokens can also be sent elsewhere at run time.
   */
  backchannelLogoutUri?: string;
}

/** A client as oidc-provider 9 has it: with the method its own logout uses, which the types lack. */
type BackchannelClient = InstanceType<Provider["Client"]> & { backchannelLogout(sub: string, sid: string): Promise<void> };

/** What DELETE /test-admin/users/<sub>/sessions answers: the sessions ended, the logout tokens sent. */
export interface EndedSessions {
  sessions: number;
  logout_tokens: { client_id: string; sid: string; error?: string }[];
}

async function loadOrCreateKeys(file: string): Promise<JWKS> {
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as JWKS;
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(privateKey)), kid: "showtrack-dev-rs256", alg: "RS256", use: "sig" }] };
  fs.writeFileSync(file, JSON.stringify(jwks), { mode: 0o600 });
  return jwks as JWKS;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error("form too large");
  }
  return new URLSearchParams(body);
}

function sendHtml(res: http.ServerResponse, status: number, html: string) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

const isHttpUrl = (value: string) => {
  try {
    return ["http:", "https:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

export async function createIdentityProvider(options: IdentityProviderOptions): Promise<http.Server> {
  const app = options.appBaseUrl.replace(/\/$/, "");
  const apiScopes = options.apiScopes.split(" ");
  const accessTokenTTL = options.accessTokenTTL ?? 3600;
  const spaClientId = options.spaClientId ?? "showtrack-spa";
  const spaOrigins = options.spaOrigins ?? [];
  const spaRedirectUris = [`${app}/spa`, ...spaOrigins.map((origin) => `${origin}/`)];
  const backchannelLogoutUri = options.backchannelLogoutUri ?? `${app}/auth/backchannel-logout`;
  // Each user's API permissions as they stand now. Like Auth0 RBAC, every token issued, refreshes
  // included, carries those the user holds at that moment: a permission removed is gone from the
  // next refreshed token.
  const permissions = new Map(TEST_USERS.map((user) => [user.sub, new Set(user.permissions)]));
  const users = userDirectory();
  // The grants each user gave (consent below), so that they can be revoked: a refresh token of a
  // revoked grant is refused, as Auth0 refuses one of a user whose sessions or grants were revoked.
  const grantsOf = new Map<string, Set<string>>();
  // Each user's provider sessions (their uid, which stays while the cookie's id rotates), so that an
  // administrator can end them all; the memory adapter cannot list them.
  const sessionsOf = new Map<string, Set<string>>();
  // Where one user's logout tokens go instead of the client's URI (test-admin): tests running side
  // by side against one provider each point their own user at their own server.
  const logoutUriOf = new Map<string, string>();
  const configuration: Configuration = {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        client_name: "Showtrack",
        redirect_uris: [`${app}/auth/callback`],
        post_logout_redirect_uris: [app, `${app}/`],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post", // what nextjs-auth0 v4 uses
        // OIDC Back-Channel Logout: the app's session store finds sessions by the `sid` of their ID
        // token, which oidc-provider includes only for a client that requires it.
        backchannel_logout_uri: backchannelLogoutUri,
        backchannel_logout_session_required: true,
        // Auth0's ID tokens always carry auth_time; the app checks it before deleting an account.
        require_auth_time: true,
      },
      {
        client_id: spaClientId,
        client_name: "Showtrack (browser app)",
        application_type: "web",
        redirect_uris: spaRedirectUris,
        post_logout_redirect_uris: spaRedirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      },
    ],
    // Auth0's endpoint paths, so that SDKs which do not read discovery (auth0-spa-js) find them.
    routes: {
      authorization: "/authorize",
      token: "/oauth/token",
      jwks: "/.well-known/jwks.json",
      end_session: "/oidc/logout",
      revocation: "/oauth/revoke",
      userinfo: "/userinfo",
    },
    // The browser app calls the token endpoint from the app's origin, or its static build's.
    clientBasedCORS: (_ctx, origin, client) => origin === new URL(app).origin || (client.clientId === spaClientId && spaOrigins.includes(origin)),
    // Auth0 RBAC: the API permissions granted to the token, as a claim of their own.
    async extraTokenClaims(_ctx, token) {
      if (!("scope" in token) || typeof token.scope !== "string") return undefined;
      return { permissions: token.scope.split(" ").filter((scope) => apiScopes.includes(scope)) };
    },
    // The only requests this provider makes are its logout tokens, to the app's URI configured
    // above, which is on this machine: oidc-provider's guard against private and loopback
    // addresses (the `dispatcher` it passes) would refuse exactly those.
    async fetch(input, init) {
      const { dispatcher: _dispatcher, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      const url = input instanceof Request ? input.url : String(input);
      return fetch(logoutTokenTarget(url, rest.body), rest);
    },
    jwks: await loadOrCreateKeys(options.keysFile),
    cookies: { keys: ["showtrack-dev-provider-cookie-key"] },
    pkce: { required: () => true },
    scopes: ["openid", "profile", "email", "offline_access"],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "nickname", "picture", "updated_at"] },
    // Auth0 puts the profile and email claims in the ID token of the code flow.
    conformIdTokenClaims: false,
    extraParams: ["audience"],
    async findAccount(_ctx, sub) {
      const user = users.find(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { sub, email: user.email, email_verified: true, name: user.name, nickname: user.nickname };
        },
      };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false }, // its stock pages load web fonts; ours load nothing
      revocation: { enabled: true }, // the SDK revokes the refresh token at logout
      // Logout tokens to the app client (backchannel_logout_uri above) at every sign-out here.
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        // Auth0 signs out without asking; submit the confirmation form at once.
        async logoutSource(ctx: KoaContextWithOIDC, form: string) {
          ctx.body = page(
            "Signing out…",
            `${form}<p>Signing out…</p><script>var f=document.getElementById("op.logoutForm");var i=document.createElement("input");i.type="hidden";i.name="logout";i.value="yes";f.appendChild(i);f.submit();</script>`,
          );
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          ctx.body = page("Signed out", `<h1>Signed out</h1><p><a href="${escapeHtml(app)}">Back to Showtrack</a></p>`);
        },
      },
      resourceIndicators: {
        enabled: true,
        // Auth0's `audience` parameter plays the part of the RFC 8707 resource indicator.
        async defaultResource(ctx, _client, oneOf) {
          if (oneOf) return oneOf;
          const audience = ctx.oidc.params?.audience;
          return typeof audience === "string" ? audience : "";
        },
        async useGrantedResource() {
          return true;
        },
        async getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator !== options.audience) throw new errors.InvalidTarget();
          // At the token endpoint the account is known: offer only the permissions it holds now.
          const accountId = ctx.oidc.account?.accountId;
          const held = accountId ? apiScopes.filter((scope) => permissions.get(accountId)?.has(scope)) : apiScopes;
          return {
            scope: held.join(" "),
            audience: options.audience,
            accessTokenTTL,
            accessTokenFormat: "jwt",
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    ttl: { AccessToken: accessTokenTTL, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 86_400, Grant: 86_400, RefreshToken: 86_400 },
    async renderError(ctx, out) {
      ctx.type = "html";
      ctx.body = page("Sign-in error", `<h1>Sign-in error</h1><p class="error">${escapeHtml(out.error_description ?? out.error)}</p>`);
    },
  };

  const provider = new Provider(options.issuer, configuration);
  provider.on("server_error", (_ctx, error) => console.error("[idp] server error", error));
  provider.on("authorization.success", (ctx) => {
    const { session } = ctx.oidc;
    if (session?.accountId) sessionsOf.set(session.accountId, (sessionsOf.get(session.accountId) ?? new Set()).add(session.uid));
  });
  // A sign-out here goes on when the app does not take its logout token, as at Auth0: one line.
  provider.on("backchannel.error", (_ctx, error, client, accountId) =>
    console.warn(`[idp] The logout token of ${accountId} for ${client.clientId} was not taken: ${error.message}`),
  );

  /** Where a logout token goes: the URI set for its user (test-admin) if any, else the client's. */
  function logoutTokenTarget(url: string, body: RequestInit["body"]): string {
    const logoutToken = body instanceof URLSearchParams ? body.get("logout_token") : null;
    const sub = logoutToken ? decodeJwt(logoutToken).sub : undefined;
    return (sub && logoutUriOf.get(sub)) || url;
  }

  /**
   * Ends every provider session of `sub`, then sends each client that has a back-channel logout URI
   * its logout token for the session, as Auth0 does when an administrator revokes a user's sessions.
   * Ended first, so that an app answering the token with a new sign-in finds no session to reuse.
   * Refresh tokens (offline_access) are not tied to a session here and outlive this; /grants
   * revokes them.
   */
  async function endSessions(sub: string): Promise<EndedSessions> {
    const ended: EndedSessions = { sessions: 0, logout_tokens: [] };
    for (const uid of sessionsOf.get(sub) ?? []) {
      const session = await provider.Session.findByUid(uid);
      if (session?.accountId !== sub) continue;
      await session.destroy();
      ended.sessions++;
      for (const clientId of Object.keys(session.authorizations ?? {})) {
        const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
        const sid = session.sidFor(clientId);
        if (!client?.backchannelLogoutUri || !sid) continue;
        const error = await client.backchannelLogout(sub, sid).then(
          () => undefined,
          (failure: unknown) => (failure instanceof Error ? failure.message : String(failure)),
        );
        ended.logout_tokens.push({ client_id: clientId, sid, ...(error && { error }) });
      }
    }
    sessionsOf.delete(sub);
    return ended;
  }

  async function interaction(req: http.IncomingMessage, res: http.ServerResponse, uid: string) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) return sendHtml(res, 400, page("Expired", "<p>This sign-in page expired. Start again from Showtrack.</p>"));

    if (details.prompt.name === "login") {
      if (req.method !== "POST") return sendHtml(res, 200, loginPage({ uid }));
      const form = await readForm(req);
      const picked = form.get("sub");
      if (form.get("signup") === "yes") {
        // A new account, with the permissions of the tenant's default role.
        const created = users.signUp(form.get("email") ?? "", form.get("name") ?? "");
        if (!created) return sendHtml(res, 409, loginPage({ uid, error: "That email already has an account: sign in.", email: form.get("email") ?? "" }));
        permissions.set(created.sub, new Set(created.permissions));
        return provider.interactionFinished(req, res, { login: { accountId: created.sub } }, { mergeWithLastSubmission: false });
      }
      const user = picked ? users.find(picked) : users.checkPassword(form.get("email") ?? "", form.get("password") ?? "");
      if (!user) {
        return sendHtml(res, 401, loginPage({ uid, error: "Wrong email or password.", email: form.get("email") ?? "" }));
      }
      return provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
    }

    if (details.prompt.name === "consent") {
      // First-party app: consent is granted without asking, as Auth0 does for its own applications.
      const { prompt, params, session, grantId } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
      if (!grant) throw new Error("grant not found");
      const missing = prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      // Like Auth0 RBAC: the API scopes granted are those asked for that the user holds; the
      // others are rejected (not left missing, which would ask for consent again and again).
      const accountId = String(session?.accountId);
      const holds = (scope: string) => permissions.get(accountId)?.has(scope) ?? false;
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        const held = scopes.filter(holds);
        const refused = scopes.filter((scope) => !holds(scope));
        if (held.length > 0) grant.addResourceScope(indicator, held.join(" "));
        if (refused.length > 0) grant.rejectResourceScope(indicator, refused.join(" "));
      }
      await grant.save();
      grantsOf.set(accountId, (grantsOf.get(accountId) ?? new Set()).add(grant.jti));
      return provider.interactionFinished(req, res, { consent: { grantId: grant.jti } }, { mergeWithLastSubmission: true });
    }
    sendHtml(res, 400, page("Unsupported", `<p>Unsupported prompt ${escapeHtml(details.prompt.name)}.</p>`));
  }

  // What an Auth0 administrator does to a user, for tests (tests/sessions.test.ts) and for trying
  // the app's reaction by hand; served only with `testAdmin`:
  //   DELETE /test-admin/users/<sub>/permissions/<permission>  takes a permission away
  //   PUT    /test-admin/users/<sub>/permissions/<permission>  gives it back
  //   DELETE /test-admin/users/<sub>/grants                    revokes the user's grants, so their refresh tokens
  //   DELETE /test-admin/users/<sub>/sessions                  ends the user's sessions here and sends the
  //          logout tokens; answers JSON: { sessions, logout_tokens: [{ client_id, sid, error? }] }
  //   PUT    /test-admin/users/<sub>/backchannel-logout-uri   (form: uri=…) sends the user's logout tokens there
  //   DELETE /test-admin/users/<sub>/backchannel-logout-uri   back to the client's backchannel_logout_uri
  async function testAdmin(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    const match = /^\/test-admin\/users\/([^/]+)\/(?:permissions\/([^/]+)|(grants|sessions|backchannel-logout-uri))$/.exec(pathname);
    const sub = match ? decodeURIComponent(match[1]!) : "";
    const held = permissions.get(sub);
    if (!match || !held) return void res.writeHead(404).end();
    const [, , permission, what] = match;
    if (permission && req.method === "DELETE") held.delete(decodeURIComponent(permission));
    else if (permission && req.method === "PUT") held.add(decodeURIComponent(permission));
    else if (what === "grants" && req.method === "DELETE") {
      for (const grantId of grantsOf.get(sub) ?? []) await (await provider.Grant.find(grantId))?.destroy();
      grantsOf.delete(sub);
    } else if (what === "sessions" && req.method === "DELETE") {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
      return void res.end(JSON.stringify(await endSessions(sub)));
    } else if (what === "backchannel-logout-uri" && req.method === "PUT") {
      const uri = (await readForm(req)).get("uri") ?? "";
      if (!isHttpUrl(uri)) return void res.writeHead(400, { "content-type": "text/plain" }).end("uri=<an http(s) URL> expected");
      logoutUriOf.set(sub, uri);
    } else if (what === "backchannel-logout-uri" && req.method === "DELETE") logoutUriOf.delete(sub);
    else return void res.writeHead(405).end();
    res.writeHead(204).end();
  }

  const handle = provider.callback();
  return http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", options.issuer);
    if (options.testAdmin && url.pathname.startsWith("/test-admin/")) {
      testAdmin(req, res, url.pathname).catch((error: unknown) => {
        console.error("[idp] test-admin failed", error);
        if (!res.headersSent) res.writeHead(500).end();
      });
      return;
    }
    const match = /^\/interaction\/([^/]+)$/.exec(url.pathname);
    if (match) {
      interaction(req, res, match[1]!).catch((error: unknown) => {
        console.error("[idp] interaction failed", error);
        if (!res.headersSent) sendHtml(res, 400, page("Sign-in error", "<p>Sign-in failed. Start again from Showtrack.</p>"));
      });
      return;
    }
    // Auth0's legacy logout URL (auth0-spa-js uses it) → RP-initiated logout.
    if (url.pathname === "/v2/logout") {
      const target = new URL("/oidc/logout", options.issuer);
      target.searchParams.set("client_id", url.searchParams.get("client_id") ?? "");
      const returnTo = url.searchParams.get("returnTo");
      if (returnTo) target.searchParams.set("post_logout_redirect_uri", returnTo);
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (req.method === "GET" && url.pathname === "/authorize") {
      const prompts = new Set((url.searchParams.get("prompt") ?? "").split(" ").filter(Boolean));
      const before = prompts.size;
      // Auth0 issues a refresh token whenever offline_access is asked for; oidc-provider only with
      // prompt=consent (OIDC Core 11). Add it; consent is then granted without a page (above).
      if (!prompts.has("none") && (url.searchParams.get("scope") ?? "").split(" ").includes("offline_access")) prompts.add("consent");
      // max_age=0 asks for a sign-in now, as at Auth0. oidc-provider compares whole seconds
      // (now - auth_time > max_age), which a session signed in within the same second passes.
      if (!prompts.has("none") && url.searchParams.get("max_age") === "0") prompts.add("login");
      if (prompts.size !== before) {
        url.searchParams.set("prompt", [...prompts].join(" "));
        req.url = url.pathname + url.search;
      }
    }
    handle(req, res);
  });
}
