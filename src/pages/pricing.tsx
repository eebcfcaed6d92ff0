import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import dynamic from "next/dynamic";
import Head from "next/head";
import { Link } from "~/components/Link";
import { useRouter } from "next/router";
import { useState } from "react";
import { LoadError } from "~/components/LoadError";
import { PricingTiers } from "~/components/PricingTiers";
import { NO_PAYMENTS } from "~/utils/payments";
import { createSsr, paymentsAvailable, type SsrProps } from "~/server/faces/ssr";
import { formatDate } from "~/utils/format";
import { READ_ONLY_NOTICE } from "~/utils/permissions";
import { trpc, type RouterOutputs } from "~/utils/trpc";
import { loginUrl } from "~/utils/auth-routes";

type Tier = RouterOutputs["billing"]["pricingTiers"][number];

// Loaded when a person first chooses a plan: the page's first load does without it.
const PlanSwitchDialog = dynamic(() => import("~/components/PlanSwitchDialog").then((module) => module.PlanSwitchDialog), { ssr: false });

export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  await Promise.all([ssr.helpers.billing.pricingTiers.prefetch(), ssr.session ? ssr.helpers.billing.info.prefetch() : null]);
  return { props: { ...ssr.props(), paymentsAvailable: paymentsAvailable() } };
}) satisfies GetServerSideProps<SsrProps & { paymentsAvailable: boolean }>;

export default function PricingPage({ user, scopes, paymentsAvailable }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const tiers = trpc.billing.pricingTiers.useQuery();
  const billing = trpc.billing.info.useQuery(undefined, { enabled: Boolean(user) });
  const [chosen, setChoosing] = useState<Tier | null>(null);
  const readOnly = Boolean(user) && !scopes.includes("write:billing");
  const info = billing.data;
  // Back from adding a card (/account's "Continue switching to …"): the switch that needed it, asked again.
  const [resumed, setResumed] = useState(false);
  const wanted = useRouter().query.switch;
  const resume = !resumed && !readOnly ? tiers.data?.find((tier) => tier.id === wanted && tier.id !== info?.tier.id) : undefined;
  const choosing = chosen ?? resume ?? null;
  const choose = (tier: Tier | null) => {
    setResumed(true);
    setChoosing(tier);
  };

  const switchButton = (tier: Tier) => {
    if (!info) return null;
    if (tier.id === info.pendingTier?.id) return <p className="muted">Yours from {formatDate(info.currentPeriodEnd)}</p>;
    if (tier.id === info.tier.id) {
      if (info.pendingTier) {
        return (
          <button type="button" className="button" disabled={readOnly} onClick={() => choose(tier)}>
            Keep {tier.name}
          </button>
        );
      }
      // Canceling a paid plan is a switch to Free at the period's end, offered where one looks for it.
      const free = tiers.data?.find((other) => other.priceCents === 0);
      return tier.priceCents > 0 && free ? (
        <button type="button" className="button secondary" disabled={readOnly} onClick={() => choose(free)}>
          Cancel plan
        </button>
      ) : null;
    }
    // A move down is never the page's main call to action.
    const down = tier.priceCents < info.tier.priceCents;
    return (
      <button type="button" className={down ? "button secondary" : "button"} disabled={readOnly} onClick={() => choose(tier)}>
        Switch to {tier.name}
      </button>
    );
  };

  return (
    <>
      <Head>
        <title>Pricing · Showtrack</title>
      </Head>
      <h1>Pricing</h1>
      <p className="lead">Every plan includes the whole catalogue. Plans differ in how many shows you can follow.</p>
      {paymentsAvailable ? null : (
        <p className="notice" id="no-payments">
          {NO_PAYMENTS}
        </p>
      )}
      {readOnly ? (
        <p className="follow-notice" id="read-only-notice">
          {READ_ONLY_NOTICE["write:billing"]}
        </p>
      ) : null}
      {info?.status === "past_due" ? (
        <p className="notice" id="past-due">
          Your plan&apos;s renewal was declined. <Link href="/account#plan">Update card</Link> and it is tried again at once.
        </p>
      ) : null}
      {info?.pendingTier ? (
        <p className="notice ok" id="pending-switch">
          Switching to {info.pendingTier.name} on {formatDate(info.currentPeriodEnd)}.
        </p>
      ) : null}
      {/* The cards' h3 names sit under a heading of their own (axe heading-order). */}
      <h2 className="sr-only">Plans</h2>
      {tiers.isError ? <LoadError what="The plans" query={tiers} /> : null}
      {tiers.data ? (
        <PricingTiers
          tiers={tiers.data}
          currentTierId={info?.tier.id}
          action={(tier) =>
            !user ? (
              <a className="button secondary" href={loginUrl("/pricing")}>
                Sign in to choose
              </a>
            ) : (
              switchButton(tier)
            )
          }
        />
      ) : null}
      <section aria-labelledby="policy-heading" id="billing-policy">
        <h2 id="policy-heading">How switching works</h2>
        <ul>
          <li>Moving up takes effect at once. From Free you pay the new plan&apos;s price for a period starting today; between paid plans you pay only the difference for the days left in your current period.</li>
          <li>Moving down, or canceling, takes effect when your current period ends: you keep the plan you paid for until then, and from now on you can follow only as many shows as the lower plan allows. Nothing is refunded and nothing more is charged, and you can change your mind until that day at no cost.</li>
          <li>You are never charged twice for the same plan and period. Paid plans need a card on file.</li>
        </ul>
      </section>
      {choosing && info ? <PlanSwitchDialog key={choosing.id} tier={choosing} billing={info} onClose={() => choose(null)} /> : null}
    </>
  );
}
