// The card step, behind one small interface: attach a card (the provider keeps the number; we keep
// its brand, last 4 digits and the provider's reference) and charge it once per idempotency key.
// Stripe in production (src/server/domain/stripe-payments.ts); outside production, or when asked for,
// the built-in test provider, which answers for Stripe's well-known test numbers; with neither, none
// (src/server/domain/payment-provider.ts chooses).
import cardValidator from "card-validator";
import { z } from "zod";
import { NO_PAYMENTS } from "~/utils/payments";

export interface AttachedCard {
  brand: string;
  last4: string;
  /** The provider's id of the stored card (Stripe: a PaymentMethod id). */
  reference: string;
}

export type Declined = { status: "declined"; reason: string };

/**
 * The provider has not settled the charge (the same key still being processed, a payment pending):
 * not a decline, and not paid. The change is not made, and a later try with the same key learns the outcome.
 */
export class PaymentInProgress extends Error {}

/** Whose card it is: the reference of the card on file (the provider may keep its customer), and their email. */
export interface CardHolder {
  reference: string | null;
  email: string | null;
}

export interface PaymentProvider {
  attachCard(card: CardDetails, holder: CardHolder): Promise<({ status: "attached" } & AttachedCard) | Declined>;
  /** Charges the card; a second call with the same `idempotencyKey` returns the first call's outcome, charging nothing. */
  charge(charge: { reference: string; amountCents: number; currency: string; idempotencyKey: string }): Promise<{ status: "paid" } | Declined>;
}

const digitsOnly = (value: string) => value.replace(/[\s-]/g, "");

/** What a person types into the card form, checked before any provider sees it. */
export const cardDetailsInput = z
  .object({
    number: z
      .string()
      .max(30)
      .transform(digitsOnly)
      .refine((number) => cardValidator.number(number).isValid, "That is not a valid card number."),
    expMonth: z.number({ error: "Give the expiry as MM/YY." }).int().min(1, "The expiry month is 01 to 12.").max(12, "The expiry month is 01 to 12."),
    expYear: z.number({ error: "Give the expiry as MM/YY." }).int().min(2000, "Give the expiry as MM/YY.").max(2100, "Give the expiry as MM/YY."),
    cvc: z.string().regex(/^\d{3,4}$/, "The CVC is the 3 or 4 digits on the back of the card."),
  })
  .superRefine((card, context) => {
    if (!cardValidator.expirationDate({ month: String(card.expMonth), year: String(card.expYear) }).isValid) {
      context.addIssue({ code: "custom", path: ["expYear"], message: "The card has expired." });
    }
  });

export type CardDetails = z.infer<typeof cardDetailsInput>;

const DECLINED = "Your card was declined. Try another card.";

interface TestCard {
  number: string;
  brand: string;
  attaches: boolean;
  charges: boolean;
}

/** Stripe's documented test numbers (their last 4 digits differ, and name them); any other number is refused here. */
const TEST_CARDS: TestCard[] = [
  { number: "4242424242424242", brand: "visa", attaches: true, charges: true },
  { number: "5555555555554444", brand: "mastercard", attaches: true, charges: true },
  { number: "4000000000000002", brand: "visa", attaches: false, charges: false },
  // Attaches, but every charge is declined: the decline a person meets when switching plans.
  { number: "4000000000000341", brand: "visa", attaches: true, charges: false },
];

/** The reference the test provider gives a card (the seed uses it for the demo cards): never the number. */
export const testCardReference = (number: string) => `test_pm_${number.slice(-4)}`;

/**
 * The built-in provider: deterministic and stateless, so any number of app instances agree. A
 * reference names the test card it stands for; charges never move money, so a repeated key needs no
 * memory to stay a single charge.
 */
export const testPaymentProvider: PaymentProvider = {
  async attachCard(card) {
    const known = TEST_CARDS.find((test) => test.number === card.number);
    if (!known) return { status: "declined", reason: "This test setup accepts only the test cards 4242 4242 4242 4242 and 5555 5555 5555 4444." };
    if (!known.attaches) return { status: "declined", reason: DECLINED };
    return { status: "attached", brand: known.brand, last4: card.number.slice(-4), reference: testCardReference(card.number) };
  },
  async charge({ reference }) {
    const known = TEST_CARDS.find((test) => testCardReference(test.number) === reference);
    return known?.charges ? { status: "paid" } : { status: "declined", reason: DECLINED };
  },
};

/**
 * What a deployment without a payment provider answers: no paid plan, with the reason, never a test
 * card taking the place of a real one.
 */
export const noPaymentProvider: PaymentProvider = {
  attachCard: async () => ({ status: "declined", reason: NO_PAYMENTS }),
  charge: async () => ({ status: "declined", reason: NO_PAYMENTS }),
};
