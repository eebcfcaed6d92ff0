// The JWKS behind bearer verification: cached, refetched on an unknown `kid` at most once a minute.
import http from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { freeLoopbackPort } from "../dev/ports";

let server: http.Server;
let jwksFetches = 0;
let issuer: string;
let signingKey: CryptoKey;
let verifyAccessToken: (token: string) => Promise<unknown>;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  signingKey = privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "known", alg: "RS256", use: "sig" }] });
  server = http.createServer((req, res) => {
    if (req.url === "/.well-known/jwks.json") jwksFetches++;
    res.writeHead(200, { "content-type": "application/json" }).end(jwks);
  });
  const port = await freeLoopbackPort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  issuer = `http://localhost:${port}/`;
  // A fresh copy of the verifier module, pointed at this issuer.
  vi.stubEnv("AUTH0_DOMAIN", `http://localhost:${port}`);
  vi.resetModules();
  ({ verifyAccessToken } = await import("~/server/platform/auth"));
});
afterAll(() => {
  vi.unstubAllEnvs();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const token = (kid: string) =>
  new SignJWT({ scope: "read:shows", permissions: ["read:shows"], azp: process.env.AUTH0_CLIENT_ID })
    .setProtectedHeader({ alg: "RS256", kid, typ: "at+jwt" })
    .setIssuer(issuer)
    .setAudience(process.env.AUTH0_AUDIENCE!)
    .setSubject("dev|bob")
    .setExpirationTime("5m")
    .sign(signingKey);

describe("JWKS cache", () => {
  it("fetches the keys once, and refetches for an unknown kid at most once a minute", async () => {
    await expect(verifyAccessToken(await token("known"))).resolves.toMatchObject({ sub: "dev|bob", scopes: ["read:shows"] });
    await verifyAccessToken(await token("known"));
    expect(jwksFetches).toBe(1);

    for (let i = 0; i < 5; i++) await expect(verifyAccessToken(await token(`rotated-${i}`))).rejects.toThrow();
    expect(jwksFetches).toBe(1); // within the minute: no refetch, however many unknown kids

    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(Date.now() + 61_000);
      for (let i = 0; i < 5; i++) await expect(verifyAccessToken(await token(`rotated-${i}`))).rejects.toThrow();
      expect(jwksFetches).toBe(2); // a minute later: one refetch
    } finally {
      vi.useRealTimers();
    }
  });
});
