// The production payment provider: Stripe, through its official SDK, behind the app's PaymentProvider.
// A card becomes a PaymentMethod attached to the account's Customer; a charge is a PaymentIntent
// confirmed at once, `off_session` (the person is not there to authenticate: a renewal, or a switch
// charged to the card on file), with the app's idempotency key as Stripe's, so a retried request is
// the same charge. The card reference the app keeps is "<customer id>/<payment method id>".
import Stripe from "stripe";
import { PaymentInProgress, type AttachedCard, type CardDetails, type Declined, type PaymentProvider } from "~/server/domain/payments";

/** The SDK's own options: tests point `host`, `port` and `protocol` at a local stand-in for Stripe's API. */
export type StripeOptions = Pick<Stripe.StripeConfig, "host" | "port" | "protocol" | "maxNetworkRetries" | "timeout">;

const parseReference = (reference: string) => {
  const [customer, paymentMethod] = reference.split("/");
  return customer?.startsWith("cus_") && paymentMethod ? { customer, paymentMethod } : null;
};

/** A card error is the card's verdict (declined, expired, wrong CVC): its message is the person's to read. */
function declined(error: unknown): Declined | null {
  if (!(error instanceof Stripe.errors.StripeCardError)) return null;
  // Stripe's own sentence, without the request id the SDK puts before it in `message`.
  const { raw } = error;
  const reason = raw && typeof raw === "object" && "message" in raw && typeof raw.message === "string" ? raw.message : error.message;
  return { status: "declined", reason };
}

/**
 * A charge is made under the account's lock, in a transaction that allows it 60 s: two tries of at
 * most 20 s each (the SDK's retry reuses the idempotency key) end well inside it.
 */
const LIMITS = { timeout: 20_000, maxNetworkRetries: 1 };


/** Whether Stripe no longer knows the customer or the card (deleted, or made with the keys of the other mode). */
const cardGone = (error: unknown, param: "customer" | "payment_method") =>
  error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing" && error.param === param;

export function stripePaymentProvider(secretKey: string, options: StripeOptions = {}): PaymentProvider {
  const stripe = new Stripe(secretKey, { ...LIMITS, telemetry: false, ...options });
  return {
    async attachCard(card: CardDetails, { reference, email }) {
      try {
        const paymentMethod = await stripe.paymentMethods.create({
          type: "card",
          card: { number: card.number, exp_month: card.expMonth, exp_year: card.expYear, cvc: card.cvc },
        });
        const newCustomer = async () => (await stripe.customers.create(email ? { email } : {})).id;
        let customer = (reference && parseReference(reference)?.customer) ?? (await newCustomer());
        try {
          await stripe.paymentMethods.attach(paymentMethod.id, { customer });
        } catch (error) {
          if (!cardGone(error, "customer")) throw error;
          customer = await newCustomer();
          await stripe.paymentMethods.attach(paymentMethod.id, { customer });
        }
        await stripe.customers.update(customer, { invoice_settings: { default_payment_method: paymentMethod.id } });
        const attached: AttachedCard = { brand: paymentMethod.card?.brand ?? "card", last4: paymentMethod.card?.last4 ?? card.number.slice(-4), reference: `${customer}/${paymentMethod.id}` };
        return { status: "attached", ...attached };
      } catch (error) {
        const refusal = declined(error);
        if (refusal) return refusal;
        throw error;
      }
    },

    async charge({ reference, amountCents, currency, idempotencyKey }) {
      const card = parseReference(reference);
      if (!card) return { status: "declined", reason: "The card on file is not a Stripe card. Please add your card again." };
      try {
        const intent = await stripe.paymentIntents.create(
          { amount: amountCents, currency, customer: card.customer, payment_method: card.paymentMethod, off_session: true, confirm: true },
          { idempotencyKey },
        );
        if (intent.status === "succeeded") return { status: "paid" };
        if (intent.status === "processing") throw new PaymentInProgress(`PaymentIntent ${intent.id} is processing`);
        return { status: "declined", reason: "Your bank asks you to confirm this payment. Please add your card again." };
      } catch (error) {
        const refusal = declined(error);
        if (refusal) return refusal;
        // The same key with other parameters: this change is being charged already.
        if (error instanceof Stripe.errors.StripeIdempotencyError) throw new PaymentInProgress(error.message);
        if (cardGone(error, "customer") || cardGone(error, "payment_method")) {
          return { status: "declined", reason: "The card on file is no longer known to our payment provider. Please add your card again." };
        }
        throw error;
      }
    },
  };
}
