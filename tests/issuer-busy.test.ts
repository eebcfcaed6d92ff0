// An issuer that answers a refresh with 429 (too_many_requests) is busy, not refusing the person:
// the call is a 503 to try again, and the session is kept (its cookie and its row).
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../dev/ports";
import { freshAppWithIssuer } from "./fresh-app";

let issuer: http.Server;
let app: Awaited<ReturnType<typeof freshAppWithIssuer>>;

beforeAll(async () => {
  const port = await freeLoopbackPort();
  const self = `http://localhost:${port}`;
  // The local provider's discovery, as if this server were the issuer; its token endpoint is busy.
  const provider = process.env.AUTH0_DOMAIN!;
  const discovery = (await (await fetch(`${provider}/.well-known/openid-configuration`)).text()).replaceAll(provider, self);
  issuer = http.createServer((req, res) => {
    if (req.url === "/.well-known/openid-configuration") {
      res.writeHead(200, { "content-type": "application/json" }).end(discovery);
      return;
    }
    res.writeHead(429, { "content-type": "application/json", "retry-after": "30" }).end(JSON.stringify({ error: "too_many_requests", error_description: "Slow down" }));
  });
  await new Promise<void>((resolve) => issuer.listen(port, "127.0.0.1", resolve));
  app = await freshAppWithIssuer(self);
});
afterAll(async () => {
  await app?.close();
  await new Promise((resolve) => issuer.close(resolve));
});

describe("an issuer that says too_many_requests", () => {
  it("makes an expired session's call 503 and keeps the session", async () => {
    const { helpers, api, warn } = app;
    const session = helpers.sessionFor({ sub: "dev|alice" });
    const cookie = await helpers.cookieFor({ ...session, tokenSet: { ...session.tokenSet, refreshToken: "refresh-token", expiresAt: Math.floor(Date.now() / 1000) - 60 } });
    const response = await fetch(`${api.url}/me.profile`, { headers: { cookie } });
    expect(response.status).toBe(503);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect((await helpers.readSession(cookie))?.user.sub).toBe("dev|alice");
    expect(warn.mock.calls.map(([fields]) => (fields as { reason?: string; error?: string }))).toEqual([
      expect.objectContaining({ reason: "session_refresh_unavailable", error: expect.stringContaining("too_many_requests") }),
    ]);
  });
});
