import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";

// The Prisma CLI's adapter for SQLite, with shims for three bugs of the 6.19 WASM ("js") schema
// engine. The app itself uses the stock PrismaBetterSQLite3; only migrate/seed/reset go through here.
type DriverAdapter = Awaited<ReturnType<PrismaBetterSQLite3["connect"]>>;
type RawQuery = Parameters<DriverAdapter["executeRaw"]>[0];

// Exactly the table `prisma migrate deploy` creates.
const PRISMA_MIGRATIONS_DDL = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

async function userObjects(adapter: DriverAdapter, where: string): Promise<[string, string][]> {
  const result = await adapter.queryRaw({
    sql: `SELECT type, name FROM sqlite_master WHERE ${where}`,
    args: [],
    argTypes: [],
  });
  return result.rows as [string, string][];
}

export class PrismaBetterSQLite3ForMigrate extends PrismaBetterSQLite3 {
  // Shadow DB: the engine replays whole migration files through executeRaw, which better-sqlite3
  // rejects as "more than one statement" (P3006). Run argument-less SQL as a script instead.
  override async connectToShadowDb(): Promise<DriverAdapter> {
    const adapter = await super.connectToShadowDb();
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query: RawQuery) => {
      if (query.args.length > 0) return executeRaw(query);
      await adapter.executeScript(query.sql);
      return 0;
    };
    return adapter;
  }

  override async connect(): Promise<DriverAdapter> {
    const adapter = await super.connect();

    // Fresh, empty file: `migrate dev` reads _prisma_migrations before creating it (P1014).
    const tables = await userObjects(adapter, "type = 'table' AND name NOT LIKE 'sqlite_%'");
    if (tables.length === 0) await adapter.executeScript(PRISMA_MIGRATIONS_DDL);

    // The engine holds this connection in EXCLUSIVE locking mode while `migrate reset` runs the
    // seed in another process, which then fails with SQLITE_BUSY. Leave the default locking mode.
    const executeRaw = adapter.executeRaw.bind(adapter);
    adapter.executeRaw = async (query: RawQuery) =>
      /^\s*PRAGMA\s+main\.locking_mode\s*=\s*EXCLUSIVE\s*;?\s*$/i.test(query.sql) ? 0 : executeRaw(query);

    // `migrate reset` only DELETEs every row, then re-applies the migrations: "table already
    // exists". Drop the tables and views instead, keeping an empty _prisma_migrations as it expects.
    const executeScript = adapter.executeScript.bind(adapter);
    adapter.executeScript = async (script: string) => {
      if (!/PRAGMA\s+defer_foreign_keys\s*=\s*1;\s*DELETE FROM/i.test(script)) return executeScript(script);
      const objects = await userObjects(adapter, "type IN ('view', 'table') AND name <> '_prisma_migrations'");
      const drops = objects
        .filter(([, name]) => !name.startsWith("sqlite_"))
        .map(([type, name]) => `DROP ${type.toUpperCase()} IF EXISTS "${name}";`);
      if (objects.some(([, name]) => name === "sqlite_sequence")) drops.push("DELETE FROM sqlite_sequence;");
      return executeScript(
        `PRAGMA foreign_keys=OFF;\n${drops.join("\n")}\nDELETE FROM "_prisma_migrations";\nPRAGMA foreign_keys=ON;`,
      );
    };
    return adapter;
  }
}
