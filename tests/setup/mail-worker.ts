// A worker process that makes the due reminders and emails them (the reminders job's own functions),
// to be killed mid-batch (tests/reminders.test.ts). DATABASE_URL, SMTP_URL and NOW from the env.
import { createDueReminders, sendDueEmails } from "../../src/server/domain/reminders";
import { db } from "../../src/server/platform/db";
import { createMailer } from "../../src/server/platform/mail";

const now = new Date(process.env.NOW!);
await createDueReminders(db, now);
console.log("sending");
await sendDueEmails(db, createMailer(process.env.SMTP_URL)!, now, { batch: Number.MAX_SAFE_INTEGER });
