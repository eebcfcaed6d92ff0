/**
 * Why the app refused a request, as the API's error data names it (`error.data.refusal`, null for any
 * other failure): the business rules' refusals (src/server/domain/errors.ts) and the infrastructure's
 * (the issuer out of reach, a rate limit). Shared with the browser, which words its own hints by them.
 */
export const REFUSALS = [
  "plan_limit",
  "payment_required",
  "conflict",
  "not_found",
  "not_allowed",
  "invalid",
  "unavailable",
  "rate_limited",
] as const;

export type Refusal = (typeof REFUSALS)[number];
