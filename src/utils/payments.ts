/** What the pricing page and the API say when this deployment has no payment provider. */
export const NO_PAYMENTS = "Paid plans are not available yet: this deployment has no payment provider. Please try again later.";
