import type { DehydratedState } from "@tanstack/react-query";
import { createServerSideHelpers } from "@trpc/react-query/server";
import type { GetServerSidePropsContext } from "next";
import type { ApiScope } from "~/utils/scopes";
import { createContext } from "~/server/context";
import { appRouter } from "~/server/routers/_app";
import { loginUrl } from "~/utils/auth-routes";
import { transformer } from "~/utils/transformer";
import type { HeaderUser } from "~/utils/header-user";
import { issuerUrl } from "~/server/platform/auth";
import { env } from "~/server/platform/env";


/** Props every server-rendered page returns: the dehydrated queries, the header's user and the API permissions. */
export interface SsrProps {
  trpcState: DehydratedState;
  user: HeaderUser | null;
  scopes: ApiScope[];
}

// The prefetched queries go to the page as they are: the outputs are plain JSON (see
// src/utils/transformer.ts), so a superjson walk of them would only cost CPU. The JSON round
// trip drops the `undefined`s of React Query's state, which page props may not hold.
const plainJsonProps = { serialize: (value: unknown): unknown => JSON.parse(JSON.stringify(value)), deserialize: (value: unknown) => value };

/**
 * Server-side prefetching from the same context as the API handler (the Auth0 cookie session,
 * read once, refreshed into the response's cookie when its access token expired). Prefetch with
 * `helpers`, then return `props()`: the client hydrates those queries without fetching them again.
 */
export async function createSsr(context: GetServerSidePropsContext) {
  const ctx = await createContext({ req: context.req, res: context.res });
  const helpers = createServerSideHelpers({ router: appRouter, ctx, transformer: { input: transformer.input, output: plainJsonProps } });
  // The header's bell, on every page of a signed-in person who may read their shows.
  if (ctx.auth?.scopes.includes("read:shows")) await helpers.notifications.unreadCount.prefetch();
  const sessionUser = ctx.session?.user;
  // Props must be JSON: leave absent claims out rather than undefined.
  const user: HeaderUser | null = sessionUser
    ? {
        sub: sessionUser.sub,
        ...(sessionUser.name && { name: sessionUser.name }),
        ...(sessionUser.email && { email: sessionUser.email }),
      }
    : null;
  return {
    helpers,
    session: ctx.session,
    // Answered queries only: the browser asks a failed one again, and its error stays on the server.
    props: (): SsrProps => ({
      trpcState: helpers.dehydrate({ shouldDehydrateQuery: (query) => query.state.status === "success" }) as DehydratedState,
      user,
      scopes: ctx.auth?.scopes ?? [],
    }),
  };
}

export function loginRedirect(context: GetServerSidePropsContext) {
  return { redirect: { destination: loginUrl(context.resolvedUrl), permanent: false } };
}

/** Whether this deployment takes card payments (the pricing page says so when it does not). */
export { paymentsAvailable } from "~/server/domain/payment-provider";

/** Where the browser app of /spa signs in, and for which API: the tenant and clients this server uses. */
export const spaSignIn = () => ({
  domain: issuerUrl().replace(/\/$/, ""),
  clientId: env.AUTH0_SPA_CLIENT_ID,
  audience: env.AUTH0_AUDIENCE,
});
