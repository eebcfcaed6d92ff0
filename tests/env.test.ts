import { describe, expect, it } from "vitest";
import { parseEnv } from "~/server/env";
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
    const realTenant = { ...TEST_ENV, AUTH0_DOMAIN: "showtrack.eu.auth0.com", NODE_ENV: "production" };
    expect(() => parseEnv(realTenant)).toThrow("AUTH0_ALLOW_INSECURE_REQUESTS must not be set when NODE_ENV=production");
    expect(parseEnv({ ...realTenant, AUTH0_ALLOW_INSECURE_REQUESTS: "false" })).toBeTruthy();
    expect(parseEnv({ ...TEST_ENV, NODE_ENV: "production" }).AUTH0_ALLOW_INSECURE_REQUESTS).toBe(true);
  });
});
