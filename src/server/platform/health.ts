import type { Db } from "~/server/platform/db";
import { jobsHealth, type JobsHealth } from "~/server/platform/jobs";
import { logger } from "~/server/platform/logger";
import { rateLimiter } from "~/server/platform/rate-limit";
import { PING } from "~/server/platform/statements";

export interface Health {
  ok: boolean;
  db: "up" | "down";
  /** Only when REDIS_URL is set. */
  redis?: "up" | "down";
  /** The job workers, when the database answers: not part of `ok` (this instance serves without them). */
  jobs?: JobsHealth;
}

/**
 * Whether this instance can serve: its database answers, and its Redis when one is configured. With
 * `jobs`, also how the job workers are doing (GET /api/health).
 */
export async function checkHealth(db: Db, { jobs: withJobs = false } = {}): Promise<Health> {
  const dbUp = await db.sql(PING, []).then(
    () => true,
    (error: unknown) => {
      logger.error({ err: error }, "health: the database does not answer");
      return false;
    },
  );
  const jobs = dbUp && withJobs
    ? await jobsHealth(db).catch((error: unknown) => {
        logger.error({ err: error }, "health: the job queue cannot be read");
        return undefined;
      })
    : undefined;
  const limiter = rateLimiter();
  const redisUp = limiter.redisConfigured ? await limiter.storeIsUp() : undefined;
  return {
    ok: dbUp && redisUp !== false,
    db: dbUp ? "up" : "down",
    ...(redisUp !== undefined && { redis: redisUp ? "up" : "down" }),
    ...(jobs && { jobs }),
  };
}
