import { vi, type MockInstance } from "vitest";

/**
 * A fresh copy of the app (its Auth0 client, JWKS and logger included) whose issuer is `issuer`,
 * serving its API routes; the logger's warnings are spied on. `close` stops it and restores the env.
 */
export async function freshAppWithIssuer(issuer: string) {
  vi.stubEnv("AUTH0_DOMAIN", issuer);
  vi.resetModules();
  const helpers = await import("./helpers");
  const api = await helpers.startApiServer();
  const warn: MockInstance = vi.spyOn((await import("~/server/platform/logger")).logger, "warn");
  return {
    helpers,
    api,
    warn,
    close: async () => {
      await api.close();
      vi.unstubAllEnvs();
    },
  };
}
