// The plan rule, in one place: how many shows a plan lets one follow, and how every change that
// could break it (a follow, a plan change) is serialised per account on a multi-connection database.
import type { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { recordEvent } from "~/server/domain/audit";
import { isDowngradeDue, isLapsed, periodEnd, readOpeningAccount } from "~/server/domain/billing";
import { sqlIn, type Db } from "~/server/platform/db";
import { LOCKED_ACCOUNT } from "~/server/platform/statements";
import { PlanLimitReached } from "~/server/domain/errors";
import { formatDate } from "~/utils/format";
import { FREE_TIER_ID } from "~/utils/tiers";

export interface Plan {
  name: string;
  maxSubscriptions: number | null;
}

/**
 * The plan whose cap new follows must fit, and why it is that one: the account's own plan, the lower
 * plan a waiting downgrade moves it to on `on` (`from` is the plan kept until then), or Free's while a
 * paid period is unpaid (`from` is the unpaid plan).
 */
export type FollowCap = Plan & ({ reason: "plan" } | { reason: "downgrade"; from: string; on: Date } | { reason: "unpaid"; from: string });

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

/** How many shows over the plan's cap `following` is (0 when within it, or unlimited). */
function excess(plan: Plan, following: number): number {
  return plan.maxSubscriptions === null ? 0 : Math.max(0, following - plan.maxSubscriptions);
}

/** Why one more follow is refused under `cap`, in the words every page and client shows. */
function followRefusal(cap: FollowCap & { maxSubscriptions: number }, following: number): string {
  const upTo = `up to ${plural(cap.maxSubscriptions, "show")}, and you follow ${following}`;
  switch (cap.reason) {
    case "plan":
      return `Your ${cap.name} plan follows ${upTo}. Upgrade to follow more.`;
    case "downgrade":
      return `You are switching to ${cap.name} on ${formatDate(cap.on)}, so from now on you follow ${upTo}. Keep ${cap.from} to follow more.`;
    case "unpaid":
      return `Your ${cap.from} plan's renewal is unpaid, so until it is paid you follow as on ${cap.name}: ${upTo}. Update your card to follow more.`;
  }
}

/** The refusal of one more follow under `cap`, or null while it has room. */
export function followLimitError(cap: FollowCap, following: number): PlanLimitReached | null {
  if (cap.maxSubscriptions === null || excess(cap, following + 1) === 0) return null;
  return new PlanLimitReached(followRefusal({ ...cap, maxSubscriptions: cap.maxSubscriptions }, following));
}

/** Refuses one more follow when `following` already fills the cap. */
export function assertCanFollowAnother(cap: FollowCap, following: number): void {
  const refusal = followLimitError(cap, following);
  if (refusal) throw refusal;
}

/** The refusal of a switch to `plan` while one follows more shows than it allows, or null when it fits. */
export function planFitError(plan: Plan, following: number): PlanLimitReached | null {
  if (plan.maxSubscriptions === null || excess(plan, following) === 0) return null;
  const limit = `${plan.name} plan follows up to ${plural(plan.maxSubscriptions, "show")}, and you follow ${following}.`;
  return new PlanLimitReached(`The ${limit} Unfollow ${plural(excess(plan, following), "show")} first.`);
}

/** Refuses a switch to `plan` while one follows more shows than it allows. */
export function assertPlanFits(plan: Plan, following: number): void {
  const refusal = planFitError(plan, following);
  if (refusal) throw refusal;
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

/** What an account's follow cap depends on. */
type CapFields = Pick<LockedAccount, "tierName" | "priceCents" | "maxSubscriptions" | "pendingTierId" | "pendingTierName" | "pendingMaxSubscriptions" | "currentPeriodEnd" | "freeMaxSubscriptions">;

/**
 * The plan whose cap new follows must fit: while a downgrade waits, the smaller one, so it still fits
 * when it comes; and once a paid period has ended without its renewal (the worker renews it, or
 * retries), Free's: a period nobody paid for keeps nothing of the paid plan.
 */
function capOf(account: CapFields, now: Date): FollowCap {
  if (isLapsed(account, now)) return { name: "Free", maxSubscriptions: account.freeMaxSubscriptions, reason: "unpaid", from: account.tierName };
  const current = { name: account.tierName, maxSubscriptions: account.maxSubscriptions, reason: "plan" as const };
  if (!account.pendingTierName || account.pendingMaxSubscriptions === null) return current;
  const pending = { name: account.pendingTierName, maxSubscriptions: account.pendingMaxSubscriptions };
  return current.maxSubscriptions === null || pending.maxSubscriptions < current.maxSubscriptions
    ? { ...pending, reason: "downgrade", from: account.tierName, on: account.currentPeriodEnd }
    : current;
}

/** What an account's follow cap is read from, as a Prisma select (pages read it without the lock). */
export const followCapSelect = {
  currentPeriodEnd: true,
  pendingTierId: true,
  tier: { select: { name: true, priceCents: true, maxSubscriptions: true } },
  pendingTier: { select: { name: true, maxSubscriptions: true } },
} satisfies Prisma.BillingAccountSelect;

/**
 * The follow cap of an account read with `followCapSelect`, by the rule the lock applies: what the
 * pages show before a click. Free's cap is read only for an unpaid period, the rare case.
 */
export async function followCapOf(db: Prisma.TransactionClient, account: Prisma.BillingAccountGetPayload<{ select: typeof followCapSelect }>, now = new Date()): Promise<FollowCap> {
  const fields = {
    tierName: account.tier.name,
    priceCents: account.tier.priceCents,
    maxSubscriptions: account.tier.maxSubscriptions,
    pendingTierId: account.pendingTierId,
    pendingTierName: account.pendingTier?.name ?? null,
    pendingMaxSubscriptions: account.pendingTier?.maxSubscriptions ?? null,
    currentPeriodEnd: account.currentPeriodEnd,
  };
  const free = isLapsed(fields, now) ? await db.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID }, select: { maxSubscriptions: true } }) : null;
  return capOf({ ...fields, freeMaxSubscriptions: free?.maxSubscriptions ?? null }, now);
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
