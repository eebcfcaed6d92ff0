// The plan rule, in one place: how many shows a plan lets one follow, and how every change that
// could break it (a follow, a plan change) is serialised per account on a multi-connection database.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { readOpeningAccount } from "~/server/domain/billing";
import { PLAN_LIMIT_CODE } from "~/utils/plan-limit";

export interface Plan {
  name: string;
  maxSubscriptions: number | null;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** How many shows over the plan's cap `following` is (0 when within it, or unlimited). */
function excess(plan: Plan, following: number): number {
  return plan.maxSubscriptions === null ? 0 : Math.max(0, following - plan.maxSubscriptions);
}

function planLimitError(plan: Plan & { maxSubscriptions: number }, following: number, attempt: "follow" | "switch") {
  const limit = `${plan.name} plan follows up to ${plural(plan.maxSubscriptions, "show")}, and you follow ${following}.`;
  const message =
    attempt === "follow"
      ? `Your ${limit} Upgrade to follow more.`
      : `The ${limit} Unfollow ${plural(excess(plan, following), "show")} first.`;
  return new TRPCError({ code: PLAN_LIMIT_CODE, message });
}

/** Refuses one more follow when `following` already fills the plan. */
export function assertCanFollowAnother(plan: Plan, following: number): void {
  if (plan.maxSubscriptions !== null && excess(plan, following + 1) > 0) {
    throw planLimitError({ ...plan, maxSubscriptions: plan.maxSubscriptions }, following, "follow");
  }
}

/** Refuses a switch to `plan` while one follows more shows than it allows. */
export function assertPlanFits(plan: Plan, following: number): void {
  if (plan.maxSubscriptions !== null && excess(plan, following) > 0) {
    throw planLimitError({ ...plan, maxSubscriptions: plan.maxSubscriptions }, following, "switch");
  }
}

const lockedAccountRow = z.object({
  id: z.string(),
  tierId: z.string(),
  tierName: z.string(),
  maxSubscriptions: z.number().int().nullable(),
});

async function selectAccountForUpdate(tx: Prisma.TransactionClient, userId: string) {
  const rows = await tx.$queryRaw<unknown[]>`
    SELECT a."id", a."tierId", t."name" AS "tierName", t."maxSubscriptions"
    FROM "BillingAccount" a JOIN "PricingTier" t ON t."id" = a."tierId"
    WHERE a."userId" = ${userId}
    FOR UPDATE OF a`;
  return rows.length ? lockedAccountRow.parse(rows[0]) : null;
}

/**
 * Locks the user's billing account row until the transaction ends (`SELECT … FOR UPDATE`), opening
 * a Free account first when there is none, and returns it with its plan. Every change that raises
 * usage or lowers the cap takes this lock before it counts, so one user's follows and plan changes
 * run one after another on any number of app instances, while other users never wait. (Chosen over
 * SERIALIZABLE isolation: no retry loop, and no false conflicts between different users.)
 */
export function lockBillingAccount(tx: Prisma.TransactionClient, userId: string) {
  return readOpeningAccount(tx, userId, () => selectAccountForUpdate(tx, userId));
}
