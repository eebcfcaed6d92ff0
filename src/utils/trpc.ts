import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { httpBatchLink, loggerLink, TRPCClientError } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "~/server/routers/_app";
import { MAX_BATCH_SIZE } from "~/utils/api-limits";
import { loginUrl } from "~/utils/auth-routes";
import { transformer } from "~/utils/transformer";

/** The typed React hooks for the one API (`AppRouter`). */
export const trpc = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      // In dev, each answer in the browser console, but not the refusals the UI handles (they are no errors).
      loggerLink({
        enabled: (op) =>
          process.env.NODE_ENV === "development" && typeof window !== "undefined" && op.direction === "down" && !EXPECTED_REFUSALS.has(httpStatus(op.result) ?? 0),
      }),
      // The batch link (not the stream link): a response may set cookies (session refresh),
      // which needs headers that a streamed response has already sent.
      httpBatchLink({ url: "/api/trpc", transformer, maxItems: MAX_BATCH_SIZE }),
    ],
  });
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : undefined;
}

function httpStatus(error: unknown): number | undefined {
  return error instanceof TRPCClientError ? (error.data as { httpStatus?: number } | undefined)?.httpStatus : undefined;
}

/** Signed out, no permission, not found, conflict, plan cap, rate limit: answers the UI expects and shows in its own words. */
const EXPECTED_REFUSALS = new Set([401, 403, 404, 409, 412, 429]);

function isClientError(error: unknown): boolean {
  const status = httpStatus(error);
  return status !== undefined && status >= 400 && status < 500;
}

/** Signed out (or the session ended): go to the login page and come back here afterwards. */
function redirectToLogin() {
  const returnTo = window.location.pathname + window.location.search;
  // /auth/login is the Auth0 SDK's route (in the proxy), not a page: a full navigation.
  window.location.assign(loginUrl(returnTo));
}

/** Mutations that show their own error set `meta: { ownErrorMessage: true }`. */
export function createQueryClient(showError: (message: string) => void) {
  const onError = (error: unknown) => {
    if (typeof window !== "undefined" && errorCode(error) === "UNAUTHORIZED") redirectToLogin();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({
      onError(error, _variables, _context, mutation) {
        onError(error);
        if (errorCode(error) !== "UNAUTHORIZED" && !mutation.meta?.ownErrorMessage) showError(friendlyMessage(error));
      },
    }),
    defaultOptions: {
      // Hydrated data is fresh: no second fetch right after the server rendered it.
      queries: { staleTime: 30_000, retry: (failures, error) => !isClientError(error) && failures < 2 },
      mutations: { retry: false },
    },
  });
}

export function friendlyMessage(error: unknown): string {
  if (error instanceof TRPCClientError && error.message && !/fetch|network/i.test(error.message)) return error.message;
  return "Showtrack could not be reached. Check your connection and try again.";
}
