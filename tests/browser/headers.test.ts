// Security headers and request ids on production servers (next build + next start): pages and the
// SDK's /auth routes through the real proxy, tRPC and REST from their own handlers (the proxy does
// not run in front of /api); and what an https deployment adds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cookieFor, db, sessionCookie, sessionFor, wireInput } from "../helpers";
import { form, HttpBrowser } from "../http-browser";
import { browserAppOfThisWorker, freeLoopbackPort, productionBuild, productionEnv, startApp, stopProcess, type StartedProcess } from "./production";

// This worker's browser-app port and its identity provider (tests/setup/identity-provider.ts).
const { appPort, idpPort } = browserAppOfThisWorker();
const app = `http://localhost:${appPort}`;
const identityProvider = `http://localhost:${idpPort}`;
let httpsApp: string;
let processes: StartedProcess[] = [];
let cookie: string;

beforeAll(async () => {
  const httpsPort = await freeLoopbackPort();
  httpsApp = `http://localhost:${httpsPort}`;
  const env = productionEnv({ appBaseUrl: app, idpPort, databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
  // The same build deployed behind a TLS-terminating load balancer: it knows only from APP_BASE_URL.
  const httpsEnv = { ...env, APP_BASE_URL: `https://localhost:${httpsPort}` };
  processes = await Promise.all([startApp(env, appPort), startApp(httpsEnv, httpsPort)]);
  cookie = await sessionCookie({ sub: "dev|alice" });
}, 240_000);

afterAll(() => Promise.all(processes.map(stopProcess)));

const get = (url: string, headers: Record<string, string> = {}) => fetch(url, { headers, redirect: "manual" });

/**
 * A session cookie, named `name`, of Alice who signed in `minutes` ago (a row of this file's
 * database, which the servers use): a session is rolled only once its last roll or sign-in is
 * minutes old, and a server's clock cannot be moved.
 */
async function signedInMinutesAgo(minutes: number, name = "__session"): Promise<string> {
  const session = sessionFor({ sub: "dev|alice" });
  const then = session.internal.createdAt - minutes * 60;
  const cookie = await cookieFor({ ...session, user: { ...session.user, auth_time: then }, internal: { ...session.internal, createdAt: then } });
  return `${name}=${cookie.slice(cookie.indexOf("=") + 1)}`;
}

/** Bob signs in through `app` as a browser does (its /auth/login, the provider's page, its callback): the callback's response. */
async function signInCallback(app: string): Promise<Response> {
  const browser = new HttpBrowser(app);
  const login = await browser.request(`${app}/auth/login?returnTo=%2F`);
  const loginPage = await browser.follow(login.headers.get("location")!);
  const back = await browser.follow(loginPage.url, form({ sub: "dev|bob" }));
  expect(new URL(back.url).pathname).toBe("/auth/callback");
  return browser.request(back.url);
}

/** The session cookie a response sets (not an expiry of a chunk the SDK did not use). */
const sessionSetBy = (response: Response, name = "__session") =>
  response.headers.getSetCookie().filter((header) => header.startsWith(`${name}=`) && !/; Max-Age=0(;|$)/.test(header));

const nonceOf = (response: Response) => /'nonce-([^']*)'/.exec(response.headers.get("content-security-policy") ?? "")?.[1] ?? "";

/** The production policy, written out: no origin but the app's own, except where `connectSrc` says. */
const policy = (nonce: string, connectSrc = "'self'") =>
  `default-src 'self'; script-src 'self' 'nonce-${nonce}' 'strict-dynamic'; style-src 'self'; connect-src ${connectSrc}; ` +
  "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** An API response is JSON: nothing may run, load or frame it. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

const securityHeaders = (response: Response) => ({
  csp: response.headers.get("content-security-policy"),
  nosniff: response.headers.get("x-content-type-options"),
  referrer: response.headers.get("referrer-policy"),
  permissions: response.headers.get("permissions-policy"),
  frameOptions: response.headers.get("x-frame-options"),
  hsts: response.headers.get("strict-transport-security"),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("security headers", () => {
  it("every page, API and /auth response carries them, with a policy that names no other origin", async () => {
    const { slug } = await db.show.findFirstOrThrow({ select: { slug: true } });
    const responses: [path: string, status: number, headers?: Record<string, string>][] = [
      ["/", 200],
      ["/shows", 200],
      [`/shows/${slug}`, 200],
      ["/pricing", 200],
      ["/profile", 307],
      ["/profile", 200, { cookie }],
      ["/account", 307],
      ["/account", 200, { cookie }],
      ["/no-such-page", 404],
      [`/api/trpc/shows.list?input=${encodeURIComponent(wireInput({ limit: 1 }))}`, 200],
      ["/api/trpc/me.profile", 401],
      ["/api/pricing-tiers", 200],
      ["/api/me", 200, { cookie }],
      ["/api/health", 200],
      ["/api/openapi.json", 200],
      // Answered by Next itself, no route of ours runs.
      ["/api/no-such-route", 404],
      ["/auth/login?returnTo=%2F", 307],
      ["/auth/profile", 204],
      ["/auth/profile", 200, { cookie }],
    ];
    for (const [path, status, headers] of responses) {
      const response = await get(`${app}${path}`, headers);
      const api = path.startsWith("/api/");
      const nonce = nonceOf(response);
      if (!api) expect(Buffer.from(nonce, "base64")).toHaveLength(16);
      expect({ path, status: response.status, headers: securityHeaders(response) }).toEqual({
        path,
        status,
        headers: {
          csp: api ? API_POLICY : policy(nonce),
          nosniff: "nosniff",
          referrer: "strict-origin-when-cross-origin",
          permissions: expect.stringMatching(/^(?=.*\bcamera=\(\))(?=.*\bmicrophone=\(\))(?=.*\bgeolocation=\(\))(?=.*\bpayment=\(\))/),
          frameOptions: "DENY",
          hsts: null, // plain http: nothing to pin
        },
      });
    }
  });

  it("/spa alone may also connect to the identity provider, where its browser app exchanges tokens", async () => {
    const response = await get(`${app}/spa`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBe(policy(nonceOf(response), `'self' ${identityProvider}`));
  });

  it("every script of a page carries the nonce of its response, a new one on every response", async () => {
    const nonces: string[] = [];
    for (const path of ["/", "/", "/profile", "/spa", "/no-such-page"]) {
      const response = await get(`${app}${path}`, { cookie });
      const nonce = nonceOf(response);
      const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(3);
      for (const script of scripts) expect({ path, script }).toEqual({ path, script: expect.stringContaining(` nonce="${nonce}"`) });
      nonces.push(nonce);
    }
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("the session cookie the SDK sets at sign-in, and the one an API call rolls minutes on, is HttpOnly and SameSite=Lax, and not Secure over plain http", async () => {
    const callback = await signInCallback(app);
    expect(callback.status).toBe(307);
    const signedIn = sessionSetBy(callback);
    // A session right after sign-in is not written again by the next API call…
    const cookie = signedIn.map((header) => header.split(";")[0]).join("; ");
    const next = await get(`${app}/api/trpc/me.profile`, { cookie });
    expect(next.status).toBe(200);
    expect(sessionSetBy(next)).toEqual([]);
    // …one whose sign-in is ten minutes old is.
    const rolled = await get(`${app}/api/trpc/me.profile`, { cookie: await signedInMinutesAgo(10) });
    expect(rolled.status).toBe(200);
    expect(rolled.headers.get("cache-control")).toContain("no-store");
    const sessions = [...signedIn, ...sessionSetBy(rolled)];
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(session).toMatch(/; HttpOnly(;|$)/i);
      expect(session).toMatch(/; SameSite=Lax(;|$)/i);
      expect(session).toMatch(/; Path=\/(;|$)/);
      expect(session).not.toMatch(/; Secure(;|$)/i);
    }
  });

  it("an https deployment adds HSTS and upgrade-insecure-requests, and marks its cookies Secure", async () => {
    const page = await get(`${httpsApp}/`);
    expect(page.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(page.headers.get("content-security-policy")).toBe(`${policy(nonceOf(page))}; upgrade-insecure-requests`);

    // A session due for a roll, under the cookie name of https (the provider knows no callback of
    // this instance: no sign-in through it).
    const rolled = await get(`${httpsApp}/api/trpc/me.profile`, { cookie: await signedInMinutesAgo(10, "__Host-session") });
    expect(rolled.status).toBe(200);
    const login = await get(`${httpsApp}/auth/login?returnTo=%2F`);
    // The cookies set, not the SDK's expiries of unused chunks (__session__0=; Max-Age=0).
    const cookies = [...rolled.headers.getSetCookie(), ...login.headers.getSetCookie()].filter((header) => !/; Max-Age=0(;|$)/.test(header));
    expect(cookies.map((header) => header.slice(0, header.indexOf("=")))).toEqual(["__Host-session", expect.stringMatching(/^__Host-txn_/)]);
    for (const header of cookies) {
      expect(header).toMatch(/; Secure(;|$)/i);
      expect(header).toMatch(/; HttpOnly(;|$)/i);
      expect(header).toMatch(/; SameSite=Lax(;|$)/i);
    }
    expect(rolled.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(rolled.headers.get("content-security-policy")).toBe(API_POLICY);
  });
});

describe("request ids", () => {
  const paths = ["/", "/api/pricing-tiers", "/api/trpc/health.check", "/auth/profile"];

  it("are the server's own: a new UUID for every response, whatever x-request-id the caller sent", async () => {
    const ids: string[] = [];
    const sent = ["trace-0123.abc_DEF", "0af7651916cd43dd8448eb211c80319c", "3f1c2a9e-7b4d-4e8a-9c61-2d5f0b7a8e13", "x".repeat(128), "short", "has spaces in it", "x".repeat(129), "<script>alert(1)</script>", "a,b;c=d-123456"];
    for (const id of [...sent, undefined]) {
      for (const path of paths) {
        const answered = (await get(`${app}${path}`, id === undefined ? {} : { "x-request-id": id })).headers.get("x-request-id") ?? "";
        expect({ path, sent: id, answered, echoed: answered === id }).toEqual({ path, sent: id, answered: expect.stringMatching(UUID), echoed: false });
        ids.push(answered);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("the sign-in budget", () => {
  let limited: string;
  beforeAll(async () => {
    const port = await freeLoopbackPort();
    limited = `http://localhost:${port}`;
    const env = { ...productionEnv({ appBaseUrl: limited, idpPort, databaseUrl: process.env.DATABASE_URL! }), RATE_LIMIT_SIGNINS_PER_MINUTE: "3" };
    processes.push(await startApp(env, port));
  }, 60_000);

  it("refuses the 4th sign-in of a minute from one address with 429 and Retry-After; other pages are unaffected", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(`${limited}/auth/login`)).status);
    expect(statuses).toEqual([307, 307, 307]); // to the identity provider
    // A forged X-Forwarded-For does not buy a fresh budget (no proxy is trusted here).
    const refused = await get(`${limited}/auth/callback?code=guess&state=guess`, { "x-forwarded-for": "198.51.100.23" });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-limit")).toBe("3");
    expect(refused.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(await refused.text()).toMatch(/^Too many sign-in attempts\. Please try again in \d+ seconds\.$/);
    expect((await get(`${limited}/shows`)).status).toBe(200);
  });
});
