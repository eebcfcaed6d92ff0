// Plan changes and cards in a real browser, on a production build: the confirmation dialog (its
// focus, Escape, what it says), adding a card on /account, a declined card's message, and the
// disabled switches of a read-only person. Fails on a CSP violation or a console error.
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { READ_ONLY_NOTICE } from "~/utils/permissions";
import { db } from "../helpers";
import { setUpBrowserApp } from "./production";

const expiry = `12/${(new Date().getUTCFullYear() + 2) % 100}`;

const stack = setUpBrowserApp();
const { app, problems } = stack;
let page: Page;

beforeAll(() => {
  ({ page } = stack);
});

const signInAs = stack.signIn;

async function addCard(number: string) {
  const open = page.getByRole("button", { name: /Add a card|Replace card/ });
  if (await open.isVisible()) await open.click(); // else the form is still open after a refused card

  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry (MM/YY)").fill(expiry);
  await page.getByLabel("CVC").fill("123");
  await page.getByRole("button", { name: "Save card" }).click();
}

const dialog = () => page.getByRole("dialog", { name: /^(Switch to|Keep|Cancel the)/ });
const focusIsInDialog = () => page.evaluate(() => document.activeElement?.closest("dialog[open]") !== null);

describe("plan changes in the browser", () => {
  it("asks before a switch: no card yet, then a card added on /account, an upgrade charged and a downgrade scheduled", async () => {
    await signInAs("dev|alice", "/pricing");
    await expect.poll(() => page.locator("#billing-policy").textContent()).toContain("takes effect when your current period ends");

    const toDeveloper = page.getByRole("button", { name: "Switch to Developer" });
    await toDeveloper.click();
    await dialog().waitFor();
    expect(await focusIsInDialog()).toBe(true);
    await page.locator("#needs-card").waitFor();
    expect(await page.locator("#needs-card").textContent()).toContain("A paid plan needs a card on file.");
    expect(await dialog().getByRole("button", { name: "Confirm" }).isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    expect(await toDeveloper.evaluate((button) => button === document.activeElement)).toBe(true);

    await page.goto(`${app}/account`);
    await addCard("4242 4242 4242 4242");
    await expect.poll(() => page.locator("#card-on-file").textContent()).toBe("Visa ending 4242");

    await page.goto(`${app}/pricing`);
    await page.getByRole("button", { name: "Switch to Developer" }).click();
    await expect.poll(() => dialog().locator("#charged-now").textContent()).toBe("$9.00");
    expect(await dialog().textContent()).toContain("$9.00 / month");
    await dialog().getByRole("button", { name: "Confirm" }).click();
    await dialog().waitFor({ state: "detached" });
    await page.locator('section[data-tier="developer"] .badge').waitFor();

    // Canceling is the same switch to Free, offered on one's own plan as a secondary action.
    const cancelPlan = page.locator('section[data-tier="developer"]').getByRole("button", { name: "Cancel plan" });
    expect(await cancelPlan.getAttribute("class")).toContain("secondary");
    expect(await page.getByRole("button", { name: "Switch to Free" }).getAttribute("class")).toContain("secondary");
    await cancelPlan.click();
    expect(await dialog().getByRole("heading").textContent()).toBe("Cancel the Developer plan?");
    await expect.poll(() => dialog().textContent()).toContain("You keep the Developer plan until");
    expect(await dialog().textContent()).toContain("then you move to Free. From now on you can follow up to 3 shows");
    expect(await dialog().textContent()).toContain("Nothing is charged now, and the rest of this period is not refunded");
    await dialog().getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("#pending-switch").textContent()).toMatch(/^Switching to Free on \w{3} \d{1,2}, \d{4}\.$/);

    const invoices = await db.invoice.findMany({ where: { billingAccount: { user: { auth0Sub: "dev|alice" } } }, select: { tierId: true, amountCents: true } });
    expect(invoices).toEqual([{ tierId: "developer", amountCents: 900 }]);
  }, 120_000);

  it("says up front that a downgrade does not fit, with Confirm disabled", async () => {
    await signInAs("dev|bob", "/pricing");
    await page.getByRole("button", { name: "Switch to Free" }).click();
    await expect.poll(() => dialog().locator("#switch-refusal").textContent()).toContain("The Free plan follows up to 3 shows, and you follow 12. Unfollow 9 shows first.");
    expect(await dialog().getByRole("button", { name: "Confirm" }).isDisabled()).toBe(true);
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
  }, 60_000);

  it("a declined card leaves the plan as it was, and says so", async () => {
    await signInAs("dev|dave", "/account");
    await addCard("4000 0000 0000 0002");
    await expect.poll(() => page.locator("#card-error").textContent()).toBe("Your card was declined. Try another card.");
    await addCard("4000 0000 0000 0341");
    await expect.poll(() => page.locator("#card-on-file").textContent()).toBe("Visa ending 0341");

    await page.goto(`${app}/pricing`);
    await page.getByRole("button", { name: "Switch to Enterprise" }).click();
    await expect.poll(() => dialog().locator("#charged-now").textContent()).toBe("$49.00");
    await dialog().getByRole("button", { name: "Confirm" }).click();
    await expect.poll(() => page.locator("#switch-error").textContent()).toContain("Your card was declined. Try another card. Your plan has not changed.");
    expect(await page.locator("#switch-error a").getAttribute("href")).toBe("/account?switch=enterprise#payment-method");
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    expect(await page.locator('section[data-tier="free"] .badge').textContent()).toBe("Your plan");
    expect(await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: "dev|dave" } }, select: { tierId: true } })).toEqual({ tierId: "free" });
    // The browser logs the two refusals' status, and nothing else.
    expect(problems.splice(0)).toEqual([
      expect.stringMatching(/billing\.setCard.*: Failed to load resource: .* 402 /),
      expect.stringMatching(/billing\.changeTier.*: Failed to load resource: .* 402 /),
    ]);

    // The error's link: the card form, open, and once a card is saved, the way back to the switch.
    await page.goto(`${app}/account?switch=enterprise#payment-method`);
    await page.getByLabel("Card number").waitFor();
    await addCard("4242 4242 4242 4242");
    const saved = page.locator("#card-saved");
    await expect.poll(() => saved.textContent()).toContain("Card saved: Visa ending 4242");
    await Promise.all([page.waitForURL(`${app}/pricing?switch=enterprise`), saved.getByRole("link", { name: "Continue switching to Enterprise" }).click()]);
    await expect.poll(() => dialog().locator("#charged-now").textContent()).toBe("$49.00");
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
  }, 120_000);

  it("shows a read-only person the plans with the switches disabled, and why, once", async () => {
    await signInAs("dev|rita", "/pricing");
    const switches = page.getByRole("button", { name: /Switch to/ });
    await expect.poll(() => switches.count()).toBe(2);
    for (const button of await switches.all()) expect(await button.isDisabled()).toBe(true);
    const text = (await page.locator("main").textContent()) ?? "";
    expect(text.split(READ_ONLY_NOTICE["write:billing"]).length - 1).toBe(1);
    expect(text).not.toContain("write:billing");
  }, 60_000);
});
