import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseConfig } from "~/server/platform/config";
import { logger } from "~/server/platform/logger";
import { databaseUrl } from "../../../prisma/database-url";

/** How long a request waits for a pooled connection (and a transaction to start) before it is refused. */
const CONNECTION_WAIT_MS = 5_000;

// One client (one pool) per process; `next dev` re-evaluates modules on every change, so the client
// and its pool are kept on globalThis.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient; pools?: WeakMap<PrismaClient, pg.Pool> };

/** The pool under each client, for its hand-written statements (see sqlRows). */
const pools = (globalForPrisma.pools ??= new WeakMap());

// connectionTimeoutMillis: an unreachable database host fails a request (and /api/health: 503) in
// seconds instead of leaving it waiting for a connection forever. Transactions wait as long as the
// pool does (Prisma's own default is 2 s): a burst of writes to one account queues on its row lock
// while holding connections, and the requests behind them must not fail sooner than the pool would.
// `pool` (tests: one that records statements) becomes the client's own: $disconnect ends it for good.
export function createPrismaClient(
  url: string = databaseUrl(),
  options: Omit<ConstructorParameters<typeof PrismaClient>[0], "adapter"> = {},
  pool = new pg.Pool({ connectionString: url, max: databaseConfig.DATABASE_POOL_SIZE, connectionTimeoutMillis: CONNECTION_WAIT_MS }),
) {
  // A connection lost while idle (a database restart) must not crash the process, whoever used the pool first.
  pool.on("error", (error) => logger.warn({ err: error.message }, "an idle database connection failed"));
  const client = new PrismaClient({
    transactionOptions: { maxWait: CONNECTION_WAIT_MS, timeout: 10_000 },
    ...options,
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
  });
  pools.set(client, pool);
  return client;
}

export const db = globalForPrisma.prisma ?? createPrismaClient();
if (databaseConfig.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;

/**
 * Runs one SQL statement on `db`'s own pool (same connections, same limits), past Prisma's query
 * compiler: for the hottest reads only. Prisma 6 compiles each query anew (its WASM query compiler),
 * which cost a list call more CPU than everything else it does. The statement is sent
 * unnamed, as Prisma's are, so transaction-mode poolers (PgBouncer) serve it. Rows come as the driver
 * decodes them: the statement's own module types them, and tests/hand-written-sql.test.ts holds
 * each equal to the Prisma query it stands for.
 */
export async function sqlRows<Row>(db: Db, text: string, values: unknown[]): Promise<Row[]> {
  const pool = pools.get(db);
  if (!pool) throw new Error("This database client was not made by createPrismaClient: it has no pool of its own.");
  const { rows } = await pool.query<Row & pg.QueryResultRow>(text, values);
  return rows;
}
