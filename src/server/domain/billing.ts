import type { Prisma } from "~/generated/prisma/client";
import type { BillingInterval } from "~/generated/prisma/enums";
import { FREE_TIER_ID } from "~/utils/tiers";

/** A Prisma client or an interactive transaction: billing helpers run in both. */
type DbOrTx = Prisma.TransactionClient;


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
  if (opened === null) throw new Error(`No billing account for user ${userId} after opening one`);
  return opened;
}

/** The user's billing account with its tier; a Free one is opened on first access. */
export function ensureBillingAccount(db: DbOrTx, userId: string) {
  return readOpeningAccount(db, userId, () =>
    db.billingAccount.findUnique({ relationLoadStrategy: "join", where: { userId }, include: { tier: true } }),
  );
}
