// The plan rule, in one place: how many shows a plan lets one follow, and how every change that
// could break it (a follow, a plan change) is serialised per account on a multi-connection database.
import type { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { recordEvent } from "~/server/domain/audit";
import { isDowngradeDue, isLapsed, periodEnd, readOpeningAccount } from "~/server/domain/billing";
import { sqlIn, type Db } from "~/server/platform/db";
import { LOCKED_ACCOUNT } from "~/server/platform/statements";
import { PlanLimitReached } from "~/server/domain/errors";
import { FREE_TIER_ID } from "~/utils/tiers";

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
  return new PlanLimitReached(message);
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

type LockedAccount = z.infer<typeof LOCKED_ACCOUNT.row>;

async function selectAccountForUpdate(tx: Prisma.TransactionClient, userId: string): Promise<LockedAccount | null> {
  return (await sqlIn(tx)(LOCKED_ACCOUNT, [userId, FREE_TIER_ID]))[0] ?? null;
}

/** Moves a locked account to the downgrade it waited for, the period now over; audited as the change it is. */
async function applyDueDowngrade(tx: Prisma.TransactionClient, userId: string, account: LockedAccount): Promise<void> {
  const { pendingTierId, pendingTierName, pendingInterval, pendingPriceCents } = account;
  if (!pendingTierId || !pendingTierName || !pendingInterval) return;
  const start = account.currentPeriodEnd;
  // A paid plan's next period is paid before it is had: the account moves to the plan with its period
  // still ended, and the renewal (src/server/domain/renewals.ts) charges the new plan's price for it.
  // A free plan owes nothing: whatever renewal was being retried is over.
  const period = pendingPriceCents
    ? {}
    : { currentPeriodStart: start, currentPeriodEnd: periodEnd(start, pendingInterval), status: "active" as const, renewalAttempts: 0, nextRenewalAt: null };
  await tx.billingAccount.update({ where: { id: account.id }, data: { tierId: pendingTierId, pendingTierId: null, ...period } });
  await recordEvent(tx, { userId }, { action: "plan_change", target: pendingTierId, details: { from: account.tierName, to: pendingTierName } });
}

/**
 * The plan whose cap new follows must fit: while a downgrade waits, the smaller one, so it still fits
 * when it comes; and once a paid period has ended without its renewal (the worker renews it, or
 * retries), Free's: a period nobody paid for keeps nothing of the paid plan.
 */
function capOf(account: LockedAccount, now: Date): Plan {
  if (isLapsed(account, now)) return { name: "Free", maxSubscriptions: account.freeMaxSubscriptions };
  const current = { name: account.tierName, maxSubscriptions: account.maxSubscriptions };
  if (!account.pendingTierName || account.pendingMaxSubscriptions === null) return current;
  const pending = { name: account.pendingTierName, maxSubscriptions: account.pendingMaxSubscriptions };
  return current.maxSubscriptions === null || pending.maxSubscriptions < current.maxSubscriptions ? pending : current;
}

/**
 * Locks the user's billing account row until the transaction ends (`SELECT … FOR UPDATE`), opening
 * a Free account first when there is none, and returns it with its plan, first applying a downgrade
 * whose day has come. Every change that raises usage or lowers the cap takes this lock before it
 * counts, so one user's follows and plan changes run one after another on any number of app
 * instances, while other users never wait. (Chosen over SERIALIZABLE isolation: no retry loop, and
 * no false conflicts between different users.)
 */
export async function lockBillingAccount(tx: Prisma.TransactionClient, userId: string, now = new Date()) {
  const read = () => selectAccountForUpdate(tx, userId);
  let account = await readOpeningAccount(tx, userId, read);
  if (isDowngradeDue(account, now)) {
    await applyDueDowngrade(tx, userId, account);
    account = await readOpeningAccount(tx, userId, read);
  }
  return { ...account, cap: capOf(account, now) };
}

/**
 * Applies every downgrade whose day has come (the job worker's, every minute), each under its
 * account's lock as any other plan change, so that it happens on its date rather than when the person
 * next opens a page. How many were applied.
 */
export async function applyDueDowngrades(db: Db, now = new Date(), onFailure: (userId: string, error: unknown) => void = () => undefined): Promise<number> {
  const due = await db.billingAccount.findMany({
    where: { pendingTierId: { not: null }, currentPeriodEnd: { lte: now } },
    orderBy: { currentPeriodEnd: "asc" },
    select: { userId: true },
    take: 500,
  });
  let applied = 0;
  for (const { userId } of due) {
    // One account failing (deleted meanwhile, say) holds up no other: it is tried again next run.
    try {
      const account = await db.$transaction((tx) => lockBillingAccount(tx, userId, now));
      if (account.pendingTierId === null) applied++;
    } catch (error) {
      onFailure(userId, error);
    }
  }
  return applied;
}
