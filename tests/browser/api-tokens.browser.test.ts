// Bob's API tokens in Chromium on a production build (`next start`, the local identity provider, this
// file's database): he makes one on /account, sees it once with its curl line, calls the API with it,
// sees it listed with its prefix and last use, and revokes it; Alice, on Free, is offered none. Fails
// on a CSP violation or a console error.
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { launchBrowser, reportProblems, signInWithOneClick, startProductionApp } from "./production";

let app: string;
let stopApp: (() => void) | undefined;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  ({ app, stop: stopApp } = await startProductionApp(process.env.DATABASE_URL!));
  browser = await launchBrowser();
  page = browser.page;
  await reportProblems(browser, app, problems);
}, 900_000);

afterEach(() => {
  expect(browser.blocked).toEqual([]);
  expect(problems.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  stopApp?.();
});

it("Bob makes a token on /account, sees it once with a curl line, uses it, and revokes it", async () => {
  await signInWithOneClick(browser, app, "dev|bob", "/account");
  const panel = page.locator("#api-tokens");
  await panel.getByLabel("Name").fill("ci-script");
  await panel.getByLabel("Expires in").selectOption("30");
  await panel.getByRole("button", { name: "Create token" }).click();
  const token = (await page.locator("#new-token-value").textContent())!;
  expect(token).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
  expect(await page.locator("#new-token-curl").textContent()).toBe(`export SHOWTRACK_TOKEN=${token}\ncurl -H "Authorization: Bearer $SHOWTRACK_TOKEN" ${app}/api/my/shows`);
  const listed = panel.locator("#token-list li", { hasText: "ci-script" });
  await expect.poll(() => listed.textContent()).toContain(`${token.slice(0, 12)}…`);
  expect(await listed.textContent()).toContain("last used never");

  // The token works from outside the browser, with the read permissions checked by default.
  const shows = await fetch(`${app}/api/my/shows`, { headers: { authorization: `Bearer ${token}` } });
  expect(shows.status).toBe(200);
  expect(((await shows.json()) as { items: unknown[] }).items.length).toBe(12);

  // Shown once: after a reload only its prefix is there, and its last use.
  await page.reload();
  expect(await page.locator("#new-token-value").count()).toBe(0);
  await expect.poll(() => listed.textContent()).not.toContain("last used never");
  expect(await panel.locator("#tokens-sign-in-by").textContent()).toMatch(/^Your tokens stop working on .+ unless you sign in to Showtrack before then\.$/);

  await listed.getByRole("button", { name: "Revoke the token ci-script" }).click();
  await expect.poll(() => listed.count()).toBe(0);
  expect((await fetch(`${app}/api/my/shows`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  // The activity says so, and how.
  await page.reload();
  await expect.poll(() => page.locator("#activity").textContent()).toContain("You revoked the API token 'ci-script'");
});

it("Alice, on Free, is told API tokens come with the paid plans, and offered no form", async () => {
  await signInWithOneClick(browser, app, "dev|alice", "/account");
  await expect.poll(() => page.locator("#tokens-plan-notice").textContent()).toContain("API tokens come with the Developer and Enterprise plans");
  expect(await page.locator("#create-token").count()).toBe(0);
});
