import type { RouterInputs } from "~/utils/trpc";

/** The card's details as a person types them, sent as the API takes them (the expiry split into month and a four-digit year). */
export function CardForm({ pending, onSave, onCancel }: { pending: boolean; onSave: (card: RouterInputs["billing"]["setCard"]) => void; onCancel: () => void }) {
  return (
    <form
      aria-label="Card details"
      className="card-form"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        const [month = "", year = ""] = String(form.get("expiry")).split("/").map((part) => part.trim());
        onSave({
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
      <button type="submit" className="button small" disabled={pending}>
        Save card
      </button>{" "}
      <button type="button" className="button small secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
