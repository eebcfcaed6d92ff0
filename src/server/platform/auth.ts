import type { SessionData } from "@auth0/nextjs-auth0/types";
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload } from "jose";
import { env } from "~/server/platform/env";
import { logger } from "~/server/platform/logger";
import { isApiScope, type ApiScope } from "~/utils/scopes";


/**
 * Who is calling, however they proved it: the session cookie, an access token of the issuer's
 * (`bearer`, with the client it was issued to), or a personal access token of the app's own
 * (`token`, src/server/domain/api-tokens.ts). `issuedAt`: when the issuer issued the access token
 * the scopes come from (its `iat`), which orders what different tokens say of one person.
 */
export type Auth = { sub: string; scopes: ApiScope[] } & (
  | { via: "session"; issuedAt: Date | null }
  | { via: "bearer"; clientId: string; issuedAt: Date | null }
  | { via: "token"; token: { id: string; name: string } }
);

/** The issuer exactly as Auth0 (and the local provider) writes it: with a trailing slash. */
export function issuerUrl(domain = env.AUTH0_DOMAIN): string {
  const base = /^https?:\/\//.test(domain) ? domain : `https://${domain}`;
  return base.endsWith("/") ? base : `${base}/`;
}

/** Seconds of clock skew allowed between us and the issuer. */
const CLOCK_TOLERANCE_SECONDS = 10;

// jose caches the keys and refetches them on an unknown `kid`, at most once a minute.
const jwks = createRemoteJWKSet(new URL(".well-known/jwks.json", issuerUrl()), {
  cooldownDuration: 60_000,
  cacheMaxAge: 10 * 60_000,
});

/** The issuer's keys could not be had (unreachable, timed out, not a JWKS): no verdict on the token. */
class JwksUnavailableError extends Error {}

async function signingKey(header: JWSHeaderParameters, token: FlattenedJWSInput) {
  try {
    return await jwks(header, token);
  } catch (error) {
    // No key for the token's `kid` is the token's fault; anything else is fetching the keys.
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
    throw new JwksUnavailableError("The issuer's JWKS could not be fetched", { cause: error });
  }
}

const apiScopesOf = (values: unknown[]): ApiScope[] => [...new Set(values.filter((value): value is string => typeof value === "string"))].filter(isApiScope);

/**
 * The API permissions a token grants. A person's come from `permissions` alone: Auth0 RBAC writes
 * there what their roles hold, while `scope` holds whatever the sign-in asked for on a tenant
 * without RBAC (the app asks for all four). A machine client's `scope` is the client grant an
 * administrator gave it in the tenant (no one asks for it at run time), so it counts for the
 * allow-listed machine clients only.
 */
function permissionsFromClaims(claims: JWTPayload, { scopeIsGranted = false } = {}): ApiScope[] {
  const permissions = Array.isArray(claims.permissions) ? claims.permissions : [];
  const scope = scopeIsGranted && typeof claims.scope === "string" ? claims.scope.split(" ") : [];
  return apiScopesOf([...permissions, ...scope]);
}

/** A token that verified but that this API does not take, and why (see `bearerFailure`). */
class TokenRefusedError extends Error {
  constructor(
    readonly reason: "wrong_token_type" | "unknown_client" | "invalid_claims",
    message: string,
  ) {
    super(message);
  }
}

/**
 * An issuer signs ID tokens (and others) with the key it signs access tokens with: the declared
 * media type tells them apart (RFC 9068 §2.1, RFC 8725 §3.11). A token without `typ` declares
 * nothing and is judged by its claims alone; one that declares a type must declare an access token's.
 */
function checkTokenType(typ: unknown) {
  if (typ === undefined) return;
  // Media types are case-insensitive, and a JOSE `typ` may leave out the "application/" prefix (RFC 7515 §4.1.9).
  const type = typeof typ === "string" ? typ.toLowerCase().replace(/^application\//, "") : undefined;
  if (type !== "at+jwt") throw new TokenRefusedError("wrong_token_type", `the token's type is ${JSON.stringify(typ)}, not an access token's (at+jwt)`);
}

// The clients whose tokens may call the API: the app itself, the browser app, and the machine
// clients named in AUTH0_M2M_CLIENT_IDS. The tenant issues tokens for this audience to any client
// granted the API; that grant alone is not this deployment's consent.
const allowedClients = new Set([env.AUTH0_CLIENT_ID, env.AUTH0_SPA_CLIENT_ID, ...env.AUTH0_M2M_CLIENT_IDS]);

/**
 * The client the token was issued to must be one of `allowedClients`. Auth0 names it in `azp`,
 * RFC 9068 (and the local provider) in `client_id`; when both are there, both must be allowed, so a
 * token cannot pass on the claim this check happens to read. A token naming no client is refused:
 * every access token Auth0 or the local provider issues names one, and a client that goes unnamed
 * cannot be one this deployment allowed.
 */
function checkClient(claims: JWTPayload): string[] {
  const named = [claims.azp, claims.client_id].filter((value) => value !== undefined);
  if (!named.every((value) => typeof value === "string")) throw new TokenRefusedError("invalid_claims", "the token's azp or client_id is not a string");
  if (named.length === 0) throw new TokenRefusedError("unknown_client", "the token names no client (neither azp nor client_id)");
  const unknown = named.find((client) => !allowedClients.has(client));
  if (unknown !== undefined) throw new TokenRefusedError("unknown_client", `the token was issued to client ${JSON.stringify(unknown)}, which may not call this API`);
  return named as string[];
}

const machineClients = new Set(env.AUTH0_M2M_CLIENT_IDS);

/**
 * Verifies an access token for this API; throws when it is not acceptable (a jose error or a
 * `TokenRefusedError`, see `bearerFailure`) or cannot be checked now (`JwksUnavailableError`).
 */
export async function verifyAccessToken(token: string): Promise<Auth> {
  const { payload, protectedHeader } = await jwtVerify(token, signingKey, {
    issuer: issuerUrl(),
    audience: env.AUTH0_AUDIENCE,
    algorithms: ["RS256"],
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["sub", "exp"],
  });
  checkTokenType(protectedHeader.typ);
  const clients = checkClient(payload);
  // A machine client's scope is the grant an administrator gave it: only for its own client-credentials
  // tokens (sub "<client>@clients"), never a person's token that such a client happened to obtain.
  const machine = clients.every((client) => machineClients.has(client)) && payload.sub === `${clients[0]}@clients`;
  const scopes = permissionsFromClaims(payload, { scopeIsGranted: machine });
  return { sub: payload.sub!, scopes, via: "bearer", clientId: clients[0]!, issuedAt: issuedAtOf(payload) };
}

/**
 * A cookie session's API permissions: those of its access token for the API audience, read from the
 * same `permissions` claim as a bearer token's. The SDK took that token from the issuer's token
 * endpoint itself (TLS, client authentication) and keeps it encrypted in the session, so its claims
 * are read without a signature check. Trusted only while it is unexpired:
 * src/server/platform/session.ts refreshes it first when it is not. A token that is not a JWT grants
 * nothing.
 */
export function authFromSession(session: SessionData): Auth {
  const claims = decodedClaims(session.tokenSet.accessToken);
  // For this API by what the token itself says: the audience the sign-in asked for may be empty, and
  // the issuer's default API's token carries permissions of its own.
  const audiences = [claims.aud ?? []].flat();
  const forThisApi = audiences.includes(env.AUTH0_AUDIENCE) && claims.iss === issuerUrl();
  return { sub: session.user.sub, scopes: forThisApi ? permissionsFromClaims(claims) : [], via: "session", issuedAt: issuedAtOf(claims) };
}

/**
 * A token's `iat` as a time; null when it has none (nothing then says how recent its claims are), or
 * none to be trusted: one out of any date's range, or ahead of our clock by more than the skew
 * allowed. A token dated ahead (the issuer's clock off) would outrank every token issued until that
 * date, so that no later demotion is written and the person's personal tokens keep working for as
 * long (src/server/domain/users.ts); it is used for what it grants, but says nothing of the person.
 */
function issuedAtOf(claims: JWTPayload, now = Date.now()): Date | null {
  if (typeof claims.iat !== "number" || claims.iat * 1000 > now + CLOCK_TOLERANCE_SECONDS * 1000) return null;
  const issuedAt = new Date(claims.iat * 1000);
  return Number.isNaN(issuedAt.getTime()) ? null : issuedAt;
}

function decodedClaims(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch {
    return {};
  }
}

/** `Authorization: Bearer <token>` → the token; a header that says anything else → "malformed". */
export function bearerToken(header: string | undefined): string | "malformed" | undefined {
  if (header === undefined) return undefined;
  // The scheme is case-insensitive (RFC 7235): "bearer" is as good as "Bearer".
  const match = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header.trim());
  return match ? match[1]! : "malformed";
}

/** Why credentials were refused; logged, and the only detail about them that is. */
export type AuthFailure =
  | "malformed"
  | "expired"
  | "not_yet_valid"
  | "bad_signature"
  | "unknown_key"
  | "algorithm_not_allowed"
  | "wrong_audience"
  | "wrong_issuer"
  | "invalid_claims"
  | "wrong_token_type"
  | "unknown_client"
  | "jwks_unreachable"
  | "session_refresh_refused"
  | "several_sessions"
  | "invalid_logout_token"
  | "session_refresh_unavailable"
  | "unknown_token"
  | "plan_without_api_access"
  | "permissions_unconfirmed";

const CLAIM_FAILURES: Record<string, AuthFailure> = { aud: "wrong_audience", iss: "wrong_issuer", nbf: "not_yet_valid" };

/** The reason `verifyAccessToken` refused a token, from what it threw. */
export function bearerFailure(error: unknown): AuthFailure {
  if (error instanceof JwksUnavailableError) return "jwks_unreachable";
  if (error instanceof TokenRefusedError) return error.reason;
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) return CLAIM_FAILURES[error.claim] ?? "invalid_claims";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) return "unknown_key";
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm_not_allowed";
  return "malformed"; // not a JWS/JWT at all, or one jose cannot parse
}

/**
 * The one place authentication failures are logged: a warning with the reason and a few details
 * (an error's message, a user id), never a token or a cookie.
 */
export function logAuthFailure(reason: AuthFailure, details: Record<string, string | undefined> = {}) {
  logger.warn({ reason, ...details }, "authentication failed");
}
