import type { Db } from "~/server/platform/db";
import { logger } from "~/server/platform/logger";
import { rateLimiter } from "~/server/platform/rate-limit";

export interface Health {
  ok: boolean;
  db: "up" | "down";
  /** Only when REDIS_URL is set. */
  redis?: "up" | "down";
}

/** Whether this instance can serve: its database answers, and its Redis when one is configured. */
export async function checkHealth(db: Db): Promise<Health> {
  const dbUp = await db.$queryRaw`SELECT 1`.then(
    () => true,
    (error: unknown) => {
      logger.error({ err: error }, "health: the database does not answer");
      return false;
    },
  );
  const limiter = rateLimiter();
  const redisUp = limiter.redisConfigured ? await limiter.storeIsUp() : undefined;
  return {
    ok: dbUp && redisUp !== false,
    db: dbUp ? "up" : "down",
    ...(redisUp !== undefined && { redis: redisUp ? "up" : "down" }),
  };
}
