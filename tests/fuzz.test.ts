// Property-based fuzzing (fast-check) of every procedure of the router, through the real HTTP
// handler, as anonymous, cookie, read-only, bearer, personal-token and two-session callers, with inputs from valid to hostile
// (any Unicode, lone surrogates, wrong types, deep and odd shapes, bodies that are not JSON).
// First every procedure once by every kind of caller, then FUZZ_CALLS random calls (default 2,000;
// .ci/run sends 10,000), 20 at a time. Property: no response is ever 5xx. Afterwards the database must be consistent: nobody above their
// plan's cap, and each user's audit trail replays to exactly their follows and plan
// (scripts/consistency.ts, which `npm run soak` checks too).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inconsistencies } from "../scripts/consistency";
import { accessToken, callProcedure, db, procedures, seededApiServer, sessionCookie, wireInput } from "./helpers";
import { API_SCOPES } from "~/utils/scopes";

const api = seededApiServer();

const CALLS_PER_BATCH = 20; // sent concurrently
const BATCHES = Math.ceil((Number(process.env.FUZZ_CALLS) || 2_000) / CALLS_PER_BATCH);
const FUZZ_USERS = ["fuzz|a", "fuzz|b", "fuzz|c", "fuzz|d"];

let credentials: Record<string, string>[];
let showIds: string[];
let invoiceIds: string[];
const statuses = new Map<number, number>();

/**
 * A personal token of `sub`, who is first moved to the Developer plan (a plan with API access): the
 * fuzzing may move them back to Free, and their token then meets its 403.
 */
async function personalToken(sub: string, scopes: readonly string[]): Promise<string> {
  const headers = { cookie: await sessionCookie({ sub }) };
  const card = { number: "4242 4242 4242 4242", expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: "123" };
  for (const [path, input] of [["billing.setCard", card], ["billing.changeTier", { tierId: "developer" }]] as const) {
    expect((await callProcedure(api.url, path, { input, headers })).status).toBe(200);
  }
  const created = await callProcedure(api.url, "tokens.create", { input: { name: "fuzz", scopes, expiresInDays: 30 }, headers });
  return (created.body.result!.data.json as { token: string }).token;
}

beforeAll(async () => {
  const origin = new URL(process.env.APP_BASE_URL!).origin;
  credentials = [
    // Personal tokens: one with every permission, one read-only, and one nobody made.
    { authorization: `Bearer ${await personalToken(FUZZ_USERS[2]!, API_SCOPES)}` },
    { authorization: `Bearer ${await personalToken(FUZZ_USERS[3]!, ["read:shows", "read:billing"])}` },
    { authorization: `Bearer stk_${"x".repeat(43)}` },
    {}, // anonymous
    ...(await Promise.all(FUZZ_USERS.map(async (sub) => ({ cookie: await sessionCookie({ sub }), origin })))),
    { cookie: await sessionCookie({ sub: "fuzz|readonly", scope: "read:shows read:billing" }), origin },
    { authorization: `Bearer ${await accessToken({ sub: FUZZ_USERS[0] })}` },
    { cookie: await sessionCookie({ sub: "fuzz|cross-site" }), origin: "https://evil.example" },
    // Two sessions in one request, both orders, one with a chunk set too: always signed out.
    ...(await (async () => {
      const [a, b] = await Promise.all(FUZZ_USERS.slice(0, 2).map((sub) => sessionCookie({ sub })));
      return [`${a}; ${b}`, `${b}; ${a}`, `${a}; __session__0=${a!.slice("__session=".length)}`].map((cookie) => ({ cookie, origin }));
    })()),
  ];
  showIds = (await db.show.findMany({ select: { id: true }, take: 12 })).map((show) => show.id);
  invoiceIds = (await db.invoice.findMany({ select: { id: true } })).map((invoice) => invoice.id);
});

afterAll(() => {
  console.log(`[fuzz] ${procedures.length * credentials.length} + ${BATCHES * CALLS_PER_BATCH} calls; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
});

/** Any UTF-16 code unit sequence: whole code points and lone surrogates. */
const anyText = fc.string({
  unit: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)) },
    { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  ),
  maxLength: 120,
});

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    anyText,
    fc.constantFrom(...["free", "developer", "enterprise", "Drama", "copper-harbor", "", " ", "%", "_"]),
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, 1, 10, 50, 51, -1)),
    fc.array(tie("any"), { maxLength: 3 }),
    fc.dictionary(anyText, tie("any"), { maxKeys: 3 }),
  ),
})).any;

/** Three times in four `valid`, else `other`. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: other });

/** Inputs with the procedures' own field names, mostly valid, so that calls pass validation and write. */
const shapedInput = fc.record(
  {
    showId: mostly(fc.nat({ max: 11 }).map((i) => showIds[i]), value),
    notify: mostly(fc.boolean(), value),
    tierId: mostly(fc.constantFrom("free", "developer", "enterprise"), value),
    cursor: mostly(fc.constantFrom(null, 0, 1, 2).map((i) => (i === null ? null : (invoiceIds[i] ?? showIds[i]))), value),
    limit: mostly(fc.integer({ min: 1, max: 50 }), fc.oneof(fc.integer({ min: -5, max: 60 }), value)),
    search: mostly(fc.constantFrom("harbor", "Café", "%", ""), anyText),
    genre: mostly(fc.constantFrom("Drama", "Comedy"), anyText),
    slug: mostly(fc.constant("copper-harbor"), anyText),
    // The fuzz users' own emails (tests/helpers.ts sessionFor): now and then one deletes their account mid-batch.
    // A good card, one whose charges are declined, one refused outright.
    number: mostly(fc.constantFrom("4242 4242 4242 4242", "4000000000000341", "4000000000000002"), anyText),
    expMonth: mostly(fc.integer({ min: 1, max: 12 }), value),
    expYear: mostly(fc.integer({ min: 2024, max: 2040 }), value),
    cvc: mostly(fc.constantFrom("123", "4567"), anyText),
    name: mostly(fc.constantFrom("ci-script", "fuzz"), anyText),
    scopes: mostly(fc.subarray([...API_SCOPES]), value),
    expiresInDays: mostly(fc.integer({ min: 1, max: 365 }), fc.oneof(fc.integer({ min: -5, max: 400 }), value)),
    id: mostly(fc.constantFrom("A".repeat(43), "cm0000000000000000000000a"), anyText),
    confirmEmail: mostly(fc.constantFrom(...FUZZ_USERS.map((sub) => `${sub.replace(/\W/g, "")}@example.test`)), anyText),
  },
  { requiredKeys: [] },
);

const call = fc.record({
  path: fc.constantFrom(...procedures.map((procedure) => procedure.path)),
  who: fc.nat({ max: 15 }),
  input: mostly(shapedInput, fc.oneof(fc.constant(undefined), value)),
  // Now and then a body that is not the JSON the client would send.
  rawBody: fc.oneof(
    { weight: 19, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.oneof(anyText, fc.constant("{"), fc.constant('{"json":')) },
  ),
});

interface Call {
  path: string;
  who: number;
  input: unknown;
  rawBody: string | null;
}

// A URL cannot carry a lone surrogate (encodeURIComponent throws): browsers send U+FFFD instead.
const queryString = (text: string) => encodeURIComponent(text.replace(/\p{Cs}/gu, "\uFFFD"));

async function send({ path, who, input, rawBody }: Call) {
  const headers = credentials[who % credentials.length]!;
  const isQuery = procedures.find((procedure) => procedure.path === path)!.type === "query";
  const body = rawBody ?? (input === undefined ? "" : wireInput(input));
  const response = isQuery
    ? await fetch(`${api.url}/${path}${input === undefined && rawBody === null ? "" : `?input=${queryString(body)}`}`, { headers })
    : await fetch(`${api.url}/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body });
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  await response.arrayBuffer();
  return { path, status: response.status };
}

describe("fuzzing every procedure over HTTP", () => {
  it("every procedure, called once by every kind of caller, answers without a 5xx", async () => {
    const inputs = fc.sample(call, { numRuns: procedures.length * credentials.length, seed: Number(process.env.FUZZ_SEED) || undefined });
    const calls = procedures.flatMap(({ path }, p) => credentials.map((_, who) => ({ ...inputs[p * credentials.length + who]!, path, who })));
    const results = [];
    for (let start = 0; start < calls.length; start += CALLS_PER_BATCH) results.push(...(await Promise.all(calls.slice(start, start + CALLS_PER_BATCH).map(send))));
    expect(results.filter((result) => result.status >= 500)).toEqual([]);
  });

  it(`${BATCHES * CALLS_PER_BATCH} calls, no response is 5xx`, { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: CALLS_PER_BATCH, maxLength: CALLS_PER_BATCH }), async (calls) => {
        const results = await Promise.all(calls.map(send));
        expect(results.filter((result) => result.status >= 500)).toEqual([]);
      }),
      { numRuns: BATCHES, seed: Number(process.env.FUZZ_SEED) || undefined },
    );
    expect([...statuses.keys()].some((status) => status === 200)).toBe(true);
  });

  it("leaves the database consistent: caps hold, audit trails replay to each user's state", async () => {
    expect(await inconsistencies(db, [...FUZZ_USERS, "fuzz|readonly"])).toEqual([]);
    // The read-only caller and the cross-site one (its calls are refused: the cookie works on the app's own pages only) changed nothing.
    for (const sub of ["fuzz|readonly", "fuzz|cross-site"]) {
      const changes = { events: await db.auditEvent.count({ where: { user: { auth0Sub: sub } } }), follows: await db.subscription.count({ where: { user: { auth0Sub: sub } } }) };
      expect({ sub, changes }).toEqual({ sub, changes: { events: 0, follows: 0 } });
    }
  });
});
