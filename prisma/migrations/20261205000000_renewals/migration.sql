-- AlterTable
ALTER TABLE "BillingAccount" ADD COLUMN     "nextRenewalAt" TIMESTAMP(3),
ADD COLUMN     "renewalAttempts" INTEGER NOT NULL DEFAULT 0;

