// Lighthouse (mobile profile, simulated throttling, as its default config) on the production build:
// `npm run lighthouse` builds the app into .next-lighthouse/ (LIGHTHOUSE_SKIP_BUILD=1 reuses it),
// starts it with the local identity provider on a database of its own (migrated and seeded), signs
// Bob in through the provider's one-click page, and runs every page signed out and signed in,
// interleaved, LIGHTHOUSE_RUNS times (default 3). It prints the median of each figure per page and
// the load average, since Total Blocking Time follows how busy the cores are.
// LIGHTHOUSE_BASELINE=<git ref> (say `main`) also builds that version of the app (in
// .lighthouse-baseline/, gitignored, inside the project so that it resolves its node_modules) and
// runs it beside this one on the same database and session, every case interleaved: a busy machine
// slows both alike, and the table gives both.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import pg from "pg";
import { canConnect, dropDatabase, ensureDatabase, withDatabase } from "../dev/postgres";
import { openDatabase } from "../scripts/local-database";
import { closeChromium, freeLoopbackPort, launchBrowser, productionEnv, signInWithOneClick, startApp, startIdentityProvider, stopProcess } from "../tests/browser/production";

const RUNS = Number(process.env.LIGHTHOUSE_RUNS) || 3;
const DIST_DIR = ".next-lighthouse";
const SIGNED_IN_SUB = "dev|bob";
const root = path.resolve(import.meta.dirname, "..");
const CATEGORIES = ["performance", "accessibility", "best-practices"];

interface Figures {
  performance: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  accessibility: number;
  bestPractices: number;
  /** Bytes of script the page transferred (compressed, as served), its prefetches of linked pages included. */
  jsBytes: number;
  /** Lighthouse's measure of how fast the machine ran during the run (higher: faster). */
  benchmarkIndex: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const loadAverage = () => os.loadavg().map((load) => load.toFixed(2)).join(", ");

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

/** Debian's Chromium with its DevTools port open for Lighthouse; resolves once it listens. */
function startChromium(): Promise<{ port: number; child: ChildProcess; userDataDir: string }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "showtrack-lighthouse-"));
  const child = spawn(
    "/usr/bin/chromium",
    ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--remote-debugging-port=0", `--user-data-dir=${userDataDir}`, "about:blank"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    let output = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(output);
      if (listening) resolve({ port: Number(listening[1]), child, userDataDir });
    });
    child.on("exit", (code) => reject(new Error(`chromium exited (${code}) before listening:\n${output}`)));
  });
}

async function measure(port: number, url: string, cookie: string | undefined): Promise<Figures> {
  // Lighthouse clears the origin's cache and storage before each run: one browser serves them all.
  const result = await lighthouse(url, {
    port,
    output: "json",
    logLevel: "error",
    onlyCategories: CATEGORIES,
    ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
  });
  if (!result) throw new Error(`${url}: Lighthouse returned nothing`);
  const { lhr } = result;
  if (lhr.runtimeError) throw new Error(`${url}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
  if (new URL(lhr.finalDisplayedUrl).pathname !== new URL(url).pathname) throw new Error(`${url} ended on ${lhr.finalDisplayedUrl}`);
  const score = (id: string) => Math.round((lhr.categories[id]?.score ?? 0) * 100);
  const audit = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
  const resources = (lhr.audits["resource-summary"]?.details as { items: { resourceType: string; transferSize: number }[] } | undefined)?.items ?? [];
  return {
    performance: score("performance"),
    lcpMs: audit("largest-contentful-paint"),
    tbtMs: audit("total-blocking-time"),
    cls: audit("cumulative-layout-shift"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    jsBytes: resources.find((item) => item.resourceType === "script")?.transferSize ?? 0,
    benchmarkIndex: lhr.environment.benchmarkIndex,
  };
}

const BASELINE_DIR = path.join(root, ".lighthouse-baseline");
const BASELINE_FILES = ["src", "public", "prisma", "next.config.ts", "tsconfig.json", "package.json"];

/** `ref`'s app (its files from git, its Prisma client generated from its schema), built. */
async function buildBaseline(ref: string, env: NodeJS.ProcessEnv) {
  fs.rmSync(BASELINE_DIR, { recursive: true, force: true });
  fs.mkdirSync(BASELINE_DIR);
  await run("sh", ["-c", `git archive "$0" ${BASELINE_FILES.join(" ")} | tar -x -C "$1"`, ref, BASELINE_DIR], env);
  await run(path.join(root, "node_modules", ".bin", "prisma"), ["generate", "--schema", path.join(BASELINE_DIR, "prisma", "schema.prisma")], env);
  console.log(`[lighthouse] building ${ref} in ${path.relative(root, BASELINE_DIR)}/…`);
  await run(path.join(root, "node_modules", ".bin", "next"), ["build", BASELINE_DIR], env);
}

/** Bob's real session: signed in through the local provider's one-click page; the cookies for the app, as a Cookie header. */
async function signIn(app: string): Promise<string> {
  const browser = await launchBrowser();
  try {
    await signInWithOneClick(browser, app, SIGNED_IN_SUB, "/account");
    const cookies = await browser.context.cookies(app);
    if (!cookies.some((cookie) => cookie.name === "__session")) throw new Error("the sign-in set no __session cookie");
    return cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
  } finally {
    await closeChromium();
  }
}

async function main() {
  const server = process.env.LIGHTHOUSE_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  if (!(await canConnect(server))) throw new Error(`No PostgreSQL at ${server} (LIGHTHOUSE_POSTGRES_URL).`);
  const name = `showtrack_lighthouse_${process.pid}`;
  const databaseUrl = withDatabase(server, name);
  const processes: ChildProcess[] = [];
  let profile: string | undefined;
  try {
    await dropDatabase(server, name);
    await ensureDatabase(databaseUrl);
    await openDatabase({ external: databaseUrl, prepare: true });
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query<{ slug: string }>(`SELECT slug FROM "Show" ORDER BY title LIMIT 1`);
    await client.end();

    const [appPort, idpPort, baselinePort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
    const app = `http://localhost:${appPort}`;
    const env = { ...productionEnv({ appBaseUrl: app, idpPort, databaseUrl }), NEXT_DIST_DIR: DIST_DIR, AUTH0_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn" };
    const baselineRef = process.env.LIGHTHOUSE_BASELINE;
    if (process.env.LIGHTHOUSE_SKIP_BUILD !== "1") {
      console.log(`[lighthouse] building ${DIST_DIR}/…`);
      await run(path.join(root, "node_modules", ".bin", "next"), ["build"], env);
      if (baselineRef) await buildBaseline(baselineRef, env);
    }
    const started = await Promise.all([startIdentityProvider(env, idpPort), startApp(env, appPort)]);
    processes.push(...started.map(({ child }) => child));
    // The same secret and database: Bob's session cookie is good on both.
    if (baselineRef) processes.push((await startApp({ ...env, APP_BASE_URL: `http://localhost:${baselinePort}` }, baselinePort, BASELINE_DIR)).child);
    const cookie = await signIn(app);

    const builds = [...(baselineRef ? [{ label: baselineRef, origin: `http://localhost:${baselinePort}` }] : []), { label: "this checkout", origin: app }];
    const pages = ["/", "/shows", `/shows/${rows[0]!.slug}`, "/pricing", "/account", "/notifications"];
    // Signed out, /account and /notifications are the identity provider's sign-in page, not the app's.
    const cases = builds.flatMap((build) => [
      ...pages.filter((page) => page !== "/account" && page !== "/notifications").map((page) => ({ build, page, who: "signed out", cookie: undefined })),
      ...pages.map((page) => ({ build, page, who: "signed in", cookie })),
    ]);
    // Page by page, each build's run right after the other's.
    cases.sort((a, b) => pages.indexOf(a.page) - pages.indexOf(b.page) || a.who.localeCompare(b.who));
    // A first request of every page, so that no run pays for a cold server.
    for (const { build, page, cookie } of cases) await fetch(`${build.origin}${page}`, { headers: cookie ? { cookie } : {} }).then((response) => response.text());

    const chromium = await startChromium();
    processes.push(chromium.child);
    profile = chromium.userDataDir;
    const loadBefore = loadAverage();
    const samples = new Map<(typeof cases)[number], Figures[]>(cases.map((c) => [c, []]));
    for (let round = 1; round <= RUNS; round++) {
      for (const c of cases) {
        const figures = await measure(chromium.port, `${c.build.origin}${c.page}`, c.cookie);
        samples.get(c)!.push(figures);
        console.log(
          `[lighthouse] run ${round}/${RUNS} ${c.build.label} ${c.who} ${c.page}: performance ${figures.performance}, LCP ${Math.round(figures.lcpMs)} ms, TBT ${Math.round(figures.tbtMs)} ms, CLS ${figures.cls.toFixed(3)}, JS ${figures.jsBytes} B, benchmark index ${Math.round(figures.benchmarkIndex)} (load average ${loadAverage()})`,
        );
      }
    }

    console.log(`\nLighthouse ${(await import("lighthouse/package.json", { with: { type: "json" } })).default.version}, mobile, simulated throttling; median of ${RUNS} runs`);
    console.log(`load average (1, 5, 15 min) before the runs: ${loadBefore}; after: ${loadAverage()}\n`);
    console.log("| page | who | build | performance | LCP s | TBT ms | CLS | accessibility | best practices | JS kB (transferred) |");
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const c of cases) {
      const all = samples.get(c)!;
      const m = (key: keyof Figures) => median(all.map((figures) => figures[key]));
      const page = c.page.startsWith("/shows/") ? "/shows/[slug]" : c.page;
      console.log(
        `| ${page} | ${c.who} | ${c.build.label} | ${m("performance")} | ${(m("lcpMs") / 1000).toFixed(1)} | ${Math.round(m("tbtMs"))} | ${m("cls").toFixed(3)} | ${m("accessibility")} | ${m("bestPractices")} | ${(m("jsBytes") / 1000).toFixed(1)} |`,
      );
    }
  } finally {
    await Promise.all(processes.map((child) => stopProcess({ child })));
    // Chromium's helpers may still be writing its profile a moment after it exits.
    if (profile) fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10 });
    await dropDatabase(server, name).catch(() => undefined);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
