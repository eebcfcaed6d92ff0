// What each procedure costs the database: every query procedure is one SQL statement once the
// caller's user is known (an N+1 or an extra round trip fails here; the user itself is looked up
// once, then remembered for a minute), a signed-in call writes nothing when nothing changed, and
// each hot statement is one an index can serve (EXPLAIN).
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInnerContext } from "~/server/context";
import { createPrismaClient } from "~/server/platform/db";
import { createCaller } from "~/server/routers/_app";
import { procedures, readSession, sessionCookie, sessionFor } from "./helpers";

/**
 * A database client on this file's database that records every statement its connections send, as
 * the driver sends them: Prisma's queries and the hand-written ones that stand in for some.
 */
const statements: { query: string; params: unknown[] }[] = [];
const recordingPool = new pg.Pool({ connectionString: process.env.DATABASE_URL! });
recordingPool.on("connect", (client) => {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  client.query = ((...args: unknown[]) => {
    const [config, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
    statements.push(typeof config === "string" ? { query: config, params: values ?? [] } : { query: config.text, params: config.values ?? values ?? [] });
    return query(...args);
  }) as typeof client.query;
});
const logged = createPrismaClient(process.env.DATABASE_URL!, {}, recordingPool);
afterAll(() => logged.$disconnect());

// Bob signed in as a browser is: a session of the store (sessions.list reads the person's others).
let bob: ReturnType<typeof createCaller>;
beforeAll(async () => {
  bob = createCaller(createInnerContext({ session: await readSession(await sessionCookie({ sub: "dev|bob" })), db: logged }));
});
const isUserLookup = (sql: string) => /FROM "public"\."User" AS "t0" WHERE \("t0"\."auth0Sub" = \$1/.test(sql);

/** Runs `call` after a warm-up (provisioning), returning the statements it sent. */
async function statementsOf(call: () => Promise<unknown>) {
  await call();
  statements.length = 0;
  await call();
  return statements.splice(0);
}

// Input for the query procedures that need one; every query procedure of the router is measured.
const INPUTS: Record<string, unknown> = {
  "shows.list": { search: "harbor", genre: "Drama" },
  "shows.bySlug": { slug: "copper-harbor" },
  "billing.invoices": { limit: 2 },
  "billing.quote": { tierId: "enterprise" },
  "me.activity": { limit: 10 },
  "notifications.list": { limit: 10 },
};
const queries = procedures.filter((procedure) => procedure.type === "query");

describe("statements per procedure", () => {
  it.each(queries.map((procedure) => [procedure.path, procedure.meta.requiresAuth ?? false] as const))(
    "%s is one statement once the user is known",
    async (path, requiresAuth) => {
      const [domain, name] = path.split(".") as [string, string];
      const procedure = (bob as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[domain]![name]!;
      const sent = await statementsOf(() => procedure(INPUTS[path]));
      expect(sent.filter((statement) => isUserLookup(statement.query))).toEqual([]);
      expect({ requiresAuth, statements: sent.length }).toEqual({ requiresAuth, statements: 1 });
      expect(sent.some((statement) => /^\s*(INSERT|UPDATE|DELETE)/i.test(statement.query))).toBe(false);
    },
  );

  // The transformer sends outputs as they are (src/utils/transformer.ts): a Date would reach a client as
  // a string its type does not admit.
  it.each(queries.map((procedure) => procedure.path))("%s returns plain JSON", async (path) => {
    const [domain, name] = path.split(".") as [string, string];
    const output = await (bob as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[domain]![name]!(INPUTS[path]);
    expect(JSON.parse(JSON.stringify(output))).toEqual(output);
  });

  it("looks a user up on their first call, and again when their profile changed (written once)", async () => {
    const session = sessionFor({ sub: "test|queries-new" });
    const caller = (name: string) => createCaller(createInnerContext({ session: { ...session, user: { ...session.user, name } }, db: logged }));
    statements.length = 0;
    await caller("Ann").subscriptions.list();
    const first = statements.splice(0).map((s) => s.query);
    expect(first.filter(isUserLookup)).toHaveLength(1);
    expect(first.filter((sql) => /^\s*INSERT INTO "public"\."User"/.test(sql))).toHaveLength(1);
    await caller("Ann B.").subscriptions.list();
    const renamed = statements.splice(0).map((s) => s.query);
    expect(renamed.filter((sql) => /^\s*UPDATE "public"\."User"/.test(sql))).toHaveLength(1);
    await caller("Ann B.").subscriptions.list();
    expect(statements.splice(0)).toHaveLength(1);
  });

  it("shows.list for an anonymous caller is one statement too", async () => {
    const anonymous = createCaller(createInnerContext({ db: logged }));
    expect(await statementsOf(() => anonymous.shows.list({ limit: 20 }))).toHaveLength(1);
  });
});

describe("indexes", () => {
  const hotQueries: [string, () => Promise<unknown>, RegExp][] = [
    // A page: the (userId, createdAt, id) index walked backward from the cursor, no sort.
    ["a user's follows, newest first", () => bob.subscriptions.list({ limit: 5 }), /Index Scan Backward using "Subscription_userId_createdAt_id_idx"/],
    ["the catalogue by title", () => bob.shows.list({ limit: 20 }), /Show_title_id_idx/],
    ["search in titles", () => bob.shows.list({ search: "harb" }), /Show_titleSearch_idx/],
    ["a show by slug", () => bob.shows.bySlug({ slug: "copper-harbor" }), /Show_slug_key/],
    // Likewise either index that leads with billingAccountId (the other is one invoice per plan and period).
    ["an account's invoices by date", () => bob.billing.invoices({ limit: 10 }), /Invoice_billingAccountId_(issuedAt_id_idx|tierId_periodStart_key)/],
    ["a user's activity, newest first", () => bob.me.activity({ limit: 10 }), /AuditEvent_userId_seq_idx/],
  ];

  it.each(hotQueries)("%s can use its index", async (_name, call, index) => {
    const sent = (await statementsOf(call)).filter((statement) => !isUserLookup(statement.query));
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      // The seed's tables are small enough that a sequential scan wins; forbid it to see the plan an
      // index gives, which is the one a production-sized table gets.
      await client.query("SET enable_seqscan = off");
      const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sent[0]!.query}`, sent[0]!.params);
      const plan = rows.map((row) => row["QUERY PLAN"]).join("\n");
      expect(plan).toMatch(index);
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await client.end();
    }
  });
});
