import dynamic from "next/dynamic";
import { Link } from "~/components/Link";
import { useState, useSyncExternalStore } from "react";
import { CARD_SECTION_ID } from "~/utils/card-section";
import { formatCard } from "~/utils/format";
import { TIER_IDS, type TierId } from "~/utils/tiers";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";

type Card = RouterOutputs["billing"]["info"]["paymentMethod"];
const FIELDS = ["number", "expMonth", "expYear", "cvc"] as const;

// Loaded when the person opens it: most visits of /account only read the card on file.
const CardForm = dynamic(() => import("~/components/CardForm").then((module) => module.CardForm), { ssr: false });

const subscribeToAddress = (onChange: () => void) => {
  window.addEventListener("hashchange", onChange);
  window.addEventListener("popstate", onChange);
  return () => {
    window.removeEventListener("hashchange", onChange);
    window.removeEventListener("popstate", onChange);
  };
};

/**
 * Whether the page's address sends the person here to add a card (the plan dialog's link), and the
 * switch that needed it; read in the browser only (the server never sees the address's #part).
 */
function useSentHere(): { sentHere: boolean; switchTo: TierId | null } {
  const href = useSyncExternalStore(subscribeToAddress, () => window.location.href, () => null);
  if (href === null) return { sentHere: false, switchTo: null };
  const url = new URL(href);
  const wanted = url.searchParams.get("switch");
  return { sentHere: url.hash === `#${CARD_SECTION_ID}`, switchTo: TIER_IDS.find((id) => id === wanted) ?? null };
}

/**
 * The card on file, and a form to add or replace it. The number goes to the payment provider
 * through the server (with Stripe, Elements would send it to Stripe directly: docs/billing.md).
 */
export function PaymentMethod({ card, readOnly }: { card: Card; readOnly: boolean }) {
  const utils = trpc.useUtils();
  const { sentHere, switchTo } = useSentHere();
  // Until the person opens or closes it, the form is open when they were sent here to add a card.
  const [chosenOpen, setOpen] = useState<boolean | null>(null);
  const open = !readOnly && (chosenOpen ?? sentHere);
  const [saved, setSaved] = useState(false);
  const tiers = trpc.billing.pricingTiers.useQuery(undefined, { enabled: switchTo !== null });
  const setCard = trpc.billing.setCard.useMutation({
    meta: { ownErrorMessage: true },
    onSuccess(info) {
      utils.billing.info.setData(undefined, info);
      void utils.me.activity.invalidate();
      setOpen(false);
      setSaved(true);
    },
  });
  const fieldErrors = setCard.error?.data?.zodError?.fieldErrors as Partial<Record<(typeof FIELDS)[number], string[]>> | undefined;
  // The schema's messages are whole sentences (src/server/domain/payments.ts): the first one says what to fix.
  const fieldError = fieldErrors ? FIELDS.flatMap((field) => fieldErrors[field] ?? [])[0] : undefined;
  const nextPlan = switchTo && tiers.data?.find((tier) => tier.id === switchTo);

  return (
    <div id={CARD_SECTION_ID}>
      <p>
        Payment method: <strong id="card-on-file">{card ? formatCard(card) : "none"}</strong>{" "}
        {open || readOnly ? null : (
          <button
            type="button"
            className="button small secondary"
            onClick={() => {
              setSaved(false);
              setOpen(true);
            }}
          >
            {card ? "Replace card" : "Add a card"}
          </button>
        )}
      </p>
      {saved && card ? (
        <p className="notice ok" role="status" id="card-saved">
          Card saved: {formatCard(card)} pays for your plan from now on.{" "}
          {nextPlan && !readOnly ? <Link href={`/pricing?switch=${nextPlan.id}`}>Continue switching to {nextPlan.name}</Link> : null}
        </p>
      ) : null}
      {open ? (
        <CardForm
          pending={setCard.isPending}
          onSave={(details) => setCard.mutate(details)}
          onCancel={() => setOpen(false)}
        />
      ) : null}
      {setCard.error ? (
        <p className="notice" role="alert" id="card-error">
          {fieldError ?? friendlyMessage(setCard.error)}
        </p>
      ) : null}
    </div>
  );
}
