import { noPaymentProvider, testPaymentProvider, type PaymentProvider } from "~/server/domain/payments";
import { stripePaymentProvider } from "~/server/domain/stripe-payments";
import { paymentsConfig, type PaymentsConfig } from "~/server/platform/config";
import { logger } from "~/server/platform/logger";

export type PaymentsKind = "stripe" | "test" | "none";

/**
 * Which payment provider this deployment has: Stripe when STRIPE_SECRET_KEY is set; the built-in test
 * provider outside production, or with PAYMENTS_PROVIDER=test (a production build on a laptop, the
 * browser tests); otherwise none, and paid plans are refused with the reason, never bought with a
 * test card.
 */
export function paymentsKind(env: PaymentsConfig): PaymentsKind {
  if (env.PAYMENTS_PROVIDER === "stripe" || (env.PAYMENTS_PROVIDER === undefined && env.STRIPE_SECRET_KEY)) return "stripe";
  if (env.PAYMENTS_PROVIDER === "test" || env.NODE_ENV !== "production") return "test";
  return "none";
}

export function createPaymentProvider(env: PaymentsConfig = paymentsConfig): PaymentProvider {
  const kind = paymentsKind(env);
  if (kind === "stripe") return stripePaymentProvider(env.STRIPE_SECRET_KEY!);
  if (kind === "test") return testPaymentProvider;
  logger.error("No payment provider: set STRIPE_SECRET_KEY (or PAYMENTS_PROVIDER=test outside a real deployment). Paid plans are refused until then.");
  return noPaymentProvider;
}

/** Whether this deployment can take payments (the pricing page says so when it cannot). */
export const paymentsAvailable = (env: PaymentsConfig = paymentsConfig) => paymentsKind(env) !== "none";
