// The database of `npm run dev` and the `db:*` scripts: DATABASE_URL's when it is set, else the
// embedded PostgreSQL server (dev/postgres.ts), started on demand and stopped after when this
// process started it.
import { spawn } from "node:child_process";
import path from "node:path";
import pg from "pg";
import { DEFAULT_DATA_DIR, EmbeddedPostgresRefused, ensureDatabase, startEmbeddedPostgres } from "../dev/postgres";
import { EMBEDDED_POSTGRES, embeddedDatabaseUrl } from "../prisma/database-url";
import { messageOf } from "./messages";

const root = path.resolve(import.meta.dirname, "..");

/** Runs the project's Prisma CLI on `url`; rejects when it fails. */
export function prisma(args: string[], url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "prisma"), args, {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url },
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`prisma ${args.join(" ")} exited with ${code}`))));
  });
}

async function hasMigrations(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string | null }>("SELECT to_regclass('public._prisma_migrations')::text AS table");
    return rows[0]?.table != null;
  } finally {
    await client.end();
  }
}

export interface LocalDatabase {
  url: string;
  /** The embedded server's data folder when this process started it (it stops it on close). */
  startedServer?: string;
  /** Stops the embedded server if this process started it. */
  close(): Promise<void>;
}

/**
 * Opens the database: `external` (DATABASE_URL) as it is, or the embedded server on `embedded`'s
 * folder and port. With `prepare`, applies pending migrations and seeds a database that had none.
 */
export async function openDatabase({
  external,
  embedded = {},
  prepare = false,
}: {
  external?: string;
  embedded?: { dataDir?: string; port?: number };
  prepare?: boolean;
}): Promise<LocalDatabase> {
  let url = external;
  let close = async () => {};
  let startedServer: string | undefined;
  if (!url) {
    const port = embedded.port ?? EMBEDDED_POSTGRES.port;
    const dataDir = embedded.dataDir ?? DEFAULT_DATA_DIR;
    const server = await startEmbeddedPostgres({ dataDir, port });
    if (server.started) {
      console.log(`[db] Embedded PostgreSQL started on port ${port}.`);
      startedServer = dataDir;
    }
    url = embeddedDatabaseUrl({ port });
    close = server.stop;
    await ensureDatabase(url);
  }
  if (prepare) {
    const isNew = !(await hasMigrations(url));
    await prisma(["migrate", "deploy"], url);
    if (isNew) await prisma(["db", "seed"], url);
  }
  return { url, startedServer, close };
}

/**
 * openDatabase for a command line: when the database cannot be opened, its one line (prefixed with
 * `[name]`) and exit code 1, never a stack trace.
 */
export function openDatabaseOrExit(name: string, options: Parameters<typeof openDatabase>[0]): Promise<LocalDatabase> {
  return openDatabase(options).catch((error: unknown) => {
    console.error(`[${name}] ${messageOf(error)}`);
    if (!(error instanceof EmbeddedPostgresRefused)) console.error(`[${name}] The database did not open: the lines above say why.`);
    process.exit(1);
  });
}
