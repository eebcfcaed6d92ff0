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

/** The user's billing account; a Free one is opened on first access. */
export async function ensureBillingAccount(db: DbOrTx, userId: string) {
  const existing = await db.billingAccount.findUnique({ where: { userId }, include: { tier: true } });
  if (existing) return existing;
  const free = await db.pricingTier.findUniqueOrThrow({ where: { id: FREE_TIER_ID } });
  const now = new Date();
  return db.billingAccount.upsert({
    where: { userId },
    create: { userId, tierId: free.id, currentPeriodStart: now, currentPeriodEnd: periodEnd(now, free.interval) },
    update: {},
    include: { tier: true },
  });
}
