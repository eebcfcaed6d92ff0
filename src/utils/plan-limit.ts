/**
 * The tRPC error code of every plan-limit refusal (HTTP 412): a precondition of the account, not a
 * missing permission (FORBIDDEN), so clients offer an upgrade for this one only. The code the edge
 * (src/server/errors.ts) gives the domain's PlanLimitReached; shared with the browser, hence its own module.
 */
export const PLAN_LIMIT_CODE = "PRECONDITION_FAILED";
