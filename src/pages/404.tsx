import Head from "next/head";
import { Link } from "~/components/Link";

export default function NotFound() {
  return (
    <>
      <Head>
        <title>Page not found · Showtrack</title>
      </Head>
      <h1>Page not found</h1>
      <p className="lead">There is nothing here. The show may have been removed, or the link mistyped.</p>
      <p>
        <Link href="/shows">Browse all shows</Link>
      </p>
    </>
  );
}
