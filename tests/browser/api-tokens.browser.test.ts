// Bob's API tokens in Chromium on a production build (`next start`, the local identity provider, this
// file's database): he makes one on /account, sees it once with its curl line, calls the API with it,
// sees it listed with its prefix and last use, and revokes it; Alice, on Free, is offered none. Fails
// on a CSP violation or a console error.
import { expect, it } from "vitest";
import { setUpBrowserApp } from "./production";

const stack = setUpBrowserApp();

it("Bob makes a token on /account, sees it once with a curl line, uses it, and revokes it", async () => {
  const { app, page } = stack;
  await stack.signIn("dev|bob", "/account");
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
  const { page } = stack;
  await stack.signIn("dev|alice", "/account");
  await expect.poll(() => page.locator("#tokens-plan-notice").textContent()).toContain("API tokens come with the Developer and Enterprise plans");
  expect(await page.locator("#create-token").count()).toBe(0);
});
