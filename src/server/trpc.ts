/**
 * The tRPC building blocks: (1) init with error formatting, (2) middlewares, (3) procedures.
 * Routers import only from here; the context lives in ./context.ts.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { Prisma } from "~/generated/prisma/client";
import type { ApiScope } from "~/server/auth";
import type { Context } from "~/server/context";
import { provisionUser } from "~/server/users";

// ─── 1. Init ────────────────────────────────────────────────────────────────────────────────────

const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Please try again.";

/** Procedure metadata: `requiresAuth` marks protected procedures, `scope` the permission they need. */
export interface Meta {
  requiresAuth?: boolean;
  scope?: ApiScope;
}

const t = initTRPC.context<Context>().meta<Meta>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zodError = error.code === "BAD_REQUEST" && error.cause instanceof ZodError ? error.cause : null;
    const hideMessage = error.code === "INTERNAL_SERVER_ERROR" && process.env.NODE_ENV === "production";
    // Stack traces stay in the server log (see the API handler's onError), in every environment.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: zodError ? z.prettifyError(zodError) : hideMessage ? INTERNAL_ERROR_MESSAGE : shape.message,
      data: { ...data, zodError: zodError ? z.flattenError(zodError) : null },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

// ─── 2. Middlewares ─────────────────────────────────────────────────────────────────────────────

const PRISMA_ERRORS: Record<string, { code: TRPCError["code"]; message: string }> = {
  P2002: { code: "CONFLICT", message: "That already exists." },
  P2025: { code: "NOT_FOUND", message: "That does not exist (any more)." },
};

/** Turns the Prisma errors a caller can cause into their HTTP meaning instead of a 500. */
const mapPrismaErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const cause = result.ok ? undefined : result.error.cause;
  if (cause instanceof Prisma.PrismaClientKnownRequestError) {
    const mapped = PRISMA_ERRORS[cause.code];
    if (mapped) throw new TRPCError({ ...mapped, cause });
  }
  return result;
});

/** Presented credentials that do not verify are refused, never treated as anonymous. */
const rejectInvalidCredentials = t.middleware(({ ctx, next }) => {
  if (ctx.authError) throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.authError });
  return next();
});

/**
 * Requires a caller (session or bearer token) holding the procedure's `meta.scope`, then
 * provisions the database user for them (just in time).
 */
const requireUser = t.middleware(async ({ ctx, meta, next }) => {
  if (!ctx.auth) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in to continue." });
  if (meta?.scope && !ctx.auth.scopes.includes(meta.scope)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `Your access does not include the ${meta.scope} permission.` });
  }
  const user = await provisionUser(ctx.db, ctx.auth.sub, ctx.session?.user);
  return next({ ctx: { auth: ctx.auth, user } });
});

// ─── 3. Procedures ──────────────────────────────────────────────────────────────────────────────

export const publicProcedure = t.procedure.use(mapPrismaErrors).use(rejectInvalidCredentials);
export const protectedProcedure = publicProcedure.use(requireUser).meta({ requiresAuth: true });
