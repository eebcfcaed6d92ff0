// The catalogue's follow controls in a real browser (production build, local identity provider,
// Debian's Chromium): optimistic follows and their rollback, the plan cap before a click, no retry
// of a refusal, infinite scroll that Back restores, a change made after the session ended replayed
// after signing in, follow on a show's page by keyboard, and read-only access said once per page.
// Each test fails on a console error or CSP violation it does not expect.
import fs from "node:fs";
import { createRequire } from "node:module";
import type AxeCore from "axe-core";
import type { Page, Request, Route } from "playwright-core";
import { describe, expect, it } from "vitest";
import { READ_ONLY_NOTICE } from "~/utils/permissions";
import { db } from "../helpers";
import { setUpBrowserApp } from "./production";

const stack = setUpBrowserApp();
const { app, problems } = stack;
const freshBrowser = stack.freshBrowser;

/** A fresh browser with `sub` signed in, on `path`. */
async function signedIn(sub: string, path: string) {
  const browser = await freshBrowser();
  await stack.signIn(sub, path, browser);
  return browser;
}

/** What a full Free plan says, on the page before a click and in the server's refusal after one. */
const FREE_FULL = "Your Free plan follows up to 3 shows, and you follow 3. Upgrade to follow more.";

/** The Follow button of the show `slug` on the current page. */
const followButton = (page: Page, slug: string) => page.locator(`li[data-show="${slug}"] button.follow-button`);

/** The slug of the first show on the page that the person does not follow (and may follow). */
async function firstUnfollowed(page: Page): Promise<string> {
  const card = page.locator('li.card:has(button.follow-button[aria-pressed="false"]:not([aria-disabled]))').first();
  return (await card.getAttribute("data-show"))!;
}

/** Leaves `sub` following only their `count` oldest shows, whatever earlier tests did. */
async function keepFollowing(sub: string, count: number) {
  const follows = await db.subscription.findMany({ where: { user: { auth0Sub: sub } }, orderBy: { createdAt: "asc" }, select: { id: true } });
  await db.subscription.deleteMany({ where: { id: { in: follows.slice(count).map((follow) => follow.id) } } });
}

const followsOf = async (sub: string) =>
  (await db.subscription.findMany({ where: { user: { auth0Sub: sub } }, select: { show: { select: { slug: true } } } })).map((s) => s.show.slug);

/** Requests of the page to the tRPC procedure `path`, counted from now. */
function countRequests(page: Page, path: string) {
  const seen: Request[] = [];
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith(`/api/trpc/`) && request.url().includes(path)) seen.push(request);
  });
  return seen;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
/** The follow controls' accessibility rules (the label one is experimental: named to run). */
const AXE_RULES = ["label-content-name-mismatch", "target-size", "button-name", "link-name", "aria-allowed-attr", "aria-valid-attr-value"];

/** axe-core's violations of AXE_RULES in `within` (the page's content, not the header), as "rule: element" lines. */
async function axeViolations(page: Page, within = "main"): Promise<string[]> {
  await page.evaluate(axeSource); // through the debugging protocol: the page's CSP does not apply
  return page.evaluate(
    async ({ rules, within }) => {
      const { axe } = window as unknown as { axe: typeof AxeCore };
      const { violations } = await axe.run(within, { runOnly: { type: "rule", values: rules } });
      return violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(" ")}`));
    },
    { rules: AXE_RULES, within },
  );
}

/** The console error the browser itself logs for an API answer with `status`. */
const failedResource = (procedure: string, status: number) => expect.stringMatching(new RegExp(`${procedure}.*: Failed to load resource: .* ${status} `));

describe("the catalogue in a browser", () => {
  // Moved from app.browser.test.ts (its follow steps now use the follow buttons' new names).
  it("signs in, follows a show that /account then lists, batches /profile's queries and signs out", async () => {
    const { page, context } = await freshBrowser();
    const apiRequests = countRequests(page, "");
    await page.goto(`${app}/account`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    expect(await page.textContent("h1")).toBe("Sign in to Showtrack");
    await Promise.all([page.waitForURL(`${app}/account`), page.click('button[data-sub="dev|dave"]')]);
    await expect(page.textContent("#header-user")).resolves.toBe("Dave Newcomer");
    const rawHtml = await (await context.request.get(`${app}/account`, { maxRedirects: 0 })).text();
    expect(rawHtml).toContain("Plan: <!-- -->Free");

    await page.goto(`${app}/shows`);
    const slug = await firstUnfollowed(page);
    const title = (await followButton(page, slug).locator(".visually-hidden").textContent())!.trim();
    // The follow, then the plan usage it refetches once settled: neither may land in /account's count below
    // (waiting for "networkidle" would not do: the page reached it before the click).
    const [added, refetched] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("subscriptions.add")),
      page.waitForResponse((r) => r.url().includes("subscriptions.usage")),
      followButton(page, slug).click(),
    ]);
    expect(added.status()).toBe(200);
    expect(refetched.status()).toBe(200);
    apiRequests.length = 0;
    await page.goto(`${app}/account`, { waitUntil: "networkidle" });
    await expect(page.locator("#my-shows").textContent()).resolves.toContain(title);
    await expect(page.locator("#activity li").first().textContent()).resolves.toMatch(new RegExp(`^You followed ${title} · Chrome \\d+ on Linux · (just now|\\d+ seconds? ago)$`));
    expect(apiRequests.map((request) => request.url())).toEqual([]); // hydrated from the server's prefetch: no second fetch

    // /profile renders without user data, then fetches profile and plan in one batched request.
    await page.goto(`${app}/profile`);
    await page.locator("#profile").waitFor();
    await expect(page.locator("#profile").textContent()).resolves.toContain("1 of 3");
    expect(apiRequests.map((request) => decodeURIComponent(new URL(request.url()).pathname))).toEqual(["/api/trpc/me.profile,billing.info"]);

    await page.click("#logout");
    await page.waitForURL((url) => url.origin === app && !url.pathname.startsWith("/auth"));
    await page.goto(`${app}/account`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  }, 120_000);

  it("follows optimistically before the server answers, then shows the plan cap before any click", async () => {
    await keepFollowing("dev|alice", 2); // Free: 2 of 3
    const { page } = await signedIn("dev|alice", "/shows");
    expect(await page.locator(".follow-notice").count()).toBe(0);
    const slug = await firstUnfollowed(page);
    const button = followButton(page, slug);

    // Hold the request until the button has flipped.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/trpc/subscriptions.add**", async (route) => {
      await held;
      await route.continue();
    });
    const answered = page.waitForResponse((response) => response.url().includes("subscriptions.add"));
    await button.click();
    await expect.poll(() => button.getAttribute("aria-pressed")).toBe("true");
    expect(await button.getAttribute("aria-busy")).toBe("true");
    expect(await button.isDisabled()).toBe(false); // never disabled mid-request: focus stays
    expect(await followsOf("dev|alice")).not.toContain(slug);
    release();
    expect((await answered).status()).toBe(200);
    await expect.poll(() => button.getAttribute("aria-busy")).toBe("false");
    expect(await followsOf("dev|alice")).toContain(slug);
    await page.unroute("**/api/trpc/subscriptions.add**");

    // 3 of 3: said once, above the grid; the other Follow buttons say why they are unavailable.
    const notice = page.locator("#follow-notice");
    await expect.poll(() => notice.textContent()).toBe(`${FREE_FULL} See plans`);
    expect(await notice.locator('a[href="/pricing"]').count()).toBe(1);
    expect(await page.locator(".follow-notice").count()).toBe(1);
    expect(await page.locator(".grid #follow-notice").count()).toBe(0);
    const full = page.locator('button.follow-button[aria-pressed="false"]').first();
    expect(await full.getAttribute("aria-disabled")).toBe("true");
    expect(await full.getAttribute("aria-describedby")).toBe("follow-notice");
    // Quiet, not sixty calls to action: the notice above says why once.
    expect(await full.textContent()).toMatch(/^Follow .+$/);
    expect(await full.getAttribute("class")).toContain("secondary");
    // The reason stays inside the button's one line: every card of the first row is as tall as the others.
    const heights = await page.locator(".grid > li.card").evaluateAll((cards) =>
      cards.filter((card) => card.getBoundingClientRect().top === cards[0]!.getBoundingClientRect().top).map((card) => card.getBoundingClientRect().height),
    );
    expect(new Set(heights).size).toBe(1);
    expect((await full.boundingBox())!.height).toBeLessThan(40);
    expect(await axeViolations(page)).toEqual([]);

    // An unavailable button sends nothing, and says why where the person is (Playwright would not
    // click it: a keyboard user can press it).
    const adds = countRequests(page, "subscriptions.add");
    await full.focus();
    await page.keyboard.press("Enter");
    await page.locator(".toast", { hasText: FREE_FULL }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(adds).toHaveLength(0);
    expect(await full.getAttribute("aria-pressed")).toBe("false");
  }, 120_000);

  it("rolls a refused follow back and says why, after exactly one request (4xx is never retried)", async () => {
    // Alice at 2 of 3 when the page loads; a follow from another device then fills her plan.
    await keepFollowing("dev|alice", 2);
    const alice = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|alice" }, select: { id: true } });
    const { page } = await signedIn("dev|alice", "/shows");
    expect(await page.locator(".follow-notice").count()).toBe(0);
    const elsewhere = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { userId: alice.id } } }, orderBy: { title: "desc" } });
    await db.subscription.create({ data: { userId: alice.id, showId: elsewhere.id } });

    const slug = await firstUnfollowed(page);
    const button = followButton(page, slug);
    const adds = countRequests(page, "subscriptions.add");
    const [refused] = await Promise.all([page.waitForResponse((response) => response.url().includes("subscriptions.add")), button.click()]);
    expect(refused.status()).toBe(412);
    await expect.poll(() => button.getAttribute("aria-pressed")).toBe("false");
    const toast = page.locator(".toast", { hasText: FREE_FULL });
    await toast.waitFor();
    expect(await toast.locator('a[href="/pricing"]').textContent()).toBe("See plans");
    await expect.poll(() => page.locator("#follow-notice").textContent()).toBe(`${FREE_FULL} See plans`);
    await page.waitForLoadState("networkidle");
    expect(adds).toHaveLength(1);
    expect(await followsOf("dev|alice")).not.toContain(slug);
    expect(problems.splice(0)).toEqual([failedResource("subscriptions.add", 412)]);
  }, 120_000);

  it("scrolls through every show once, and Back from a show on page 3 restores the list and the scroll position", async () => {
    const { page } = await freshBrowser();
    const total = await db.show.count();
    await page.goto(`${app}/shows`);
    const cards = page.locator(".grid > li.card");
    expect(await cards.count()).toBe(20);
    // Each scroll to the end loads the next page.
    for (let loaded = 20; loaded < total; loaded = Math.min(loaded + 20, total)) {
      await page.locator(".sentinel").scrollIntoViewIfNeeded();
      await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(Math.min(loaded + 20, total));
    }
    const slugs = await cards.evaluateAll((items) => items.map((item) => item.getAttribute("data-show")));
    expect(new Set(slugs).size).toBe(total);
    expect(new Set(slugs)).toEqual(new Set((await db.show.findMany({ select: { slug: true } })).map((show) => show.slug)));

    // Show #51 (page 3), opened from where it sits in the list.
    const fiftyFirst = cards.nth(50);
    await fiftyFirst.scrollIntoViewIfNeeded();
    const scrolled = await page.evaluate(() => window.scrollY);
    expect(scrolled).toBeGreaterThan(1000);
    const slug = (await fiftyFirst.getAttribute("data-show"))!;
    await Promise.all([page.waitForURL(`${app}/shows/${slug}`), fiftyFirst.locator("h3 a").click()]);
    await page.locator("h1").waitFor();

    await Promise.all([page.waitForURL(`${app}/shows`), page.goBack()]);
    await expect.poll(() => cards.count()).toBe(total);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(scrolled);
    expect(await fiftyFirst.isVisible()).toBe(true);
    expect(await cards.evaluateAll((items) => items.map((item) => item.getAttribute("data-show")))).toEqual(slugs);
  }, 180_000);

  it("prefetches a show's page on hover or focus, not as its card scrolls into view, and sends the session cookie back on none of the prefetches and API calls", async () => {
    const { page } = await signedIn("dev|bob", "/shows");
    const rolled: string[] = [];
    const prefetched = new Set<string>();
    const answers: Promise<void>[] = [];
    page.on("response", (response) =>
      answers.push(
        (async () => {
          const url = new URL(response.url());
          if (url.origin !== app) return;
          const show = /^\/_next\/data\/[^/]+\/shows\/(.+)\.json$/.exec(url.pathname);
          if (show) prefetched.add(show[1]!);
          if (await response.headerValue("set-cookie")) rolled.push(url.pathname);
        })(),
      ),
    );
    const cards = page.locator(".grid > li.card");
    const slugs = () => cards.evaluateAll((items) => items.map((item) => item.getAttribute("data-show")!));
    const inViewFromTheStart = await slugs();
    const total = await db.show.count();
    for (let loaded = 20; loaded < total; loaded = Math.min(loaded + 20, total)) {
      await page.locator(".sentinel").scrollIntoViewIfNeeded();
      await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(Math.min(loaded + 20, total));
    }
    // The last cards by mouse, one more from the keyboard: each of their pages is fetched ahead.
    const all = await slugs();
    const titleLink = (slug: string) => page.locator(`li[data-show="${slug}"] h3 a`);
    const hovered = all.slice(-25);
    for (const slug of hovered) await titleLink(slug).hover();
    const focused = all.at(-26)!;
    await titleLink(focused).focus();
    await expect.poll(() => [...hovered, focused].filter((slug) => !prefetched.has(slug)), { timeout: 30_000 }).toEqual([]);
    // The first cards were in view all along, and never hovered or focused: none of their pages was fetched.
    expect(inViewFromTheStart.filter((slug) => prefetched.has(slug))).toEqual([]);
    // A fresh session needs no roll: each prefetch and API call leaves it alone.
    await Promise.all(answers);
    expect(rolled).toEqual([]);
  }, 120_000);

  it("replays a follow the ended session refused, once the person has signed in again and is back on the page", async () => {
    const page = "/shows?genre=Drama";
    const browser = await signedIn("dev|carol", page);
    const slug = await firstUnfollowed(browser.page);
    // The session ends mid-visit (the provider's too). Until the sign-in page, the app's answers may not set
    // it again: each of them (an API call, a link prefetched on hover) may roll the session cookie.
    const keepSignedOut = async (route: Route) => {
      const response = await route.fetch({ maxRedirects: 0 });
      await route.fulfill({ response, headers: Object.fromEntries(Object.entries(response.headers()).filter(([name]) => name !== "set-cookie")) });
    };
    const appButSignIn = (url: URL) => url.origin === app && !url.pathname.startsWith("/auth/");
    await browser.context.route(appButSignIn, keepSignedOut);
    await browser.page.waitForLoadState("networkidle");
    await browser.context.clearCookies();

    await Promise.all([browser.page.waitForURL((url) => url.pathname.startsWith("/interaction/")), followButton(browser.page, slug).click()]);
    await browser.context.unroute(appButSignIn, keepSignedOut);
    await Promise.all([browser.page.waitForURL(`${app}${page}`), browser.page.click('button[data-sub="dev|carol"]')]);
    await expect.poll(() => followsOf("dev|carol"), { timeout: 30_000 }).toContain(slug);
    await browser.page.locator(".toast", { hasText: "Your change from before signing in is saved." }).waitFor();
    expect(await followButton(browser.page, slug).getAttribute("aria-pressed")).toBe("true"); // refreshed before the toast
    expect(problems.splice(0)).toEqual([failedResource("subscriptions.add", 401)]);
  }, 120_000);

  it("asks before leaving a page whose change is still on its way", async () => {
    const { page } = await signedIn("dev|bob", "/shows");
    let sent!: () => void;
    const onItsWay = new Promise<void>((resolve) => (sent = resolve));
    await page.route("**/api/trpc/subscriptions.add**", () => sent()); // never answered
    const button = followButton(page, await firstUnfollowed(page));
    await button.click();
    // Leaving only once the page knows of the change in flight: it asks from then on, not at the click.
    await onItsWay;
    await expect.poll(() => button.getAttribute("aria-busy")).toBe("true");
    const dialog = page.waitForEvent("dialog");
    await page.close({ runBeforeUnload: true });
    expect((await dialog).type()).toBe("beforeunload");
    await (await dialog).dismiss();
    // Staying was chosen: the page is still there, and closes now without asking (the held request goes with it).
    expect(page.isClosed()).toBe(false);
    await page.close();
  }, 120_000);

  it("follows and unfollows on a show's page by keyboard, saying whether one follows it; focus stays on the button", async () => {
    const bob = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|bob" }, select: { id: true } });
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { userId: bob.id } } }, select: { slug: true, title: true } });
    const { page } = await signedIn("dev|bob", `/shows/${show.slug}`);
    const status = page.locator("#follow-status");
    expect(await status.textContent()).toBe("You do not follow this show.");
    const button = page.getByRole("button", { name: `Follow ${show.title}`, exact: true });
    await button.focus();

    const [followed] = await Promise.all([page.waitForResponse((r) => r.url().includes("subscriptions.add")), page.keyboard.press("Enter")]);
    expect(followed.status()).toBe(200);
    await expect.poll(() => status.textContent()).toBe("You follow this show.");
    const focused = page.getByRole("button", { name: `Following ${show.title}`, exact: true });
    await expect.poll(() => focused.getAttribute("aria-busy")).toBe("false");
    expect(await focused.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await followsOf("dev|bob")).toContain(show.slug);

    const [unfollowed] = await Promise.all([page.waitForResponse((r) => r.url().includes("subscriptions.remove")), page.keyboard.press("Space")]);
    expect(unfollowed.status()).toBe(200);
    await expect.poll(() => status.textContent()).toBe("You do not follow this show.");
    expect(await button.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await followsOf("dev|bob")).not.toContain(show.slug);
    // 24 px touch targets at least; names that match the visible words.
    const box = (await button.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(24);
    expect(await axeViolations(page)).toEqual([]);
    // And the reminder toggles and Unfollow buttons of /account.
    await page.goto(`${app}/account`);
    expect(await axeViolations(page, "#my-shows")).toEqual([]);
    const reminder = (await page.locator("#my-shows input[type=checkbox]").first().boundingBox())!;
    expect(Math.min(reminder.width, reminder.height)).toBeGreaterThanOrEqual(24);
  }, 120_000);

  it("tells a read-only person once per page, in plain words, why they cannot follow", async () => {
    const { page } = await signedIn("dev|rita", "/shows");
    const show = await db.show.findFirstOrThrow({ select: { slug: true } });
    for (const path of ["/shows", `/shows/${show.slug}`]) {
      await page.goto(`${app}${path}`);
      const notice = page.locator(".follow-notice");
      expect(await notice.count()).toBe(1);
      expect(await notice.textContent()).toBe(READ_ONLY_NOTICE["write:shows"]);
      expect(await page.locator("main").textContent()).not.toContain("write:shows");
      const buttons = page.locator("button.follow-button");
      expect(await buttons.count()).toBeGreaterThan(0);
      for (const button of await buttons.all()) {
        expect(await button.getAttribute("aria-disabled")).toBe("true");
        expect(await button.getAttribute("aria-describedby")).toBe("follow-notice");
      }
    }
    const writes = countRequests(page, "subscriptions.");
    await page.locator("button.follow-button").first().focus();
    await page.keyboard.press("Enter");
    await page.locator(".toast", { hasText: READ_ONLY_NOTICE["write:shows"] }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(writes).toHaveLength(0);
  }, 120_000);
  it("tells a waiting downgrade one way: the cap on /account, the notice and the Follow buttons on /shows, and the server's refusal", async () => {
    // Alice on Developer until a week from now, then Free (3 shows), following 3.
    await keepFollowing("dev|alice", 2);
    const alice = await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|alice" }, select: { id: true } });
    const third = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { userId: alice.id } } }, orderBy: { title: "desc" } });
    await db.subscription.create({ data: { userId: alice.id, showId: third.id } });
    const periodEnd = new Date(Date.now() + 7 * 86_400_000);
    await db.billingAccount.update({
      where: { userId: alice.id },
      data: { tierId: "developer", pendingTierId: "free", currentPeriodStart: new Date(periodEnd.getTime() - 30 * 86_400_000), currentPeriodEnd: periodEnd },
    });
    try {
      const { page } = await signedIn("dev|alice", "/account");
      expect(await page.locator("#usage").textContent()).toBe("3 of 3");
      expect(await page.locator("#pending-switch").textContent()).toContain("you can follow up to 3 shows, Free's limit.");

      await page.goto(`${app}/shows`);
      const notice = page.locator("#follow-notice");
      const said = (await notice.textContent())!;
      expect(said).toMatch(/^You are switching to Free on .+, so from now on you follow up to 3 shows, and you follow 3\. Keep Developer to follow more\. Keep Developer$/);
      expect(await notice.locator('a[href="/pricing"]').textContent()).toBe("Keep Developer");
      const slug = await page.locator('li.card:has(button.follow-button[aria-pressed="false"])').first().getAttribute("data-show");
      const button = followButton(page, slug!);
      expect(await button.getAttribute("aria-disabled")).toBe("true");

      // The server's own answer to a follow, sent from the page as the app would: the same words.
      const refusal = await page.evaluate(async (showId) => {
        const response = await fetch("/api/trpc/subscriptions.add", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ json: { showId } }) });
        return { status: response.status, message: ((await response.json()) as { error: { json: { message: string } } }).error.json.message };
      }, (await db.show.findUniqueOrThrow({ where: { slug: slug! }, select: { id: true } })).id);
      expect(refusal.status).toBe(412);
      expect(`${refusal.message} Keep Developer`).toBe(said);
      problems.splice(0); // the browser logs that 412

      await button.focus();
      await page.keyboard.press("Enter");
      expect(await page.locator(".toast", { hasText: refusal.message }).locator("a").textContent()).toBe("Keep Developer");
    } finally {
      await db.billingAccount.update({ where: { userId: alice.id }, data: { tierId: "free", pendingTierId: null } });
    }
  }, 120_000);
});
