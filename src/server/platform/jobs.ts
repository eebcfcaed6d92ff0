import PgBoss from "pg-boss";
import { Prisma } from "~/generated/prisma/client";
import { sqlIn, type Db } from "~/server/platform/db";
import { oldestDueJobAge, WORKER_HEARTBEAT_AGE } from "~/server/platform/statements";

/** pg-boss keeps its tables in a schema of their own, beside the app's. */
export const JOBS_SCHEMA = "pgboss";

/** A pg-boss instance on the app's database (the workers' job engine). */
export function createJobEngine(connectionString: string, options: Omit<PgBoss.ConstructorOptions, "connectionString" | "schema"> = {}): PgBoss {
  return new PgBoss({ connectionString, schema: JOBS_SCHEMA, application_name: "showtrack-worker", ...options });
}

/**
 * pg-boss's statements run in a Prisma transaction: a job sent through it is committed or rolled back
 * with the change it belongs to (`boss.send(name, data, { db: inTransaction(tx) })`).
 */
export function inTransaction(tx: Prisma.TransactionClient): PgBoss.Db {
  return { executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) };
}

export interface JobsHealth {
  /** Seconds since the newest heartbeat of any worker; null when no worker has ever beaten. */
  workerHeartbeatAgeSeconds: number | null;
  /** Seconds the oldest job that is due (not scheduled later) has waited; 0 when none waits. */
  oldestDueJobAgeSeconds: number;
}

const UNDEFINED_TABLE = "42P01";

/** What /api/health says of the workers: are they alive, and are they keeping up. */
export async function jobsHealth(db: Db): Promise<JobsHealth> {
  const [heartbeat] = await db.sql(WORKER_HEARTBEAT_AGE, []);
  const oldest = await sqlIn(db)(oldestDueJobAge(JOBS_SCHEMA), [])
    .catch((error: unknown) => {
      // No worker has ever started here: pg-boss has not made its tables yet, so nothing waits.
      if (error instanceof Prisma.PrismaClientKnownRequestError && JSON.stringify(error.meta ?? {}).includes(UNDEFINED_TABLE)) return [];
      if (error instanceof Error && error.message.includes(`"${JOBS_SCHEMA}.job" does not exist`)) return [];
      throw error;
    });
  const round = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : Math.max(0, Math.round(seconds)));
  return { workerHeartbeatAgeSeconds: round(heartbeat?.age), oldestDueJobAgeSeconds: round(oldest[0]?.age) ?? 0 };
}
