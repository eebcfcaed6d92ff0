import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseUrl } from "../../../prisma/database-url";

/** Connections each app instance keeps at most (DATABASE_POOL_SIZE; see README "Deploying"). */
function poolSize(): number {
  return Number(process.env.DATABASE_POOL_SIZE) || 10;
}

/** How long a request waits for a pooled connection (and a transaction to start) before it is refused. */
const CONNECTION_WAIT_MS = 5_000;

/** The pool under each client, for its prepared statements (see preparedRows). */
const pools = new WeakMap<PrismaClient, pg.Pool>();

// connectionTimeoutMillis: an unreachable database host fails a request (and /api/health: 503) in
// seconds instead of leaving it waiting for a connection forever. Transactions wait as long as the
// pool does (Prisma's own default is 2 s): a burst of writes to one account queues on its row lock
// while holding connections, and the requests behind them must not fail sooner than the pool would.
// `pool` (tests: one that counts statements) is the client's own: $disconnect ends it.
export function createPrismaClient(
  url: string = databaseUrl(),
  options: Omit<ConstructorParameters<typeof PrismaClient>[0], "adapter"> = {},
  pool = new pg.Pool({ connectionString: url, max: poolSize(), connectionTimeoutMillis: CONNECTION_WAIT_MS }),
) {
  const client = new PrismaClient({
    transactionOptions: { maxWait: CONNECTION_WAIT_MS, timeout: 10_000 },
    ...options,
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
  });
  pools.set(client, pool);
  return client;
}

// One client (one pool) per process; `next dev` re-evaluates modules on every change.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const db = globalForPrisma.prisma ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;

/** A named SQL statement: PostgreSQL parses and plans it once per connection, then only executes it. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs a prepared statement on `db`'s own pool (same connections, same limits). For the hottest
 * reads only: Prisma compiles each query anew (its WASM query compiler) and has the driver parse
 * it again, which costs a list call more CPU than everything else it does (issue 9). Rows come as
 * the driver decodes them; the statement's own module types them, and a test holds them equal to
 * the Prisma query they stand for.
 */
export async function preparedRows<Row>(db: Db, statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
  const pool = pools.get(db);
  if (!pool) throw new Error("This database client was not made by createPrismaClient: it has no pool for prepared statements.");
  const { rows } = await pool.query<Row & pg.QueryResultRow>({ ...statement, values });
  return rows;
}
