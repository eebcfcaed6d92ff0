import "~/styles/globals.css";
import { Auth0Provider } from "@auth0/nextjs-auth0";
import { HydrationBoundary, QueryClientProvider, type DehydratedState } from "@tanstack/react-query";
import NextApp, { type AppProps } from "next/app";
import dynamic from "next/dynamic";
import Head from "next/head";
import { useState } from "react";
import superjson from "superjson";
import { Layout } from "~/components/Layout";
import { PendingActions } from "~/components/PendingActions";
import type { SsrProps } from "~/server/faces/ssr";
import { showToast } from "~/utils/toasts";
import { createQueryClient, createTrpcClient, trpc } from "~/utils/trpc";

const ReactQueryDevtools =
  process.env.NODE_ENV === "development"
    ? dynamic(() => import("@tanstack/react-query-devtools").then((module) => module.ReactQueryDevtools), { ssr: false })
    : () => null;

export default function App({ Component, pageProps }: AppProps<Partial<SsrProps>>) {
  const [queryClient] = useState(() => createQueryClient(showToast));
  const [trpcClient] = useState(createTrpcClient);
  // getServerSideProps returns the prefetched queries serialised with superjson (dates intact).
  const dehydrated = pageProps.trpcState ? superjson.deserialize<DehydratedState>(pageProps.trpcState as never) : undefined;
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <HydrationBoundary state={dehydrated}>
          {/* The header's user: from the server when the page has it, else fetched from /auth/profile. */}
          <Auth0Provider user={pageProps.user ?? undefined}>
            <Head>
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>Showtrack</title>
            </Head>
            <Layout>
              <Component {...pageProps} />
            </Layout>
            <PendingActions />
          </Auth0Provider>
        </HydrationBoundary>
        <ReactQueryDevtools />
      </QueryClientProvider>
    </trpc.Provider>
  );
}

// A getInitialProps here makes Next render every page per request, /profile, /spa and the 404
// page included: a page prerendered at build time would carry no per-request CSP nonce, and the
// policy would block its scripts. Pages with getServerSideProps were rendered per request already.
App.getInitialProps = NextApp.getInitialProps;
