-- The people already here keep getting their reminders: their address was mailed before it had to be
-- verified, and the identity provider's `email_verified` claim replaces this at their next request.
UPDATE "User" SET "emailVerified" = true WHERE "email" IS NOT NULL;
