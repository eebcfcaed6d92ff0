// `npm run dev`: everything a fresh clone needs, in one command that one Ctrl-C stops. With
// `--start` (what `npm start -- --local` runs, see scripts/start.mjs): the same with `next start` of
// the production build instead of `next dev`.
//  1. .env.local from .env.example, with a random AUTH0_SECRET, when there is none;
//  2. the database: the embedded PostgreSQL server (unless DATABASE_URL is set), migrated, and
//     seeded when it is new;
//  3. the local identity provider, when AUTH0_DOMAIN points at localhost (not for a real tenant),
//     refused before anything starts with NODE_ENV=production and an APP_BASE_URL that looks
//     deployed (scripts/local-stack.mjs);
//  4. a local mail catcher (maildev: SMTP on 1025, its inbox on http://localhost:1080/index.html) unless SMTP_URL
//     is set, and one job worker (scripts/worker.ts);
//  5. next dev (next start). Output is prefixed with the process it comes from.
// Each child runs in a process group of its own, ended as a group, whichever way this launcher is
// told to stop: Ctrl-C, SIGTERM, SIGHUP (its terminal closed), or its parent gone (a SIGTERM to npm
// reaches only npm and its shell). What it runs is listed in LOCAL_DATA_DIR/dev-stack.json, so that
// after a SIGKILL the next launcher ends what this one left.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { leaveSignalsToCaller, LOCAL_DATA_DIR, stopLeftoverServer } from "../dev/postgres";
import { isRunning, stopGroup } from "../dev/processes";
import { openDatabaseOrExit } from "./local-database";
import { localProviderPort, localProviderRefusal, onParentGone } from "./local-stack.mjs";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const envFile = path.join(root, ".env.local");

function ensureEnvFile() {
  // The file exists to hold a secret; an environment that brings its own needs none.
  if (fs.existsSync(envFile) || process.env.AUTH0_SECRET) return;
  const example = fs.readFileSync(path.join(root, ".env.example"), "utf8");
  fs.writeFileSync(envFile, example.replace(/^AUTH0_SECRET=.*$/m, `AUTH0_SECRET=${randomBytes(32).toString("hex")}`));
  console.log("[dev] Wrote .env.local with a new AUTH0_SECRET (edit it to use a real Auth0 tenant).");
}

/** KEY=VALUE lines of .env.local; the shell's own variables win, as with Next. */
function readEnvFile(): Record<string, string> {
  const values: Record<string, string> = {};
  if (!fs.existsSync(envFile)) return values;
  for (const line of fs.readFileSync(envFile, "utf8").split("\n")) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return values;
}

function prefixed(name: string, child: ChildProcess) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = "";
    stream?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) console.log(`[${name}] ${line}`);
    });
  }
}

/** What a launcher runs, kept on disk while it runs: its pid, its children's (each a process group), its database server. */
interface Stack {
  pid: number;
  children: { name: string; pid: number }[];
  postgres?: string;
}
const stackFile = path.join(LOCAL_DATA_DIR, "dev-stack.json");
const stack: Stack = { pid: process.pid, children: [] };
const saveStack = () => fs.writeFileSync(stackFile, JSON.stringify(stack));

/** Ends what a launcher killed with SIGKILL left running, or refuses to start beside a live one. */
async function endLeftovers() {
  let left: Stack;
  try {
    left = JSON.parse(fs.readFileSync(stackFile, "utf8")) as Stack;
  } catch {
    return;
  }
  if (isRunning(left.pid)) {
    console.error(`[dev] Another launcher (pid ${left.pid}) runs this stack: stop it first (or delete ${stackFile} if that pid is not one).`);
    process.exit(1);
  }
  const stopped = (await Promise.all(left.children.map(async ({ name, pid }) => ((await stopGroup(pid)) ? `${name} (pid ${pid})` : undefined)))).filter(Boolean);
  const server = left.postgres && (await stopLeftoverServer(left.postgres));
  if (server) stopped.push(`postgres (pid ${server})`);
  console.log(`[dev] The last launcher (pid ${left.pid}) ended without stopping its stack; ${stopped.length ? `stopped what it left: ${stopped.join(", ")}` : "nothing of it was left running"}.`);
  fs.rmSync(stackFile);
}

// Nothing to close until the database is open.
let closeDatabase = async () => {};
let stopping = false;
function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  Promise.all(stack.children.map(({ pid }) => stopGroup(pid)))
    .then(() => closeDatabase())
    .finally(() => process.exit(code));
}
leaveSignalsToCaller();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => stopAll(0));
onParentGone(() => stopAll(0));
// A closed terminal turns writes to it into errors: they must not end the launcher before it stops its children.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

ensureEnvFile();
const env: NodeJS.ProcessEnv = { ...readEnvFile(), ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

const providerPort = localProviderPort(env.AUTH0_DOMAIN);
const refusal = providerPort === undefined ? undefined : localProviderRefusal(env);
if (refusal) {
  console.error(`[dev] ${refusal}`);
  process.exit(1);
}

fs.mkdirSync(LOCAL_DATA_DIR, { recursive: true });
await endLeftovers();
saveStack();
// Whichever way this process exits (not SIGKILL), what it started is stopped by then.
process.on("exit", () => fs.rmSync(stackFile, { force: true }));

const database = await openDatabaseOrExit("dev", { external: env.DATABASE_URL, prepare: true });
closeDatabase = database.close;
env.DATABASE_URL = database.url;
stack.postgres = database.startedServer;
saveStack();

/** Starts a child in a process group of its own, its output prefixed with `name`. */
function start(name: string, command: string, args: string[], childEnv: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true });
  prefixed(name, child);
  if (child.pid) stack.children.push({ name, pid: child.pid });
  saveStack();
  // If any process dies, stop the others: a half-running stack only confuses.
  child.on("exit", (code) => stopAll(code ?? 1));
}
if (providerPort !== undefined) start("idp", bin("tsx"), ["dev/identity-provider/server.ts"], { ...env, IDP_PORT: providerPort });
// A local mail catcher (SMTP and a web inbox, loopback only) receives the reminder emails, unless
// SMTP_URL names a server of one's own.
if (!env.SMTP_URL) {
  const smtpPort = env.MAILDEV_SMTP_PORT ?? "1025";
  const webPort = env.MAILDEV_WEB_PORT ?? "1080";
  start("mail", bin("maildev"), ["--smtp", smtpPort, "--ip", "127.0.0.1", "--web", webPort, "--web-ip", "127.0.0.1"], env);
  env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  console.log(`[dev] Reminder emails: read them at http://localhost:${webPort}/index.html`);
}
const [mode, nextArgs] = process.argv[2] === "--start" ? ["start", process.argv.slice(3)] : ["dev", process.argv.slice(2)];
// The laptop's production build takes the test cards too (a deployment takes Stripe's, or none).
if (mode === "start") env.PAYMENTS_PROVIDER ??= "test";
// One job worker beside Next (reminders, renewals, purges); production runs them as processes of their own.
start("worker", process.execPath, ["--import", "tsx", "scripts/worker.ts"], env);
start("next", bin("next"), [mode, ...nextArgs], env);

