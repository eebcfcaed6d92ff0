import { Link } from "~/components/Link";
import { useEffect, useRef } from "react";
import { cardSectionHref } from "~/utils/card-section";
import { formatCard, formatDate, formatPrice } from "~/utils/format";
import { showToast } from "~/utils/toasts";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";

type Tier = RouterOutputs["billing"]["pricingTiers"][number];
type BillingInfo = RouterOutputs["billing"]["info"];
type Quote = RouterOutputs["billing"]["quote"];

const showsUpTo = (tier: Tier) => (tier.maxSubscriptions === null ? "any number of shows" : `up to ${tier.maxSubscriptions} shows`);

/** The dialog's question: keeping one's plan, canceling it (a switch to Free), or a switch. */
export function switchQuestion(tier: Tier, billing: BillingInfo): string {
  if (tier.id === billing.tier.id) return `Keep ${tier.name}?`;
  if (tier.priceCents === 0 && billing.tier.priceCents > 0) return `Cancel the ${billing.tier.name} plan?`;
  return `Switch to ${tier.name}?`;
}

function Consequences({ quote, tier, billing }: { quote: Quote; tier: Tier; billing: BillingInfo }) {
  const price = formatPrice(tier.priceCents, tier.currency, tier.interval);
  switch (quote.kind) {
    case "upgrade": {
      const prorated = quote.chargeCents !== tier.priceCents;
      return (
        <>
          <dl className="stats">
            <div>
              <dt>Price</dt>
              <dd>{price}</dd>
            </div>
            <div>
              <dt>Period</dt>
              <dd>
                {formatDate(quote.periodStart)} – {formatDate(quote.periodEnd)}
              </dd>
            </div>
            <div>
              <dt>{prorated ? "Charged now (prorated)" : "Charged now"}</dt>
              <dd id="charged-now">{formatPrice(quote.chargeCents, tier.currency)}</dd>
            </div>
            <div>
              <dt>Card</dt>
              <dd>{billing.paymentMethod ? formatCard(billing.paymentMethod) : "none"}</dd>
            </div>
          </dl>
          <p id="charge-explained">
            {prorated
              ? `You pay the difference between ${billing.tier.name} and ${tier.name} for the days left in your current period, until ${formatDate(quote.periodEnd)}; then ${price}.`
              : `A new period starts today: ${price}.`}{" "}
            You can follow {showsUpTo(tier)} at once.
          </p>
        </>
      );
    }
    case "downgrade":
      return (
        <p>
          You keep the {billing.tier.name} plan until <strong>{formatDate(quote.effectiveAt)}</strong>, the end of the period you paid
          for; then you move to {tier.name}
          {tier.priceCents > 0 ? ` (${price})` : ""}. From now on you can follow {showsUpTo(tier)}, so that your shows fit{" "}
          {tier.name}. Nothing is charged now, and the rest of this period is not refunded; you can change your mind until then.
        </p>
      );
    case "cancel_downgrade":
      return (
        <p>
          You stay on the {tier.name} plan and the switch to {billing.pendingTier?.name ?? "another plan"} planned for{" "}
          {formatDate(billing.currentPeriodEnd)} is canceled. Nothing is charged.
        </p>
      );
    case "none":
      return <p>Nothing changes: this is already your plan, or the one you move to.</p>;
  }
}

/**
 * Asks before a plan switch, saying what will happen (the server's own quote, with the refusal the
 * switch would get). A native modal <dialog> does the accessibility work: focus moves in and stays
 * inside, Escape cancels, and closing it returns focus to the button that opened it.
 */
export function PlanSwitchDialog({ tier, billing, onClose }: { tier: Tier; billing: BillingInfo; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const close = () => dialog.current?.close();
  const utils = trpc.useUtils();
  const quote = trpc.billing.quote.useQuery({ tierId: tier.id }, { gcTime: 0 });
  const changeTier = trpc.billing.changeTier.useMutation({
    meta: { ownErrorMessage: true },
    onSuccess(info) {
      utils.billing.info.setData(undefined, info);
      void utils.subscriptions.usage.invalidate();
      void utils.me.profile.invalidate();
      void utils.me.activity.invalidate();
      showToast(info.pendingTier ? `Switching to ${info.pendingTier.name} on ${formatDate(info.currentPeriodEnd)}.` : `You are on the ${info.tier.name} plan.`);
      close();
    },
  });

  // Opened once it is in the page, and never closed by React: every way out (Escape, Cancel, a
  // confirmed switch) closes the native dialog, whose close event is the one call of onClose, and
  // closing natively returns focus to the button that opened it. A cleanup that closed it would
  // fire that event after React's strict mode (npm run dev) had mounted the dialog again, and the
  // parent would remove it as soon as it opened.
  useEffect(() => {
    if (dialog.current && !dialog.current.open) dialog.current.showModal();
  }, []);

  const needsCard = quote.data?.kind === "upgrade" && quote.data.chargeCents > 0 && !billing.paymentMethod;
  const refusal = quote.data?.kind === "downgrade" ? quote.data.refusal : null;
  const error = changeTier.error;
  return (
    <dialog ref={dialog} aria-labelledby="switch-heading" className="panel" id="plan-switch" onClose={onClose}>
      <h2 id="switch-heading">{switchQuestion(tier, billing)}</h2>
      {quote.data ? <Consequences quote={quote.data} tier={tier} billing={billing} /> : <p className="muted">Working out what changes…</p>}
      {needsCard ? (
        <p className="notice" id="needs-card">
          A paid plan needs a card on file. <Link href={cardSectionHref(tier.id)}>Add a card</Link> first.
        </p>
      ) : null}
      {refusal ? (
        <p className="notice" id="switch-refusal">
          {refusal} <Link href="/account#my-shows">Your shows</Link>
        </p>
      ) : null}
      {error ? (
        <p className="notice" role="alert" id="switch-error">
          {friendlyMessage(error)}{" "}
          {error.data?.code === "PAYMENT_REQUIRED" ? <Link href={cardSectionHref(tier.id)}>Add or replace your card</Link> : null}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={!quote.data || quote.data.kind === "none" || needsCard || refusal !== null || changeTier.isPending}
          onClick={() => changeTier.mutate({ tierId: tier.id })}
        >
          Confirm
        </button>{" "}
        <button type="button" className="button secondary" onClick={close}>
          {tier.id === billing.tier.id || tier.priceCents === 0 ? "Back" : "Cancel"}
        </button>
      </div>
    </dialog>
  );
}
