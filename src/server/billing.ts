import type { Prisma } from "~/generated/prisma/client";
import type { BillingInterval } from "~/generated/prisma/enums";

/** A Prisma client or an interactive transaction: billing helpers run in both. */
type DbOrTx = Prisma.TransactionClient;

const FREE_TIER_ID = "free";

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
export async function openFreeAccount(db: DbOrTx, userId: string): Promise<void> {
  const free = await db.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID }, select: { id: true, interval: true } });
  const now = new Date();
  await db.billingAccount.createMany({
    data: [{ userId, tierId: free.id, currentPeriodStart: now, currentPeriodEnd: periodEnd(now, free.interval) }],
    skipDuplicates: true,
  });
}

/** The user's billing account with its tier; a Free one is opened on first access. */
export async function ensureBillingAccount(db: DbOrTx, userId: string) {
  const query = { relationLoadStrategy: "join", where: { userId }, include: { tier: true } } as const;
  const existing = await db.billingAccount.findUnique(query);
  if (existing) return existing;
  await openFreeAccount(db, userId);
  return db.billingAccount.findUniqueOrThrow(query);
}
