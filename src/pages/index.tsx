import type { GetServerSideProps } from "next";
import Head from "next/head";
import { Link } from "~/components/Link";
import { LoadError } from "~/components/LoadError";
import { PricingTiers } from "~/components/PricingTiers";
import { ShowCard } from "~/components/ShowCard";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { useAccountJustDeleted } from "~/utils/deleted-account";
import { trpc } from "~/utils/trpc";

// The newest premieres: a first look at the catalogue that is not its alphabetical start.
const FEATURED = { limit: 6, sort: "newest" } as const;

export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  await Promise.all([ssr.helpers.billing.pricingTiers.prefetch(), ssr.helpers.shows.list.prefetch(FEATURED)]);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

export default function Home() {
  // Where the account page lands after deleting the account (src/components/account/AccountView.tsx).
  const deleted = useAccountJustDeleted();
  const tiers = trpc.billing.pricingTiers.useQuery();
  const featured = trpc.shows.list.useQuery(FEATURED);
  return (
    <>
      <Head>
        <title>Showtrack · never miss an episode</title>
      </Head>
      {deleted ? (
        <p className="notice ok" role="status" id="deleted-notice">
          Your account and all its data were deleted.
        </p>
      ) : null}
      <h1>Never miss an episode</h1>
      <p className="lead">
        Follow the shows you love and Showtrack keeps track of them for you. Browse the catalogue, follow a few
        shows for free, and upgrade when your list grows.
      </p>
      <p>
        <Link className="button" href="/shows">
          Browse shows
        </Link>
      </p>
      <h2>Featured shows</h2>
      <ul className="grid">
        {featured.data?.items.map((show) => <ShowCard key={show.id} show={show} />)}
      </ul>
      {featured.isError ? <LoadError what="The featured shows" query={featured} /> : null}
      <h2>Plans</h2>
      {tiers.isError ? <LoadError what="The plans" query={tiers} /> : null}
      {tiers.data ? <PricingTiers tiers={tiers.data} /> : null}
      <p>
        <Link href="/pricing">Compare plans</Link>
      </p>
    </>
  );
}
