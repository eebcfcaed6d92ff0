import "~/styles/globals.css";
import { HydrationBoundary, QueryClientProvider } from "@tanstack/react-query";
import NextApp, { type AppProps } from "next/app";
import dynamic from "next/dynamic";
import Head from "next/head";
import { useRouter } from "next/router";
import { useState } from "react";
import { ErrorBoundary } from "react-error-boundary";
import { Layout } from "~/components/Layout";
import { PageErrorFallback } from "~/components/PageError";
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
  const router = useRouter();
  // The header's user as the server rendered it (getServerSideProps pages say, null when signed out):
  // the first client render matches the HTML and asks nothing of /auth/profile.
  const headerUser = "user" in pageProps ? (pageProps.user ?? null) : undefined;
  return (
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <HydrationBoundary state={pageProps.trpcState}>
          <Head>
            <meta name="viewport" content="width=device-width, initial-scale=1" />
          </Head>
          <Layout user={headerUser} sessionState={!(Component as { signsInByItself?: boolean }).signsInByItself}>
            {/* A render error replaces the page with a notice and a retry; the header stays. Another page starts afresh. */}
            <ErrorBoundary FallbackComponent={PageErrorFallback} resetKeys={[router.asPath]}>
              <Component {...pageProps} />
            </ErrorBoundary>
          </Layout>
          <PendingActions />
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
