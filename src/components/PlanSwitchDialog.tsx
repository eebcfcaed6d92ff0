import Link from "next/link";
import { useEffect, useRef } from "react";
import { formatDate, formatPrice } from "~/utils/format";
import { showToast } from "~/utils/toasts";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";

type Tier = RouterOutputs["billing"]["pricingTiers"][number];
type BillingInfo = RouterOutputs["billing"]["info"];
type Quote = RouterOutputs["billing"]["quote"];

/** Where a person adds or replaces their card (the account page's card section). */
const CARD_SECTION = "/account#payment-method";

function Consequences({ quote, tier, billing }: { quote: Quote; tier: Tier; billing: BillingInfo }) {
  const price = formatPrice(tier.priceCents, tier.currency, tier.interval);
  switch (quote.kind) {
    case "upgrade":
      return (
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
            <dt>Charged now</dt>
            <dd id="charged-now">{formatPrice(quote.chargeCents, tier.currency)}</dd>
          </div>
          <div>
            <dt>Card</dt>
            <dd>{billing.paymentMethod ? `${billing.paymentMethod.brand} ending ${billing.paymentMethod.last4}` : "none"}</dd>
          </div>
        </dl>
      );
    case "downgrade":
      return (
        <p>
          You keep the {billing.tier.name} plan until <strong>{formatDate(quote.effectiveAt)}</strong>, the end of the period you paid
          for; then you move to {tier.name} ({price}). Nothing is charged now, and the rest of this period is not refunded.
        </p>
      );
    case "cancel_downgrade":
      return <p>You stay on the {tier.name} plan and the switch planned for {formatDate(billing.currentPeriodEnd)} is canceled. Nothing is charged.</p>;
    case "none":
      return <p>Nothing changes: this is already your plan, or the one you move to.</p>;
  }
}

/**
 * Asks before a plan switch, saying what will happen (the server's own quote). A native modal
 * <dialog> does the accessibility work: focus moves in and stays inside, Escape cancels, and closing
 * it returns focus to the button that opened it.
 */
export function PlanSwitchDialog({ tier, billing, onClose }: { tier: Tier; billing: BillingInfo; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const utils = trpc.useUtils();
  const quote = trpc.billing.quote.useQuery({ tierId: tier.id }, { gcTime: 0 });
  const changeTier = trpc.billing.changeTier.useMutation({
    meta: { ownErrorMessage: true },
    onSuccess(info) {
      utils.billing.info.setData(undefined, info);
      void utils.me.profile.invalidate();
      void utils.me.activity.invalidate();
      showToast(info.pendingTier ? `Switching to ${info.pendingTier.name} on ${formatDate(info.currentPeriodEnd)}.` : `You are on the ${info.tier.name} plan.`);
      onClose();
    },
  });

  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);

  const needsCard = quote.data?.kind === "upgrade" && quote.data.chargeCents > 0 && !billing.paymentMethod;
  const error = changeTier.error;
  return (
    <dialog ref={dialog} aria-labelledby="switch-heading" className="panel" id="plan-switch" onClose={onClose}>
      <h2 id="switch-heading">Switch to {tier.name}?</h2>
      {quote.data ? <Consequences quote={quote.data} tier={tier} billing={billing} /> : <p className="muted">Working out what changes…</p>}
      {needsCard ? (
        <p className="notice" id="needs-card">
          A paid plan needs a card on file. <Link href={CARD_SECTION}>Add a card</Link> first.
        </p>
      ) : null}
      {error ? (
        <p className="notice" role="alert" id="switch-error">
          {friendlyMessage(error)}{" "}
          {error.data?.code === "PAYMENT_REQUIRED" ? <Link href={CARD_SECTION}>Add or replace your card</Link> : null}
        </p>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="button"
          disabled={!quote.data || quote.data.kind === "none" || needsCard || changeTier.isPending}
          onClick={() => changeTier.mutate({ tierId: tier.id })}
        >
          Confirm
        </button>{" "}
        <button type="button" className="button secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
