/**
 * The tRPC building blocks: (1) init with error formatting, (2) middlewares, (3) procedures.
 * Routers import only from here; the context lives in ./context.ts.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { z, ZodError } from "zod";
import { RECENT_SIGN_IN_SECONDS } from "~/utils/auth-routes";
import type { ApiScope } from "~/utils/scopes";
import { transformer } from "~/utils/transformer";
import type { SessionData } from "@auth0/nextjs-auth0/types";
import type { Context } from "~/server/context";
import { refusalOf, toTRPCError } from "~/server/errors";
import { addressKey, RateLimitExceeded, rateLimiter } from "~/server/platform/rate-limit";
import { fromAnotherOrigin } from "~/server/platform/cors";
import { isSameOrigin } from "~/server/platform/request";
import { provisionUser } from "~/server/domain/users";
import type { Auth } from "~/server/platform/auth";
import { stillStored } from "~/server/platform/session-store";

// ─── 1. Init ────────────────────────────────────────────────────────────────────────────────────

const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Please try again.";

/**
 * Procedure metadata: `requiresAuth` marks protected procedures, `scope` the permission they need
 * (a list when they need several, e.g. an export of both shows and billing).
 */
export interface Meta {
  requiresAuth?: boolean;
  scope?: ApiScope | readonly ApiScope[];
}

/** How deep an input may nest: far beyond any procedure's input, far below a stack overflow. */
const MAX_INPUT_DEPTH = 16;

/** Refuses an input nested deeper than MAX_INPUT_DEPTH, walking it without recursion. */
function assertShallow(input: unknown): void {
  const pending: [unknown, number][] = [[input, 0]];
  while (pending.length > 0) {
    const [value, depth] = pending.pop()!;
    if (value === null || typeof value !== "object") continue;
    if (depth >= MAX_INPUT_DEPTH) {
      throw new TRPCError({ code: "BAD_REQUEST", message: `The input is nested more than ${MAX_INPUT_DEPTH} levels deep.` });
    }
    for (const child of Object.values(value)) pending.push([child, depth + 1]);
  }
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  // The app's transformer (src/utils/transformer.ts), with the depth of every input checked before it is deserialised.
  transformer: {
    input: {
      serialize: (value: unknown) => transformer.input.serialize(value),
      deserialize: (value: unknown) => {
        assertShallow(value);
        return transformer.input.deserialize(value as Parameters<typeof transformer.input.deserialize>[0]);
      },
    },
    output: transformer.output,
  },
  errorFormatter({ shape, error, ctx }) {
    const zodError = inputErrorOf(error);
    const hideMessage = error.code === "INTERNAL_SERVER_ERROR" && process.env.NODE_ENV === "production";
    const requestId = ctx?.request?.id ?? null;
    // Stack traces stay in the server log (see the API handler's onError), in every environment; the
    // request id lets a person quote the failure and us find it in that log.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: zodError
        ? inputErrorMessage(zodError)
        : hideMessage
          ? `${INTERNAL_ERROR_MESSAGE}${requestId ? ` (request id ${requestId})` : ""}`
          : shape.message,
      // The refusal's name (src/utils/refusals.ts) lets clients word their own hint for it.
      data: { ...data, zodError: zodError ? z.flattenError(zodError) : null, requestId, refusal: refusalOf(error.cause)?.refusal ?? null },
    };
  },
});

/** The validation report behind a refused input, if that is what the error is. */
export const inputErrorOf = (error: TRPCError) => (error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null);

/** What a refused input says to the caller: each field and what is wrong with it, in words. */
export const inputErrorMessage = (error: ZodError) => z.prettifyError(error);

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ─── 2. Middlewares ─────────────────────────────────────────────────────────────────────────────

/**
 * Turns what a procedure throws (the domain's refusals, rate limits, the database's errors a caller
 * can cause) into its tRPC code instead of a 500, by the one mapping of src/server/errors.ts.
 */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const mapped = toTRPCError(result.error);
    if (mapped !== result.error) throw mapped;
  }
  return result;
});

/**
 * Presented credentials that do not verify are refused, never treated as anonymous; valid ones that
 * may not be used now (a personal token on a plan without API access) are forbidden, with the reason.
 */
const rejectInvalidCredentials = t.middleware(({ ctx, next }) => {
  if (ctx.authError) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError });
  if (ctx.authForbidden) throw new TRPCError({ code: "FORBIDDEN", message: ctx.authForbidden });
  return next();
});

/**
 * A write authenticated by the session cookie must come from the app's own pages (Origin, or
 * Sec-Fetch-Site): a hostile page cannot make a browser follow a show or change a plan. Nor is a
 * read from another origin's page served as the cookie's user: browser apps elsewhere (CORS) send
 * a bearer token. Bearer tokens are not sent by browsers on their own, so bearer calls are exempt;
 * so are server-side callers (no HTTP request). Runs before anything is written, provisioning included.
 */
const requireOwnPagesForCookieCalls = t.middleware(({ ctx, type, next }) => {
  if (ctx.session && ctx.request) {
    if (type === "mutation" && !isSameOrigin(ctx.request)) {
      throw new TRPCError({ code: "FORBIDDEN", message: "This change must come from Showtrack's own pages." });
    }
    if (fromAnotherOrigin(ctx.request)) {
      throw new TRPCError({ code: "FORBIDDEN", message: "From another site, call the API with a bearer token: the session cookie works on Showtrack's own pages only." });
    }
  }
  return next();
});

/**
 * One point of the caller's read or write budget per procedure call (a batch of five costs five),
 * keyed by personal token, else by user when signed in, else by IP. Server-side callers (no HTTP request) are not limited.
 */
const rateLimit = t.middleware(async ({ ctx, type, next }) => {
  if (!ctx.request) return next();
  // A personal token has a budget of its own: a runaway script spends its token's, not its person's.
  const key = ctx.auth?.via === "token" ? `token:${ctx.auth.token.id}` : ctx.auth ? `user:${ctx.auth.sub}` : addressKey(ctx.request.ip);
  try {
    ctx.rateLimit.state = await rateLimiter().consume(type === "mutation" ? "write" : "read", key);
  } catch (error) {
    if (!(error instanceof RateLimitExceeded)) throw error;
    ctx.rateLimit.state = error.state;
    throw error;
  }
  return next();
});

/**
 * Whether a caller with no user yet may have one made: a request racing the deletion of its account
 * must not bring the account back. A session's only while that session still exists (the deletion
 * ends every session first); a personal token's never (the token was found through its person's
 * user, so no user means it was deleted meanwhile, the token with it). An issuer's access token
 * makes its person's first user.
 */
function mayCreateUser(db: Context["db"], auth: Auth, session: SessionData | null): (() => Promise<boolean>) | undefined {
  if (auth.via === "token") return async () => false;
  return session ? () => stillStored(db, session) : undefined;
}

/**
 * Requires a caller (session or bearer token) holding every scope of the procedure's `meta.scope`, then
 * provisions the database user for them (just in time).
 */
const requireUser = t.middleware(async ({ ctx, meta, next }) => {
  const { auth } = ctx;
  if (!auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in to continue." });
  const missing = [meta?.scope ?? []].flat().find((scope) => !auth.scopes.includes(scope));
  if (missing) throw new TRPCError({ code: "FORBIDDEN", message: `Your access does not include the ${missing} permission.` });
  const { session } = ctx;
  // The person's permissions are kept from their own requests (a session, an access token of theirs)
  // with the issue time of the token that carried them, never a personal token's: its scopes are
  // bounded by them (src/server/domain/api-tokens.ts). A token without an issue time cannot be
  // ordered against the others, so it says nothing of them.
  const permissions = auth.via !== "token" && auth.issuedAt ? { scopes: auth.scopes, issuedAt: auth.issuedAt } : undefined;
  const user = await provisionUser(ctx.db, auth.sub, session?.user, { permissions, mayCreate: mayCreateUser(ctx.db, auth, session) });
  if (!user) throw new TRPCError({ code: "UNAUTHORIZED", message: auth.via === "token" ? "The access token is invalid or expired." : "Your session has ended. Please sign in again." });
  return next({ ctx: { auth, user } });
});

// ─── 3. Procedures ──────────────────────────────────────────────────────────────────────────────

// The rate limit first: refusals (bad credentials, cross-site writes) count against the budget too.
export const publicProcedure = t.procedure
  .use(mapErrors)
  .use(rateLimit)
  .use(rejectInvalidCredentials)
  .use(requireOwnPagesForCookieCalls);
export const protectedProcedure = publicProcedure.use(requireUser).meta({ requiresAuth: true });

/**
 * For what a person does about their account and sessions in the app, signed in: never with a token
 * for the API, which leaks, is held by programs, and whose scopes say nothing about it.
 */
export const sessionOnlyProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (ctx.auth.via !== "session" || !ctx.session) {
    throw new TRPCError({ code: "FORBIDDEN", message: "This can only be done in Showtrack's own pages, signed in." });
  }
  return next({ ctx: { session: ctx.session } });
});

/**
 * Refuses (412) unless the session's person entered their credentials in the last few minutes: for
 * what a session left open on a shared computer, or a stolen cookie, must not be enough to do
 * (`doing`). The page sends them to sign in again.
 */
export function requireRecentSignIn(session: SessionData, doing: string, now = Date.now()): void {
  const authTime = session.user.auth_time;
  if (typeof authTime !== "number" || now / 1000 - authTime > RECENT_SIGN_IN_SECONDS) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: `To ${doing}, please sign in again first: it makes sure it is you.` });
  }
}
