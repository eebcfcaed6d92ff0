// me.delete over real HTTP: who may delete (a cookie session from the app's pages, signed in within
// the last minutes, confirming with the account's email), and that afterwards nothing of the person
// is left in any table nor any session of theirs, and their refresh token is revoked at the provider.
import { describe, expect, it } from "vitest";
import { accessToken, callProcedure, cookieFor, db, readSession, seededApiServer, sessionCookie, sessionFor, signIn } from "./helpers";

const api = seededApiServer();

const carol = { sub: "dev|carol", email: "carol@example.test", name: "Carol Enterprise" };
const deleteAccount = (headers: Record<string, string>, confirmEmail = carol.email) =>
  callProcedure(api.url, "me.delete", { input: { confirmEmail }, headers });
const carolExists = async () => (await db.user.count({ where: { auth0Sub: carol.sub } })) === 1;

/**
 * Rows naming the user or their billing account, in every table of the schema: the tables come from
 * the database's catalogue, so a table added later is searched too.
 */
async function rowsOf(userId: string, billingAccountId: string): Promise<Record<string, number>> {
  const columns = await db.$queryRaw<{ table: string; column: string }[]>`
    SELECT table_name::text AS "table", column_name::text AS "column" FROM information_schema.columns
    WHERE table_schema = 'public' AND column_name IN ('userId', 'billingAccountId')`;
  const owned = [
    ...columns.map(({ table, column }) => ({ table, column, value: column === "userId" ? userId : billingAccountId })),
    { table: "User", column: "id", value: userId },
    { table: "BillingAccount", column: "id", value: billingAccountId },
  ];
  const counts: Record<string, number> = {};
  for (const { table, column, value } of owned) {
    const [row] = await db.$queryRawUnsafe<{ count: bigint }[]>(`SELECT count(*) AS count FROM "${table}" WHERE "${column}" = $1`, value);
    counts[`${table}.${column}`] = Number(row!.count);
  }
  return counts;
}

describe("deleting one's account", () => {
  it("is refused to a bearer token, whatever its scopes", async () => {
    const { status, body } = await deleteAccount({ authorization: `Bearer ${await accessToken({ sub: carol.sub })}` });
    expect({ status, message: body.error?.json.message }).toEqual({ status: 403, message: "This can only be done in Showtrack's own pages, signed in." });
    expect(await carolExists()).toBe(true);
  });

  it("is refused from another origin", async () => {
    const { status } = await deleteAccount({ cookie: await sessionCookie(carol), origin: "https://evil.example" });
    expect(status).toBe(403);
    expect(await carolExists()).toBe(true);
  });

  it("is refused with a 400 naming the field when the email does not match", async () => {
    const cookie = await sessionCookie(carol);
    for (const wrong of ["alice@example.test", "carol@example.test.evil", ""]) {
      const { status, body } = await deleteAccount({ cookie }, wrong);
      expect({ wrong, status }).toEqual({ wrong, status: 400 });
      expect(body.error?.json.data.zodError).toMatchObject({ fieldErrors: { confirmEmail: [expect.any(String)] } });
    }
    expect(await carolExists()).toBe(true);
  });

  it("is refused with a sign-in older than ten minutes: 412, the page sends the person to sign in again", async () => {
    const cookie = await sessionCookie({ ...carol, auth_time: Math.floor(Date.now() / 1000) - 11 * 60 });
    const { status, body } = await deleteAccount({ cookie });
    expect({ status, message: body.error?.json.message }).toEqual({ status: 412, message: "To delete your account, please sign in again first: it makes sure it is you." });
    // A session that never recorded when its person signed in is as good as an old one.
    const { user: { auth_time: _unknown, ...user }, ...session } = sessionFor(carol);
    const unknown = await deleteAccount({ cookie: await cookieFor({ ...session, user }) });
    expect(unknown.status).toBe(412);
    expect(await carolExists()).toBe(true);
  });

  it("deletes every row of the person but their invoices (kept, unlinked), ends all their sessions, and signing in again starts afresh", async () => {
    const cookie = await sessionCookie(carol);
    const otherBrowser = await sessionCookie(carol);
    // Something in every table first: a follow (and its audit event) on top of the seed's.
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { user: { auth0Sub: carol.sub } } } }, select: { id: true } });
    expect((await callProcedure(api.url, "subscriptions.add", { input: { showId: show.id }, headers: { cookie } })).status).toBe(200);
    const { id: userId, billingAccount } = await db.user.findUniqueOrThrow({ where: { auth0Sub: carol.sub }, select: { id: true, billingAccount: { select: { id: true } } } });
    const episode = await db.episode.findFirstOrThrow({ select: { id: true } });
    await db.notification.create({ data: { userId, episodeId: episode.id, channel: "in_app" } });
    await db.apiToken.create({ data: { userId, name: "ci", prefix: "stk_abcdefgh", hash: "0".repeat(64), expiresAt: new Date(Date.now() + 86_400_000) } });
    await db.accountEmail.create({ data: { userId, key: "test:deleted", kind: "renewal_receipt", details: {} } });
    const before = await rowsOf(userId, billingAccount!.id);
    expect(Object.keys(before).sort()).toEqual(
      ["AccountEmail.userId", "ApiToken.userId", "AuditEvent.userId", "BillingAccount.id", "BillingAccount.userId", "Invoice.billingAccountId", "Notification.userId", "Subscription.userId", "User.id"].sort(),
    );
    expect(Object.entries(before).filter(([, count]) => count === 0)).toEqual([]);

    const response = await fetch(`${api.url}/me.delete`, {
      method: "POST",
      headers: { cookie, origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json" },
      body: JSON.stringify({ json: { confirmEmail: "  Carol@Example.TEST " } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^__session=; Path=\/; Max-Age=0; HttpOnly; SameSite=lax/)]);
    expect(Object.entries(await rowsOf(userId, billingAccount!.id)).filter(([, count]) => count > 0)).toEqual([]);
    expect(await carolExists()).toBe(false);
    expect(await db.invoice.count({ where: { billingAccountId: null } })).toBe(before["Invoice.billingAccountId"]);
    expect(await db.session.count({ where: { sub: carol.sub } })).toBe(0);
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie: otherBrowser } })).status).toBe(401);

    const again = await sessionCookie(carol);
    const fresh = (await callProcedure(api.url, "me.export", { headers: { cookie: again } })).body.result?.data.json;
    expect(fresh).toMatchObject({ profile: { email: carol.email }, plan: { tier: { id: "free" }, paymentMethod: null }, follows: [], invoices: [], activity: [] });
    expect((fresh as { profile: { id: string } }).profile.id).not.toBe(userId);
  });

  it("after a fresh sign-in (the page's max_age one), leaves no session of the person and revokes the refresh token at the provider", async () => {
    const elsewhere = await signIn("dev|dave");
    const cookie = await signIn("dev|dave", { login: `/auth/login?max_age=0&returnTo=${encodeURIComponent("/account#your-data")}` });
    const { tokenSet, user } = (await readSession(cookie))!;
    expect(user.auth_time).toBeGreaterThan(Date.now() / 1000 - 60);
    const refresh = () =>
      fetch(`${process.env.AUTH0_DOMAIN}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "refresh_token",
          refresh_token: tokenSet.refreshToken!,
          client_id: process.env.AUTH0_CLIENT_ID!,
          client_secret: process.env.AUTH0_CLIENT_SECRET!,
        }),
      });
    expect((await callProcedure(api.url, "me.profile", { headers: { cookie } })).status).toBe(200);
    expect((await deleteAccount({ cookie }, "dave@example.test")).status).toBe(200);
    const refused = await refresh();
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: "invalid_grant" });
    expect(await readSession(cookie)).toBeNull();
    expect(await readSession(elsewhere)).toBeNull();
    expect(await db.session.count({ where: { sub: "dev|dave" } })).toBe(0);
  });
});
