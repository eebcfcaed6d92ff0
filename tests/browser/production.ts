// A production build of the app (next build, once per test run whichever file asks first), the
// local identity provider and `next start` instances on loopback ports, and Debian's Chromium; and
// `next dev` as `npm run dev` runs it (React's strict mode, compiled on first request), for the main
// flows.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { chromium, type BrowserContext } from "playwright-core";
import { inject } from "vitest";
import { freeLoopbackPort } from "../../dev/ports";

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
    NEXT_TELEMETRY_DISABLED: "1",
    APP_BASE_URL: overrides.appBaseUrl,
    AUTH0_DOMAIN: `http://localhost:${overrides.idpPort}`,
    AUTH0_CLIENT_ID: "showtrack-e2e",
    AUTH0_CLIENT_SECRET: "showtrack-e2e-secret",
    AUTH0_AUDIENCE: "https://api.showtrack.e2e",
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

/**
 * What most browser tests run against: the shared production build, the local identity provider and
 * one `next start`, on free loopback ports. `stop()` ends both processes.
 */
export async function startProductionApp(databaseUrl: string) {
  const [appPort, idpPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort()]);
  const app = `http://localhost:${appPort}`;
  const env = productionEnv({ appBaseUrl: app, idpPort, databaseUrl });
  const buildSeconds = await productionBuild(env);
  const started = performance.now();
  const processes = await Promise.all([startIdentityProvider(env, idpPort), startApp(env, appPort)]);
  return {
    app,
    buildSeconds,
    serversMs: performance.now() - started,
    stop: () => processes.forEach(({ child }) => child.kill("SIGTERM")),
  };
}

/**
 * The same beside `next dev`, as the README's first command runs the app: development mode, where
 * React's strict mode mounts every component twice and runs its effects twice. Its build folder is
 * its own, kept between runs as its compile cache (next dev locks it: one such app at a time per
 * checkout). `stop()` ends both processes.
 */
export async function startDevApp(databaseUrl: string) {
  const [appPort, idpPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort()]);
  const app = `http://localhost:${appPort}`;
  const env: NodeJS.ProcessEnv = { ...productionEnv({ appBaseUrl: app, idpPort, databaseUrl }), NODE_ENV: "development", NEXT_DIST_DIR: DEV_DIST_DIR };
  const next = startProcess(bin("next"), ["dev", "-p", String(appPort), "-H", "127.0.0.1"], env);
  // next dev compiles each route on its first request: minutes on a busy machine.
  const processes = await Promise.all([startIdentityProvider(env, idpPort), waitForHttp(`${app}/api/trpc/health.check`, next, 3000).then(() => next)]);
  return { app, log: next.log, stop: () => processes.forEach(({ child }) => child.kill("SIGTERM")) };
}

/** `next start` of the production build on `port`, ready. */
export async function startApp(env: NodeJS.ProcessEnv, port: number): Promise<StartedProcess> {
  const app = startProcess(bin("next"), ["start", "-p", String(port), "-H", "127.0.0.1"], env);
  await waitForHttp(`http://localhost:${port}/api/trpc/health.check`, app);
  return app;
}

export { freeLoopbackPort };

/**
 * Chromium in a fresh profile. Every request that is not for loopback is blocked and recorded in
 * `blocked` (a test fails when one appears).
 */
/** Signs `sub` in with one click on the local provider's page, from a clean cookie jar, and lands on `returnTo`. */
export async function signInWithOneClick(browser: Awaited<ReturnType<typeof launchBrowser>>, app: string, sub: string, returnTo: string) {
  await browser.context.clearCookies();
  await browser.page.goto(`${app}/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  await browser.page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([browser.page.waitForURL(`${app}${returnTo}`), browser.page.click(`button[data-sub="${sub}"]`)]);
}

export async function launchBrowser() {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
  const blocked: string[] = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "localhost" || url.hostname === "127.0.0.1") return route.continue();
    blocked.push(url.href);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    blocked,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Records into `problems` what goes wrong in the browser's pages of `app`: CSP violations anywhere,
 * console errors and uncaught exceptions. Call before the first navigation.
 */
export async function reportProblems({ context, page }: Awaited<ReturnType<typeof launchBrowser>>, app: string, problems: string[]) {
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
