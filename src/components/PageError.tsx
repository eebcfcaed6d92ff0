import Head from "next/head";
import { Link } from "~/components/Link";
import type { FallbackProps } from "react-error-boundary";

/** The page-level failure: its own title, what happened, and a way on. The 500 page and the error boundary's fallback. */
export function PageError({ retry }: { retry?: () => void }) {
  return (
    <section id="page-error">
      <Head>
        <title>Something went wrong · Showtrack</title>
      </Head>
      <h1>Something went wrong</h1>
      <p className="lead">This page could not be shown. Nothing you saved is lost; please try again in a moment.</p>
      <p className="actions-row">
        {retry ? (
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        ) : null}
        <Link className="button secondary" href="/">
          Home
        </Link>
      </p>
    </section>
  );
}

/** The error boundary's fallback in _app: a render error of a page replaces the page, not the whole app (the header stays). */
export function PageErrorFallback({ resetErrorBoundary }: FallbackProps) {
  return <PageError retry={resetErrorBoundary} />;
}
