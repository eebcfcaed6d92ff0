import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { z } from "zod";
import { PrismaClient, type Prisma } from "~/generated/prisma/client";
import { databaseConfig } from "~/server/platform/config";
import { logger } from "~/server/platform/logger";
import { embeddedDatabaseUrl } from "../../../prisma/database-url";

/** How long a request waits for a pooled connection (and a transaction to start) before it is refused. */
const CONNECTION_WAIT_MS = 5_000;

// One client (one pool) per process; `next dev` re-evaluates modules on every change, so the client
// and its pool are kept on globalThis.
const globalForPrisma = globalThis as unknown as { prisma?: Db };

/**
 * A hand-written SQL statement (src/server/platform/statements.ts holds them all): its text, with
 * `$1`… for its values, and the schema of its rows, the one source of their type, checked on every row.
 */
export interface Statement<Row extends z.ZodType> {
  text: string;
  row: Row;
}

/** Runs a statement and returns its rows, each checked against the statement's row schema. */
export type SqlRunner = <Row extends z.ZodType>(statement: Statement<Row>, values: readonly unknown[]) => Promise<z.infer<Row>[]>;

/**
 * The database: Prisma's client, and `sql`, which runs hand-written statements on the client's own
 * pool (same connections, same limits), past Prisma's query compiler: for the hottest reads only.
 * Statements are sent unnamed, as Prisma's are, so transaction-mode poolers (PgBouncer) serve them.
 */
export type Db = PrismaClient & { sql: SqlRunner };

/**
 * Hand-written statements through Prisma's client rather than the pool: inside a transaction (row
 * locks, reads that must see its writes), or where Prisma's reading of timestamps as UTC is wanted.
 */
export const sqlIn =
  (tx: Prisma.TransactionClient): SqlRunner =>
  async (statement, values) =>
    (await tx.$queryRawUnsafe<unknown[]>(statement.text, ...values)).map((row) => statement.row.parse(row));

// connectionTimeoutMillis: an unreachable database host fails a request (and /api/health: 503) in
// seconds instead of leaving it waiting for a connection forever. Transactions wait as long as the
// pool does (Prisma's own default is 2 s): a burst of writes to one account queues on its row lock
// while holding connections, and the requests behind them must not fail sooner than the pool would.
// `pool` (tests: one that records statements) becomes the client's own: $disconnect ends it for good.
export function createPrismaClient(
  url: string = databaseConfig.DATABASE_URL ?? embeddedDatabaseUrl(),
  options: Omit<ConstructorParameters<typeof PrismaClient>[0], "adapter"> = {},
  pool = new pg.Pool({ connectionString: url, max: databaseConfig.DATABASE_POOL_SIZE, connectionTimeoutMillis: CONNECTION_WAIT_MS }),
): Db {
  // A connection lost while idle (a database restart) must not crash the process, whoever used the pool first.
  pool.on("error", (error) => logger.warn({ err: error.message }, "an idle database connection failed"));
  const client = new PrismaClient({
    transactionOptions: { maxWait: CONNECTION_WAIT_MS, timeout: 10_000 },
    ...options,
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
  });
  const sql: SqlRunner = async (statement, values) => {
    const { rows } = await pool.query<pg.QueryResultRow>(statement.text, [...values]);
    return rows.map((row) => statement.row.parse(row));
  };
  return Object.assign(client, { sql });
}

export const db = globalForPrisma.prisma ?? createPrismaClient();
if (databaseConfig.NODE_ENV !== "production") globalForPrisma.prisma = db;
