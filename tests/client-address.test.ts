// Whose address a rate limit counts: with two trusted proxies in front, the one the outer proxy saw;
// whatever the caller wrote before it is not believed.
import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it, vi } from "vitest";
import { addressKey } from "~/server/platform/rate-limit";
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

describe("addressKey: whose budget an anonymous caller spends", () => {
  // Public addresses: what a translator or a Teredo server passes on.
  const ipv4 = fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    .map((bytes) => bytes.join("."))
    .filter((address) => ipaddr.parse(address).range() === "unicast");
  const hex = (value: number) => value.toString(16);
  const halves = (address: string) => {
    const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
    return [(a << 8) | b, (c << 8) | d] as const;
  };

  it("counts an IPv4 caller reached through NAT64's well-known prefix as that IPv4 address", () => {
    fc.assert(
      fc.property(ipv4, (address) => {
        expect(addressKey(`64:ff9b::${address}`)).toBe(addressKey(address));
      }),
    );
  });

  it("counts a Teredo client as its own IPv4 address, not as its Teredo server's /64", () => {
    expect(addressKey("2001:0:4136:e378:8000:63bf:a247:27dd")).toBe("ip:93.184.216.34"); // RFC 4380's example, with a public client address
    fc.assert(
      fc.property(ipv4, ipv4, fc.nat(0xffff), fc.nat(0xffff), (client, server, flags, port) => {
        const [serverHigh, serverLow] = halves(server);
        const [clientHigh, clientLow] = halves(client);
        const teredo = ["2001", "0", hex(serverHigh), hex(serverLow), hex(flags), hex(port ^ 0xffff), hex(clientHigh ^ 0xffff), hex(clientLow ^ 0xffff)].join(":");
        expect(addressKey(teredo)).toBe(addressKey(client));
      }),
    );
  });

  it("counts other IPv6 addresses by their /64, and IPv4-mapped ones as IPv4", () => {
    expect(addressKey("2001:db8:1:2:aaaa::1")).toBe(addressKey("2001:db8:1:2:bbbb::2"));
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("::ffff:203.0.113.7")).toBe("ip:203.0.113.7");
    expect(addressKey("64:ff9b:1::203.0.113.7")).toBe("ip:64:ff9b:1::/64"); // a local-use prefix: its length is the operator's, so no address is read from it
  });

  it("gives every caller whose NAT64 or Teredo address carries no public IPv4 one budget, whatever the rest of the address", () => {
    expect(addressKey("64:ff9b::10.0.0.1")).toBe(addressKey("64:ff9b::192.168.0.1"));
    // Teredo: carrying 127.0.0.1, through two different servers (the half a client can choose).
    expect(addressKey("2001:0:4136:e378:8000:63bf:80ff:fffe")).toBe(addressKey("2001:0:0101:0101:0:0:80ff:fffe"));
    expect(addressKey("2001:0:4136:e378:8000:63bf:80ff:fffe")).not.toBe(addressKey("2001:0:4136:e378:8000:63bf:a247:27dd"));
  });
});
