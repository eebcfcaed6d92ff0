// Rate limits (rate-limiter-flexible): a budget per caller (the user's sub when signed in, else the
// IP) for reads, writes and sign-in, per minute. In memory by default (per instance); in Redis when
// REDIS_URL is set, so every instance draws on one budget. An unreachable Redis never fails a
// request: its insurance limiter (memory) takes over and a warning is logged.
import { Redis } from "ioredis";
import ipaddr from "ipaddr.js";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { rateLimitConfig } from "~/server/platform/config";
import { logger } from "~/server/platform/logger";

export type Budget = "read" | "write" | "signin";

const WINDOW_SECONDS = 60;

export interface RateLimitOptions {
  points: Record<Budget, number>;
  redisUrl?: string;
}

/** What a consumed budget leaves, for the RateLimit-* and Retry-After headers. */
export interface RateLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
  /** Set when the budget is exhausted. */
  retryAfterSeconds?: number;
}

export class RateLimitExceeded extends Error {
  constructor(readonly state: RateLimitState) {
    super("Too many requests. Please wait a moment and try again.");
  }
}

function toState(limit: number, res: RateLimiterRes, exceeded: boolean): RateLimitState {
  const resetSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return { limit, remaining: Math.max(0, res.remainingPoints), resetSeconds, ...(exceeded && { retryAfterSeconds: resetSeconds }) };
}

function connectRedis(url: string) {
  const redis = new Redis(url, {
    // Fail fast when Redis is away (the insurance limiter answers), and keep trying to reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
  });
  let warned = false;
  redis.on("error", (error: Error) => {
    if (warned) return;
    warned = true; // once per outage, not once per retry
    logger.warn({ err: error.message }, "Redis is unreachable: rate limits fall back to this instance's memory");
  });
  redis.on("ready", () => {
    if (warned) logger.info("Redis is back: rate limits are shared again");
    warned = false;
  });
  // The first calls wait for the first connection (at most its timeout), so that a starting
  // instance does not count them in memory while Redis is a millisecond away.
  const connected = new Promise<void>((resolve) => {
    redis.once("ready", resolve);
    redis.once("error", () => resolve());
  });
  return { redis, connected };
}

export function createRateLimiter({ points, redisUrl }: RateLimitOptions) {
  const { redis, connected } = redisUrl ? connectRedis(redisUrl) : { redis: undefined, connected: Promise.resolve() };
  const limiters = Object.fromEntries(
    (Object.keys(points) as Budget[]).map((budget) => {
      const options = { keyPrefix: `showtrack:rl:${budget}`, points: points[budget], duration: WINDOW_SECONDS };
      const memory = new RateLimiterMemory(options);
      const limiter: RateLimiterAbstract = redis
        ? new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: memory })
        : memory;
      return [budget, limiter];
    }),
  ) as Record<Budget, RateLimiterAbstract>;

  return {
    /** Takes one point of `budget` for `key`; throws RateLimitExceeded when none is left. */
    async consume(budget: Budget, key: string): Promise<RateLimitState> {
      await connected;
      try {
        return toState(points[budget], await limiters[budget].consume(key), false);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw new RateLimitExceeded(toState(points[budget], rejection, true));
        // Not a verdict (a store error without insurance): never refuse a request for it.
        logger.warn({ err: String(rejection), budget }, "rate limiter failed; request let through");
        return { limit: points[budget], remaining: points[budget], resetSeconds: WINDOW_SECONDS };
      }
    },
    /** Whether the shared store answers (health checks); true when there is none. */
    async storeIsUp(): Promise<boolean> {
      if (!redis) return true;
      return redis.ping().then(
        () => true,
        () => false,
      );
    },
    redisConfigured: Boolean(redis),
    close: () => redis?.quit().catch(() => undefined),
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/**
 * The app's limiter, configured from env (created on first use). One per bundle: the proxy's (the
 * sign-in budget) and the pages' (reads and writes) are apart, since each bundle has its own
 * RateLimitExceeded class for its `instanceof` checks; with Redis, a process holds two connections.
 */
let appLimiter: RateLimiter | undefined;
export function rateLimiter(): RateLimiter {
  appLimiter ??= createRateLimiter({
    points: { read: rateLimitConfig.RATE_LIMIT_READS_PER_MINUTE, write: rateLimitConfig.RATE_LIMIT_WRITES_PER_MINUTE, signin: rateLimitConfig.RATE_LIMIT_SIGNINS_PER_MINUTE },
    redisUrl: rateLimitConfig.REDIS_URL,
  });
  return appLimiter;
}

const NAT64_WELL_KNOWN = ipaddr.parseCIDR("64:ff9b::/96");
const TEREDO = ipaddr.parseCIDR("2001::/32");

/** The IPv4 address carried in two 16-bit parts, where it is a public one (a translator that passes on any other is misbehaving). */
function carriedIpv4(high: number, low: number): string | undefined {
  const carried = new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  return carried.range() === "unicast" ? carried.toString() : undefined;
}

/**
 * The budget key of a caller known by its address alone. An IPv6 address counts by its /64, the
 * block a network gives one host or household, whose holder may use each of its addresses in turn;
 * an address that carries an IPv4 caller counts as that IPv4 address: IPv4-mapped, NAT64's
 * well-known prefix (a gateway's whole IPv4 internet shares one /64) and Teredo (every client of
 * one Teredo server shares a /64; the client's address is the last 32 bits, inverted). Where the
 * address carried is not a public one (a misbehaving translator), every such caller shares one budget.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return `ip:${address}`;
  const parsed = ipaddr.process(address);
  if (parsed instanceof ipaddr.IPv4) return `ip:${parsed.toString()}`;
  const [, , , , , , high = 0, low = 0] = parsed.parts;
  if (parsed.match(NAT64_WELL_KNOWN)) return `ip:${carriedIpv4(high, low) ?? "64:ff9b::/96"}`;
  // The server's half of a Teredo address is the client's to choose: without a public client address, one budget for them all.
  if (parsed.match(TEREDO)) return `ip:${carriedIpv4(high ^ 0xffff, low ^ 0xffff) ?? "2001::/32"}`;
  return `ip:${new ipaddr.IPv6([...parsed.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}

/** `RateLimit-*` (IETF draft) and, when refused, `Retry-After` headers for a budget's state. */
export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    "RateLimit-Limit": String(state.limit),
    "RateLimit-Remaining": String(state.remaining),
    "RateLimit-Reset": String(state.resetSeconds),
    ...(state.retryAfterSeconds !== undefined && { "Retry-After": String(state.retryAfterSeconds) }),
  };
}
