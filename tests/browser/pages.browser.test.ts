// The shell of every page in a real browser (production build, local identity provider, Chromium):
// accessibility (axe-core), a quiet console and network, a header the server renders as the client
// does, the keyboard, a phone, and a failure that says so.
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "../helpers";
import { setUpBrowserApp, type Browser } from "./production";

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: unknown[] }[];
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const stack = setUpBrowserApp();
/** CSP violations, console errors and uncaught exceptions of the app's pages, and the app's failed requests. */
const { app, problems } = stack;
let slug: string;
/** Requests to /auth/profile, by the page that made them. */
const profileRequests: string[] = [];

beforeAll(async () => {
  ({ slug } = await db.show.findFirstOrThrow({ select: { slug: true }, orderBy: { title: "asc" } }));
});

/** A fresh browser (signed out for sure), watched for problems and failed requests, optionally signed in as `sub`. */
async function openBrowser(sub?: string): Promise<Browser> {
  const browser = await stack.freshBrowser();
  const { page } = browser;
  page.on("requestfailed", (request) => {
    // A navigation cancels what the page it leaves was still loading: not a failure of the app.
    if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on("request", (request) => {
    if (new URL(request.url()).pathname === "/auth/profile") profileRequests.push(new URL(page.url()).pathname);
  });
  if (sub) await stack.signIn(sub, "/pricing", browser);
  return browser;
}

/** Next's client sets window.next once the page's scripts have run (hydrated), then the page's own requests settle. */
async function hydrated(page: Page) {
  await page.waitForFunction(() => (window as Window & { next?: { router?: unknown } }).next?.router !== undefined);
  await page.waitForLoadState("networkidle");
}

/** The header's text in the server's HTML (parsed, scripts not run) and in the page after hydration. */
async function headerTexts(browser: Browser, url: string) {
  const html = await (await browser.context.request.get(url)).text();
  const server = await browser.page.evaluate((source) => new DOMParser().parseFromString(source, "text/html").querySelector(".site-header")?.textContent, html);
  return { server, client: await browser.page.locator(".site-header").textContent() };
}

/** axe-core in the page (evaluated over the DevTools protocol, which the page's CSP does not govern). */
async function axe(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document, {
      resultTypes: ["violations"],
    });
    return result.violations.map(({ id, impact, nodes }) => ({ id, impact, nodes: nodes.map(({ target }) => ({ target })) }));
  });
}

const axeReport: string[] = [];
/** Rules that must pass whatever impact axe gives them (heading-order is "moderate"). */
const REQUIRED_RULES = new Set(["heading-order", "target-size"]);
const mustPass = (violation: AxeViolation) => violation.impact === "serious" || violation.impact === "critical" || REQUIRED_RULES.has(violation.id);
/** What axe finds on the page as it is now that must not be there, one line each. */
const seriousViolations = async (page: Page) => (await axe(page)).filter(mustPass).map((v) => `${v.id} (${v.impact}) at ${JSON.stringify(v.nodes.map((n) => n.target))}`);
const PAGES = () => ["/", "/shows", `/shows/${slug}`, "/account", "/pricing", "/notifications", "/profile", "/spa"];

describe("every page", () => {
  afterAll(() => console.log(`[axe-core] serious/critical violations (and heading-order, target-size) per page\n${axeReport.join("\n")}`));

  for (const who of [undefined, "dev|bob"] as const) {
    it(`${who ?? "signed out"}: 0 serious or critical axe violations, no console error or failed request, the header as the server rendered it`, async () => {
      const browser = await openBrowser(who);
      const { page } = browser;
      const seriousFound: string[] = [];
      for (const pathname of PAGES()) {
        profileRequests.length = 0;
        await page.goto(`${app}${pathname}`);
        // Signed out, /account and /profile are the identity provider's sign-in page: not the app's to check.
        if (!who && (pathname === "/account" || pathname === "/notifications" || pathname === "/profile")) {
          await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
          axeReport.push(`${"signed out".padEnd(10)} ${pathname.padEnd(28)} → sign-in page`);
          continue;
        }
        await hydrated(page);
        const violations = await axe(page);
        const serious = violations.filter(mustPass);
        axeReport.push(
          `${(who ?? "signed out").padEnd(10)} ${pathname.padEnd(28)} ${serious.length} serious/critical` +
            (violations.length ? ` · all: ${violations.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(", ")}` : ""),
        );
        for (const violation of serious) seriousFound.push(`${pathname}: ${violation.id} (${violation.impact}) at ${JSON.stringify(violation.nodes.map((n) => n.target))}`);

        const { server, client } = await headerTexts(browser, `${app}${pathname}`);
        // The server rendered the header's user: the same header after hydration, and nobody asks
        // /auth/profile. /spa signs in by itself: its header shows no session state beside the app's.
        expect(client, pathname).toBe(server);
        expect(profileRequests, pathname).toEqual([]);
        if (pathname === "/spa") expect(client, pathname).not.toMatch(/Log in|Bob Developer/);
        else expect(client, pathname).toContain(who ? "Bob Developer" : "Log in");
        expect(await page.title(), pathname).toMatch(/Showtrack/);
      }
      expect(seriousFound).toEqual([]);
      expect(browser.blocked).toEqual([]);
    }, 240_000);
  }

  it("has its own title: / and the 404 page differ", async () => {
    const { page } = await openBrowser();
    await page.goto(app);
    const home = await page.title();
    const response = await page.goto(`${app}/no-such-page`);
    expect(response?.status()).toBe(404);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/\/no-such-page: Failed to load resource: .* 404 /)]);
    expect(await page.title()).toBe("Page not found · Showtrack");
    expect(home).not.toBe(await page.title());
  }, 60_000);
});

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. Returns how many it took. */
async function tabTo(page: Page, selector: string, max = 80): Promise<number> {
  for (let presses = 1; presses <= max; presses++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return presses;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The focused element shows a focus ring (an outline at least 2 px wide). */
const focusRing = (page: Page) =>
  page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  });

describe("the main flow", () => {
  it("with the keyboard only: Tab to Shows, follow a show with Enter, reach Account", async () => {
    const { page } = await openBrowser("dev|carol"); // Enterprise: no cap in the way
    await page.goto(app);
    await hydrated(page);

    await tabTo(page, '.site-header nav a[href="/shows"]');
    expect(await focusRing(page)).toBe(true);
    await Promise.all([page.waitForURL(`${app}/shows`), page.keyboard.press("Enter")]);
    await page.waitForLoadState("networkidle");

    await tabTo(page, 'button[aria-pressed="false"]');
    expect(await focusRing(page)).toBe(true);
    // The button's name is its visible text and the show's title (in a visually hidden span).
    const title = await page.evaluate(() => document.activeElement!.querySelector(".visually-hidden")!.textContent!.trim());
    const [added] = await Promise.all([page.waitForResponse((r) => r.url().includes("subscriptions.add")), page.keyboard.press("Enter")]);
    expect(added.status()).toBe(200);
    // Focus stays on the button, now pressed.
    await page.waitForFunction(() => document.activeElement?.getAttribute("aria-pressed") === "true");

    // Back up to the header (Shift+Tab), then Account.
    for (let presses = 0; !(await page.evaluate(() => document.activeElement?.matches('.site-header nav a[href="/account"]'))); presses++) {
      if (presses > 80) throw new Error("Shift+Tab never reached Account");
      await page.keyboard.press("Shift+Tab");
    }
    expect(await focusRing(page)).toBe(true);
    await Promise.all([page.waitForURL(`${app}/account`), page.keyboard.press("Enter")]);
    await page.locator("#my-shows").getByText(title, { exact: true }).waitFor();
  }, 120_000);

  it("on a phone (390×844): the header in at most two rows, no horizontal scroll, touch targets of 24 px or more", async () => {
    const { page } = await openBrowser("dev|bob");
    await page.setViewportSize({ width: 390, height: 844 });
    const failures: string[] = [];
    for (const pathname of ["/", "/shows", `/shows/${slug}`, "/account", "/pricing", "/profile"]) {
      await page.goto(`${app}${pathname}`);
      await hydrated(page);
      const measured = await page.evaluate(() => {
        const visible = (element: Element) => {
          const rect = element.getBoundingClientRect();
          return rect.width > 0 && rect.height > 0 && getComputedStyle(element).visibility !== "hidden";
        };
        // The header's rows: its items grouped by where they sit vertically.
        const items = [...document.querySelectorAll(".site-header .brand, .site-header nav a, .site-header .user-box > *")].filter(visible);
        const rows: number[] = [];
        for (const item of items) {
          const middle = item.getBoundingClientRect().top + item.getBoundingClientRect().height / 2;
          if (!rows.some((row) => Math.abs(row - middle) < 12)) rows.push(middle);
        }
        // Controls (inline links within a sentence are exempt, WCAG 2.5.8).
        const small = [...document.querySelectorAll('.site-header nav a, .site-header a.button, main button, main a.button, main input[type="checkbox"], main select, main input')]
          .filter(visible)
          .filter((element) => {
            const rect = element.getBoundingClientRect();
            return rect.width < 24 || rect.height < 24;
          })
          .map((element) => `${element.tagName.toLowerCase()} "${element.textContent?.trim() || element.getAttribute("aria-label") || element.getAttribute("name")}" ${Math.round(element.getBoundingClientRect().width)}×${Math.round(element.getBoundingClientRect().height)}`);
        return { rows: rows.length, scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth, small };
      });
      if (measured.rows > 2) failures.push(`${pathname}: header in ${measured.rows} rows`);
      if (measured.scrollWidth > measured.width) failures.push(`${pathname}: ${measured.scrollWidth} px wide in a ${measured.width} px viewport`);
      for (const target of measured.small) failures.push(`${pathname}: ${target}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});

describe("a failure is visible", () => {
  it("a failed billing.info (its table unavailable) renders the plan panel's error with a retry that works", async () => {
    // The real condition: the database answers, but not for invoices (the table is renamed away), so
    // billing.info fails with a 500 on the server (the prefetch) and in the browser; the rest of /account works.
    const { page } = await openBrowser("dev|bob");
    await db.$executeRawUnsafe('ALTER TABLE "Invoice" RENAME TO "Invoice_unavailable"');
    try {
      await page.goto(`${app}/account`);
      const error = page.locator("#plan .load-error");
      await error.waitFor({ timeout: 30_000 });
      expect(await error.textContent()).toMatch(/^Your plan could not be loaded\. Something went wrong on our side\. Please try again\. \(request id [\w-]+\)Try again$/);
      expect(await page.locator("#my-shows li").count()).toBe(12);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "Invoice_unavailable" RENAME TO "Invoice"');
    }
    // The browser logs each failed answer (the first try and the query client's two retries of a 5xx).
    expect(problems.splice(0)).toEqual(Array(3).fill(expect.stringMatching(/billing\.info.*: Failed to load resource: .* 500 /)));

    await page.locator("#plan").getByRole("button", { name: "Try again" }).click();
    await page.locator("#plan-heading", { hasText: "Plan: Developer" }).waitFor();
  }, 120_000);
});

describe("a server error", () => {
  it("is the 500 page: its own title, a way on, no stack trace", async () => {
    // A real failure of getServerSideProps: /shows/[slug] cannot read its show (the table is renamed away).
    const { page } = await openBrowser();
    await db.$executeRawUnsafe('ALTER TABLE "Show" RENAME TO "Show_unavailable"');
    try {
      const response = await page.goto(`${app}/shows/${slug}`);
      expect(response?.status()).toBe(500);
      const html = await response!.text();
      expect(html).not.toMatch(/Show_unavailable|prisma|\bat \S+ \(/i);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "Show_unavailable" RENAME TO "Show"');
    }
    await hydrated(page);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/Failed to load resource: .* 500 /)]);
    expect(await page.title()).toBe("Something went wrong · Showtrack");
    expect(await page.textContent("h1")).toBe("Something went wrong");
    expect(await page.locator('#page-error a[href="/"]').count()).toBe(1);
  }, 60_000);
});

describe("axe on what a page shows besides its first view", () => {
  it("the 404 and 500 pages: 0 serious or critical violations", async () => {
    const { page } = await openBrowser();
    expect((await page.goto(`${app}/no-such-page`))?.status()).toBe(404);
    await hydrated(page);
    // The header of a page whose server did not read the session asks for the person (signed out here).
    await page.locator("#login").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/\/no-such-page: Failed to load resource: .* 404 /)]);

    await db.$executeRawUnsafe('ALTER TABLE "Show" RENAME TO "Show_unavailable"');
    try {
      expect((await page.goto(`${app}/shows/${slug}`))?.status()).toBe(500);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "Show_unavailable" RENAME TO "Show"');
    }
    await hydrated(page);
    await page.locator("#page-error").waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(problems.splice(0)).toEqual([expect.stringMatching(/Failed to load resource: .* 500 /)]);
  }, 120_000);

  it("the plan-switch dialog, the card form and the account deletion form, open: 0 serious or critical violations", async () => {
    const { page } = await openBrowser("dev|bob");
    await hydrated(page); // /pricing, where the sign-in lands

    // The dialog loads on the first click, and takes the focus.
    await page.getByRole("button", { name: "Switch to Enterprise" }).click();
    const dialog = page.getByRole("dialog", { name: "Switch to Enterprise?" });
    await dialog.locator("#charged-now").waitFor();
    expect(await page.evaluate(() => document.activeElement?.closest("dialog[open]") !== null)).toBe(true);
    expect(await seriousViolations(page), "the plan-switch dialog").toEqual([]);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });

    await page.goto(`${app}/account`);
    await hydrated(page);
    await page.getByRole("button", { name: "Replace card" }).click();
    await page.getByRole("form", { name: "Card details" }).waitFor();
    expect(await seriousViolations(page), "the card form").toEqual([]);
    await page.getByRole("button", { name: "Cancel" }).click();

    // The deletion's confirmation, filled in (and not sent: Bob stays for the other tests).
    await page.locator('#your-data input[name="confirmEmail"]').fill("bob@example.test");
    expect(await page.getByRole("button", { name: "Delete my account" }).isEnabled()).toBe(true);
    expect(await seriousViolations(page), "the deletion form").toEqual([]);
  }, 120_000);
});
