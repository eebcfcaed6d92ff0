import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "~/generated/prisma/client";
import { databaseUrl } from "../../../prisma/database-url";

/** Connections each app instance keeps at most (DATABASE_POOL_SIZE; see README "Deploying"). */
export function poolSize(): number {
  return Number(process.env.DATABASE_POOL_SIZE) || 10;
}

// connectionTimeoutMillis: an unreachable database host fails a request (and /api/health: 503) in
// seconds instead of leaving it waiting for a connection forever.
export function createPrismaClient(url: string = databaseUrl(), options: Omit<ConstructorParameters<typeof PrismaClient>[0], "adapter"> = {}) {
  return new PrismaClient({ ...options, adapter: new PrismaPg({ connectionString: url, max: poolSize(), connectionTimeoutMillis: 5_000 }) });
}

// One client (one pool) per process; `next dev` re-evaluates modules on every change.
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const db = globalForPrisma.prisma ?? createPrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = db;

export type Db = PrismaClient;
