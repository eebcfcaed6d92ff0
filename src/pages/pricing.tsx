import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import Head from "next/head";
import { useState } from "react";
import { LoadError } from "~/components/LoadError";
import { PricingTiers } from "~/components/PricingTiers";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { showToast } from "~/utils/toasts";
import { friendlyMessage, trpc } from "~/utils/trpc";
import { loginUrl } from "~/utils/auth-routes";

export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  await Promise.all([ssr.helpers.billing.pricingTiers.prefetch(), ssr.session ? ssr.helpers.billing.info.prefetch() : null]);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

export default function PricingPage({ user }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const utils = trpc.useUtils();
  const tiers = trpc.billing.pricingTiers.useQuery();
  const billing = trpc.billing.info.useQuery(undefined, { enabled: Boolean(user) });
  const [refusal, setRefusal] = useState<string | null>(null);
  const changeTier = trpc.billing.changeTier.useMutation({
    meta: { ownErrorMessage: true },
    onMutate: () => setRefusal(null),
    onSuccess(info) {
      utils.billing.info.setData(undefined, info);
      void utils.me.profile.invalidate();
      showToast(`You are now on the ${info.tier.name} plan.`);
    },
    onError: (error) => setRefusal(friendlyMessage(error)),
  });
  const currentTierId = billing.data?.tier.id;

  return (
    <>
      <Head>
        <title>Pricing · Showtrack</title>
      </Head>
      <h1>Pricing</h1>
      <p className="lead">Every plan includes the whole catalogue. Plans differ in how many shows you can follow.</p>
      {refusal ? (
        <p className="notice" role="alert" id="plan-error">
          {refusal}
        </p>
      ) : null}
      {/* The cards' h3 names sit under a heading of their own (axe heading-order). */}
      <h2 className="sr-only">Plans</h2>
      {tiers.isError ? <LoadError what="The plans" query={tiers} /> : null}
      {tiers.data ? (
        <PricingTiers
          tiers={tiers.data}
          currentTierId={currentTierId}
          action={(tier) =>
            !user ? (
              <a className="button secondary" href={loginUrl("/pricing")}>
                Sign in to choose
              </a>
            ) : tier.id === currentTierId ? null : (
              <button type="button" className="button" disabled={changeTier.isPending || !currentTierId} onClick={() => changeTier.mutate({ tierId: tier.id })}>
                Switch to {tier.name}
              </button>
            )
          }
        />
      ) : null}
    </>
  );
}
