// The whole app in a real browser: local identity provider + production build (next build +
// next start) on loopback ports, Debian's Chromium driven by playwright-core. Every request that
// is not for loopback is blocked (and would fail the test). Every test fails on a Content-Security-Policy
// violation or an error in the console of the app's pages: the policy
// (src/server/platform/security-headers.ts) must let every page and flow work.
import fs from "node:fs";
import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "../helpers";
import { setUpBrowserApp } from "./production";

const stack = setUpBrowserApp();
const { app, problems } = stack;
let page: Page;
let blocked: string[];

beforeAll(() => {
  ({ page, blocked } = stack.browser);
});

describe("Showtrack in a browser", () => {
  it("lets nothing leave loopback: a request elsewhere fails, and is recorded for the test to fail on", async () => {
    const { context, page, blocked } = await stack.freshBrowser();
    // A name, an address (it needs no lookup, so only the block stops it), and a link-local one (a
    // cloud's metadata service), which Chromium's own proxy settings would let go direct.
    const elsewhere = ["http://cdn.example.com/font.woff2", "http://203.0.113.7/", "http://169.254.169.254/latest/meta-data/"];
    for (const url of elsewhere) await expect(page.goto(url)).rejects.toThrow(/net::ERR_PROXY_CONNECTION_FAILED/);
    expect(blocked.splice(0)).toEqual(elsewhere);
    // A WebSocket (from a blank page: the app's own policy would refuse it before it is sent).
    const blank = await context.newPage();
    await blank.evaluate(() => new Promise((resolve) => Object.assign(new WebSocket("ws://203.0.113.7/socket"), { onerror: resolve, onclose: resolve })));
    expect(blocked.splice(0)).toEqual(["ws://203.0.113.7/socket"]);
  });

  it("the browser app (/spa) signs in with PKCE, lists my shows with a bearer token, renews it, signs out", async () => {
    await page.goto(`${app}/spa`);
    await page.click("#spa-login");
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    const [showsRequest] = await Promise.all([
      page.waitForRequest((request) => request.url() === `${app}/api/my/shows`),
      page.click('button[data-sub="dev|bob"]'),
    ]);
    expect(showsRequest.headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    await page.locator('#spa[data-status="signed-in"]').waitFor();
    expect(await page.textContent("#spa-user")).toBe("Bob Developer");
    expect(await page.locator("#spa-shows li").count()).toBe(12);

    // Silent renewal: the refresh token buys a new access token, which the API accepts.
    const [refresh, reload] = await Promise.all([
      page.waitForRequest((request) => request.url().endsWith("/oauth/token") && /grant_type=refresh_token/.test(request.postData() ?? "")),
      page.waitForResponse((response) => response.url() === `${app}/api/my/shows`),
      page.click("#spa-refresh"),
    ]);
    expect(refresh).toBeTruthy();
    expect(reload.status()).toBe(200);

    await page.click("#spa-logout");
    await page.waitForURL(`${app}/spa`);
    await page.locator("#spa-login").waitFor();
    expect(blocked).toEqual([]);
  }, 60_000);

  it("Dave downloads his data, deletes his account by typing his email, and lands on / with the notice", async () => {
    const fresh = await stack.freshBrowser(); // signed out for sure: the provider's single sign-on is someone else's here
    const { page } = fresh;
    await page.goto(`${app}/account`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    await Promise.all([page.waitForURL(`${app}/account`), page.click('button[data-sub="dev|dave"]')]);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click('a[href="/api/me/export"]')]);
    expect(download.suggestedFilename()).toMatch(/^showtrack-export-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { profile: { email: string }; plan: { tier: { id: string } } };
    expect(data).toMatchObject({ profile: { email: "dave@example.test" }, plan: { tier: { id: "free" } } });

    const button = page.getByRole("button", { name: "Delete my account" });
    await page.fill('input[name="confirmEmail"]', "dave@example.tes");
    expect(await button.isDisabled()).toBe(true);
    await page.fill('input[name="confirmEmail"]', "Dave@Example.test");
    await Promise.all([page.waitForURL(`${app}/`), button.click()]);
    expect(await page.textContent("#deleted-notice")).toBe("Your account and all its data were deleted.");
    expect((await fresh.context.cookies(app)).map((cookie) => cookie.name)).not.toContain("__session");
    expect(await db.user.count({ where: { auth0Sub: "dev|dave" } })).toBe(0);
    expect(fresh.blocked).toEqual([]);
  }, 60_000);

  it("every page runs its scripts under the Content-Security-Policy, signed out and signed in", async () => {
    // A browser of its own: signed out for sure (no late response of another test rolls a session back in).
    const fresh = await stack.freshBrowser();
    const { page } = fresh;
    const { slug } = await db.show.findFirstOrThrow({ select: { slug: true } });
    // Next's client sets window.next once the page's scripts, which the policy admits by nonce, have run.
    const ranItsScripts = () => page.waitForFunction(() => (window as Window & { next?: { router?: unknown } }).next?.router !== undefined);
    const pages = ["/", "/shows", `/shows/${slug}`, "/pricing", "/spa", "/no-such-page", "/profile", "/account"];

    // networkidle: what a page fetches after it has loaded is under the policy too.
    for (const path of pages) {
      await page.goto(`${app}${path}`, { waitUntil: "networkidle" });
      // Signed out, the server sends /account and /profile to the sign-in page.
      if (path === "/profile" || path === "/account") await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
      else await ranItsScripts();
    }
    // The one status the browser logs: the 404 page's own.
    expect(problems.splice(0)).toEqual([expect.stringMatching(/\/no-such-page: Failed to load resource: .* 404 /)]);

    await Promise.all([page.waitForURL(`${app}/account`), page.click('button[data-sub="dev|carol"]')]);
    // The session cookie of a real sign-in: HttpOnly and SameSite=Lax; Secure on https only (headers.test.ts).
    expect(await fresh.context.cookies(app)).toContainEqual(
      expect.objectContaining({ name: "__session", httpOnly: true, sameSite: "Lax", secure: false }),
    );
    for (const path of pages) {
      await page.goto(`${app}${path}`, { waitUntil: "networkidle" });
      await ranItsScripts();
    }
    expect(problems.splice(0)).toEqual([expect.stringMatching(/\/no-such-page: Failed to load resource: .* 404 /)]);
    expect(fresh.blocked).toEqual([]);
  }, 90_000);
});
