// The main flows under `next dev`, as the README's first command runs the app: React's strict mode
// mounts each component twice and runs its effects twice there, which a production build never does.
// The plan dialog opens and stays open until the person closes it, a card is saved, a show is
// followed, a plan is changed, and an account is deleted (its notice for that person only, once).
// Fails on a CSP violation or a console error of the app.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../helpers";
import { setUpBrowserApp, type Browser } from "./production";

const expiry = `12/${(new Date().getUTCFullYear() + 2) % 100}`;

const stack = setUpBrowserApp({ dev: true });
const { app } = stack;
let browser: Browser;
let page: Page;

beforeAll(() => {
  ({ browser, page } = stack);
});

const dialog = () => page.getByRole("dialog", { name: /Switch to/ });

describe("the main flows under next dev", () => {
  it("opens the plan dialog and keeps it open until Escape", async () => {
    await stack.signIn("dev|alice", "/pricing");
    const toDeveloper = page.getByRole("button", { name: "Switch to Developer" });
    await toDeveloper.click();
    // The quote comes after the dialog opened: still open then, and still open a moment later.
    await dialog().locator("#needs-card").waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(true)))));
    expect(await dialog().isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.closest("dialog[open]") !== null)).toBe(true);
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    expect(await toDeveloper.evaluate((button) => button === document.activeElement)).toBe(true);
  }, 600_000);

  it("saves a card, and says so", async () => {
    await page.goto(`${app}/account`);
    await page.getByRole("button", { name: "Add a card" }).click();
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByLabel("Expiry (MM/YY)").fill(expiry);
    await page.getByLabel("CVC").fill("123");
    await page.getByRole("button", { name: "Save card" }).click();
    await expect.poll(() => page.locator("#card-on-file").textContent(), { timeout: 60_000 }).toBe("Visa ending 4242");
    expect(await page.locator("#card-saved").textContent()).toContain("Card saved");
  }, 600_000);

  it("follows a show from the catalogue", async () => {
    await page.goto(`${app}/shows`);
    const first = page.locator('li.card:has(button.follow-button[aria-pressed="false"]:not([aria-disabled]))').first();
    const slug = (await first.getAttribute("data-show"))!;
    const card = page.locator(`li.card[data-show="${slug}"]`);
    await card.locator("button.follow-button").click();
    await expect.poll(() => card.locator("button.follow-button").getAttribute("aria-pressed")).toBe("true");
    await expect
      .poll(() => db.subscription.count({ where: { user: { auth0Sub: "dev|alice" }, show: { slug } } }), { timeout: 60_000 })
      .toBe(1);
  }, 600_000);

  it("changes the plan through the dialog", async () => {
    await page.goto(`${app}/pricing`);
    await page.getByRole("button", { name: "Switch to Developer" }).click();
    await expect.poll(() => dialog().locator("#charged-now").textContent(), { timeout: 60_000 }).toBe("$9.00");
    await dialog().getByRole("button", { name: "Confirm" }).click();
    await dialog().waitFor({ state: "detached" });
    await page.locator('section[data-tier="developer"] .badge').waitFor();
    expect(await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: "dev|alice" } }, select: { tierId: true } })).toEqual({ tierId: "developer" });
  }, 600_000);

  it("thanks the person who deleted their account on /, once, and not whoever signs in next from there", async () => {
    await stack.signIn("dev|dave", "/account");
    await page.fill('input[name="confirmEmail"]', "dave@example.test");
    await Promise.all([page.waitForURL(`${app}/`), page.getByRole("button", { name: "Delete my account" }).click()]);
    expect(await page.textContent("#deleted-notice")).toBe("Your account and all its data were deleted.");
    expect(await db.user.count({ where: { auth0Sub: "dev|dave" } })).toBe(0);

    // Not again after a reload, and "Log in" carries nothing of it to the next person.
    await page.reload();
    await page.locator("#login").waitFor();
    expect(await page.locator("#deleted-notice").count()).toBe(0);
    expect(await page.locator("#login").getAttribute("href")).toBe("/auth/login?returnTo=%2F");
    await browser.context.clearCookies(); // no single sign-on left at the provider: Carol picks herself
    await page.click("#login");
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    await Promise.all([page.waitForURL(`${app}/`), page.click('button[data-sub="dev|carol"]')]);
    await page.locator("#logout").waitFor();
    expect(await page.locator("#deleted-notice").count()).toBe(0);
  }, 600_000);
});
