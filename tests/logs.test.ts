// The access log: one JSON object per API request (tRPC and REST), with the request id, the route,
// the status, the duration and a hash of the caller; never a token or a cookie. The caller's own
// x-request-id, when it sent a well-formed one, has a field of its own.
import { describe, expect, it, vi } from "vitest";
import { logger, userHash } from "~/server/platform/logger";
import { accessToken, seededApiServer, sessionCookie } from "./helpers";

const api = seededApiServer();

describe("access log", () => {
  it("logs each request once, naming the caller by a hash only", async () => {
    const info = vi.spyOn(logger, "info");
    const cookie = await sessionCookie({ sub: "dev|bob" });
    const token = await accessToken({ sub: "dev|bob" });
    const trpc = await fetch(`${api.url}/me.profile`, { headers: { cookie, "x-request-id": "log-test-0001" } });
    const rest = await fetch(`${api.origin}/api/me`, { headers: { authorization: `Bearer ${token}`, "x-request-id": "log-test-0002" } });
    expect([trpc.status, rest.status]).toEqual([200, 200]);
    await vi.waitFor(() => expect(info).toHaveBeenCalledTimes(2));
    const [trpcId, restId] = [trpc.headers.get("x-request-id"), rest.headers.get("x-request-id")];
    expect(info.mock.calls.map(([fields]) => fields)).toEqual([
      { requestId: trpcId, clientRequestId: "log-test-0001", procedure: "me.profile", method: "GET", user: userHash("dev|bob"), status: 200, durationMs: expect.any(Number) },
      { requestId: restId, clientRequestId: "log-test-0002", route: "/api/me", method: "GET", user: userHash("dev|bob"), status: 200, durationMs: expect.any(Number) },
    ]);
    const logged = JSON.stringify(info.mock.calls);
    for (const secret of [token, cookie.split("=")[1]!, "dev|bob"]) expect(logged).not.toContain(secret);
    // The request's id is the server's own, never the one the caller sent.
    expect(trpcId).toMatch(/^[0-9a-f-]{36}$/);
    expect(restId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("leaves out a malformed or missing client request id", async () => {
    const info = vi.spyOn(logger, "info");
    info.mockClear();
    await fetch(`${api.origin}/api/pricing-tiers`, { headers: { "x-request-id": "bad id <script>" } });
    await fetch(`${api.origin}/api/pricing-tiers`);
    await vi.waitFor(() => expect(info).toHaveBeenCalledTimes(2));
    for (const [fields] of info.mock.calls) {
      expect(fields).not.toHaveProperty("clientRequestId");
      expect(fields).toMatchObject({ requestId: expect.stringMatching(/^[0-9a-f-]{36}$/), route: "/api/pricing-tiers" });
    }
  });
});
