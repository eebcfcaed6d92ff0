// The same limits with Redis as the store (REDIS_URL; Redis runs on 127.0.0.1:6379 on every machine
// of this project and in CI): several instances share one budget, and an unreachable Redis falls
// back to memory with a warning instead of failing requests.
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { logger } from "~/server/platform/logger";
import { createRateLimiter, RateLimitExceeded } from "~/server/platform/rate-limit";
import { describeRateLimits } from "./rate-limits";

vi.hoisted(() =>
  Object.assign(process.env, { RATE_LIMIT_READS_PER_MINUTE: "5", RATE_LIMIT_WRITES_PER_MINUTE: "3", REDIS_URL: "redis://127.0.0.1:6379" }),
);

describeRateLimits("Redis");

const points = { read: 4, write: 1, signin: 1 };

describe("rate limits across instances", () => {
  it("two instances on one Redis draw on one budget", async () => {
    const [first, second] = [createRateLimiter({ points, redisUrl: process.env.REDIS_URL }), createRateLimiter({ points, redisUrl: process.env.REDIS_URL })];
    const key = `user:test|shared-${randomUUID()}`;
    try {
      for (const instance of [first, second, first, second]) await instance.consume("read", key);
      await expect(second.consume("read", key)).rejects.toBeInstanceOf(RateLimitExceeded);
      await expect(first.consume("read", key)).rejects.toBeInstanceOf(RateLimitExceeded);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("an unreachable Redis: the memory insurance limiter answers, with a logged warning, never an error", async () => {
    const warned = vi.spyOn(logger, "warn");
    const limiter = createRateLimiter({ points, redisUrl: "redis://127.0.0.1:9" }); // nothing listens on port 9
    try {
      const key = `user:test|no-redis-${randomUUID()}`;
      const state = await limiter.consume("read", key);
      expect(state.remaining).toBe(3);
      for (let i = 0; i < 3; i++) await limiter.consume("read", key);
      await expect(limiter.consume("read", key)).rejects.toBeInstanceOf(RateLimitExceeded);
      await vi.waitFor(() => expect(warned).toHaveBeenCalledWith(expect.anything(), expect.stringContaining("Redis is unreachable")));
      expect(await limiter.storeIsUp()).toBe(false);
    } finally {
      warned.mockRestore();
      await limiter.close();
    }
  });
});
