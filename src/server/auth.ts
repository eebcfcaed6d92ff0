import type { SessionData } from "@auth0/nextjs-auth0/types";
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { env } from "~/server/env";

/** The API's permissions (Auth0 RBAC); procedures declare which one they need. */
export const API_SCOPES = ["read:shows", "write:shows", "read:billing", "write:billing"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** Who is calling, however they proved it: the session cookie or a bearer access token. */
export interface Auth {
  sub: string;
  scopes: ApiScope[];
  via: "session" | "bearer";
}

const isApiScope = (scope: string): scope is ApiScope => (API_SCOPES as readonly string[]).includes(scope);

/** The issuer exactly as Auth0 (and the local provider) writes it: with a trailing slash. */
export function issuerUrl(domain = env.AUTH0_DOMAIN): string {
  const base = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  return base.endsWith("/") ? base : `${base}/`;
}

// jose caches the keys and refetches them on an unknown `kid`, at most once a minute.
const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", issuerUrl()), {
  cooldownDuration: 60_000,
  cacheMaxAge: 10 * 60_000,
});

/** Auth0 RBAC puts permissions in `permissions`; other tokens carry them in `scope`. */
function scopesFromClaims(claims: JWTPayload): ApiScope[] {
  const permissions = Array.isArray(claims.permissions) ? claims.permissions : [];
  const scope = typeof claims.scope === "string" ? claims.scope.split(" ") : [];
  return [...new Set([...permissions, ...scope].filter((value): value is string => typeof value === "string"))].filter(isApiScope);
}

/** Verifies an access token for this API; throws (any jose error) when it is not acceptable. */
export async function verifyAccessToken(token: string): Promise<Auth> {
  if (!env.AUTH0_AUDIENCE) throw new Error("AUTH0_AUDIENCE is not set: bearer tokens cannot be checked");
  const { payload } = await jwtVerify(token, jwks, {
    issuer: issuerUrl(),
    audience: env.AUTH0_AUDIENCE,
    algorithms: ["RS256"],
    clockTolerance: 10, // seconds of clock skew between us and the issuer
    requiredClaims: ["sub", "exp"],
  });
  return { sub: payload.sub!, scopes: scopesFromClaims(payload), via: "bearer" };
}

/** A cookie session's API scopes: those granted to its access token for the API audience. */
export function authFromSession(session: SessionData): Auth {
  const { scope, audience } = session.tokenSet;
  const forThisApi = !audience || audience === env.AUTH0_AUDIENCE;
  return { sub: session.user.sub, scopes: forThisApi ? (scope ?? "").split(" ").filter(isApiScope) : [], via: "session" };
}

/** `Authorization: Bearer <token>` → the token; a header that says anything else → "malformed". */
export function bearerToken(header: string | undefined): string | "malformed" | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/.exec(header.trim());
  return match ? match[1]! : "malformed";
}
