import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { httpBatchLink, loggerLink, TRPCClientError } from "@trpc/client";
import { createTRPCReact } from "@trpc/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import type { AppRouter } from "~/server/routers/_app";
import { MAX_BATCH_SIZE } from "~/utils/api-limits";
import { loginUrl } from "~/utils/auth-routes";
import { markLeavingForLogin, rememberAction } from "~/utils/pending-actions";
import { browserTransformer } from "~/utils/browser-transformer";

/** The typed React hooks for the one API (`AppRouter`). */
export const trpc = createTRPCReact<AppRouter>();

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export function createTrpcClient() {
  return trpc.createClient({
    links: [
      // In dev, each answer in the browser console, but not the refusals the UI handles (they are no
      // errors); a production build leaves the logger out of the page.
      ...(process.env.NODE_ENV === "development"
        ? [loggerLink<AppRouter>({ enabled: (op) => typeof window !== "undefined" && op.direction === "down" && !EXPECTED_REFUSALS.has(httpStatus(op.result) ?? 0) })]
        : []),
      // The batch link (not the stream link): a response may set cookies (session refresh),
      // which needs headers that a streamed response has already sent.
      httpBatchLink({ url: "/api/trpc", transformer: browserTransformer, maxItems: MAX_BATCH_SIZE }),
    ],
  });
}

/** Narrows an error to one of the API's, typed by the router: `data.code`, `data.httpStatus`, `data.zodError`. */
export function isApiError(error: unknown): error is TRPCClientError<AppRouter> {
  return error instanceof TRPCClientError;
}

export function errorCode(error: unknown): TRPC_ERROR_CODE_KEY | undefined {
  return isApiError(error) ? error.data?.code : undefined;
}

const httpStatus = (error: unknown): number | undefined => (isApiError(error) ? error.data?.httpStatus : undefined);

/** Signed out, no permission, not found, conflict, plan cap, rate limit: answers the UI expects and shows in its own words. */
const EXPECTED_REFUSALS = new Set([401, 403, 404, 409, 412, 429]);

/** A 4xx is the server's verdict on the request: sending it again cannot change it. */
function isClientError(error: unknown): boolean {
  const status = httpStatus(error);
  return status !== undefined && status >= 400 && status < 500;
}

/** Signed out (or the session ended): go to the login page and come back here afterwards. */
function redirectToLogin() {
  markLeavingForLogin();
  // /auth/login is the Auth0 SDK's route (in the proxy), not a page: a full navigation.
  window.location.assign(loginUrl(currentPage()));
}

const currentPage = () => window.location.pathname + window.location.search;

/** Mutations that show their own error set `meta: { ownErrorMessage: true }`. */
export function createQueryClient(showError: (message: string) => void) {
  const signInAgain = (error: unknown) => {
    if (typeof window === "undefined" || errorCode(error) !== "UNAUTHORIZED") return false;
    redirectToLogin();
    return true;
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError: signInAgain }),
    mutationCache: new MutationCache({
      onError(error, variables, _context, mutation) {
        // The change is kept for after the sign-in (src/utils/pending-actions.ts replays it on this page).
        const [path] = mutation.options.mutationKey ?? [];
        if (errorCode(error) === "UNAUTHORIZED" && Array.isArray(path)) rememberAction(path.join("."), variables, currentPage());
        if (!signInAgain(error) && !mutation.meta?.ownErrorMessage) showError(friendlyMessage(error));
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
  if (isApiError(error) && error.message && !/fetch|network/i.test(error.message)) return error.message;
  return "Showtrack could not be reached. Check your connection and try again.";
}
