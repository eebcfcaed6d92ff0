// Personal access tokens over real HTTP: made on the account page's procedures with a real session
// cookie, then used as bearer credentials on the tRPC handler and the REST routes.
import { execFile } from "node:child_process";
import os from "node:os";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createContext } from "~/server/context";
import { deleteUser } from "~/server/domain/users";
import { env } from "~/server/platform/env";
import { createCaller } from "~/server/routers/_app";
import { operatorName } from "../scripts/operator";
import { accessToken, callProcedure, db, gsspContext, seededApiServer, sessionCookie } from "./helpers";

const api = seededApiServer();
const VISA = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };

afterEach(() => vi.useRealTimers());

/** A procedure called with the cookie of `sub` (a new session: sessions live by the clock's time too). */
async function asPerson(sub: string, path: string, input?: unknown) {
  return callProcedure(api.url, path, { input, headers: { cookie: await sessionCookie({ sub }) } });
}

async function makeToken(sub: string, input: { name: string; scopes: string[]; expiresInDays?: number }) {
  const { status, body } = await asPerson(sub, "tokens.create", { expiresInDays: 30, ...input });
  expect({ status, error: body.error?.json.message }).toEqual({ status: 200, error: undefined });
  return (body.result!.data.json as { token: string }).token;
}

const withToken = (token: string) => ({ authorization: `Bearer ${token}` });
const call = async (token: string, path: string, input?: unknown) => {
  const { status, body } = await callProcedure(api.url, path, { input, headers: withToken(token) });
  return { status, message: body.error?.json.message, data: body.result?.data.json };
};
const rest = (token: string, path: string) => fetch(`${api.origin}${path}`, { headers: withToken(token) });

/** `sub` on the Developer plan, whose tokens work. */
async function onPaidPlan(sub: string) {
  expect((await asPerson(sub, "billing.setCard", VISA)).status).toBe(200);
  expect((await asPerson(sub, "billing.changeTier", { tierId: "developer" })).status).toBe(200);
}

const permissionsAtOf = async (sub: string) => (await db.user.findUniqueOrThrow({ where: { auth0Sub: sub }, select: { permissionsAt: true } })).permissionsAt!;

describe("personal access tokens", () => {
  it("lives as the plan allows: made once, used with its scopes, 403 after a downgrade to Free, 200 after an upgrade, 401 once expired or revoked", async () => {
    const sub = "test|tess";
    expect((await asPerson(sub, "billing.setCard", VISA)).status).toBe(200);
    expect((await asPerson(sub, "billing.changeTier", { tierId: "developer" })).status).toBe(200);
    const show = await db.show.findFirstOrThrow({ select: { id: true } });
    expect((await asPerson(sub, "subscriptions.add", { showId: show.id })).status).toBe(200);

    const token = await makeToken(sub, { name: "ci-script", scopes: ["read:shows"], expiresInDays: 90 });
    expect(token).toMatch(/^stk_[A-Za-z0-9_-]{43}$/);
    // Only its hash is kept, and a prefix to recognise it.
    const row = await db.apiToken.findFirstOrThrow({ where: { name: "ci-script", user: { auth0Sub: sub } } });
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(token.slice(12));
    expect(token.startsWith(row.prefix)).toBe(true);

    // Its scopes, over tRPC and REST.
    const listed = await call(token, "subscriptions.list");
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.data)).toContain(show.id);
    expect(await call(token, "subscriptions.add", { showId: show.id })).toMatchObject({ status: 403, message: "Your access does not include the write:shows permission." });
    expect((await call(token, "billing.info")).status).toBe(403);
    expect((await rest(token, "/api/my/shows")).status).toBe(200);
    const billing = await rest(token, "/api/billing-info");
    expect(billing.status).toBe(403);
    expect(billing.headers.get("www-authenticate")).toBe('Bearer realm="showtrack", error="insufficient_scope"');
    // A token cannot manage tokens or sessions.
    expect((await call(token, "tokens.list")).status).toBe(403);
    expect((await call(token, "tokens.create", { name: "more", scopes: ["read:shows"], expiresInDays: 1 })).status).toBe(403);
    // "Last used" is recorded.
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: row.id } })).lastUsedAt).not.toBeNull();

    // A downgrade to Free (at the period's end): from that day the token is refused, saying why.
    expect((await asPerson(sub, "billing.changeTier", { tierId: "free" })).status).toBe(200);
    expect((await call(token, "subscriptions.list")).status).toBe(200);
    const { currentPeriodEnd } = await db.billingAccount.findFirstOrThrow({ where: { user: { auth0Sub: sub } } });
    vi.useFakeTimers({ toFake: ["Date"], now: currentPeriodEnd.getTime() + 60_000 });
    const downgraded = await call(token, "subscriptions.list");
    expect(downgraded.status).toBe(403);
    expect(downgraded.message).toMatch(/plan does not include API access.*Developer and Enterprise/);
    const downgradedRest = await rest(token, "/api/my/shows");
    expect(downgradedRest.status).toBe(403);
    expect(((await downgradedRest.json()) as { error: { message: string } }).error.message).toMatch(/does not include API access/);

    // An upgrade: the same token works again at once.
    expect((await asPerson(sub, "billing.changeTier", { tierId: "developer" })).status).toBe(200);
    expect((await call(token, "subscriptions.list")).status).toBe(200);

    // Expired: 90 days after it was made.
    vi.setSystemTime(row.expiresAt.getTime() + 1000);
    expect(await call(token, "subscriptions.list")).toMatchObject({ status: 401, message: "The access token is invalid or expired." });
    vi.useRealTimers();

    // Revoked: refused on its next request.
    const second = await makeToken(sub, { name: "deploy", scopes: ["read:shows"] });
    expect((await call(second, "subscriptions.list")).status).toBe(200);
    const { id } = await db.apiToken.findFirstOrThrow({ where: { name: "deploy", user: { auth0Sub: sub } } });
    expect((await asPerson(sub, "tokens.revoke", { id })).status).toBe(200);
    expect((await call(second, "subscriptions.list")).status).toBe(401);
    expect((await rest(second, "/api/my/shows")).status).toBe(401);
  });

  it("a token for Bob reads Bob's data only, and carries only permissions he holds", async () => {
    const token = await makeToken("dev|bob", { name: "bob-reader", scopes: ["read:shows", "read:billing"] });
    const bobs = await db.subscription.findMany({ where: { user: { auth0Sub: "dev|bob" } }, select: { showId: true } });
    const carols = await db.subscription.findMany({ where: { user: { auth0Sub: "dev|carol" } }, select: { showId: true } });
    const listed = JSON.stringify((await call(token, "subscriptions.list")).data);
    for (const { showId } of bobs) expect(listed).toContain(showId);
    for (const { showId } of carols.filter((carol) => !bobs.some((bob) => bob.showId === carol.showId))) expect(listed).not.toContain(showId);
    const me = (await (await rest(token, "/api/me")).json()) as { id: string };
    expect(me.id).toBe((await db.user.findUniqueOrThrow({ where: { auth0Sub: "dev|bob" } })).id);
    // Rita holds no write permission: a token of hers cannot have one.
    const rita = await callProcedure(api.url, "tokens.create", {
      input: { name: "writer", scopes: ["write:shows"], expiresInDays: 30 },
      headers: { cookie: await sessionCookie({ sub: "dev|bob", scope: "read:shows read:billing" }) },
    });
    expect(rita.status).toBe(403);
  });

  it("refuses to make one on Free, or beyond a year", async () => {
    const free = await asPerson("dev|alice", "tokens.create", { name: "x", scopes: ["read:shows"], expiresInDays: 30 });
    expect(free.status).toBe(403);
    expect(free.body.error?.json.message).toMatch(/does not include API access/);
    expect((await asPerson("dev|carol", "tokens.create", { name: "x", scopes: ["read:shows"], expiresInDays: 366 })).status).toBe(400);
    expect((await asPerson("dev|carol", "tokens.create", { name: "x", scopes: [], expiresInDays: 30 })).status).toBe(400);
  });

  it("carries no more than its person holds now: a permission taken from them (a role removed) leaves their tokens too", async () => {
    const token = await makeToken("dev|carol", { name: "carol-writer", scopes: ["read:shows", "write:shows"] });
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { user: { auth0Sub: "dev|carol" } } } }, select: { id: true } });
    // Carol's next sign-in carries read permissions only.
    await callProcedure(api.url, "me.profile", { headers: { cookie: await sessionCookie({ sub: "dev|carol", scope: "read:shows read:billing" }) } });
    expect((await call(token, "subscriptions.add", { showId: show.id })).status).toBe(403);
    expect((await call(token, "subscriptions.list")).status).toBe(200);
    // Given back: the token writes again.
    await asPerson("dev|carol", "me.profile");
    expect((await call(token, "subscriptions.add", { showId: show.id })).status).toBe(200);
  });

  it("is made only after a recent sign-in, at most 25 a person; an export fetched with one leaves out what only the app's pages show", async () => {
    const old = await callProcedure(api.url, "tokens.create", {
      input: { name: "late", scopes: ["read:shows"], expiresInDays: 30 },
      headers: { cookie: await sessionCookie({ sub: "dev|carol", auth_time: Math.floor(Date.now() / 1000) - 20 * 60 }) },
    });
    expect({ status: old.status, message: old.body.error?.json.message }).toEqual({ status: 412, message: "To make a token, please sign in again first: it makes sure it is you." });
    const reader = await makeToken("dev|carol", { name: "export-reader", scopes: ["read:shows", "read:billing"] });
    const held = await db.apiToken.count({ where: { user: { auth0Sub: "dev|carol" } } });
    for (let i = held; i < 25; i++) await makeToken("dev|carol", { name: `many-${i}`, scopes: ["read:shows"] });
    expect((await asPerson("dev|carol", "tokens.create", { name: "one-too-many", scopes: ["read:shows"], expiresInDays: 30 })).status).toBe(400);
    const exported = JSON.stringify((await call(reader, "me.export")).data);
    expect(exported).not.toContain("token_created");
    expect(JSON.stringify((await asPerson("dev|carol", "me.export")).body)).toContain("token_created");
    await db.apiToken.deleteMany({ where: { name: { startsWith: "many-" } } });
  });

  it("holds at most 25 a person when many are asked for at once", async () => {
    const sub = "test|racer";
    expect((await asPerson(sub, "billing.setCard", VISA)).status).toBe(200);
    expect((await asPerson(sub, "billing.changeTier", { tierId: "developer" })).status).toBe(200);
    const cookie = await sessionCookie({ sub });
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => callProcedure(api.url, "tokens.create", { input: { name: `burst-${i}`, scopes: ["read:shows"], expiresInDays: 30 }, headers: { cookie } })),
    );
    expect(answers.filter(({ status }) => status === 200)).toHaveLength(25);
    expect(answers.filter(({ status }) => status === 400)).toHaveLength(15);
    expect(await db.apiToken.count({ where: { user: { auth0Sub: sub } } })).toBe(25);
  });

  it("a guessed, truncated or bit-flipped token is 401", async () => {
    const token = await makeToken("dev|carol", { name: "carol-ci", scopes: ["read:shows"] });
    expect((await call(token, "subscriptions.list")).status).toBe(200);
    const flipped = (index: number) => token.slice(0, index) + String.fromCharCode(token.charCodeAt(index) ^ 1) + token.slice(index + 1);
    const forgeries = [
      `stk_${"A".repeat(43)}`,
      token.slice(0, -1),
      token.slice(0, 20),
      `${token}A`,
      flipped(token.length - 1),
      flipped(10),
      "stk_",
    ];
    for (const forged of forgeries) {
      expect({ forged, ...(await call(forged, "subscriptions.list")) }).toMatchObject({ forged, status: 401 });
      expect({ forged, status: (await rest(forged, "/api/my/shows")).status }).toEqual({ forged, status: 401 });
    }
  });

  it("ends with the account: deleted, its tokens are refused at once", async () => {
    const token = await makeToken("dev|carol", { name: "to-be-deleted", scopes: ["read:shows"] });
    expect((await call(token, "subscriptions.list")).status).toBe(200);
    await db.user.delete({ where: { auth0Sub: "dev|carol" } });
    expect((await call(token, "subscriptions.list")).status).toBe(401);
  });
});

describe("a token and its person's permissions", () => {
  const WINDOW_MS = env.AUTH0_SESSION_ABSOLUTE_DURATION * 1000;

  it("counts them only while its person signed in lately: a role taken away at the provider from someone who never signs in again stops the token, with a 403 saying to sign in", async () => {
    const sub = "test|mallory";
    await onPaidPlan(sub);
    const token = await makeToken(sub, { name: "year-long", scopes: ["read:shows", "write:shows", "write:billing"], expiresInDays: 365 });
    // /account says until when the tokens work unless she signs in.
    const { body } = await asPerson(sub, "tokens.list");
    const lastSeen = await permissionsAtOf(sub);
    expect((body.result!.data.json as { signInBy: string }).signInBy).toBe(new Date(lastSeen.getTime() + WINDOW_MS).toISOString());
    const [first, second] = await db.show.findMany({ where: { subscriptions: { none: { user: { auth0Sub: sub } } } }, take: 2, select: { id: true } });

    // Her role is removed at the identity provider now, and she never signs in again: the app cannot
    // know, and her token writes until the window ends...
    vi.useFakeTimers({ toFake: ["Date"], now: lastSeen.getTime() + WINDOW_MS - 60_000 });
    expect((await call(token, "subscriptions.add", { showId: first!.id })).status).toBe(200);
    // ...and not a moment after: every call refused, saying what to do.
    vi.setSystemTime(lastSeen.getTime() + WINDOW_MS);
    const stale = await call(token, "subscriptions.add", { showId: second!.id });
    expect(stale).toMatchObject({ status: 403, message: expect.stringMatching(/Sign in to Showtrack and your tokens work again/) });
    expect((await call(token, "subscriptions.list")).status).toBe(403);
    const viaRest = await rest(token, "/api/my/shows");
    expect(viaRest.status).toBe(403);
    expect(((await viaRest.json()) as { error: { message: string } }).error.message).toMatch(/sign in to Showtrack/);

    // When she does sign in, the provider says what she holds now: the token reads, and writes no more.
    await callProcedure(api.url, "me.profile", { headers: { cookie: await sessionCookie({ sub, scope: "read:shows read:billing" }) } });
    expect((await call(token, "subscriptions.list")).status).toBe(200);
    expect(await call(token, "subscriptions.add", { showId: second!.id })).toMatchObject({ status: 403, message: "Your access does not include the write:shows permission." });
  });

  it("learns them only from a newer access token: one issued before her latest sign-in cannot write back what she held then", async () => {
    const sub = "test|olga";
    await onPaidPlan(sub);
    // An access token of hers from two minutes ago (a browser app's, say), still in date, with every permission.
    const older = await accessToken({ sub, iat: Math.floor(Date.now() / 1000) - 120 });
    const token = await makeToken(sub, { name: "writer", scopes: ["read:shows", "write:shows"] });
    const [first, second] = await db.show.findMany({ where: { subscriptions: { none: { user: { auth0Sub: sub } } } }, take: 2, select: { id: true } });
    expect((await call(token, "subscriptions.add", { showId: first!.id })).status).toBe(200);

    // Her role loses write:shows; her next sign-in says so.
    await callProcedure(api.url, "me.profile", { headers: { cookie: await sessionCookie({ sub, scope: "read:shows read:billing" }) } });
    const learned = await permissionsAtOf(sub);
    expect((await call(token, "subscriptions.add", { showId: second!.id })).status).toBe(403);

    // The older token still works for what it says, but what it says of her is history.
    expect((await callProcedure(api.url, "subscriptions.list", { headers: withToken(older) })).status).toBe(200);
    expect(await db.user.findUniqueOrThrow({ where: { auth0Sub: sub }, select: { permissions: true, permissionsAt: true } })).toEqual({
      permissions: ["read:billing", "read:shows"],
      permissionsAt: learned,
    });
    expect((await call(token, "subscriptions.add", { showId: second!.id })).status).toBe(403);
  });

  it("takes no word from an access token dated ahead of the clock: it would outrank every later one and keep her tokens working past the window", async () => {
    const sub = "test|fiona";
    await onPaidPlan(sub);
    const token = await makeToken(sub, { name: "writer", scopes: ["read:shows", "write:shows"] });
    const learned = await permissionsAtOf(sub);
    const [show] = await db.show.findMany({ where: { subscriptions: { none: { user: { auth0Sub: sub } } } }, take: 1, select: { id: true } });

    // Tokens of hers with every permission that the provider dated a year ahead (its clock off), or
    // out of any date's range: each works for what it says, but says nothing of what she holds.
    const now = Math.floor(Date.now() / 1000);
    const yearAhead = now + 365 * 86_400;
    for (const iat of [1e20, -1e20, yearAhead]) {
      expect((await callProcedure(api.url, "subscriptions.list", { headers: withToken(await accessToken({ sub, iat })) })).status).toBe(200);
    }
    expect((await callProcedure(api.url, "subscriptions.list", { headers: { cookie: await sessionCookie({ sub, iat: yearAhead }) } })).status).toBe(200);
    expect(await permissionsAtOf(sub)).toEqual(learned);
    // Nor is one out of range a 500 on someone's first call, who has no permissions on record yet.
    const first = await callProcedure(api.url, "subscriptions.list", { headers: withToken(await accessToken({ sub: "test|fiona-new", iat: 1e20 })) });
    expect(first.status).toBe(200);

    // Her role loses write:shows; her next sign-in says so, and her token writes no more.
    await callProcedure(api.url, "me.profile", { headers: { cookie: await sessionCookie({ sub, scope: "read:shows read:billing" }) } });
    expect(await call(token, "subscriptions.add", { showId: show!.id })).toMatchObject({ status: 403, message: "Your access does not include the write:shows permission." });
  });

  it("never brings back an account deleted between the token's lookup and the call", async () => {
    const sub = "test|leaving";
    await onPaidPlan(sub);
    const token = await makeToken(sub, { name: "racer", scopes: ["read:shows"] });
    // The context of a request with the token, built as the handler builds it: the token checks out...
    const { req, res } = gsspContext("/api/trpc/subscriptions.list");
    req.headers.authorization = `Bearer ${token}`;
    const ctx = await createContext({ req, res });
    expect(ctx.auth).toMatchObject({ via: "token", sub });
    // ...then the account is deleted, before the procedure runs.
    await deleteUser(db, await db.user.findUniqueOrThrow({ where: { auth0Sub: sub } }));
    await expect(createCaller(ctx).subscriptions.list()).rejects.toMatchObject({ code: "UNAUTHORIZED", message: "The access token is invalid or expired." });
    expect(await db.user.count({ where: { auth0Sub: sub } })).toBe(0);
  });
});

describe("npm run tokens:revoke", () => {
  /** The operator's command, as run from a shell with the app's environment (here the test's). */
  // Not spawnSync: the test's API server runs in this process, and a blocked event loop outlasts its
  // keep-alive, so the next call would meet a socket the server is closing.
  const revokeCommand = (args: string[], environment: NodeJS.ProcessEnv = process.env) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile("npm", ["run", "--silent", "tokens:revoke", "--", ...args], { env: environment, timeout: 50_000 }, (error, stdout, stderr) => {
        resolve({ status: typeof error?.code === "number" ? error.code : error ? -1 : 0, stdout, stderr });
      });
    });

  it("revokes every token of one person at once, each recorded as its revocation; says so in one line", { timeout: 60_000 }, async () => {
    const sub = "test|leaver";
    await onPaidPlan(sub);
    const tokens = [await makeToken(sub, { name: "nightly", scopes: ["read:shows"] }), await makeToken(sub, { name: "deploy", scopes: ["read:shows"] })];
    const ids = (await db.apiToken.findMany({ where: { user: { auth0Sub: sub } }, select: { id: true } })).map(({ id }) => id);
    const bobs = await makeToken("dev|bob", { name: "bob-stays", scopes: ["read:shows"] });

    expect(await revokeCommand([sub])).toEqual({ status: 0, stdout: `[tokens:revoke] Revoked 2 tokens of ${sub}: "nightly", "deploy".\n`, stderr: "" });
    for (const token of tokens) expect((await call(token, "subscriptions.list")).status).toBe(401);
    expect((await call(bobs, "subscriptions.list")).status).toBe(200);
    const events = await db.auditEvent.findMany({ where: { user: { auth0Sub: sub }, action: "token_revoked" }, select: { target: true, details: true, channel: true, requestId: true } });
    // Who ran it, for the operators (the person's activity does not show it).
    const by = `tokens:revoke by ${operatorName()}`;
    expect(events.toSorted((a, b) => a.target.localeCompare(b.target))).toEqual(
      ids.toSorted().map((target) => ({ target, details: { name: expect.any(String) }, channel: null, requestId: by })),
    );
    // What she reads on /account and in her export: not her doing.
    const exported = JSON.stringify((await asPerson(sub, "me.export")).body);
    expect(exported).toContain("Your API token 'nightly' was revoked by Showtrack's administrators");
    expect(exported).not.toContain("You revoked");
    expect(exported).not.toContain(by);

    expect(await revokeCommand([sub])).toEqual({ status: 0, stdout: `[tokens:revoke] ${sub} has no tokens: nothing to revoke.\n`, stderr: "" });
  });

  it("records who ran it: the system user and host, and the one behind sudo", () => {
    const user = os.userInfo().username;
    expect(operatorName({})).toBe(`${user}@${os.hostname()}`);
    expect(operatorName({ SUDO_USER: "alice" })).toBe(`alice as ${user}@${os.hostname()}`);
    expect(operatorName({ SUDO_USER: user })).toBe(`${user}@${os.hostname()}`);
  });

  it("says in one line, without a stack trace, what it cannot do", { timeout: 60_000 }, async () => {
    expect(await revokeCommand(["test|nobody-at-all"])).toEqual({
      status: 1,
      stdout: "",
      stderr: '[tokens:revoke] No one with the sub "test|nobody-at-all" has used Showtrack: nothing was revoked.\n',
    });
    const { DATABASE_URL: _url, ...withoutDatabase } = process.env;
    expect(await revokeCommand(["test|leaver"], withoutDatabase)).toEqual({
      status: 1,
      stdout: "",
      stderr: "[tokens:revoke] DATABASE_URL is not set: run this with the app's environment, naming the database whose tokens to revoke.\n",
    });
    expect(await revokeCommand([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^\[tokens:revoke\] Usage: npm run tokens:revoke -- <sub>[^\n]*\n$/) });
  });
});
