import { createHash } from "node:crypto";
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { BillingInterval } from "~/generated/prisma/enums";
import type { Db } from "~/server/platform/db";
import { ACCOUNT_TIER } from "~/server/platform/statements";
import { CHANGED_MEANWHILE, Conflict } from "~/server/domain/errors";
import { FREE_TIER_ID, TIER_IDS } from "~/utils/tiers";

/** A Prisma client or an interactive transaction: billing helpers run in both. */
type DbOrTx = Prisma.TransactionClient;

/** The fields of an invoice the API returns, and their order: newest first. */
export const invoiceSelect = {
  id: true,
  amountCents: true,
  currency: true,
  status: true,
  periodStart: true,
  periodEnd: true,
  issuedAt: true,
} satisfies Prisma.InvoiceSelect;

/** A plan id, as inputs take it and outputs return it. */
export const tierId = z.enum(TIER_IDS);

/** The fields of a plan the API returns. */
export const tierSelect = {
  id: true,
  name: true,
  priceCents: true,
  currency: true,
  interval: true,
  maxSubscriptions: true,
  features: true,
} satisfies Prisma.PricingTierSelect;

const featuresSchema = z.array(z.string());

/** A plan as the API returns it: its id one of TIER_IDS, its features a list of strings. */
export function toTier(tier: Prisma.PricingTierGetPayload<{ select: typeof tierSelect }>) {
  return { ...tier, id: tierId.parse(tier.id), features: featuresSchema.parse(tier.features) };
}

/** The lower plan an account moves to at the end of its period, as the API returns it. */
export const pendingTierJson = ({ id, name }: { id: string; name: string }) => ({ id: tierId.parse(id), name });

export const newestInvoicesFirst = [{ issuedAt: "desc" }, { id: "desc" }] satisfies Prisma.InvoiceOrderByWithRelationInput[];

/** The card on file as the API shows it: brand and last 4 digits, or null. */
export const paymentMethodOf = ({ paymentBrand, paymentLast4 }: { paymentBrand: string | null; paymentLast4: string | null }) =>
  paymentBrand && paymentLast4 ? { brand: paymentBrand, last4: paymentLast4 } : null;

/** An invoice as the API returns it: plain JSON, dates as ISO 8601 strings. */
export const invoiceJson = <T extends { periodStart: Date; periodEnd: Date; issuedAt: Date }>({ periodStart, periodEnd, issuedAt, ...invoice }: T) => ({
  ...invoice,
  periodStart: periodStart.toISOString(),
  periodEnd: periodEnd.toISOString(),
  issuedAt: issuedAt.toISOString(),
});

export function periodEnd(start: Date, interval: BillingInterval): Date {
  const end = new Date(start);
  if (interval === "year") end.setUTCFullYear(end.getUTCFullYear() + 1);
  else end.setUTCMonth(end.getUTCMonth() + 1);
  return end;
}

/**
 * Opens a Free account for a user who has none. `INSERT … ON CONFLICT DO NOTHING` on the unique
 * userId: concurrent first requests (on any instance) leave one account and no error.
 */
async function openFreeAccount(db: DbOrTx, userId: string): Promise<void> {
  const free = await db.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID }, select: { id: true, interval: true } });
  const now = new Date();
  await db.billingAccount.createMany({
    data: [{ userId, tierId: free.id, currentPeriodStart: now, currentPeriodEnd: periodEnd(now, free.interval) }],
    skipDuplicates: true,
  });
}

/**
 * What `read` finds of the user's billing account; when it finds nothing (no account yet), a Free
 * account is opened and `read` runs again. Every reader of an account goes through here, so the
 * common case stays one read.
 */
export async function readOpeningAccount<T>(db: DbOrTx, userId: string, read: () => Promise<T | null>): Promise<T> {
  const found = await read();
  if (found !== null) return found;
  await openFreeAccount(db, userId);
  const opened = await read();
  // Only the user's own deletion, racing this request, removes the account just opened.
  if (opened === null) throw new Conflict(CHANGED_MEANWHILE);
  return opened;
}

/**
 * The plan of the user's billing account (its id and name); a Free account is opened on first access.
 * me.profile rides along in most batches: its plan is one hand-written statement rather than a Prisma
 * query, which would cost the batch more than the procedure's own work.
 */
export function accountTier(db: Db, userId: string) {
  return readOpeningAccount(db, userId, async () => (await db.sql(ACCOUNT_TIER, [userId]))[0] ?? null);
}

/** The smallest charge a card payment can be (Stripe's, in the major currencies). */
export const MIN_CHARGE_CENTS = 50;

/** What a plan change is measured against: the account's plan, period and any downgrade it waits for. */
export interface AccountPlan {
  tierId: string;
  priceCents: number;
  pendingTierId: string | null;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
}

export interface TargetPlan {
  id: string;
  priceCents: number;
  interval: BillingInterval;
}

/**
 * The billing policy, in one place (docs/billing.md; /pricing says it in words):
 * - an upgrade takes effect now. From Free, or once the period is over, it starts a new period today
 *   and charges the full price; between paid plans it keeps the period and charges the prorated
 *   difference for the rest of it;
 * - a downgrade takes effect when the current period ends; nothing is refunded or credited (the
 *   period is paid for and keeps its plan), and nothing is charged;
 * - choosing the plan one is on while a downgrade waits cancels the downgrade, at no charge; choosing
 *   the plan one is on, or the downgrade already waiting, changes nothing.
 */
export type PlanChange =
  | { kind: "none" }
  | { kind: "cancel_downgrade" }
  | { kind: "downgrade"; effectiveAt: Date }
  | { kind: "upgrade"; chargeCents: number; periodStart: Date; periodEnd: Date };

/** A plan change as the API sends it: plain JSON, dates as ISO strings. */
export function planChangeJson(change: PlanChange) {
  switch (change.kind) {
    case "downgrade":
      return { ...change, effectiveAt: change.effectiveAt.toISOString() };
    case "upgrade":
      return { ...change, periodStart: change.periodStart.toISOString(), periodEnd: change.periodEnd.toISOString() };
    default:
      return change;
  }
}

export function planChange(account: AccountPlan, target: TargetPlan, now: Date): PlanChange {
  if (target.id === account.tierId) return account.pendingTierId ? { kind: "cancel_downgrade" } : { kind: "none" };
  if (target.id === account.pendingTierId) return { kind: "none" };
  if (target.priceCents < account.priceCents) return { kind: "downgrade", effectiveAt: account.currentPeriodEnd };
  const start = account.currentPeriodStart.getTime();
  const end = account.currentPeriodEnd.getTime();
  if (account.priceCents === 0 || now.getTime() >= end) {
    return { kind: "upgrade", chargeCents: target.priceCents, periodStart: now, periodEnd: periodEnd(now, target.interval) };
  }
  const unused = (end - now.getTime()) / (end - start);
  return {
    kind: "upgrade",
    // Never less than a card payment can be (Stripe's smallest charge): a moment before the period
    // ends, a higher plan is not had for nothing.
    chargeCents: Math.max(MIN_CHARGE_CENTS, Math.round((target.priceCents - account.priceCents) * unused)),
    periodStart: account.currentPeriodStart,
    periodEnd: account.currentPeriodEnd,
  };
}

/** A paid plan whose period has ended without a renewal: it is owed, not had. */
export function isLapsed(account: Pick<AccountPlan, "priceCents" | "pendingTierId" | "currentPeriodEnd">, now: Date): boolean {
  return account.priceCents > 0 && account.pendingTierId === null && account.currentPeriodEnd.getTime() <= now.getTime();
}

/** A downgrade whose day has come: the account moves to it, and a new period follows the old one. */
export function isDowngradeDue(account: Pick<AccountPlan, "pendingTierId" | "currentPeriodEnd">, now: Date): boolean {
  return account.pendingTierId !== null && account.currentPeriodEnd.getTime() <= now.getTime();
}

/**
 * The provider's idempotency key of the charge for moving an account to a plan: the account, the plan,
 * the start of the period the account is in before the change, and the card. Each stays the same
 * until the change commits (the period moves on then), so a retry, even after a crash between the
 * charge and the commit, is the same charge at the provider, whatever time the new period would now
 * start at; a new card after a decline is a new attempt. The database's own key is the invoice's
 * (account, plan, period start): one invoice per plan and period.
 */
export const chargeKey = (accountId: string, tierId: string, fromPeriodStart: Date, cardReference: string) =>
  `charge:${accountId}:${tierId}:${fromPeriodStart.toISOString()}:${cardFingerprint(cardReference)}`;

/** A card's part of an idempotency key: a new card is a new attempt, and the reference itself stays out of the key. */
export const cardFingerprint = (cardReference: string) => createHash("sha256").update(cardReference).digest("base64url").slice(0, 16);
