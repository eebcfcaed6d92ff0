// A production build of the app (next build, once per test run whichever file asks first), the
// local identity provider and `next start` instances on loopback ports, and Debian's Chromium; and
// `next dev` as `npm run dev` runs it (React's strict mode, compiled on first request), for the main
// flows. Most files take all of it from setUpBrowserApp().
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type Browser as Chromium, type BrowserContext, type Cookie, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject, vi } from "vitest";
import { loginUrl } from "~/utils/auth-routes";
import { freeLoopbackPort } from "../../dev/ports";
import { LOOPBACK_HOSTS } from "../../scripts/local-stack.mjs";
import { BROWSER_APP_CLIENT } from "./client";

const root = path.resolve(import.meta.dirname, "../..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const DIST_DIR = ".next-e2e";
const DEV_DIST_DIR = ".next-e2e-dev";

export interface StartedProcess {
  child: ChildProcess;
  log: () => string;
}

function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv): StartedProcess {
  let output = "";
  const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, log: () => output };
}

async function waitForHttp(url: string, { child, log }: StartedProcess, attempts = 300) {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited (${child.exitCode})\n${log()}`);
    const ok = await fetch(url).then((r) => r.status < 500, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling a starting server, not a fixed delay
  }
  throw new Error(`${url} did not answer\n${log()}`);
}

/** The environment of the production processes; the build reads it only to validate it. */
export function productionEnv(overrides: { appBaseUrl: string; idpPort: number; databaseUrl: string }): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: "production",
    NEXT_DIST_DIR: DIST_DIR,
    NEXT_SKIP_TYPECHECK: "1",
    NEXT_TELEMETRY_DISABLED: "1",
    APP_BASE_URL: overrides.appBaseUrl,
    AUTH0_DOMAIN: `http://localhost:${overrides.idpPort}`,
    AUTH0_CLIENT_ID: BROWSER_APP_CLIENT.clientId,
    AUTH0_CLIENT_SECRET: BROWSER_APP_CLIENT.clientSecret,
    AUTH0_AUDIENCE: BROWSER_APP_CLIENT.audience,
    AUTH0_ALLOW_INSECURE_REQUESTS: "true",
    DATABASE_URL: overrides.databaseUrl,
    // A production build with test cards: the built-in test provider, asked for by name.
    PAYMENTS_PROVIDER: "test",
  };
}

/**
 * `next build` into .next-e2e, once per test run: the first file to ask builds, the others wait for
 * it (test files run in parallel workers). Returns the seconds this call spent.
 */
export async function productionBuild(env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  // The lock and the outcome are this run's own, outside tests/.tmp: a run started beside this one on
  // the same checkout empties tests/.tmp as it begins, and this run's files would then wait for an
  // outcome that never comes, or take the other run's build for theirs.
  const run = path.join(os.tmpdir(), `showtrack-e2e-build-${inject("database").prefix}`);
  fs.mkdirSync(run, { recursive: true });
  const lock = path.join(run, "lock");
  const outcome = path.join(run, "result");
  let builder = false;
  try {
    fs.mkdirSync(lock);
    builder = true;
  } catch {
    // another file is building
  }
  if (builder) {
    const result = await promisify(execFile)(bin("next"), ["build"], { cwd: root, env, maxBuffer: 64 << 20 }).then(
      () => "ok",
      (error: { stdout?: string; stderr?: string }) => `next build failed:\n${error.stdout ?? ""}${error.stderr ?? ""}`,
    );
    fs.writeFileSync(outcome, result);
  }
  while (!fs.existsSync(outcome)) await new Promise((resolve) => setTimeout(resolve, 250)); // waiting for the builder
  const result = fs.readFileSync(outcome, "utf8");
  if (result !== "ok") throw new Error(result);
  return (performance.now() - started) / 1000;
}

/** The local identity provider (as `npm run dev` starts it, plus its /test-admin/ endpoints) on `port`, ready. */
export async function startIdentityProvider(env: NodeJS.ProcessEnv, port: number): Promise<StartedProcess> {
  const idp = startProcess(bin("tsx"), ["dev/identity-provider/server.ts"], {
    ...env,
    NODE_ENV: "test",
    IDP_PORT: String(port),
    IDP_TEST_ADMIN: "true",
    IDP_KEYS_FILE: path.join(os.tmpdir(), `showtrack-e2e-keys-${port}.json`),
  });
  await waitForHttp(`http://localhost:${port}/.well-known/openid-configuration`, idp);
  return idp;
}

/** `next start` of the production build on `port` (the app in `directory`, by default this checkout), ready. */
export async function startApp(env: NodeJS.ProcessEnv, port: number, directory?: string): Promise<StartedProcess> {
  const app = startProcess(bin("next"), ["start", ...(directory ? [directory] : []), "-p", String(port), "-H", "127.0.0.1"], env);
  await waitForHttp(`http://localhost:${port}/api/trpc/health.check`, app);
  return app;
}

export { freeLoopbackPort };

/**
 * This test worker's browser-app port and its identity provider (tests/setup/identity-provider.ts):
 * the browser test files of one worker run one after another on it.
 */
export function browserAppOfThisWorker(): { appPort: number; idpPort: number } {
  const slot = inject("browserApps")[Number(process.env.VITEST_POOL_ID) - 1];
  if (!slot) throw new Error(`no browser-app port for test worker ${process.env.VITEST_POOL_ID}`);
  return slot;
}

/** Ends a started process and waits until it has (its port is free again). */
export async function stopProcess({ child }: Pick<StartedProcess, "child">): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  // Nothing leaves loopback: every request goes to a proxy that is not there (port 9, discard), but
  // those for this machine's host names (LOOPBACK_HOSTS), which go direct. `<-loopback>` drops
  // Chromium's own bypass list, which would let link-local addresses (a cloud's metadata service) go
  // direct too. Routing every request through Playwright instead would also turn Chromium's HTTP
  // cache off.
  "--proxy-server=http://127.0.0.1:9",
  `--proxy-bypass-list=<-loopback>;${[...LOOPBACK_HOSTS].join(";")}`,
];

/** The hosts the proxy settings above let through. */
const isLoopback = (url: URL) => LOOPBACK_HOSTS.has(url.hostname);
let chromiumOfThisFile: Promise<Chromium> | undefined;

/**
 * A new browser: a context of this test file's Chromium (launched on first use), with a cookie jar
 * of its own. Every request that is not for loopback is blocked (CHROMIUM_ARGS) and recorded in
 * `blocked` (a test fails when one appears).
 */
export async function launchBrowser() {
  // Launched again if it went away: a test that ends in a crash of Chromium leaves the next ones theirs.
  const current = chromiumOfThisFile;
  if (current && !(await current).isConnected() && chromiumOfThisFile === current) chromiumOfThisFile = undefined;
  chromiumOfThisFile ??= chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  const context: BrowserContext = await (await chromiumOfThisFile).newContext();
  const blocked: string[] = [];
  const record = (address: string) => {
    const url = new URL(address);
    if (["http:", "https:", "ws:", "wss:"].includes(url.protocol) && !isLoopback(url)) blocked.push(url.href);
  };
  context.on("request", (request) => record(request.url()));
  // WebSockets raise no request event: each page's own.
  context.on("page", (page) => page.on("websocket", (socket) => record(socket.url())));
  const page = await context.newPage();
  // A context whose Chromium went away is closed already.
  return { context, page, blocked, close: () => (context.browser()?.isConnected() ? context.close() : Promise.resolve()) };
}

export type Browser = Awaited<ReturnType<typeof launchBrowser>>;

/** Closes this file's Chromium, with every browser still open in it. */
export async function closeChromium(): Promise<void> {
  const launched = chromiumOfThisFile;
  chromiumOfThisFile = undefined;
  await (await launched)?.close();
}

// Each person's cookies after their last sign-in in this file, by app: a later sign-in of theirs in
// another browser reuses the session while it is still valid, as a returning visitor's browser does.
const signedIn = new Map<string, Cookie[]>();

/**
 * Signs `sub` in with one click on the local provider's page, from a clean cookie jar, and lands on
 * `returnTo`. A session of theirs this file made earlier is taken up again when the app still
 * accepts it; else they sign in anew.
 */
export async function signInWithOneClick({ context, page }: Browser, app: string, sub: string, returnTo: string) {
  await context.clearCookies();
  const saved = signedIn.get(`${app} ${sub}`);
  if (saved) {
    await context.addCookies(saved);
    if ((await context.request.get(`${app}/api/trpc/me.profile`)).ok()) {
      await page.goto(`${app}${returnTo}`);
      return;
    }
    await context.clearCookies();
  }
  await page.goto(`${app}${loginUrl(returnTo)}`);
  await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([page.waitForURL(`${app}${returnTo}`), page.click(`button[data-sub="${sub}"]`)]);
  signedIn.set(`${app} ${sub}`, await context.cookies());
}

/**
 * Records into `problems` what goes wrong in the browser's pages of `app`: CSP violations anywhere,
 * console errors and uncaught exceptions. Call before the first navigation.
 */
export async function reportProblems({ context, page }: Browser, app: string, problems: string[]) {
  // Chromium logs a violation to the console too; the event also names the directive.
  await context.addInitScript(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`CSP violation on ${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI || "an inline script or style"}`),
    ),
  );
  page.on("console", (message) => {
    const source = message.location().url;
    if (message.type() === "error" && (message.text().startsWith("CSP violation") || !source || new URL(source).origin === app)) {
      problems.push(`${source}: ${message.text()}`);
    }
  });
  page.on("pageerror", (error) => problems.push(`${page.url()}: ${error.message}`));
}

/** `next dev` on `port`, as `npm run dev` runs it, ready; its build folder is its own (see setUpBrowserApp). */
async function startDevServer(env: NodeJS.ProcessEnv, port: number): Promise<StartedProcess> {
  const next = startProcess(bin("next"), ["dev", "-p", String(port), "-H", "127.0.0.1"], { ...env, NODE_ENV: "development", NEXT_DIST_DIR: DEV_DIST_DIR });
  // next dev compiles each route on its first request: minutes on a busy machine.
  await waitForHttp(`http://localhost:${port}/api/trpc/health.check`, next, 3000);
  return next;
}

/**
 * What most browser test files run against, set up and checked by the hooks this registers: the
 * app on this worker's browser-app port, beside the worker's provider,
 * on this file's database; and this file's Chromium. The app is the shared production build under
 * `next start`, or with `dev`, `next dev` as the README's first command runs it: React's strict
 * mode mounts every component and runs every effect twice (its build folder is kept between runs as
 * its compile cache; next dev locks it, so one such app at a time per checkout).
 *
 * Each file starts its own server: the app keeps state per instance (the last minute's users, the
 * rate limiters' counters) that another file's database would contradict. After each test: no
 * request left loopback, and no page had a CSP violation, console error or uncaught exception.
 */
export function setUpBrowserApp({ dev = false }: { dev?: boolean } = {}) {
  // A test's clicks and page loads take longer while the other worker's file keeps the second core
  // busy: room for that, for this file's tests.
  vi.setConfig({ testTimeout: 60_000 });
  const { appPort, idpPort } = browserAppOfThisWorker();
  const app = `http://localhost:${appPort}`;
  const problems: string[] = [];
  const fresh: Browser[] = [];
  let server: StartedProcess | undefined;
  let first: Browser | undefined;

  beforeAll(async () => {
    const env = productionEnv({ appBaseUrl: app, idpPort, databaseUrl: process.env.DATABASE_URL! });
    const start = dev ? startDevServer(env, appPort) : productionBuild(env).then(() => startApp(env, appPort));
    [server, first] = await Promise.all([start, launchBrowser()]);
    await reportProblems(first, app, problems);
    // Under next dev each page is compiled on its first visit.
    if (dev) first.page.setDefaultTimeout(180_000);
  }, 900_000);

  afterEach(async () => {
    const used = [first, ...fresh.splice(0)];
    await Promise.all(used.slice(1).map((browser) => browser!.close()));
    for (const browser of used) expect(browser?.blocked).toEqual([]);
    expect(problems.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await closeChromium();
    if (server) await stopProcess(server);
  });

  return {
    app,
    /** CSP violations anywhere, console errors and uncaught exceptions of the app's pages, in order. */
    problems,
    /** The file's first browser, kept from one test to the next. */
    get browser(): Browser {
      return first!;
    },
    get page(): Page {
      return first!.page;
    },
    /** Another browser (a cookie jar of its own: signed out for sure), watched as the first is, closed after the test. */
    async freshBrowser(): Promise<Browser> {
      const browser = await launchBrowser();
      fresh.push(browser);
      await reportProblems(browser, app, problems);
      if (dev) browser.page.setDefaultTimeout(180_000);
      return browser;
    },
    /** Signs `sub` in (signInWithOneClick) in `browser`, the first one by default, and lands on `returnTo`. */
    signIn: (sub: string, returnTo: string, browser: Browser = first!) => signInWithOneClick(browser, app, sub, returnTo),
  };
}
