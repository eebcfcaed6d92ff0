// The seed's static model in a real browser: `npm run build:spa` built with this run's ports, served
// by a static server (sirv) on other loopback origins, signing in with PKCE at the local provider and
// calling the production API (next start) across origins with a bearer token. The API lets only
// the origins of CORS_ALLOWED_ORIGINS read its answers. Also Next's own /spa: one sign-in state.
import { execFile } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import sirv from "sirv";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  closeChromium,
  freeLoopbackPort,
  launchBrowser,
  productionBuild,
  productionEnv,
  reportProblems,
  startApp,
  startIdentityProvider,
  type Browser,
  type StartedProcess,
} from "./production";

const root = path.resolve(import.meta.dirname, "../..");
let app: string;
/** The static build on an origin the API allows, and the same files on one it does not. */
let allowed: string;
let other: string;
let processes: StartedProcess[] = [];
const staticServers: http.Server[] = [];
let outDir: string;
const browsers: Browser[] = [];
const problems: string[] = [];
const timings: Record<string, number> = {};

/** A fresh Chromium (no single sign-on left from another test), closed after the file. */
async function freshBrowser(origin: string) {
  const browser = await launchBrowser();
  browsers.push(browser);
  await reportProblems(browser, origin, problems);
  return browser;
}

/** Signs in as Bob at the local provider from the browser app's sign-in button. */
async function signInAsBob(page: Browser["page"]) {
  await page.click("#spa-login");
  await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await page.click('button[data-sub="dev|bob"]');
}

beforeAll(async () => {
  const [appPort, idpPort, allowedPort, otherPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
  app = `http://localhost:${appPort}`;
  allowed = `http://localhost:${allowedPort}`;
  other = `http://localhost:${otherPort}`;
  const env: NodeJS.ProcessEnv = {
    ...productionEnv({ appBaseUrl: app, idpPort, databaseUrl: process.env.DATABASE_URL! }),
    CORS_ALLOWED_ORIGINS: allowed,
    // The provider lets both sign in: what stops the other origin is the API's CORS alone.
    IDP_SPA_ORIGINS: `${allowed},${other}`,
  };

  let t = performance.now();
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-spa-static-"));
  await promisify(execFile)(path.join(root, "node_modules", ".bin", "tsx"), ["scripts/build-spa.ts"], {
    cwd: root,
    env: {
      ...process.env,
      SPA_API_BASE_URL: app,
      SPA_AUTH0_DOMAIN: `http://localhost:${idpPort}`,
      SPA_AUTH0_CLIENT_ID: "showtrack-spa",
      SPA_AUTH0_AUDIENCE: env.AUTH0_AUDIENCE!,
      SPA_OUT_DIR: outDir,
    },
  });
  timings.spaBuild = performance.now() - t;

  for (const port of [allowedPort, otherPort]) {
    const server = http.createServer(sirv(outDir, { etag: true }));
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    staticServers.push(server);
  }

  timings.nextBuild = (await productionBuild(env)) * 1000;
  t = performance.now();
  processes = await Promise.all([startIdentityProvider(env, idpPort), startApp(env, appPort)]);
  timings.servers = performance.now() - t;
}, 600_000);

afterEach(() => {
  expect(problems.splice(0)).toEqual([]);
  for (const { blocked } of browsers) expect(blocked).toEqual([]);
});

afterAll(async () => {
  await closeChromium();
  for (const { child } of processes) child.kill("SIGTERM");
  for (const server of staticServers) server.close();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  console.log(
    `[spa-static] build:spa ${(timings.spaBuild! / 1000).toFixed(1)} s · next build ${(timings.nextBuild! / 1000).toFixed(1)} s · servers ${(timings.servers! / 1000).toFixed(1)} s`,
  );
});

describe("the browser app as static files on another origin", () => {
  it("is plain static files: index.html and hashed JS/CSS with the build's settings", () => {
    const html = fs.readFileSync(path.join(outDir, "index.html"), "utf8");
    expect(html).toMatch(/<script type="module" src="\.\/app-[A-Z0-9]+\.js">/);
    expect(html).toMatch(/<link rel="stylesheet" href="\.\/app-[A-Z0-9]+\.css">/);
  });

  it("signs in with PKCE at the provider and lists Bob's shows from the API's origin with a bearer token", async () => {
    const { page } = await freshBrowser(allowed);
    await page.goto(`${allowed}/`);
    await page.locator('#spa[data-status="signed-out"]').waitFor();
    const [showsResponse] = await Promise.all([
      page.waitForResponse((response) => response.url() === `${app}/api/my/shows` && response.request().method() === "GET"),
      signInAsBob(page),
    ]);
    await page.waitForURL(`${allowed}/`);
    const request = showsResponse.request();
    expect(request.headers().authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    expect(request.headers().cookie).toBeUndefined();
    expect(showsResponse.status()).toBe(200);
    expect(await showsResponse.headerValue("access-control-allow-origin")).toBe(allowed);
    expect(await showsResponse.headerValue("access-control-allow-credentials")).toBeNull();

    await page.locator('#spa[data-status="signed-in"]').waitFor();
    expect(await page.textContent("#spa-user")).toBe("Bob Developer");
    expect(await page.locator("#spa-shows li").count()).toBe(12);
    // The bearer header made the browser ask next start first (a CORS preflight): the GET went out,
    // so the preflight's answer let it. What that answer holds is the next test's.
  }, 120_000);

  it("gets its preflights answered by next start, through Next's proxy", async () => {
    const preflight = (path: string, origin: string) =>
      fetch(`${app}${path}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
      });
    for (const path of ["/api/my/shows", "/api/trpc/subscriptions.list"]) {
      const ok = await preflight(path, allowed);
      expect({ path, status: ok.status, origin: ok.headers.get("access-control-allow-origin") }).toEqual({ path, status: 204, origin: allowed });
      expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
      expect(ok.headers.get("access-control-allow-credentials")).toBeNull();
      expect((await preflight(path, other)).headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("is blocked by CORS on an origin the API does not allow: the browser says so, the list does not load", async () => {
    const { page } = await freshBrowser(other);
    await page.goto(`${other}/`);
    await page.locator('#spa[data-status="signed-out"]').waitFor();
    await signInAsBob(page);
    await page.waitForURL(`${other}/`);
    await page.locator('#spa[data-status="error"]').waitFor();
    expect(await page.textContent("#spa .notice")).toBe(`The API at ${app} could not be reached from this page.`);
    expect(await page.locator("#spa-shows").count()).toBe(0);
    // The one console error of the page, and the expected one: the browser refused the API's answer.
    expect(problems.splice(0)).toEqual([expect.stringContaining(`Access to fetch at '${app}/api/my/shows' from origin '${other}' has been blocked by CORS policy`)]);
  }, 120_000);
});

describe("Next's /spa", () => {
  it("shows one sign-in state: the app's panel, no cookie-session state in the header beside it", async () => {
    const { page } = await freshBrowser(app);
    await page.goto(`${app}/spa`);
    await page.locator('#spa[data-status="signed-out"]').waitFor();
    expect(await page.locator(".site-header #login, .site-header #header-user").count()).toBe(0);
    await signInAsBob(page);
    await page.waitForURL(`${app}/spa`);
    await page.locator('#spa[data-status="signed-in"]').waitFor();
    expect(await page.textContent("#spa-user")).toBe("Bob Developer");
    expect(await page.locator(".site-header #login, .site-header #header-user").count()).toBe(0);
    // Elsewhere the header still shows the (cookie) session: signed out here, the browser app's sign-in is its own.
    await page.goto(`${app}/pricing`);
    await page.locator(".site-header #login").waitFor();
  }, 120_000);
});
