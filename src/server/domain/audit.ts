// The audit trail: every successful mutation records who did what, in its own transaction (a
// mutation that fails or rolls back records nothing), and people can read their own events back.
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { AuditAction } from "~/generated/prisma/enums";
import type { ApiScope } from "~/utils/scopes";

const showDetails = z.object({ showTitle: z.string() });
const planDetails = z.object({ from: z.string(), to: z.string() });
/** A downgrade set for the end of the period: from the plan one is on, to the one that comes `on` that day. */
const scheduledPlanDetails = planDetails.extend({ on: z.iso.datetime() });
const cardDetails = z.object({ brand: z.string(), last4: z.string() });

/** What each action records, and which permission lets one read it back. */
const ACTIONS = {
  follow: { details: showDetails, readScope: "read:shows" },
  unfollow: { details: showDetails, readScope: "read:shows" },
  notify_on: { details: showDetails, readScope: "read:shows" },
  notify_off: { details: showDetails, readScope: "read:shows" },
  plan_change: { details: planDetails, readScope: "read:billing" },
  plan_change_scheduled: { details: scheduledPlanDetails, readScope: "read:billing" },
  // `to` is the downgrade that no longer comes.
  plan_change_canceled: { details: planDetails, readScope: "read:billing" },
  card_change: { details: cardDetails, readScope: "read:billing" },
} satisfies Record<AuditAction, { details: z.ZodType; readScope: ApiScope }>;

type Details<A extends AuditAction> = z.infer<(typeof ACTIONS)[A]["details"]>;

export interface Actor {
  userId: string;
  requestId?: string | null;
}

/** The actor of a protected procedure's call: its user, and the request it came in. */
export const actorOf = (ctx: { user: { id: string }; request: { id: string } | null }): Actor => ({
  userId: ctx.user.id,
  requestId: ctx.request?.id,
});

export async function recordEvent<A extends AuditAction>(
  tx: Prisma.TransactionClient,
  actor: Actor,
  event: { action: A; target: string; details: Details<A> },
): Promise<void> {
  await tx.auditEvent.create({
    data: { userId: actor.userId, requestId: actor.requestId ?? null, action: event.action, target: event.target, details: event.details },
  });
}

/** The actions whose events a caller holding `scopes` may read. */
export function readableActions(scopes: readonly ApiScope[]): AuditAction[] {
  return (Object.keys(ACTIONS) as AuditAction[]).filter((action) => scopes.includes(ACTIONS[action].readScope));
}

export const auditEventSelect = { id: true, action: true, target: true, details: true, createdAt: true } satisfies Prisma.AuditEventSelect;

/** An event as it leaves the server, its details checked against what the action records. */
export function toActivity({ details, createdAt, ...row }: Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>) {
  const event = { ...row, createdAt: createdAt.toISOString() };
  switch (event.action) {
    case "plan_change":
    case "plan_change_canceled":
      return { ...event, action: event.action, details: planDetails.parse(details) };
    case "plan_change_scheduled":
      return { ...event, action: event.action, details: scheduledPlanDetails.parse(details) };
    case "card_change":
      return { ...event, action: event.action, details: cardDetails.parse(details) };
    default:
      return { ...event, action: event.action, details: showDetails.parse(details) };
  }
}
