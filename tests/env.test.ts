import fs from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { rateLimitShape, readEnv } from "~/server/platform/config";
import { parseEnv } from "~/server/platform/env";
import { TEST_ENV } from "../vitest.config";

describe("env validation", () => {
  it("accepts the documented variables", () => {
    expect(parseEnv(TEST_ENV)).toMatchObject({ AUTH0_ALLOW_INSECURE_REQUESTS: true, NODE_ENV: "development" });
  });

  it("names each missing or malformed variable and what it expects", () => {
    const { AUTH0_CLIENT_ID: _missing, ...withoutClientId } = TEST_ENV;
    expect(() => parseEnv({ ...withoutClientId, AUTH0_SECRET: "short" })).toThrow(
      /AUTH0_CLIENT_ID[^\n]*\n[\s\S]*AUTH0_SECRET must be at least 32 bytes of hex/,
    );
    expect(() => parseEnv({ ...TEST_ENV, AUTH0_DOMAIN: "http://127.0.0.1:4001/path" })).toThrow(/AUTH0_DOMAIN/);
  });

  it("refuses insecure requests in production, but for the local provider", () => {
    const realTenant = { ...TEST_ENV, AUTH0_DOMAIN: "showtrack.eu.auth0.com", NODE_ENV: "production", TRUST_PROXY: "1" };
    expect(() => parseEnv(realTenant)).toThrow("AUTH0_ALLOW_INSECURE_REQUESTS must not be set when NODE_ENV=production");
    expect(parseEnv({ ...realTenant, AUTH0_ALLOW_INSECURE_REQUESTS: "false", DATABASE_URL: "postgresql://db/showtrack" })).toBeTruthy();
    expect(parseEnv({ ...TEST_ENV, NODE_ENV: "production" }).AUTH0_ALLOW_INSECURE_REQUESTS).toBe(true);
  });

  it("takes a PostgreSQL DATABASE_URL, required in production with a real tenant", () => {
    const production = { ...TEST_ENV, AUTH0_DOMAIN: "showtrack.eu.auth0.com", AUTH0_ALLOW_INSECURE_REQUESTS: "false", NODE_ENV: "production", TRUST_PROXY: "1" };
    expect(() => parseEnv(production)).toThrow("DATABASE_URL is required when NODE_ENV=production");
    expect(parseEnv({ ...production, DATABASE_URL: "postgresql://app:secret@db.internal:5432/showtrack?sslmode=require" })).toBeTruthy();
    expect(() => parseEnv({ ...TEST_ENV, DATABASE_URL: "file:./prisma/dev.db" })).toThrow("DATABASE_URL must be a PostgreSQL URL");
    expect(() => parseEnv({ ...TEST_ENV, DATABASE_POOL_SIZE: "lots" })).toThrow("DATABASE_POOL_SIZE must be a number of connections");
    expect(parseEnv({ ...TEST_ENV, DATABASE_POOL_SIZE: "20" }).DATABASE_POOL_SIZE).toBe(20);
  });

  it("requires TRUST_PROXY in production with a real tenant: sign-in budgets are per client address", () => {
    const production = {
      ...TEST_ENV,
      AUTH0_DOMAIN: "showtrack.eu.auth0.com",
      AUTH0_ALLOW_INSECURE_REQUESTS: "false",
      NODE_ENV: "production",
      DATABASE_URL: "postgresql://db/showtrack",
    };
    expect(() => parseEnv(production)).toThrow("TRUST_PROXY is required when NODE_ENV=production");
    expect(() => parseEnv({ ...production, TRUST_PROXY: "0" })).toThrow("TRUST_PROXY is required when NODE_ENV=production, at least 1");
    expect(parseEnv({ ...production, TRUST_PROXY: "1" }).TRUST_PROXY).toBe(1);
    // A laptop, or the browser tests' production build, against the local provider: nothing in front.
    expect(parseEnv({ ...TEST_ENV, NODE_ENV: "production" }).TRUST_PROXY).toBeUndefined();
  });

  it("a production boot with a real tenant and no TRUST_PROXY stops at boot, saying why", async () => {
    for (const [name, value] of Object.entries({ NODE_ENV: "production", AUTH0_DOMAIN: "showtrack.eu.auth0.com", AUTH0_ALLOW_INSECURE_REQUESTS: "false", DATABASE_URL: "postgresql://db/showtrack", NEXT_RUNTIME: "nodejs" })) {
      vi.stubEnv(name, value);
    }
    vi.stubEnv("TRUST_PROXY", undefined);
    vi.resetModules();
    const exit = vi.spyOn(process, "exit").mockImplementation(() => undefined as never);
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await (await import("~/instrumentation")).register();
      expect(exit).toHaveBeenCalledWith(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining("TRUST_PROXY is required when NODE_ENV=production"));
    } finally {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    }
  });

  it("refuses the SDK's own cookie variables: the app fixes its cookies' attributes", () => {
    expect(() => parseEnv({ ...TEST_ENV, AUTH0_COOKIE_DOMAIN: "example.com" })).toThrow("AUTH0_COOKIE_DOMAIN must not be set");
    expect(() => parseEnv({ ...TEST_ENV, AUTH0_COOKIE_TRANSIENT: "true" })).toThrow("AUTH0_COOKIE_TRANSIENT must not be set");
    expect(parseEnv({ ...TEST_ENV, AUTH0_COOKIE_DOMAIN: "" })).toBeTruthy();
  });

  it("takes test cards only where no real money is at stake", () => {
    const production = { ...TEST_ENV, AUTH0_DOMAIN: "showtrack.eu.auth0.com", AUTH0_ALLOW_INSECURE_REQUESTS: "false", NODE_ENV: "production", DATABASE_URL: "postgresql://db/showtrack", TRUST_PROXY: "1" };
    expect(() => parseEnv({ ...production, PAYMENTS_PROVIDER: "test" })).toThrow("PAYMENTS_PROVIDER =test is refused when NODE_ENV=production with a real tenant");
    expect(() => parseEnv({ ...TEST_ENV, PAYMENTS_PROVIDER: "test", STRIPE_SECRET_KEY: "sk_test_abc" })).toThrow("PAYMENTS_PROVIDER =test cannot go with STRIPE_SECRET_KEY");
    expect(() => parseEnv({ ...production, PAYMENTS_PROVIDER: "stripe" })).toThrow("STRIPE_SECRET_KEY is required with PAYMENTS_PROVIDER=stripe");
    expect(parseEnv({ ...production, STRIPE_SECRET_KEY: "sk_live_abc" }).STRIPE_SECRET_KEY).toBe("sk_live_abc");
    // The local provider's production build (a laptop, the browser tests) takes them.
    expect(parseEnv({ ...TEST_ENV, NODE_ENV: "production", PAYMENTS_PROVIDER: "test" }).PAYMENTS_PROVIDER).toBe("test");
  });

  it("keeps sessions in the database unless AUTH0_SESSION_STORE=cookie", () => {
    expect(parseEnv(TEST_ENV).AUTH0_SESSION_STORE).toBe("db");
    expect(parseEnv({ ...TEST_ENV, AUTH0_SESSION_STORE: "cookie" }).AUTH0_SESSION_STORE).toBe("cookie");
    expect(() => parseEnv({ ...TEST_ENV, AUTH0_SESSION_STORE: "redis" })).toThrow('AUTH0_SESSION_STORE must be "db" or "cookie"');
  });

  describe("AUTH0_AUDIENCE", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    });

    it("is required, and .env.example gives one", () => {
      const { AUTH0_AUDIENCE: _missing, ...withoutAudience } = TEST_ENV;
      expect(() => parseEnv(withoutAudience)).toThrow("AUTH0_AUDIENCE is required: the API identifier (audience)");
      expect(() => parseEnv({ ...TEST_ENV, AUTH0_AUDIENCE: "" })).toThrow("AUTH0_AUDIENCE is required");
      expect(fs.readFileSync(".env.example", "utf8")).toMatch(/^AUTH0_AUDIENCE=\S+$/m);
    });

    it("missing stops the server at boot (instrumentation), not at the first request", async () => {
      vi.stubEnv("AUTH0_AUDIENCE", undefined);
      vi.stubEnv("NEXT_RUNTIME", "nodejs");
      vi.resetModules();
      const exit = vi.spyOn(process, "exit").mockImplementation(() => undefined as never);
      const error = vi.spyOn(console, "error").mockImplementation(() => {});
      const { register } = await import("~/instrumentation");
      await register();
      expect(exit).toHaveBeenCalledWith(1);
      expect(error).toHaveBeenCalledWith(expect.stringContaining("AUTH0_AUDIENCE is required"));
    });
  });

  describe("in slices", () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.resetModules();
    });

    it("an empty variable is unset", () => {
      const parsed = parseEnv({ ...TEST_ENV, REDIS_URL: "", SMTP_URL: "", DATABASE_POOL_SIZE: "", TRUST_PROXY: "", AUTH0_ALLOW_INSECURE_REQUESTS: "" });
      expect([parsed.REDIS_URL, parsed.SMTP_URL, parsed.TRUST_PROXY]).toEqual([undefined, undefined, undefined]);
      expect(parsed).toMatchObject({ DATABASE_POOL_SIZE: 10, AUTH0_ALLOW_INSECURE_REQUESTS: false });
      expect(readEnv(z.object(rateLimitShape), { REDIS_URL: "" }).REDIS_URL).toBeUndefined();
      expect(() => parseEnv({ ...TEST_ENV, AUTH0_CLIENT_ID: "" })).toThrow("AUTH0_CLIENT_ID is required");
    });

    it("infrastructure loads with its own variables alone, without the sign-in's", async () => {
      for (const name of Object.keys(TEST_ENV).filter((name) => name.startsWith("AUTH0_") || name === "APP_BASE_URL")) vi.stubEnv(name, undefined);
      vi.stubEnv("REDIS_URL", "");
      vi.stubEnv("DATABASE_POOL_SIZE", "3");
      vi.resetModules();
      const { databaseConfig, rateLimitConfig } = await import("~/server/platform/config");
      expect(databaseConfig.DATABASE_POOL_SIZE).toBe(3);
      expect(rateLimitConfig.REDIS_URL).toBeUndefined();
      for (const infrastructure of ["db", "logger", "mail", "jobs", "rate-limit"]) {
        await expect(import(`~/server/platform/${infrastructure}.ts`)).resolves.toBeTruthy();
      }
      await expect(import("~/server/platform/env")).rejects.toThrow("AUTH0_CLIENT_ID is required");
    });
  });
});
