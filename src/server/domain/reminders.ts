// Episode reminders: each person who follows a show with reminders on gets one per episode, their lead
// time before it airs, in the app and by email. The job worker makes them (src/server/faces/worker.ts).
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { recordEvent } from "~/server/domain/audit";
import { sqlIn, type Db } from "~/server/platform/db";
import { CLAIM_REMINDER_EMAIL, DUE_REMINDERS } from "~/server/platform/statements";
import { REMINDER_LEADS } from "~/utils/reminders";
import { env } from "~/server/platform/env";
import { deliver } from "~/server/domain/mail-delivery";
import { escapeHtml, type Mailer } from "~/server/platform/mail";

const LONGEST_LEAD_MS = Math.max(...REMINDER_LEADS) * 60_000;

/** The latest an episode may air and have its reminder due at `now`: the longest lead time from now. */
const horizon = (now: Date) => new Date(now.getTime() + LONGEST_LEAD_MS);

/**
 * Makes the reminders whose time has come, for both channels, in one statement. The unique key
 * (person, episode, channel) is what makes each exactly once: two workers, a retry or a crash insert
 * nothing twice. Only what still fits gets one: the episode has not aired, the person follows the show
 * with reminders on and had followed it by the reminder's time, and has a lead time (and, for email,
 * a verified address). How many were made.
 */
export async function createDueReminders(db: Db, now: Date): Promise<number> {
  const [counted] = await sqlIn(db)(DUE_REMINDERS, [now, horizon(now)]);
  return counted?.made ?? 0;
}

// One-click unsubscribe links are signed, so that they need no sign-in and cannot be made for anyone
// else: HMAC-SHA256 of the person and the show, with a key derived from AUTH0_SECRET for this use alone.
const UNSUBSCRIBE_KEY = Buffer.from(hkdfSync("sha256", env.AUTH0_SECRET, "", "Showtrack unsubscribe", 32));
const sign = (userId: string, showId: string) => createHmac("sha256", UNSUBSCRIBE_KEY).update(`${userId}\n${showId}`).digest("base64url");

/** The token of a person's unsubscribe link for one show. */
export const unsubscribeToken = (userId: string, showId: string) => `${userId}.${showId}.${sign(userId, showId)}`;

/** The person and show a token names, when its signature holds; null for a forged or edited one. */
export function verifyUnsubscribeToken(token: string): { userId: string; showId: string } | null {
  const [userId, showId, signature, extra] = token.split(".");
  if (!userId || !showId || !signature || extra !== undefined) return null;
  const expected = Buffer.from(sign(userId, showId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? { userId, showId } : null;
}

/** Turns off that show's reminders for the person, audited as the reminder change it is; whether it changed. */
export async function unsubscribe(db: Db, { userId, showId }: { userId: string; showId: string }): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.subscription.updateMany({ where: { userId, showId, notify: true }, data: { notify: false } });
    if (count === 0) return false;
    const { title } = await tx.show.findUniqueOrThrow({ where: { id: showId }, select: { title: true } });
    await recordEvent(tx, { userId }, { action: "notify_off", target: showId, details: { showTitle: title } });
    return true;
  });
}

const airFormat = new Intl.DateTimeFormat("en-GB", { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "UTC", timeZoneName: "short" });

/**
 * Emails the reminders not sent yet (src/server/domain/mail-delivery.ts says how each goes once).
 * Reminders whose episode has aired, or whose follow or reminders are gone, or whose address is not
 * verified, are not sent. How many were sent.
 */
export async function sendDueEmails(db: Db, mailer: Mailer, now: Date, { appBaseUrl = env.APP_BASE_URL, batch = 200 } = {}): Promise<number> {
  return deliver<ReminderRow>(db, mailer, now, {
    claim: async (tx, skip) => (await sqlIn(tx)(CLAIM_REMINDER_EMAIL, [now, horizon(now), skip]))[0],
    compose: (row) => reminderMail(row, appBaseUrl),
    settle: (tx, row, outcome) => tx.notification.update({ where: { id: row.id }, data: outcome, select: { id: true } }),
  }, batch);
}

interface ReminderRow {
  id: string;
  userId: string;
  email: string;
  title: string;
  showId: string;
  slug: string;
  season: number;
  number: number;
  episodeTitle: string;
  airsAt: Date;
}

/** The reminder as an email: plain text and HTML, with RFC 8058 one-click unsubscribe for the show. */
function reminderMail(row: ReminderRow, appBaseUrl: string) {
  const base = appBaseUrl.replace(/\/$/, "");
  const unsubscribeUrl = `${base}/api/unsubscribe?token=${encodeURIComponent(unsubscribeToken(row.userId, row.showId))}`;
  const when = airFormat.format(row.airsAt);
  const episode = `S${row.season} · E${row.number} "${row.episodeTitle}"`;
  const showUrl = `${base}/shows/${row.slug}`;
  return {
    to: row.email,
    subject: `${row.title}: ${episode} airs ${when}`,
    text: `${row.title}, ${episode}, airs ${when}.\n\n${showUrl}\n\nNo more reminders for ${row.title}: ${unsubscribeUrl}\n`,
    html: `<p><strong>${escapeHtml(row.title)}</strong>, ${escapeHtml(episode)}, airs ${escapeHtml(when)}.</p><p><a href="${escapeHtml(showUrl)}">See the show</a></p><p><a href="${escapeHtml(unsubscribeUrl)}">No more reminders for ${escapeHtml(row.title)}</a></p>`,
    headers: { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" },
    messageId: `<reminder.${row.id}@showtrack>`,
  };
}
