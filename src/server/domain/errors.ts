// The business rules' refusals, in one place. The domain throws these and knows nothing of how they are
// served: the edge (src/server/errors.ts) turns each into its tRPC code and HTTP status, the same for
// the tRPC API, the REST routes and the pages.
import type { Refusal } from "~/utils/refusals";

/** A request the business rules refuse; its message is said to the caller as it is. */
export abstract class DomainError extends Error {
  abstract readonly refusal: Refusal;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The plan does not allow it (one more follow, a switch to a plan one follows too many shows for). */
export class PlanLimitReached extends DomainError {
  readonly refusal = "plan_limit";
}

/** It needs a payment that cannot be made: no card on file, or the card was declined. */
export class PaymentRequired extends DomainError {
  readonly refusal = "payment_required";
}

/** What the request relied on changed meanwhile (a concurrent request, an account being deleted). */
export class Conflict extends DomainError {
  readonly refusal = "conflict";
}

/** What the request names does not exist. */
export class NotFound extends DomainError {
  readonly refusal = "not_found";
}

/** The caller may not do it: it needs a permission, or a plan, that is not theirs. */
export class NotAllowed extends DomainError {
  readonly refusal = "not_allowed";
}

/** It asks for more than the rules ever allow (a token for longer than a year). */
export class InvalidRequest extends DomainError {
  readonly refusal = "invalid";
}

/** The sentence of every Conflict caused by a concurrent change. */
export const CHANGED_MEANWHILE = "That changed meanwhile. Please try again.";
