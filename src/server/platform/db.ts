import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseUrl } from "../../../prisma/database-url";

/** Connections each app instance keeps at most (DATABASE_POOL_SIZE; see README "Deploying"). */
function poolSize(): number {
  return Number(process.env.DATABASE_POOL_SIZE) || 10;
}

/** How long a request waits for a pooled connection (and a transaction to start) before it is refused. */
const CONNECTION_WAIT_MS = 5_000;

// connectionTimeoutMillis: an unreachable database host fails a request (and /api/health: 503) in
// seconds instead of leaving it waiting for a connection forever. Transactions wait as long as the
// pool does (Prisma's own default is 2 s): a burst of writes to one account queues on its row lock
// while holding connections, and the requests behind them must not fail sooner than the pool would.
export function createPrismaClient(url: string = databaseUrl(), options: Omit<ConstructorParameters<typeof PrismaClient>[0], "adapter"> = {}) {
  return new PrismaClient({
    transactionOptions: { maxWait: CONNECTION_WAIT_MS, timeout: 10_000 },
    ...options,
    adapter: new PrismaPg({ connectionString: url, max: poolSize(), connectionTimeoutMillis: CONNECTION_WAIT_MS }),
  });
}

// One client (one pool) per process; `next dev` re-evaluates modules on every change.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const db = globalForPrisma.prisma ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;
