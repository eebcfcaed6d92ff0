// Whose address a rate limit counts: with two trusted proxies in front, the one the outer proxy saw;
// whatever the caller wrote before it is not believed.
import { describe, expect, it, vi } from "vitest";
import { clientAddress } from "~/server/platform/request";

vi.hoisted(() => (process.env.TRUST_PROXY = "2"));

describe("clientAddress behind TRUST_PROXY=2", () => {
  it("takes the second address from the end of X-Forwarded-For, ignoring what the caller prepended", () => {
    expect(clientAddress("203.0.113.7, 10.0.0.2", "10.0.0.1")).toBe("203.0.113.7");
    expect(clientAddress("1.2.3.4, 5.6.7.8, 203.0.113.7, 10.0.0.2", "10.0.0.1")).toBe("203.0.113.7");
  });

  it("falls back to the direct address when the header has fewer hops than trusted proxies", () => {
    expect(clientAddress("10.0.0.2", "10.0.0.1")).toBe("10.0.0.1");
    expect(clientAddress(undefined, "10.0.0.1")).toBe("10.0.0.1");
    expect(clientAddress(undefined, undefined)).toBeUndefined();
  });
});
