import type { GetServerSideProps } from "next";
import Head from "next/head";
import { SpaApp, type SpaConfig } from "~/components/spa/SpaApp";
import { spaSignIn } from "~/server/faces/ssr";

/** The browser app served by Next, on the API's own origin; `npm run build:spa` builds it for a host of its own. */
export default function SpaPage({ config }: { config: SpaConfig }) {
  return (
    <>
      <Head>
        <title>Browser app · Showtrack</title>
      </Head>
      <h1>Browser app</h1>
      <p className="lead">
        This page is a single-page app: it signs in by itself and calls <code>/api/my/shows</code> with a bearer access token,
        without the server-side session.
      </p>
      <SpaApp config={config} />
    </>
  );
}

// The app keeps its own sign-in state (the panel): the header does not show the cookie session's beside it.
SpaPage.signsInByItself = true;

export const getServerSideProps: GetServerSideProps<{ config: SpaConfig }> = async () => ({
  props: {
    config: {
      ...spaSignIn(),
      apiBaseUrl: "",
      path: "/spa",
    },
  },
});
