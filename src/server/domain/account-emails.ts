// Emails about a person's account: a renewal's receipt, a declined renewal, the move to Free. Each is
// written in the transaction of the event it tells (so it exists exactly when the event committed),
// under a key of that event, and sent by the job worker (src/server/faces/worker.ts).
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { deliver } from "~/server/domain/mail-delivery";
import { sqlIn, type Db } from "~/server/platform/db";
import { env } from "~/server/platform/env";
import { escapeHtml, type Mailer } from "~/server/platform/mail";
import { CLAIM_ACCOUNT_EMAIL } from "~/server/platform/statements";
import { formatDate, formatPrice } from "~/utils/format";

/** How long an email may wait for an address to send it to (an unverified one, say) before it is no longer news. */
const STALE_AFTER_MS = 7 * 86_400_000;

const charge = { plan: z.string(), amountCents: z.number().int(), currency: z.string() };
const DETAILS = {
  renewal_receipt: z.object({ ...charge, periodStart: z.iso.datetime(), periodEnd: z.iso.datetime() }),
  renewal_declined: z.object({ ...charge, reason: z.string(), nextAttemptAt: z.iso.datetime().nullable() }),
  moved_to_free: z.object({ from: z.string(), following: z.number().int(), freeCap: z.number().int().nullable() }),
};
type Kind = keyof typeof DETAILS;
type Details<K extends Kind> = z.infer<(typeof DETAILS)[K]>;

/** The event a renewal email tells: the invoice key of the period (account, plan, period start), and the attempt for a decline. */
interface RenewalEvent {
  billingAccountId: string;
  tierId: string;
  periodStart: Date;
}

/**
 * Queues an account email in the caller's transaction. Its unique `key` is the event's: the invoice
 * key of the period for a receipt or the move to Free, plus the attempt for a decline. A retried or
 * repeated event writes nothing twice, so the person gets one email per event.
 */
export async function queueAccountEmail<K extends Kind>(tx: Prisma.TransactionClient, userId: string, kind: K, event: RenewalEvent & { attempt?: number }, details: Details<K>) {
  const key = [kind, event.billingAccountId, event.tierId, event.periodStart.toISOString(), ...(event.attempt === undefined ? [] : [event.attempt])].join(":");
  await tx.accountEmail.createMany({ data: [{ userId, key, kind, details: DETAILS[kind].parse(details) }], skipDuplicates: true });
}

interface AccountEmailRow {
  id: string;
  email: string;
  kind: Kind;
  details: unknown;
}

/** Emails the account emails not sent yet, to verified addresses (src/server/domain/mail-delivery.ts says how each goes once); how many were sent. */
export async function sendAccountEmails(db: Db, mailer: Mailer, now: Date, { appBaseUrl = env.APP_BASE_URL, batch = 200 } = {}): Promise<number> {
  return deliver<AccountEmailRow>(db, mailer, now, {
    claim: async (tx, skip) => (await sqlIn(tx)(CLAIM_ACCOUNT_EMAIL, [new Date(now.getTime() - STALE_AFTER_MS), skip]))[0],
    compose: (row) => accountMail(row, appBaseUrl),
    settle: (tx, row, outcome) => tx.accountEmail.update({ where: { id: row.id }, data: outcome, select: { id: true } }),
  }, batch);
}

/** Subject and paragraphs of each kind of email. */
const WORDING: { [K in Kind]: (details: Details<K>) => { subject: string; paragraphs: string[] } } = {
  renewal_receipt: (d) => ({
    subject: `Receipt: ${d.plan} plan, ${formatPrice(d.amountCents, d.currency)}`,
    paragraphs: [
      `Thank you. Your ${d.plan} plan has been renewed: ${formatPrice(d.amountCents, d.currency)} was charged to your card on file.`,
      `This payment covers ${formatDate(d.periodStart)} to ${formatDate(d.periodEnd)}.`,
    ],
  }),
  renewal_declined: (d) => ({
    subject: `Action needed: your ${d.plan} plan could not be renewed`,
    paragraphs: [
      `We could not charge ${formatPrice(d.amountCents, d.currency)} for your ${d.plan} plan. Your bank said: ${d.reason}`,
      d.nextAttemptAt
        ? `We will try again on ${formatDate(d.nextAttemptAt)}. Adding a new card on your account page tries again at once.`
        : `This was the last try: unless a new card pays it, your account moves to the Free plan.`,
    ],
  }),
  moved_to_free: (d) => ({
    subject: `Your account is now on the Free plan`,
    paragraphs: [
      `We could not renew your ${d.from} plan, so your account has moved to the Free plan.`,
      d.freeCap !== null && d.following > d.freeCap
        ? `You keep all ${d.following} shows you follow, but you cannot follow more until you are under Free's ${d.freeCap}. Upgrading again lifts the limit.`
        : `You keep the shows you follow. You can upgrade again at any time.`,
    ],
  }),
};

function accountMail(row: AccountEmailRow, appBaseUrl: string) {
  const { subject, paragraphs } = wordingOf(row.kind, row.details);
  const accountUrl = `${appBaseUrl.replace(/\/$/, "")}/account`;
  return {
    to: row.email,
    subject,
    text: `${paragraphs.join("\n\n")}\n\nYour account: ${accountUrl}\n`,
    html: `${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("")}<p><a href="${escapeHtml(accountUrl)}">Your account</a></p>`,
    messageId: `<account.${row.id}@showtrack>`,
  };
}

const wordingOf = <K extends Kind>(kind: K, details: unknown) => WORDING[kind](DETAILS[kind].parse(details) as Details<K>);
