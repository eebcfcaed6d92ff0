// CORS through the real API handlers: browser apps on the origins of CORS_ALLOWED_ORIGINS may call
// the API with bearer tokens; every other origin gets no CORS header; cookies never cross origins.
import { vi, describe, expect, it } from "vitest";
import { parseEnv } from "~/server/platform/env";
import { TEST_ENV } from "../vitest.config";
import { accessToken, callProcedure, seededApiServer, sessionCookie } from "./helpers";

const ALLOWED = "https://spa.example";
const OTHER = "https://elsewhere.example";
vi.hoisted(() => Object.assign(process.env, { CORS_ALLOWED_ORIGINS: "https://spa.example, http://localhost:5173" }));

const api = seededApiServer();

const preflight = (path: string, origin: string, method = "GET") =>
  fetch(`${api.origin}${path}`, {
    method: "OPTIONS",
    headers: { origin, "access-control-request-method": method, "access-control-request-headers": "authorization, content-type" },
  });

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith("access-control-")));

describe("CORS for browser apps on other origins", () => {
  it.each(["/api/my/shows", "/api/trpc/subscriptions.list"])("answers an allowed origin's preflight for %s, without credentials", async (path) => {
    const response = await preflight(path, ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(response.headers.get("access-control-allow-headers")).toMatch(/authorization, content-type/);
    expect(response.headers.get("access-control-allow-methods")).toMatch(/GET/);
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/Origin/);
  });

  it("gives another origin's preflight no CORS header", async () => {
    for (const origin of [OTHER, "null", "https://spa.example.evil.example", "http://localhost:3000"]) {
      const response = await preflight("/api/my/shows", origin);
      expect({ origin, status: response.status, cors: corsHeaders(response) }).toEqual({ origin, status: 204, cors: {} });
    }
  });

  it("serves an allowed origin's bearer calls over REST and tRPC with Access-Control-Allow-Origin, never credentials", async () => {
    const authorization = `Bearer ${await accessToken({ sub: "dev|bob" })}`;
    const rest = await fetch(`${api.origin}/api/my/shows`, { headers: { origin: ALLOWED, authorization } });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { items: unknown[] }).items).toHaveLength(12);
    expect(rest.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    expect(rest.headers.get("access-control-expose-headers")).toMatch(/x-request-id/);
    expect(rest.headers.get("access-control-allow-credentials")).toBeNull();
    expect(rest.headers.get("vary")).toMatch(/Origin/);

    const trpcQuery = await fetch(`${api.origin}/api/trpc/subscriptions.list`, { headers: { origin: ALLOWED, authorization } });
    expect(trpcQuery.status).toBe(200);
    expect(trpcQuery.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const mutation = await callProcedure(api.url, "subscriptions.remove", { input: { showId: "c" + "0".repeat(24) }, headers: { origin: ALLOWED, authorization } });
    expect(mutation.status).toBe(200); // a bearer write from an allowed origin (unfollowing a show not followed: a no-op)
  });

  it("adds no CORS header for another origin (its browser keeps the answer from the page)", async () => {
    const authorization = `Bearer ${await accessToken({ sub: "dev|bob" })}`;
    const response = await fetch(`${api.origin}/api/my/shows`, { headers: { origin: OTHER, authorization } });
    expect(corsHeaders(response)).toEqual({});
    expect(response.headers.get("vary")).toMatch(/Origin/);
  });

  it("does not serve a cookie-only request from another origin as the cookie's user, allowed origin or not", async () => {
    const cookie = await sessionCookie({ sub: "dev|bob" });
    for (const origin of [ALLOWED, OTHER]) {
      const rest = await fetch(`${api.origin}/api/my/shows`, { headers: { origin, cookie } });
      expect({ origin, status: rest.status }).toEqual({ origin, status: 403 });
      expect(JSON.stringify(await rest.json())).not.toContain("title");
      const query = await callProcedure(api.url, "subscriptions.list", { headers: { origin, cookie } });
      expect({ origin, status: query.status, code: query.body.error?.json.data.code }).toEqual({ origin, status: 403, code: "FORBIDDEN" });
    }
    // The app's own pages still use the cookie.
    const own = await fetch(`${api.origin}/api/my/shows`, { headers: { origin: new URL(process.env.APP_BASE_URL!).origin, cookie } });
    expect(own.status).toBe(200);
  });
});

describe("CORS_ALLOWED_ORIGINS", () => {
  it("is a comma-separated list of origins, empty by default", () => {
    expect(parseEnv(TEST_ENV).CORS_ALLOWED_ORIGINS).toEqual([]);
    expect(parseEnv({ ...TEST_ENV, CORS_ALLOWED_ORIGINS: " https://a.example,http://localhost:5173 " }).CORS_ALLOWED_ORIGINS).toEqual([
      "https://a.example",
      "http://localhost:5173",
    ]);
    for (const bad of ["*", "https://a.example/app", "a.example", "https://a.example/"]) {
      expect(() => parseEnv({ ...TEST_ENV, CORS_ALLOWED_ORIGINS: bad })).toThrow("CORS_ALLOWED_ORIGINS");
    }
  });
});
