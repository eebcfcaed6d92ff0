-- AlterEnum
ALTER TYPE "AuditAction" ADD VALUE 'plan_change_scheduled';
ALTER TYPE "AuditAction" ADD VALUE 'plan_change_canceled';
ALTER TYPE "AuditAction" ADD VALUE 'card_change';

-- AlterTable
ALTER TABLE "BillingAccount" ADD COLUMN     "paymentReference" TEXT,
ADD COLUMN     "pendingTierId" TEXT;

-- AlterTable: existing invoices paid for the plan their account is on (the only plan they could have paid for
-- until now), then the column is required.
ALTER TABLE "Invoice" ADD COLUMN     "tierId" TEXT;
UPDATE "Invoice" i SET "tierId" = a."tierId" FROM "BillingAccount" a WHERE a."id" = i."billingAccountId";
ALTER TABLE "Invoice" ALTER COLUMN "tierId" SET NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Invoice_billingAccountId_tierId_periodStart_key" ON "Invoice"("billingAccountId", "tierId", "periodStart");

-- AddForeignKey
ALTER TABLE "BillingAccount" ADD CONSTRAINT "BillingAccount_pendingTierId_fkey" FOREIGN KEY ("pendingTierId") REFERENCES "PricingTier"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Invoice" ADD CONSTRAINT "Invoice_tierId_fkey" FOREIGN KEY ("tierId") REFERENCES "PricingTier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
