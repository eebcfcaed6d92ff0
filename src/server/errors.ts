// The one mapping from what the server throws to what a caller is told: the domain's refusals, the
// infrastructure's (the issuer out of reach, a rate limit) and the database's, each to its tRPC code
// (hence its HTTP status). The tRPC procedures (trpc.ts), the context (context.ts) and the REST routes
// (faces/rest.ts) all go through toTRPCError; anything it does not know is a 500.
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { Prisma } from "~/generated/prisma/client";
import { CHANGED_MEANWHILE, DomainError } from "~/server/domain/errors";
import { RateLimitExceeded } from "~/server/platform/rate-limit";
import { IssuerUnavailable } from "~/server/platform/session";
import { PLAN_LIMIT_CODE } from "~/utils/plan-limit";
import type { Refusal } from "~/utils/refusals";

const CODES: Record<Refusal, TRPC_ERROR_CODE_KEY> = {
  plan_limit: PLAN_LIMIT_CODE,
  payment_required: "PAYMENT_REQUIRED",
  conflict: "CONFLICT",
  not_found: "NOT_FOUND",
  not_allowed: "FORBIDDEN",
  invalid: "BAD_REQUEST",
  unavailable: "SERVICE_UNAVAILABLE",
  rate_limited: "TOO_MANY_REQUESTS",
};

interface Refused {
  refusal: Refusal;
  message: string;
}

const PRISMA_ERRORS: Record<string, Refused> = {
  P2002: { refusal: "conflict", message: "That already exists." },
  // A row another request deleted meanwhile (an account deleted while its other tab still writes).
  P2003: { refusal: "conflict", message: CHANGED_MEANWHILE },
  P2025: { refusal: "not_found", message: "That does not exist (any more)." },
  // No connection or transaction could be had in time: the database is saturated, not the request wrong.
  P2028: { refusal: "unavailable", message: "Showtrack is busy right now. Please try again in a moment." },
};

// PostgreSQL's word that two transactions each waited for the other (an account deleted while its
// other tab still writes): one is rolled back, and the request may simply be sent again.
const DEADLOCK = "40P01";

/** A deadlock, as Prisma's driver adapter reports it (its error class is not part of Prisma's API). */
const isDeadlock = (error: unknown) =>
  error instanceof Error && error.name === "DriverAdapterError" && (error.cause as { originalCode?: string } | undefined)?.originalCode === DEADLOCK;

/** What the caller is told of `error`: a refusal and its message, or null for a failure of ours. */
export function refusalOf(error: unknown): Refused | null {
  if (error instanceof DomainError) return { refusal: error.refusal, message: error.message };
  if (error instanceof RateLimitExceeded) return { refusal: "rate_limited", message: error.message };
  if (error instanceof IssuerUnavailable) return { refusal: "unavailable", message: error.message };
  if (error instanceof Prisma.PrismaClientKnownRequestError) return PRISMA_ERRORS[error.code] ?? null;
  if (isDeadlock(error)) return PRISMA_ERRORS.P2003!;
  return null;
}

/**
 * `error` as a TRPCError: a refusal as its code, with the original as the cause (logs, rate-limit
 * headers); a TRPCError as it is, unless it is tRPC's own 500 around a refusal; anything else a 500.
 */
export function toTRPCError(error: unknown): TRPCError {
  const unwrapped = error instanceof TRPCError && error.code === "INTERNAL_SERVER_ERROR" && error.cause ? error.cause : error;
  const refused = refusalOf(unwrapped);
  if (refused) return new TRPCError({ code: CODES[refused.refusal], message: refused.message, cause: unwrapped });
  return error instanceof TRPCError ? error : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: error });
}
