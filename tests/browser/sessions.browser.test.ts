// Where Bob is signed in, in Chromium against two production instances (`next start` ×2) on one
// database, as behind a load balancer. "Sign out everywhere else" on /account ends his other
// browser's session at once on both instances, and every copy of its cookie with it. Signing out at
// the identity provider ends the app sessions begun in that provider session, through the logout
// token it sends to the app (OIDC back-channel logout); an administrator ending Bob's sessions
// there ends all of his.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loginUrl } from "~/utils/auth-routes";
import { db } from "../helpers";
import {
  closeChromium,
  freeLoopbackPort,
  launchBrowser,
  productionBuild,
  productionEnv,
  startApp,
  startIdentityProvider,
  type Browser,
  type StartedProcess,
} from "./production";


let instances: [string, string];
let identityProvider: string;
let idp: StartedProcess;
let processes: StartedProcess[] = [];
/** Bob's two browsers: separate Chromium profiles, each signed in at the provider on its own. */
let a: Browser;
let b: Browser;

beforeAll(async () => {
  const [portA, portB, idpPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
  instances = [`http://localhost:${portA}`, `http://localhost:${portB}`];
  identityProvider = `http://localhost:${idpPort}`;
  // One public URL for both instances (the provider calls back to it), and this file's database.
  const env = productionEnv({ appBaseUrl: instances[0], idpPort, databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
  // Logout tokens go to the instance that did not sign Bob in: the sessions are the database's, not an instance's.
  const idpEnv = { ...env, IDP_BACKCHANNEL_LOGOUT_URI: `${instances[1]}/auth/backchannel-logout` };
  processes = await Promise.all([startIdentityProvider(idpEnv, idpPort), startApp(env, portA), startApp(env, portB)]);
  idp = processes[0]!;
  [a, b] = await Promise.all([launchBrowser(), launchBrowser()]);
}, 240_000);

afterAll(async () => {
  await closeChromium();
  for (const { child } of processes) child.kill("SIGTERM");
});

const BOB = "dev|bob";
const bobsSessions = () => db.session.count({ where: { sub: BOB } });

/** Bob signs in at the provider's own page (it knows him not yet in this browser), and is back on /account. */
async function signIn(page: Page) {
  await page.goto(`${instances[0]}${loginUrl("/account")}`);
  await page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([page.waitForURL(`${instances[0]}/account`), page.click(`button[data-sub="${BOB}"]`)]);
}

/** What the API answers the browser's next request on `instance`, made by Chromium with its cookies. */
const apiStatus = async ({ page }: Browser, instance: string) => (await page.goto(`${instance}/api/trpc/me.profile`))!.status();

/** The browser's app session cookie, copied out of it as a Cookie header. */
const sessionCookieOf = async ({ context }: Browser) =>
  (await context.cookies(instances[0]))
    .filter(({ name }) => name.startsWith("__session"))
    .map(({ name, value }) => `${name}=${value}`)
    .join("; ");

/** What the API answers a plain request (no browser) carrying `cookie`. */
const statusFor = async (instance: string, cookie: string) => (await fetch(`${instance}/api/trpc/me.profile`, { headers: { cookie } })).status;

/**
 * The browser's next page of the app needs a sign-in: /account on `instance` sends it to the SDK's
 * login. The provider still knows Bob there (its session was not ended), so he is back at once, in a
 * new app session.
 */
async function sentToSignIn({ page }: Browser, instance: string) {
  const [login] = await Promise.all([
    page.waitForRequest((request) => request.url().startsWith(`${instance}/auth/login`)),
    page.goto(`${instance}/account`),
  ]);
  expect(new URL(login.url()).searchParams.get("returnTo")).toBe("/account");
  expect(page.url()).toBe(`${instances[0]}/account`);
}

describe("Bob in two browsers", () => {
  it("signs out everywhere else from /account: the other browser's session is refused at once by both instances, a copy of its cookie too", async () => {
    await signIn(a.page);
    await signIn(b.page);
    expect(await bobsSessions()).toBe(2);

    // Ended through the public origin (instance 0; the app takes writes from its own origin only), and
    // refused first by the other instance: an instance holds no session of its own. Twice, so that
    // the browser's next page is tried on each instance.
    for (const nextPageOn of [instances[1], instances[0]]) {
      for (const instance of instances) expect({ instance, status: await apiStatus(b, instance) }).toEqual({ instance, status: 200 });
      const copied = await sessionCookieOf(b);

      await a.page.goto(`${instances[0]}/account`);
      const listed = a.page.locator("#sessions li[data-session]");
      await expect.poll(() => listed.count()).toBe(2);
      const current = a.page.locator("#sessions li[data-current]");
      expect(await current.count()).toBe(1);
      expect(await current.textContent()).toContain("This device");
      expect(await a.page.locator("#sessions li[data-session]:not([data-current])").textContent()).not.toContain("This device");

      await a.page.click("#sign-out-others");
      expect(await a.page.getByRole("status").filter({ hasText: "Signed out of" }).textContent()).toBe("Signed out of 1 other session.");
      await expect.poll(() => listed.count()).toBe(1);
      expect(await bobsSessions()).toBe(1);

      for (const instance of [instances[1], instances[0]]) {
        expect({ instance, copied: await statusFor(instance, copied) }).toEqual({ instance, copied: 401 });
        expect({ instance, browser: await apiStatus(b, instance) }).toEqual({ instance, browser: 401 });
        expect({ instance, signedOutHere: await apiStatus(a, instance) }).toEqual({ instance, signedOutHere: 200 });
      }
      await sentToSignIn(b, nextPageOn);
      expect(await sessionCookieOf(b)).not.toBe(copied);
      expect(await bobsSessions()).toBe(2);
    }
    expect([...a.blocked, ...b.blocked]).toEqual([]);
  }, 120_000);

  it("signing out at the identity provider in one browser ends that browser's app session on both instances, and only that one", async () => {
    const copied = await sessionCookieOf(b);
    for (const instance of instances) expect(await statusFor(instance, copied)).toBe(200);

    // In a second tab of the same browser (the provider's session cookie is there): its own sign-out
    // page, as a person or another application of the tenant opens it; not the app's /auth/logout.
    const tab = await b.context.newPage();
    await tab.goto(`${identityProvider}/oidc/logout`);
    await tab.locator("h1", { hasText: "Signed out" }).waitFor();
    await tab.close();

    for (const instance of instances) {
      expect({ instance, copied: await statusFor(instance, copied) }).toEqual({ instance, copied: 401 });
      expect({ instance, browser: await apiStatus(b, instance) }).toEqual({ instance, browser: 401 });
      expect({ instance, otherBrowser: await apiStatus(a, instance) }).toEqual({ instance, otherBrowser: 200 });
    }
    expect(await bobsSessions()).toBe(1);
    // Signed out at the provider as well: the next sign-in asks who it is.
    await b.page.goto(`${instances[1]}/account`);
    await b.page.waitForURL((url) => url.origin === identityProvider && url.pathname.startsWith("/interaction/"));
    expect(idp.log()).not.toContain("was not taken");
    expect([...a.blocked, ...b.blocked]).toEqual([]);
  }, 60_000);

  it("an administrator ending Bob's sessions at the identity provider ends his app sessions in every browser, on both instances", async () => {
    await Promise.all([b.page.waitForURL(`${instances[0]}/account`), b.page.click(`button[data-sub="${BOB}"]`)]);
    expect(await bobsSessions()).toBe(2);
    const copied = await Promise.all([sessionCookieOf(a), sessionCookieOf(b)]);

    const ended = await fetch(`${identityProvider}/test-admin/users/${encodeURIComponent(BOB)}/sessions`, { method: "DELETE" });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({
      sessions: 2,
      logout_tokens: [
        { client_id: "showtrack-e2e", sid: expect.any(String) },
        { client_id: "showtrack-e2e", sid: expect.any(String) },
      ],
    });

    for (const instance of instances) {
      for (const [browser, cookie] of [[a, copied[0]], [b, copied[1]]] as const) {
        expect({ instance, browser: await apiStatus(browser, instance), copied: await statusFor(instance, cookie) }).toEqual({ instance, browser: 401, copied: 401 });
      }
    }
    expect(await bobsSessions()).toBe(0);
    expect(idp.log()).not.toContain("was not taken");
    expect([...a.blocked, ...b.blocked]).toEqual([]);
  }, 60_000);
});
