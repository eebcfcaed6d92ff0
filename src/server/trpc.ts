/**
 * The tRPC building blocks: (1) init with error formatting, (2) middlewares, (3) procedures.
 * Routers import only from here; the context lives in ./context.ts.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { Prisma } from "~/generated/prisma/client";
import type { Context } from "~/server/context";
import { provisionUser } from "~/server/users";

// ─── 1. Init ────────────────────────────────────────────────────────────────────────────────────

const INTERNAL_ERROR_MESSAGE = "Something went wrong on our side. Please try again.";

/** Procedure metadata; `requiresAuth` lets tests find every protected procedure. */
export interface Meta {
  requiresAuth?: boolean;
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

/** Requires a session, then provisions the database user for it (just in time). */
const requireUser = t.middleware(async ({ ctx, next }) => {
  if (!ctx.session) throw new TRPCError({ code: "UNAUTHORIZED", message: "Please sign in to continue." });
  const user = await provisionUser(ctx.db, ctx.session.user);
  return next({ ctx: { session: ctx.session, user } });
});

// ─── 3. Procedures ──────────────────────────────────────────────────────────────────────────────

export const publicProcedure = t.procedure.use(mapPrismaErrors);
export const protectedProcedure = publicProcedure.use(requireUser).meta({ requiresAuth: true });
