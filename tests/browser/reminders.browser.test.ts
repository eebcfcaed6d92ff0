// Episode reminders and a declined renewal, seen by Dave in Chromium on a production build (`next start`,
// the local identity provider, this file's database). The job worker does not run here: the test plays
// it, calling its functions on the server's database with the clock as a parameter, and its emails go
// to the local mail catcher `npm run dev` runs (maildev), started here. The header's bell counts the
// reminder and /notifications marks it read; the email, opened in the catcher's inbox, has an
// unsubscribe link that asks first and whose button turns that show's reminders off (an edited one is
// refused); a renewal the card declines makes the plan past due on /account and its email arrives, and
// a new card added there pays it at once. Fails on a CSP violation or a console error it does not expect.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MailDev } from "maildev";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testPaymentProvider } from "~/server/domain/payments";
import { sendAccountEmails } from "~/server/domain/account-emails";
import { createDueReminders, sendDueEmails } from "~/server/domain/reminders";
import { renewDueAccounts } from "~/server/domain/renewals";
import { createMailer } from "~/server/platform/mail";
import { freeLoopbackPort } from "../../dev/ports";
import { db } from "../helpers";
import { setUpBrowserApp, type Browser } from "./production";

const DAVE = "dev|dave";
const MINUTE = 60_000;
const expiry = `12/${(new Date().getUTCFullYear() + 2) % 100}`;

let catcher: MailDev;
let mailer: NonNullable<ReturnType<typeof createMailer>>;
let inbox: string;

const stack = setUpBrowserApp();
const { app, problems } = stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const [smtpPort, webPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const mailDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-maildev-"));
  catcher = new MailDev({ smtp: smtpPort, web: webPort, ip: "127.0.0.1", webIp: "127.0.0.1", mailDirectory, silent: true });
  await catcher.start();
  mailer = createMailer(`smtp://127.0.0.1:${smtpPort}`)!;
  inbox = `http://127.0.0.1:${webPort}`;
  ({ browser, page } = stack);
});

afterAll(async () => {
  await catcher?.stop();
});

const signInAs = stack.signIn;

/** Fills and sends the card form on /account. */
async function addCard(number: string) {
  await page.getByRole("button", { name: /Add a card|Replace card/ }).click();
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry (MM/YY)").fill(expiry);
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Save card" }).click();
}

/** The bell's unread count as the page's server rendered it (no badge: 0); the bell must be there. */
async function bellCount(): Promise<number> {
  await page.locator("a#bell").waitFor();
  const badge = page.locator("a#bell .badge");
  return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
}

/**
 * Opens the catcher's inbox in a tab of its own (its page is not the app's, so its console is not
 * checked), opens the email whose subject starts with `subject`, and hands over the tab and the frame
 * showing the message.
 */
async function openInInbox(subject: string) {
  const tab = await browser.context.newPage();
  await tab.goto(inbox);
  await tab.getByText(subject).first().click();
  const frame = tab.frameLocator("iframe");
  return { tab, frame };
}

/** The catcher's one email whose subject starts with `subject`: its recipient and its raw source (its API). */
async function caught(subject: string): Promise<{ to: string; source: string }> {
  type Caught = { id: string; subject: string; to: { address: string }[] };
  const emails = async () => ((await (await fetch(`${inbox}/api/email`)).json()) as Caught[]).filter((email) => email.subject.startsWith(subject));
  await expect.poll(async () => (await emails()).length).toBe(1);
  const [email] = await emails();
  return { to: email!.to.map((to) => to.address).join(), source: await (await fetch(`${inbox}/api/email/${email!.id}/source`)).text() };
}

const daveId = async () => (await db.user.findUniqueOrThrow({ where: { auth0Sub: DAVE }, select: { id: true } })).id;

describe("Dave's reminders and renewal in the browser", () => {
  // Airs two hours from now: Dave follows it now, well before his reminder time (60 min before), so it fits.
  const airsAt = new Date(Math.ceil((Date.now() + 2 * 60 * MINUTE) / MINUTE) * MINUTE);
  // The worker's clock, 30 minutes before the episode: inside Dave's default hour of lead time.
  const clock = new Date(airsAt.getTime() - 30 * MINUTE);
  const slug = "reminder-browser-show";
  const title = "Reminder Browser Show";
  let showId: string;

  it("a followed show's episode: the bell counts the reminder, /notifications lists it, and Mark as read clears the count", async () => {
    const show = await db.show.create({ data: { slug, title, network: "Test", summary: "A show for the reminders in the browser.", premiered: 2024, status: "running" } });
    showId = show.id;
    await db.episode.create({ data: { showId, season: 1, number: 1, title: "Pilot", airsAt } });

    await signInAs(DAVE, `/shows/${slug}`);
    expect(await bellCount()).toBe(0);
    const follow = page.locator("button.follow-button");
    await follow.click();
    await expect.poll(() => follow.getAttribute("aria-pressed")).toBe("true");
    // The button flips at once (optimistic): the follow is there once the server has committed it.
    const userId = await daveId();
    await expect.poll(() => db.subscription.count({ where: { userId, showId } })).toBe(1);

    // The clock moved: the worker's two jobs at `clock`, on the server's database, mailing to our SMTP server.
    expect(await createDueReminders(db, clock)).toBe(2); // in the app and by email
    expect(await sendDueEmails(db, mailer, clock, { appBaseUrl: app })).toBe(1);

    // The bell's count comes with each server-rendered page: a reload shows it.
    await page.reload();
    expect(await bellCount()).toBe(1);
    expect(await page.locator("a#bell").getAttribute("aria-label")).toBe("Reminders, 1 unread");

    await Promise.all([page.waitForURL(`${app}/notifications`), page.locator("a#bell").click()]);
    const item = page.locator("#notifications li[data-notification]");
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute("class")).toBe("unread");
    expect(await item.textContent()).toContain(`${title} S1 · E1 “Pilot” airs`);
    await item.getByRole("button", { name: "Mark as read" }).click();
    await expect.poll(() => item.getAttribute("class")).toBe("read");
    expect(await bellCount()).toBe(0);

    // Read for the server too, not only in this page's cache: a fresh render says 0.
    await page.goto(`${app}/account`);
    expect(await bellCount()).toBe(0);
    expect(await page.locator("a#bell").getAttribute("aria-label")).toBe("Reminders");
    expect(await db.notification.count({ where: { userId, channel: "in_app", readAt: null } })).toBe(0);
  }, 120_000);

  it("the email, opened in the local mail catcher: its unsubscribe link asks first, and its button turns the show's reminders off; an edited one is a 400", async () => {
    const { to, source } = await caught(`${title}:`);
    expect(to).toBe("dave@example.test");
    const { tab, frame } = await openInInbox(`${title}: S1 · E1 "Pilot" airs`);
    const link = (await frame.getByRole("link", { name: `No more reminders for ${title}` }).getAttribute("href")) ?? "";
    await tab.close();
    expect(link.startsWith(`${app}/api/unsubscribe?token=`)).toBe(true);
    // The same link in the one-click headers (RFC 8058); the header may be folded over lines.
    const headers = source.slice(0, source.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
    expect(headers).toContain(`List-Unsubscribe: <${link}>`);
    expect(headers).toContain("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    const notify = async () => (await db.subscription.findUniqueOrThrow({ where: { userId_showId: { userId: await daveId(), showId } } })).notify;

    // One character of the signature changed: refused, and nothing changes.
    const edited = link.replace(/token=([^&]+)/, (_, token: string) => `token=${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`);
    const refused = await page.goto(edited);
    expect(refused!.status()).toBe(400);
    expect(await page.locator("h1").textContent()).toBe("This link does not work");
    expect(await notify()).toBe(true);
    // The browser logs the refused page's status, and nothing else.
    expect(problems.splice(0)).toEqual([expect.stringMatching(/\/api\/unsubscribe.*: Failed to load resource: .* 400 /)]);

    // Opening the link asks first and changes nothing (mail scanners open every link they deliver).
    const opened = await page.goto(link);
    expect(opened!.status()).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Stop these reminders?");
    expect(await notify()).toBe(true);
    // The page's button POSTs the one-click form: that turns them off.
    const [answer] = await Promise.all([page.waitForResponse((response) => response.request().method() === "POST" && response.url().startsWith(`${app}/api/unsubscribe`)), page.click("#unsubscribe")]);
    expect(answer.status()).toBe(200);
    await page.locator("h1", { hasText: "Reminders off" }).waitFor(); // the form's answer is a new page: wait for it
    expect(await page.locator("main p").first().textContent()).toContain("You will get no more reminders for this show.");
    expect(await notify()).toBe(false);
    expect(await db.auditEvent.count({ where: { userId: await daveId(), action: "notify_off", target: showId } })).toBe(1);

    // Dave's account page says so: the show's reminder switch is off.
    await page.goto(`${app}/account`);
    expect(await page.locator(`#my-shows li[data-show="${slug}"] .reminder-toggle input`).isChecked()).toBe(false);
  }, 60_000);

  it("a renewal the card declines makes the plan past due on /account, with an email; a new card added there pays it at once", async () => {
    // Dave on Developer, paid with a card that works, then a card that attaches but declines every charge.
    await page.goto(`${app}/account`);
    await addCard("4242 4242 4242 4242");
    await expect.poll(() => page.locator("#card-on-file").textContent()).toBe("Visa ending 4242");
    await page.goto(`${app}/pricing`);
    await page.getByRole("button", { name: "Switch to Developer" }).click();
    const dialog = page.getByRole("dialog", { name: /Switch to/ });
    await expect.poll(() => dialog.locator("#charged-now").textContent()).toBe("$9.00");
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.locator('section[data-tier="developer"] .badge').waitFor();
    await page.goto(`${app}/account`);
    await addCard("4000 0000 0000 0341");
    await expect.poll(() => page.locator("#card-on-file").textContent()).toBe("Visa ending 0341");

    // The paid period ended a minute ago, and the worker's renewal runs: declined.
    const userId = await daveId();
    const end = new Date(Date.now() - MINUTE);
    await db.billingAccount.update({ where: { userId }, data: { currentPeriodStart: new Date(end.getTime() - 30 * 24 * 60 * MINUTE), currentPeriodEnd: end } });
    const outcomes = await renewDueAccounts(db, testPaymentProvider, new Date());
    expect(outcomes.past_due).toBeGreaterThanOrEqual(1);
    expect(await db.billingAccount.findUniqueOrThrow({ where: { userId }, select: { tierId: true, status: true } })).toEqual({ tierId: "developer", status: "past_due" });

    // Its email arrives: the worker's account emails job, then the catcher's inbox.
    expect(await sendAccountEmails(db, mailer, new Date(), { appBaseUrl: app })).toBeGreaterThanOrEqual(1);
    expect((await caught("Action needed: your Developer plan")).to).toBe("dave@example.test");
    const { tab, frame } = await openInInbox("Action needed: your Developer plan could not be renewed");
    await frame.getByText("We will try again on").waitFor();
    expect(await frame.getByRole("link", { name: "Your account" }).getAttribute("href")).toBe(`${app}/account`);
    await tab.close();

    await page.reload();
    const plan = page.locator("#plan");
    // The plan's status is shown only when it is not simply active.
    const status = plan.locator("div", { has: page.locator("dt", { hasText: "Status" }) }).locator("dd");
    await page.locator("#past-due").waitFor();
    expect(await page.locator("#past-due").textContent()).toContain("Your plan's renewal was declined");
    expect(await status.textContent()).toBe("Past due");

    // A card that pays: setCard retries the renewal at once, and the page shows its answer.
    await addCard("4242 4242 4242 4242");
    await expect.poll(() => page.locator("#card-on-file").textContent()).toBe("Visa ending 4242");
    await page.locator("#past-due").waitFor({ state: "detached" });
    expect(await plan.locator("h2").textContent()).toBe("Plan: Developer");
    expect(await status.count()).toBe(0);
    const account = await db.billingAccount.findUniqueOrThrow({ where: { userId }, select: { id: true, status: true, currentPeriodStart: true, renewalAttempts: true } });
    expect(account).toMatchObject({ status: "active", currentPeriodStart: end, renewalAttempts: 0 });
    expect(await db.invoice.findMany({ where: { billingAccountId: account.id, periodStart: end }, select: { tierId: true, amountCents: true, status: true } })).toEqual([
      { tierId: "developer", amountCents: 900, status: "paid" },
    ]);

    // And after a fresh render from the server.
    await page.reload();
    await page.locator("#plan").waitFor();
    expect(await page.locator("#past-due").count()).toBe(0);
    expect(await status.count()).toBe(0);
  }, 120_000);
});
