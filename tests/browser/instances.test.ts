// Two production instances (`next start` ×2) on one PostgreSQL database, as behind a load balancer:
// a session signed in through one is honoured by the other, the plan cap holds for follows spread
// across both, and a plan change made on one is seen at once on the other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callProcedure, db } from "../helpers";
import {
  freeLoopbackPort,
  launchBrowser,
  productionBuild,
  productionEnv,
  startApp,
  startIdentityProvider,
  type StartedProcess,
} from "./production";

let instances: [string, string];
let processes: StartedProcess[] = [];
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let cookie: string;

beforeAll(async () => {
  const [portA, portB, idpPort] = await Promise.all([freeLoopbackPort(), freeLoopbackPort(), freeLoopbackPort()]);
  instances = [`http://localhost:${portA}`, `http://localhost:${portB}`];
  // One public URL for both, as behind a load balancer; Auth0 calls back to it.
  const env = productionEnv({ appBaseUrl: instances[0], idpPort, databaseUrl: process.env.DATABASE_URL! });
  await productionBuild(env);
  processes = await Promise.all([startIdentityProvider(env, idpPort), startApp(env, portA), startApp(env, portB)]);

  // Dave (no data yet: a Free account on first visit) signs in through instance A.
  browser = await launchBrowser();
  await browser.page.goto(`${instances[0]}/auth/login?returnTo=/account`);
  await browser.page.waitForURL((url) => url.pathname.startsWith("/interaction/"));
  await Promise.all([browser.page.waitForURL(`${instances[0]}/account`), browser.page.click('button[data-sub="dev|dave"]')]);
  const cookies = await browser.context.cookies(instances[0]);
  cookie = cookies.map(({ name, value }) => `${name}=${value}`).join("; ");
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const { child } of processes) child.kill("SIGTERM");
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
    expect((await call(instances[0], "billing.changeTier", { tierId: "developer" })).status).toBe(200);
    const info = await call(instances[1], "billing.info");
    expect(info.body.result?.data.json).toMatchObject({ tier: { id: "developer" }, usage: { subscriptions: 3, limit: 25 } });
  });
});
