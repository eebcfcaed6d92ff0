// The proxy's request headers for the app, and the parts of the policy a production server cannot
// show (next dev's). The headers on real responses: tests/browser/headers.test.ts.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";
import { requestIdOf } from "~/server/platform/security-headers";
import { sessionCookie } from "./helpers";

describe("the proxy hands the app", () => {
  // NextResponse.next({ request: { headers } }) travels to the app as x-middleware-request-<name>.
  const forwarded = (response: Response, name: string) => response.headers.get(`x-middleware-request-${name}`);

  it("the request id it answers with, and the nonce of its policy in place of a forged one", async () => {
    const response = await proxy(new NextRequest("http://localhost:3000/shows", { headers: { "x-request-id": "trace-0123.abc", "x-nonce": "forged" } }));
    expect(response.headers.get("x-request-id")).toBe("trace-0123.abc");
    expect(forwarded(response, "x-request-id")).toBe("trace-0123.abc");
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

describe("requestIdOf", () => {
  it("reads Node's headers too (an API handler's req.headers)", () => {
    expect(requestIdOf({ "x-request-id": "trace-0123.abc" })).toBe("trace-0123.abc");
    expect(requestIdOf({ "x-request-id": "bad id" })).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdOf({})).not.toBe(requestIdOf({}));
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
