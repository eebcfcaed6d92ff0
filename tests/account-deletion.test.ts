// me.delete over real HTTP: who may delete (a cookie session from the app's pages, confirming with
// the account's email), and that afterwards nothing of the person is left in any table.
import { describe, expect, it } from "vitest";
import { accessToken, callProcedure, db, seededApiServer, sessionCookie } from "./helpers";

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
    expect({ status, message: body.error?.json.message }).toEqual({ status: 403, message: "An account can only be deleted from its account page, signed in." });
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

  it("deletes every row of the person, ends the session, and signing in again starts afresh", async () => {
    const cookie = await sessionCookie(carol);
    // Something in every table first: a follow (and its audit event) on top of the seed's.
    const show = await db.show.findFirstOrThrow({ where: { subscriptions: { none: { user: { auth0Sub: carol.sub } } } }, select: { id: true } });
    expect((await callProcedure(api.url, "subscriptions.add", { input: { showId: show.id }, headers: { cookie } })).status).toBe(200);
    const { id: userId, billingAccount } = await db.user.findUniqueOrThrow({ where: { auth0Sub: carol.sub }, select: { id: true, billingAccount: { select: { id: true } } } });
    const before = await rowsOf(userId, billingAccount!.id);
    expect(Object.keys(before).sort()).toEqual(
      ["AuditEvent.userId", "BillingAccount.id", "BillingAccount.userId", "Invoice.billingAccountId", "Subscription.userId", "User.id"].sort(),
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

    const again = await sessionCookie(carol);
    const fresh = (await callProcedure(api.url, "me.export", { headers: { cookie: again } })).body.result?.data.json;
    expect(fresh).toMatchObject({ profile: { email: carol.email }, plan: { tier: { id: "free" }, paymentMethod: null }, follows: [], invoices: [], activity: [] });
    expect((fresh as { profile: { id: string } }).profile.id).not.toBe(userId);
  });
});
