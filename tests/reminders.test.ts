// Episode reminders, made and sent by the worker's functions with the clock a parameter: one per person,
// episode and channel whatever the number of workers, emailed to a real SMTP server started here, with a
// one-click unsubscribe link that needs no sign-in; nothing for what no longer fits.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { createDueReminders, sendDueEmails } from "~/server/domain/reminders";
import { callerFor, db, seededApiServer, until } from "./helpers";
import { smtpForFile, startSmtpServer } from "./smtp";

const api = seededApiServer();
const inbox = smtpForFile();

const MINUTE = 60_000;

/** A show with one episode airing at `airsAt`, followed (reminders on, 1 h lead) by `count` new people. */
async function followedEpisode(name: string, count: number, airsAt: Date, followedAt = new Date(airsAt.getTime() - 2 * 60 * MINUTE)) {
  const show = await db.show.create({ data: { slug: name, title: `Show ${name}`, network: "Test", summary: "A show for reminders.", premiered: 2020, status: "running" } });
  const episode = await db.episode.create({ data: { showId: show.id, season: 1, number: 1, title: "Pilot", airsAt } });
  await db.user.createMany({ data: Array.from({ length: count }, (_, i) => ({ id: `${name}-u${i}`, auth0Sub: `test|${name}-${i}`, email: `${name}-${i}@example.test`, emailVerified: true })) });
  await db.subscription.createMany({ data: Array.from({ length: count }, (_, i) => ({ userId: `${name}-u${i}`, showId: show.id, createdAt: followedAt })) });
  return { show, episode };
}

const notificationsOf = (episodeId: string, channel: "in_app" | "email") => db.notification.count({ where: { episodeId, channel } });
const mailsFor = (name: string) => inbox.smtp.received.filter((mail) => mail.subject?.startsWith(`Show ${name}:`));

describe("reminders", () => {
  it("two workers, one episode with 500 followers: exactly 500 emails at the SMTP server and 500 in the app", async () => {
    const airsAt = new Date(Date.now() + 30 * MINUTE);
    const { episode } = await followedEpisode("busy", 500, airsAt);
    const now = new Date(airsAt.getTime() - 59 * MINUTE); // within the hour before: due
    await Promise.all([createDueReminders(db, now), createDueReminders(db, now), createDueReminders(db, now)]);
    await Promise.all([sendDueEmails(db, inbox.mailer, now, { batch: 1000 }), sendDueEmails(db, inbox.mailer, now, { batch: 1000 })]);
    expect(await notificationsOf(episode.id, "in_app")).toBe(500);
    expect(await notificationsOf(episode.id, "email")).toBe(500);
    expect(mailsFor("busy")).toHaveLength(500);
    expect(new Set(mailsFor("busy").map((mail) => mail.to && "text" in mail.to ? mail.to.text : "")).size).toBe(500);
    // Run again, later: nothing more for this episode (the seed's own episodes may have reminders due by then).
    await createDueReminders(db, new Date(now.getTime() + 10 * MINUTE));
    await sendDueEmails(db, inbox.mailer, new Date(now.getTime() + 10 * MINUTE));
    expect(mailsFor("busy")).toHaveLength(500);
    expect(await notificationsOf(episode.id, "email")).toBe(500);
  }, 60_000);

  it("a worker killed mid-batch changes neither count: its held reminders go out once, from the two workers after it", async () => {
    const airsAt = new Date(Date.now() + 30 * MINUTE);
    const { episode } = await followedEpisode("killed", 500, airsAt);
    const now = new Date(airsAt.getTime() - 59 * MINUTE);
    // The server takes 100 messages, then answers no more: the worker is mid-batch, holding the rows of
    // the messages it is sending, none of them taken. (One taken in the instant before its commit would
    // be the SMTP boundary's one duplicate, which the Message-ID covers: src/server/domain/mail-delivery.ts.)
    const slow = await startSmtpServer({ takeOnly: 100 });
    const child = spawn(process.execPath, ["--import", "tsx", "tests/setup/mail-worker.ts"], {
      env: { ...process.env, SMTP_URL: slow.url, NOW: now.toISOString() },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Every message the server took is committed (the seed's own reminders due at `now` among them).
    await until(async () => [slow.received.length, await db.notification.count({ where: { channel: "email", sentAt: now } })], ([taken, sent]) => taken === 100 && sent === 100, 60_000);
    child.kill("SIGKILL");
    await exited;
    await slow.close();

    await Promise.all([sendDueEmails(db, inbox.mailer, now, { batch: 1000 }), sendDueEmails(db, inbox.mailer, now, { batch: 1000 })]);
    const recipients = [...slow.received.filter((mail) => mail.subject?.startsWith("Show killed:")), ...mailsFor("killed")].map((mail) => (mail.to && "text" in mail.to ? mail.to.text : ""));
    expect(recipients).toHaveLength(500);
    expect(new Set(recipients).size).toBe(500);
    expect(await notificationsOf(episode.id, "in_app")).toBe(500);
    expect(await db.notification.count({ where: { episodeId: episode.id, channel: "email", sentAt: { not: null } } })).toBe(500);
  }, 90_000);

  it("not before the person's lead time, nor after the episode aired", async () => {
    const airsAt = new Date(Date.now() + 3 * 60 * MINUTE);
    const { episode } = await followedEpisode("early", 2, airsAt);
    expect(await createDueReminders(db, new Date(airsAt.getTime() - 61 * MINUTE))).toBe(0);
    expect(await createDueReminders(db, new Date(airsAt.getTime() + MINUTE))).toBe(0);
    expect(await createDueReminders(db, new Date(airsAt.getTime() - 60 * MINUTE))).toBe(4);
    expect(await notificationsOf(episode.id, "in_app")).toBe(2);
  });

  it("nothing for what no longer fits: a follow made after the reminder time, reminders off, no lead time, an unfollow before the email", async () => {
    const airsAt = new Date(Date.now() + 5 * 60 * MINUTE);
    const { episode, show } = await followedEpisode("fits", 4, airsAt);
    await db.subscription.update({ where: { userId_showId: { userId: "fits-u0", showId: show.id } }, data: { createdAt: new Date(airsAt.getTime() - 30 * MINUTE) } });
    await db.subscription.update({ where: { userId_showId: { userId: "fits-u1", showId: show.id } }, data: { notify: false } });
    await db.user.update({ where: { id: "fits-u2" }, data: { reminderLeadMinutes: null } });
    const now = new Date(airsAt.getTime() - 50 * MINUTE);
    await createDueReminders(db, now);
    expect(await db.notification.findMany({ where: { episodeId: episode.id }, select: { userId: true } })).toEqual([
      { userId: "fits-u3" },
      { userId: "fits-u3" },
    ]);
    // fits-u3 unfollows before the email goes: it does not go.
    await db.subscription.delete({ where: { userId_showId: { userId: "fits-u3", showId: show.id } } });
    await sendDueEmails(db, inbox.mailer, now);
    expect(mailsFor("fits")).toHaveLength(0);
  });

  it("an address the identity provider has not verified gets the reminder in the app only", async () => {
    const airsAt = new Date(Date.now() + 5 * 60 * MINUTE);
    const { episode } = await followedEpisode("unverified", 1, airsAt);
    await db.user.update({ where: { id: "unverified-u0" }, data: { emailVerified: false } });
    const now = new Date(airsAt.getTime() - 30 * MINUTE);
    await createDueReminders(db, now);
    await sendDueEmails(db, inbox.mailer, now);
    expect(await notificationsOf(episode.id, "in_app")).toBe(1);
    expect(await notificationsOf(episode.id, "email")).toBe(0);
    expect(mailsFor("unverified")).toHaveLength(0);
  });

  it("the email's one-click link turns that show's reminders off without a session; an edited link is a 400", async () => {
    const airsAt = new Date(Date.now() + 7 * 60 * MINUTE);
    const { show } = await followedEpisode("unsub", 1, airsAt);
    const now = new Date(airsAt.getTime() - 30 * MINUTE);
    await createDueReminders(db, now);
    await sendDueEmails(db, inbox.mailer, now);
    const [mail] = mailsFor("unsub");
    const raw = (name: string) => mail!.headerLines.find((line) => line.key === name)?.line.slice(name.length + 1).trim() ?? "";
    const header = raw("list-unsubscribe");
    expect(raw("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(mail!.text).toContain("airs");
    expect(mail!.html).toContain("No more reminders");
    const link = new URL(/<([^>]+)>/.exec(header)![1]!);
    expect(mail!.text).toContain(link.href);
    const local = `${api.origin}${link.pathname}${link.search}`;
    const edited = local.replace(/token=([^&]+)/, (_, token: string) => `token=${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`);
    expect((await fetch(edited, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } })).status).toBe(400);
    expect((await fetch(`${api.origin}/api/unsubscribe?token=someone.else.x`)).status).toBe(400);
    // Opening the link (a person, or a mail scanner) asks first: nothing changes on a GET.
    const opened = await fetch(local);
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain("Stop reminders for this show");
    expect((await db.subscription.findUniqueOrThrow({ where: { userId_showId: { userId: "unsub-u0", showId: show.id } } })).notify).toBe(true);
    const response = await fetch(local, { method: "POST", body: "List-Unsubscribe=One-Click", headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(response.status).toBe(200);
    expect((await db.subscription.findUniqueOrThrow({ where: { userId_showId: { userId: "unsub-u0", showId: show.id } } })).notify).toBe(false);
    expect(await db.auditEvent.findFirst({ where: { userId: "unsub-u0" }, select: { action: true } })).toEqual({ action: "notify_off" });
  });

  it("an address the SMTP server refuses for good is recorded and holds up none of the others", async () => {
    const airsAt = new Date(Date.now() + 11 * 60 * MINUTE);
    // First in line (the earliest episode): an address no server takes.
    const { episode: first } = await followedEpisode("refused-first", 1, new Date(airsAt.getTime() - 5 * MINUTE));
    await db.user.update({ where: { id: "refused-first-u0" }, data: { email: "someone@reject.example" } });
    await followedEpisode("refused", 2, airsAt);
    const now = new Date(airsAt.getTime() - 30 * MINUTE);
    await createDueReminders(db, now);
    await sendDueEmails(db, inbox.mailer, now);
    expect(mailsFor("refused")).toHaveLength(2);
    const failed = await db.notification.findFirstOrThrow({ where: { episodeId: first.id, channel: "email" } });
    expect(failed.failedAt).not.toBeNull();
    expect(failed.failure).toContain("550");
    expect(failed.sentAt).toBeNull();
  });

  it("an address the SMTP server defers (451) waits for a later run and holds up none of the others", async () => {
    const airsAt = new Date(Date.now() + 13 * 60 * MINUTE);
    const { episode: deferred } = await followedEpisode("deferred-first", 1, new Date(airsAt.getTime() - 5 * MINUTE));
    await db.user.update({ where: { id: "deferred-first-u0" }, data: { email: "someone@later.example" } });
    await followedEpisode("deferred", 3, airsAt);
    const now = new Date(airsAt.getTime() - 30 * MINUTE);
    await createDueReminders(db, now);
    expect(await sendDueEmails(db, inbox.mailer, now)).toBe(3);
    expect(mailsFor("deferred")).toHaveLength(3);
    expect(await db.notification.findFirstOrThrow({ where: { episodeId: deferred.id, channel: "email" } })).toMatchObject({ sentAt: null, failedAt: null });
    // The server takes it now: the next run sends it.
    inbox.smtp.later.accept();
    expect(await sendDueEmails(db, inbox.mailer, now)).toBe(1);
    expect(mailsFor("deferred-first")).toHaveLength(1);
  });

  it("in the app: a page of reminders newest first, the unread count, and mark as read", async () => {
    const airsAt = new Date(Date.now() + 9 * 60 * MINUTE);
    await followedEpisode("inapp", 1, airsAt);
    await createDueReminders(db, new Date(airsAt.getTime() - 30 * MINUTE));
    const caller = callerFor({ sub: "test|inapp-0" });
    expect(await caller.notifications.unreadCount()).toBe(1);
    const page = await caller.notifications.list({ limit: 10 });
    expect(page.items).toEqual([
      { id: expect.any(String), createdAt: expect.any(String), read: false, show: { slug: "inapp", title: "Show inapp" }, episode: { season: 1, number: 1, title: "Pilot", airsAt: airsAt.toISOString() } },
    ]);
    expect(await caller.notifications.markRead({ id: page.items[0]!.id })).toEqual({ marked: 1 });
    expect(await caller.notifications.unreadCount()).toBe(0);
    // Someone else's reminder cannot be marked.
    expect(await callerFor({ sub: "dev|alice" }).notifications.markRead({ id: page.items[0]!.id })).toEqual({ marked: 0 });
    expect(await caller.me.setReminderLead({ minutes: 15 })).toEqual({ leadMinutes: 15 });
    expect(await caller.me.reminders()).toEqual({ leadMinutes: 15 });
    await expect(caller.me.setReminderLead({ minutes: 42 } as never)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
