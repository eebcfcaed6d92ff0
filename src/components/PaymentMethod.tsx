import { useState } from "react";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";

type Card = RouterOutputs["billing"]["info"]["paymentMethod"];
const FIELDS = ["number", "expMonth", "expYear", "cvc"] as const;
const LABELS = { number: "Card number", expMonth: "Expiry month", expYear: "Expiry", cvc: "CVC" } as const;

/**
 * The card on file, and a form to add or replace it. The number goes to the payment provider
 * through the server (with Stripe, Elements would send it to Stripe directly: docs/billing.md).
 */
export function PaymentMethod({ card, readOnly }: { card: Card; readOnly: boolean }) {
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  const setCard = trpc.billing.setCard.useMutation({
    meta: { ownErrorMessage: true },
    onSuccess(info) {
      utils.billing.info.setData(undefined, info);
      void utils.me.activity.invalidate();
      setOpen(false);
    },
  });
  const fieldErrors = setCard.error?.data?.zodError?.fieldErrors as Partial<Record<(typeof FIELDS)[number], string[]>> | undefined;
  const fieldError = fieldErrors ? FIELDS.flatMap((field) => fieldErrors[field]?.map((message) => `${LABELS[field]}: ${message}`) ?? [])[0] : undefined;

  return (
    <div id="payment-method">
      <p>
        Payment method: <strong id="card-on-file">{card ? `${card.brand} ending ${card.last4}` : "none"}</strong>{" "}
        {open || readOnly ? null : (
          <button type="button" className="button small secondary" onClick={() => setOpen(true)}>
            {card ? "Replace card" : "Add a card"}
          </button>
        )}
      </p>
      {open ? (
        <form
          aria-label="Card details"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget);
            const [month = "", year = ""] = String(form.get("expiry")).split("/").map((part) => part.trim());
            setCard.mutate({
              number: String(form.get("number")),
              expMonth: Number(month),
              expYear: year.length === 2 ? 2000 + Number(year) : Number(year),
              cvc: String(form.get("cvc")),
            });
          }}
        >
          <label>
            Card number <input name="number" inputMode="numeric" autoComplete="cc-number" required placeholder="4242 4242 4242 4242" />
          </label>{" "}
          <label>
            Expiry (MM/YY) <input name="expiry" autoComplete="cc-exp" required placeholder="12/30" size={6} />
          </label>{" "}
          <label>
            CVC <input name="cvc" inputMode="numeric" autoComplete="cc-csc" required size={4} />
          </label>{" "}
          <button type="submit" className="button small" disabled={setCard.isPending}>
            Save card
          </button>{" "}
          <button type="button" className="button small secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </form>
      ) : null}
      {setCard.error ? (
        <p className="notice" role="alert" id="card-error">
          {fieldError ?? friendlyMessage(setCard.error)}
        </p>
      ) : null}
    </div>
  );
}
