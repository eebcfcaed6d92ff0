// Two production instances (`next start` ×2) on one PostgreSQL database, as behind a load balancer:
// a session signed in through one is honoured by the other, the plan cap holds for follows spread
// across both, a plan change made on one is seen at once on the other, and an expired access token
// is refreshed (or the session ended) by whichever instance gets the request, through Next's proxy.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, db, expireAccessToken, readSession } from "../helpers";
import { browserAppOfThisWorker, closeChromium, freeLoopbackPort, launchBrowser, productionBuild, productionEnv, startApp, stopProcess, type Browser, type StartedProcess } from "./production";

let instances: [string, string];
let processes: StartedProcess[] = [];
let browser: Browser;
let cookie: string;
// This worker's browser-app port (instance A: the public URL) and its identity provider (tests/setup/identity-provider.ts).
const { appPort: portA, idpPort } = browserAppOfThisWorker();

/** The browser's cookies for the app (localhost: both instances), as a Cookie header. */
const browserCookies = async () => (await browser.context.cookies(instances[0])).map(({ name, value }) => `${name}=${value}`).join("; ");

beforeAll(async () => {
  const portB = await freeLoopbackPort();
  instances = [`http://localhost:${portA}`, `http://localhost:${portB}`];
  // One public URL for both, as behind a load balancer; Auth0 calls back to it.
  const env = productionEnv({ appBaseUrl: instances[0], idpPort, databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
  processes = await Promise.all([startApp(env, portA), startApp(env, portB)]);

  // Dave (no data yet: a Free account on first visit) signs in through instance A.
  browser = await launchBrowser();
  await browser.page.goto(`${instances[0]}/auth/login?returnTo=/account`);
  await browser.page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([browser.page.waitForURL(`${instances[0]}/account`), browser.page.click('button[data-sub="dev|dave"]')]);
  cookie = await browserCookies();
}, 240_000);

afterAll(async () => {
  await closeChromium();
  await Promise.all(processes.map(stopProcess));
});

// Writes carry the public origin, as the app's pages send them through the load balancer.
const call = (instance: string, path: string, input?: unknown) =>
  callProcedure(`${instance}/api/trpc`, path, { input, headers: { cookie, origin: instances[0] } });

describe("two app instances on one database", () => {
  it("honours a session signed in through the other instance", async () => {
    expect(browser.blocked).toEqual([]);
    const page = await fetch(`${instances[1]}/account`, { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Dave Newcomer");
    const profile = await call(instances[1], "me.profile");
    expect(profile.status).toBe(200);
    expect(profile.body.result?.data.json).toMatchObject({ name: "Dave Newcomer", tier: { id: "free" } });
  });

  it("holds the Free plan's cap for 30 concurrent follows spread across both", async () => {
    const showIds = (await db.show.findMany({ orderBy: { slug: "asc" }, take: 30, select: { id: true } })).map((show) => show.id);
    const results = await Promise.all(showIds.map((showId, i) => call(instances[i % 2]!, "subscriptions.add", { showId })));
    const statuses = results.map((result) => result.status).sort();
    expect(statuses).toEqual([...Array<number>(3).fill(200), ...Array<number>(27).fill(412)]);
    expect(await db.subscription.count({ where: { user: { auth0Sub: "dev|dave" } } })).toBe(3);
  });

  it("shows a plan change made on one instance at once on the other", async () => {
    const card = { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" };
    expect((await call(instances[1], "billing.setCard", card)).status).toBe(200);
    expect((await call(instances[0], "billing.changeTier", { tierId: "developer" })).status).toBe(200);
    const info = await call(instances[1], "billing.info");
    expect(info.body.result?.data.json).toMatchObject({ tier: { id: "developer" }, usage: { subscriptions: 3, limit: 25 } });
  });

  it("refreshes an expired access token on either instance, and signs the browser out once the grant is revoked", async () => {
    const { context, page } = browser;
    const browserSession = async () => readSession(await browserCookies());
    const setSessionCookie = (value: string) => context.addCookies([{ name: "__session", value, url: instances[0] }]);
    /** Moves the access token's expiry in the browser's session cookie a minute into the past. */
    const expireInBrowser = async () => {
      const expired = (await expireAccessToken(await browserCookies())).slice("__session=".length);
      // One cookie, as the SDK would write it: a session that grew past 3,500 bytes was written in
      // chunks (__session__0, …), which would otherwise ride along beside the expired copy.
      await context.clearCookies({ name: /^__session__\d+$/ });
      await setSessionCookie(expired);
      return expired;
    };
    const inAnHour = () => Math.floor(Date.now() / 1000) + 3000;

    // A page rendered by B, then an API call answered by A: each refreshes, and the browser keeps
    // the renewed session (the handler's cookie wins over the one the proxy rolled).
    await expireInBrowser();
    const expiredToken = (await browserSession())!.tokenSet.accessToken;
    await page.goto(`${instances[1]}/account`);
    expect(await page.textContent("#header-user")).toBe("Dave Newcomer");
    const renewed = (await browserSession())!;
    expect(renewed.tokenSet.accessToken).not.toBe(expiredToken);
    expect(renewed.tokenSet.expiresAt).toBeGreaterThan(inAnHour());
    // Leave the app's page: its own background requests would refresh the session in between.
    await page.goto("about:blank");

    await expireInBrowser();
    expect((await context.request.get(`${instances[0]}/api/trpc/me.profile`)).status()).toBe(200);
    expect((await browserSession())!.tokenSet.expiresAt).toBeGreaterThan(inAnHour());

    // Revoked at the provider: the next request needing a refresh ends the session. An API call
    // is a 401 and the browser's session cookie is gone…
    expect((await fetch(`http://localhost:${idpPort}/test-admin/users/dev%7Cdave/grants`, { method: "DELETE" })).status).toBe(204);
    const revoked = await expireInBrowser();
    const revokedRefreshToken = (await browserSession())!.tokenSet.refreshToken;
    expect((await context.request.get(`${instances[0]}/api/trpc/me.profile`)).status()).toBe(401);
    expect(await browserSession()).toBeNull();

    // …and a page sends the browser to sign in. The provider still knows Dave (single sign-on, as
    // on Auth0 when only the grant was revoked), so he is back at once, on a new grant.
    await setSessionCookie(revoked);
    const [login] = await Promise.all([
      page.waitForRequest((request) => request.url().startsWith(`${instances[1]}/auth/login`)),
      page.goto(`${instances[1]}/account`),
    ]);
    expect(new URL(login.url()).searchParams.get("returnTo")).toBe("/account");
    expect(page.url()).toBe(`${instances[0]}/account`);
    expect(await page.textContent("#header-user")).toBe("Dave Newcomer");
    expect((await browserSession())!.tokenSet.refreshToken).not.toBe(revokedRefreshToken);
    expect(browser.blocked).toEqual([]);
  }, 60_000);
});
