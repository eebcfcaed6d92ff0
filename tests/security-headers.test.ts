// The proxy's request headers for the app, and the parts of the policy a production server cannot
// show (next dev's). The headers on real responses: tests/browser/headers.test.ts.
import { IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { ensureRequestId } from "~/server/platform/request";
import { clientRequestIdOf, newRequestId } from "~/server/platform/security-headers";
import { sessionCookie } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("the proxy hands the app", () => {
  // NextResponse.next({ request: { headers } }) travels to the app as x-middleware-request-<name>.
  const forwarded = (response: Response, name: string) => response.headers.get(`x-middleware-request-${name}`);

  it("the request id it answers with (its own, not the caller's), and the nonce of its policy in place of a forged one", async () => {
    const response = await proxy(new NextRequest("http://localhost:3000/shows", { headers: { "x-request-id": "trace-0123.abc", "x-nonce": "forged" } }));
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(UUID);
    expect(forwarded(response, "x-request-id")).toBe(id);
    const nonce = forwarded(response, "x-nonce");
    expect(nonce).not.toBe("forged");
    expect(response.headers.get("content-security-policy")).toContain(`'nonce-${nonce}'`);
  });

  it("the caller's other headers; and to the browser, the SDK's rolled session cookie and Cache-Control", async () => {
    const cookie = await sessionCookie({ sub: "dev|alice" });
    vi.useFakeTimers({ now: Date.now() + 6 * 60_000, toFake: ["Date"] }); // a roll is due after a few minutes
    const response = await proxy(new NextRequest("http://localhost:3000/account", { headers: { cookie, authorization: "Bearer x" } }));
    vi.useRealTimers();
    expect(forwarded(response, "cookie")).toBe(cookie);
    expect(forwarded(response, "authorization")).toBe("Bearer x");
    // The SDK also expires any chunks of a former, larger session cookie (__session__0…).
    expect(response.headers.getSetCookie()).toContainEqual(expect.stringMatching(/^__session=.+; HttpOnly; SameSite=lax$/));
    expect(response.headers.get("cache-control")).toContain("no-store");
  });
});

describe("request ids", () => {
  const nodeRequest = (url: string, headers: Record<string, string> = {}) => {
    const req = new IncomingMessage(new Socket());
    Object.assign(req, { url, headers });
    return req;
  };

  it("are new every time", () => {
    const ids = [newRequestId(), newRequestId(), newRequestId()];
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(3);
  });

  it("the caller's own, from either kind of headers, only when well-formed", () => {
    expect(clientRequestIdOf(new Headers({ "x-request-id": "trace-0123.abc" }))).toBe("trace-0123.abc");
    expect(clientRequestIdOf({ "x-request-id": "trace-0123.abc" })).toBe("trace-0123.abc");
    for (const sent of ["short", "has spaces in it", "x".repeat(129), "<script>alert(1)</script>"]) expect(clientRequestIdOf({ "x-request-id": sent })).toBeUndefined();
    expect(clientRequestIdOf({})).toBeUndefined();
  });

  it("an API request's is new, not the x-request-id it came with, and the same for every later reader", () => {
    const req = nodeRequest("/api/trpc/me.profile", { "x-request-id": "trace-0123.abc" });
    const id = ensureRequestId(req);
    expect(id).toMatch(UUID);
    expect(ensureRequestId(req)).toBe(id);
    expect(ensureRequestId(nodeRequest("/api/me", { "x-request-id": id }))).not.toBe(id);
  });

  it("a page's is the one the proxy handed it, which replaced the caller's", async () => {
    const response = await proxy(new NextRequest("http://localhost:3000/shows", { headers: { "x-request-id": "trace-0123.abc" } }));
    const page = nodeRequest("/shows", { "x-request-id": response.headers.get("x-middleware-request-x-request-id")! });
    expect(ensureRequestId(page)).toBe(response.headers.get("x-request-id"));
    // Without the proxy (a page rendered in a test), a new one.
    expect(ensureRequestId(nodeRequest("/shows"))).toMatch(UUID);
  });
});

describe("the policy under next dev", () => {
  it("allows eval (React's error stacks, hot reload) and inline styles (the error overlay) there only", async () => {
    const policyIn = async (nodeEnv: string) => {
      vi.stubEnv("NODE_ENV", nodeEnv);
      vi.resetModules();
      try {
        return (await import("~/server/platform/security-headers")).contentSecurityPolicy("bm9uY2U=", "/");
      } finally {
        vi.unstubAllEnvs();
      }
    };
    expect(await policyIn("development")).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic' 'unsafe-eval'; style-src 'self' 'unsafe-inline';");
    expect(await policyIn("production")).toContain("script-src 'self' 'nonce-bm9uY2U=' 'strict-dynamic'; style-src 'self';");
  });
});
