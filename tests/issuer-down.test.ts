// When the issuer cannot be reached, a bearer token cannot be checked and an expired session cannot
// be refreshed: that is no verdict on the caller. 503 (try again), never a 401 that would send
// them to sign in again (at an issuer that is down), and the session cookie is kept.
import http from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { TrpcResponseBody } from "./helpers";
import { freeLoopbackPort } from "../dev/ports";
import { freshAppWithIssuer } from "./fresh-app";

let issuer: http.Server | undefined;
let helpers: typeof import("./helpers");
let api: Awaited<ReturnType<(typeof import("./helpers"))["startApiServer"]>>;

beforeAll(async () => {
  // The issuer's load balancer answers, its service does not.
  issuer = http.createServer((_req, res) => res.writeHead(503).end("Service Unavailable"));
  const port = await freeLoopbackPort();
  await new Promise<void>((resolve) => issuer!.listen(port, "127.0.0.1", resolve));
  // A fresh copy of the app, pointed at that issuer.
  ({ helpers, api, warn, close } = await freshAppWithIssuer(`http://localhost:${port}`));
});
afterAll(async () => {
  await close?.();
  if (issuer?.listening) await new Promise((resolve) => issuer!.close(resolve));
});

let warn: MockInstance;
let close: (() => Promise<void>) | undefined;
vi.spyOn(console, "error").mockImplementation(() => {}); // the SDK's own report of each failed discovery
beforeEach(() => warn?.mockClear());
const loggedReasons = () => warn.mock.calls.map(([fields]) => (fields as { reason: string }).reason);

/** Alice's session with a refresh token, its access token expired: it needs the issuer. */
async function expiredSession() {
  const session = helpers.sessionFor({ sub: "dev|alice" });
  const tokenSet = { ...session.tokenSet, refreshToken: "refresh-token-the-issuer-never-sees", expiresAt: Math.floor(Date.now() / 1000) - 60 };
  return helpers.cookieFor({ ...session, tokenSet });
}

describe("an issuer that cannot be reached", () => {
  for (const state of ["answers 503", "refuses connections"] as const) {
    it(`(${state}) makes a bearer call and an expired session's call 503, keeping the cookie`, async () => {
      if (state === "refuses connections") await new Promise((resolve) => issuer!.close(resolve));

      const bearer = await fetch(`${api.url}/me.profile`, { headers: { authorization: `Bearer ${await helpers.accessToken()}` } });
      expect(bearer.status).toBe(503);
      const body = (await bearer.json()) as TrpcResponseBody;
      expect(body.error?.json).toMatchObject({
        message: "Access tokens cannot be checked right now. Please try again shortly.",
        data: { code: "SERVICE_UNAVAILABLE" },
      });

      const cookie = await expiredSession();
      const session = await fetch(`${api.url}/me.profile`, { headers: { cookie } });
      expect(session.status).toBe(503);
      expect(session.headers.getSetCookie()).toEqual([]);

      const rest = await fetch(`${api.origin}/api/me`, { headers: { cookie } });
      expect(rest.status).toBe(503);
      expect(await rest.json()).toEqual({
        error: { code: "SERVICE_UNAVAILABLE", message: "Sign-in cannot be checked right now. Please try again shortly." },
      });
      expect(rest.headers.getSetCookie()).toEqual([]);

      expect(loggedReasons()).toEqual(["jwks_unreachable", "session_refresh_unavailable", "session_refresh_unavailable"]);
    });
  }
});
