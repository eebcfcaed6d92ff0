// The sign-in budget is the client's, not the instance's: behind a trusted proxy (TRUST_PROXY=1, as
// production requires) each client address has its own, so one client spending it locks out no one else.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "~/proxy";

vi.hoisted(() => {
  process.env.TRUST_PROXY = "1";
  process.env.RATE_LIMIT_SIGNINS_PER_MINUTE = "20";
});

/** A sign-in as the trusted proxy passes it on: `address` appended to whatever the client wrote. */
const signInFrom = (address: string, written = "") =>
  proxy(new NextRequest("http://localhost:3000/auth/login?returnTo=/account", { headers: { "x-forwarded-for": `${written}${address}` } }));

describe("sign-in budget", () => {
  it("25 sign-ins from one client leave another client's first sign-in alone", async () => {
    const statuses = [];
    for (let i = 0; i < 25; i++) statuses.push((await signInFrom("203.0.113.5")).status);
    expect(statuses.filter((status) => status === 307)).toHaveLength(20);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    // What the client writes into X-Forwarded-For itself changes nothing.
    expect((await signInFrom("203.0.113.5", "198.51.100.7, ")).status).toBe(429);
    expect((await signInFrom("198.51.100.7")).status).toBe(307);
  });

  it("counts an IPv6 client by its /64: each of its addresses is the same client's", async () => {
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await signInFrom(`2001:db8:5:7:${i.toString(16)}::1`)).status);
    expect(statuses.slice(19)).toEqual([307, 429]);
    // Its IPv4-mapped address too is the IPv4 client it maps, with a port or without.
    for (let i = 0; i < 20; i++) await signInFrom("198.51.100.9");
    expect((await signInFrom("[::ffff:198.51.100.9]:443")).status).toBe(429);
    expect((await signInFrom("2001:db8:5:8::1")).status).toBe(307);
  });
});
