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
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { openDatabase } from "./local-database";
import { localProviderPort, localProviderRefusal } from "./local-stack.mjs";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const envFile = path.join(root, ".env.local");

function ensureEnvFile() {
  if (fs.existsSync(envFile)) return;
  const example = fs.readFileSync(path.join(root, ".env.example"), "utf8");
  fs.writeFileSync(envFile, example.replace(/^AUTH0_SECRET=.*$/m, `AUTH0_SECRET=${randomBytes(32).toString("hex")}`));
  console.log("[dev] Wrote .env.local with a new AUTH0_SECRET (edit it to use a real Auth0 tenant).");
}

/** KEY=VALUE lines of .env.local; the shell's own variables win, as with Next. */
function readEnvFile(): Record<string, string> {
  const values: Record<string, string> = {};
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

ensureEnvFile();
const env: NodeJS.ProcessEnv = { ...readEnvFile(), ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

const providerPort = localProviderPort(env.AUTH0_DOMAIN);
const refusal = providerPort === undefined ? undefined : localProviderRefusal(env);
if (refusal) {
  console.error(`[dev] ${refusal}`);
  process.exit(1);
}

const database = await openDatabase({ external: env.DATABASE_URL, prepare: true }).catch((error: unknown) => {
  console.error(`[dev] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
env.DATABASE_URL = database.url;

const children: ChildProcess[] = [];
if (providerPort !== undefined) {
  const idp = spawn(bin("tsx"), ["dev/identity-provider/server.ts"], {
    cwd: root,
    env: { ...env, IDP_PORT: providerPort },
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixed("idp", idp);
  children.push(idp);
}
// A local mail catcher (SMTP and a web inbox, loopback only) receives the reminder emails, unless
// SMTP_URL names a server of one's own.
if (!env.SMTP_URL) {
  const smtpPort = env.MAILDEV_SMTP_PORT ?? "1025";
  const webPort = env.MAILDEV_WEB_PORT ?? "1080";
  const maildev = spawn(bin("maildev"), ["--smtp", smtpPort, "--ip", "127.0.0.1", "--web", webPort, "--web-ip", "127.0.0.1"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  prefixed("mail", maildev);
  children.push(maildev);
  env.SMTP_URL = `smtp://127.0.0.1:${smtpPort}`;
  console.log(`[dev] Reminder emails: read them at http://localhost:${webPort}/index.html`);
}
const [mode, nextArgs] = process.argv[2] === "--start" ? ["start", process.argv.slice(3)] : ["dev", process.argv.slice(2)];
// The laptop's production build takes the test cards too (a deployment takes Stripe's, or none).
if (mode === "start") env.PAYMENTS_PROVIDER ??= "test";
// One job worker beside Next (reminders, renewals, purges); production runs them as processes of their own.
const worker = spawn(bin("tsx"), ["scripts/worker.ts"], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
prefixed("worker", worker);
children.push(worker);
const next = spawn(bin("next"), [mode, ...nextArgs], { cwd: root, env, stdio: ["inherit", "pipe", "pipe"] });
prefixed("next", next);
children.push(next);

let stopping = false;
function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode === null ? child.on("exit", resolve) : resolve(null)))))
    .then(() => database.close())
    .finally(() => process.exit(code));
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => stopAll(0));
// If any process dies, stop the others: a half-running stack only confuses.
for (const child of children) child.on("exit", (code) => stopAll(code ?? 1));
