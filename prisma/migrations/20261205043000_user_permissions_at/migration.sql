-- AlterTable
ALTER TABLE "User" ADD COLUMN     "permissionsAt" TIMESTAMP(3);

-- Left empty for everyone: permissions learned before now have no time to be trusted by, so a
-- person's personal tokens wait for their next signed-in request (docs/security.md).
