// The whole app in a real browser: local identity provider + production build (next build +
// next start) on loopback ports, Debian's Chromium driven by playwright-core. Every request that
// is not for loopback is blocked (and would fail the test).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, freeLoopbackPort, seed } from "../helpers";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

async function waitForHttp(url: string, child: ChildProcess, log: () => string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited (${child.exitCode})\n${log()}`);
    const ok = await fetch(url).then((r) => r.status < 500, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling a starting server, not a fixed delay
  }
  throw new Error(`${url} did not answer\n${log()}`);
}

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv) {
  let output = "";
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, log: () => output };
}

const timings: Record<string, number> = {};
const started = performance.now();
let app: string;
let processes: ReturnType<typeof startProcess>[] = [];
let context: BrowserContext;
let page: Page;
let userDataDir: string;
const blocked: string[] = [];
const apiRequests: string[] = [];

beforeAll(async () => {
  await seed();
  const [appPort, idpPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort()]);
  app = `http://localhost:${appPort}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: ".next-e2e",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_BASE_URL: app,
    AUTH0_DOMAIN: `http://localhost:${idpPort}`,
    AUTH0_CLIENT_ID: "showtrack-e2e",
    AUTH0_CLIENT_SECRET: "showtrack-e2e-secret",
    AUTH0_ALLOW_INSECURE_REQUESTS: "true",
    DATABASE_URL: process.env.DATABASE_URL, // this file's own seeded copy
  };

  let t = performance.now();
  execFileSync(bin("next"), ["build"], { cwd: root, env, stdio: "pipe" });
  timings.build = performance.now() - t;

  t = performance.now();
  const idp = startProcess(bin("tsx"), ["dev/identity-provider/server.ts"], {
    ...env,
    NODE_ENV: "test",
    IDP_PORT: String(idpPort),
    IDP_KEYS_FILE: path.join(os.tmpdir(), `showtrack-e2e-keys-${idpPort}.json`),
  });
  const next = startProcess(bin("next"), ["start", "-p", String(appPort), "-H", "127.0.0.1"], env);
  processes = [idp, next];
  await Promise.all([
    waitForHttp(`http://localhost:${idpPort}/.well-known/openid-configuration`, idp.child, idp.log),
    waitForHttp(`${app}/api/trpc/health.check`, next.child, next.log),
  ]);
  timings.servers = performance.now() - t;

  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-chromium-"));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "localhost" || url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/api/trpc/")) apiRequests.push(request.url());
  });
}, 240_000);

afterAll(async () => {
  await context?.close();
  for (const { child } of processes) child.kill("SIGTERM");
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  timings.total = performance.now() - started;
  console.log(
    `[browser test] next build ${(timings.build! / 1000).toFixed(1)} s · servers ready ${(timings.servers! / 1000).toFixed(1)} s · ` +
      `flows ${Math.round(timings.flows ?? 0)} ms · whole file ${(timings.total / 1000).toFixed(1)} s`,
  );
});

const aliceShowTitles = async () =>
  (await db.subscription.findMany({ where: { user: { auth0Sub: "dev|alice" } }, select: { show: { select: { title: true } } } })).map(
    (s) => s.show.title,
  );

describe("Showtrack in a browser", () => {
  it("signs in, follows shows up to the cap, batches queries and signs out", async () => {
    const flowsStarted = performance.now();

    // Anonymous /account → the identity provider's login page.
    await page.goto(`${app}/account`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    expect(await page.textContent("h1")).toBe("Sign in to Showtrack");

    // Sign in as alice → back on /account, which the server rendered with her data.
    await Promise.all([page.waitForURL(`${app}/account`), page.click('button[data-sub="dev|alice"]')]);
    await expect(page.textContent("#header-user")).resolves.toBe("Alice Free");
    const rawHtml = await (await context.request.get(`${app}/account`, { maxRedirects: 0 })).text();
    const seededTitles = await aliceShowTitles();
    expect(seededTitles).toHaveLength(2);
    for (const title of seededTitles) expect(rawHtml).toContain(title);
    expect(rawHtml).toContain("Plan: <!-- -->Free");

    // Follow a show on /shows; it appears on /account.
    await page.goto(`${app}/shows`);
    const notFollowed = page.locator('button[aria-pressed="false"]');
    const first = notFollowed.first();
    const firstTitle = (await first.getAttribute("aria-label"))!.replace(/^Follow /, "");
    // The button flips at once (optimistic); the server's answer is what counts.
    const [added] = await Promise.all([page.waitForResponse((r) => r.url().includes("subscriptions.add")), first.click()]);
    expect(added.status()).toBe(200);
    await page.locator(`button[aria-label="Unfollow ${firstTitle}"]`).waitFor();
    apiRequests.length = 0;
    await page.goto(`${app}/account`, { waitUntil: "networkidle" });
    await expect(page.locator("#my-shows").textContent()).resolves.toContain(firstTitle);
    expect(apiRequests).toEqual([]); // hydrated from the server's prefetch: no second fetch

    // The 4th follow on Free is refused: the message, a link to /pricing, and the button rolled back.
    await page.goto(`${app}/shows`);
    const fourth = page.locator('button[aria-pressed="false"]').first();
    const fourthTitle = (await fourth.getAttribute("aria-label"))!.replace(/^Follow /, "");
    await fourth.click();
    const refusal = page.locator('[data-testid="follow-error"]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain("Your Free plan follows up to 3 shows, and you follow 3. Upgrade to follow more.");
    expect(await refusal.locator('a[href="/pricing"]').count()).toBe(1);
    await page.locator(`button[aria-label="Follow ${fourthTitle}"]`).waitFor();
    expect(await aliceShowTitles()).toHaveLength(3);

    // /profile renders without user data, then fetches profile and plan in one batched request.
    apiRequests.length = 0;
    await page.goto(`${app}/profile`);
    await page.locator("#profile").waitFor();
    await expect(page.locator("#profile").textContent()).resolves.toContain("3 of 3");
    expect(apiRequests).toHaveLength(1);
    expect(decodeURIComponent(new URL(apiRequests[0]!).pathname)).toBe("/api/trpc/me.profile,billing.info");

    // Log out → /account asks to sign in again.
    await page.click("#logout");
    await page.waitForURL((url) => url.origin === app && !url.pathname.startsWith("/auth"));
    await page.goto(`${app}/account`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    expect(await page.textContent("h1")).toBe("Sign in to Showtrack");

    timings.flows = performance.now() - flowsStarted;
    expect(blocked).toEqual([]);
  }, 120_000);

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

  it("a read-only user sees the follow buttons disabled, with the reason", async () => {
    await page.goto(`${app}/auth/login?returnTo=%2Fshows`);
    await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
    await Promise.all([page.waitForURL(`${app}/shows`), page.click('button[data-sub="dev|rita"]')]);
    const follow = page.locator("button[aria-pressed]").first();
    expect(await follow.isDisabled()).toBe(true);
    const reason = await page.locator(`#${await follow.getAttribute("aria-describedby")}`).textContent();
    expect(reason).toBe("Read-only access: following needs the write:shows permission.");
  }, 60_000);
});
