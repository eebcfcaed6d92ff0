import { describe, expect, it } from "vitest";
import { callerFor, db } from "./helpers";

const showIds = async (count: number, skip = 0) =>
  (await db.show.findMany({ orderBy: { slug: "asc" }, skip, take: count, select: { id: true } })).map((s) => s.id);

const followCount = (sub: string) => db.subscription.count({ where: { user: { auth0Sub: sub } } });

describe("subscriptions", () => {
  it("lists the caller's shows with show fields, newest first", async () => {
    const { items: list, nextCursor } = await callerFor({ sub: "dev|bob" }).subscriptions.list();
    expect(list).toHaveLength(12);
    expect(nextCursor).toBeNull();
    const times = list.map((s) => Date.parse(s.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(list[0]).toEqual({
      notify: true,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), // plain JSON: an ISO 8601 string
      show: expect.objectContaining({ id: expect.any(String), slug: expect.any(String), title: expect.any(String), genres: expect.any(Array) }),
    });
    expect(list[0]!.show.genres.length).toBeGreaterThan(0);
  });

  it("pages through a person's follows once, newest first, follows of one instant settled by id, with no duplicates or gaps", async () => {
    const pager = callerFor({ sub: "test|pager" });
    const { id: userId } = await pager.me.profile();
    // Three instants for 23 follows: most pages end between follows of the same instant.
    const instants = [Date.UTC(2026, 2, 1), Date.UTC(2026, 5, 1), Date.UTC(2026, 8, 1)].map((at) => new Date(at));
    await db.subscription.createMany({ data: (await showIds(23)).map((showId, i) => ({ userId, showId, createdAt: instants[i % 3]! })) });
    const expected = (await db.subscription.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { showId: true } })).map((s) => s.showId);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await pager.subscriptions.list({ cursor, limit: 5 });
      if (page.nextCursor !== null) expect(page.items).toHaveLength(5);
      seen.push(...page.items.map((s) => s.show.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(expected).toHaveLength(23);
    expect({ pages, seen }).toEqual({ pages: Math.ceil(expected.length / 5), seen: expected });
    // Without input: the first page of the default size, here all of them.
    expect((await pager.subscriptions.list()).items.map((s) => s.show.id)).toEqual(expected);
  });

  it("refuses a limit outside 1–100 and a cursor no page gave", async () => {
    const bob = callerFor({ sub: "dev|bob" });
    for (const limit of [0, 101, 2.5]) await expect(bob.subscriptions.list({ limit })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    for (const cursor of ["nonsense", Buffer.from(JSON.stringify(["yesterday", "x"])).toString("base64url"), "x".repeat(201)]) {
      await expect(bob.subscriptions.list({ cursor })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect((await bob.subscriptions.list({ limit: 100 })).items).toHaveLength(12);
  });

  it("add and remove are idempotent; setNotify changes one row", async () => {
    const carol = callerFor({ sub: "dev|carol" });
    const [showId] = await showIds(1, 40);
    const before = await followCount("dev|carol");
    const first = await carol.subscriptions.add({ showId: showId! });
    const again = await carol.subscriptions.add({ showId: showId! });
    expect(again).toEqual(first);
    expect(await followCount("dev|carol")).toBe(before + 1);

    expect(await carol.subscriptions.setNotify({ showId: showId!, notify: false })).toEqual({ showId, notify: false });
    const row = await db.subscription.findFirstOrThrow({ where: { showId, user: { auth0Sub: "dev|carol" } } });
    expect(row.notify).toBe(false);

    expect(await carol.subscriptions.remove({ showId: showId! })).toEqual({ showId, removed: true });
    expect(await carol.subscriptions.remove({ showId: showId! })).toEqual({ showId, removed: false });
    expect(await followCount("dev|carol")).toBe(before);
    await expect(carol.subscriptions.setNotify({ showId: showId!, notify: true })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("refuses to follow a show that does not exist", async () => {
    await expect(callerFor({ sub: "dev|carol" }).subscriptions.add({ showId: "cnosuchshow000000000000" })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("refuses a Free user's 4th show with a message a person can act on", async () => {
    const user = callerFor({ sub: "test|free-cap" });
    const ids = await showIds(4);
    for (const showId of ids.slice(0, 3)) await user.subscriptions.add({ showId });
    await expect(user.subscriptions.add({ showId: ids[3]! })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
      message: "Your Free plan follows up to 3 shows, and you follow 3. Upgrade to follow more.",
    });
    expect(await followCount("test|free-cap")).toBe(3);
  });

  it("50 concurrent adds of different shows on a Free account end with exactly 3 rows", async () => {
    const user = callerFor({ sub: "test|free-race" });
    await user.me.profile(); // the user exists before the race, as after any sign-in
    const results = await Promise.allSettled((await showIds(50)).map((showId) => user.subscriptions.add({ showId })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refusals.every((r) => (r.reason as { code?: string }).code === "PRECONDITION_FAILED")).toBe(true);
    expect(await followCount("test|free-race")).toBe(3);
  });

  it("10 concurrent adds of the same show end with 1 row", async () => {
    const user = callerFor({ sub: "test|same-race" });
    await user.me.profile();
    const [showId] = await showIds(1, 10);
    const results = await Promise.all(Array.from({ length: 10 }, () => user.subscriptions.add({ showId: showId! })));
    expect(new Set(results.map((r) => r.createdAt)).size).toBe(1);
    expect(await followCount("test|same-race")).toBe(1);
  });

  it("a downgrade racing with follows never leaves usage above the new cap", async () => {
    const user = callerFor({ sub: "test|downgrade-race" });
    await user.billing.setCard({ number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" });
    await user.billing.changeTier({ tierId: "developer" });
    const ids = await showIds(12, 20);
    for (const showId of ids.slice(0, 2)) await user.subscriptions.add({ showId });
    const results = await Promise.allSettled([
      ...ids.slice(2).map((showId) => user.subscriptions.add({ showId })),
      user.billing.changeTier({ tierId: "free" }),
    ]);
    const downgraded = results.at(-1)!.status === "fulfilled";
    // A downgrade waits for the period's end, and the cap of the plan it moves to holds from now on.
    const { tier, pendingTier, usage } = await user.billing.info();
    expect([tier.id, pendingTier?.id]).toEqual(downgraded ? ["developer", "free"] : ["developer", undefined]);
    expect(usage.subscriptions).toBeLessThanOrEqual(downgraded ? 3 : usage.limit!);
    expect(usage.subscriptions).toBe(2 + results.slice(0, -1).filter((r) => r.status === "fulfilled").length);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused.map((r) => (r.reason as { code?: string }).code)).toEqual(refused.map(() => "PRECONDITION_FAILED"));
  });

  it("concurrent first requests of a new user provision one user and one billing account", async () => {
    const user = callerFor({ sub: "test|first-visit" });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? user.me.profile() : user.billing.info())));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(await db.user.count({ where: { auth0Sub: "test|first-visit" } })).toBe(1);
    expect(await db.billingAccount.count({ where: { user: { auth0Sub: "test|first-visit" } } })).toBe(1);
  });

  it("user B cannot see, change or remove user A's subscriptions", async () => {
    const alice = callerFor({ sub: "dev|alice" });
    const mallory = callerFor({ sub: "test|mallory" });
    const [aliceFirst] = (await alice.subscriptions.list()).items;
    const showId = aliceFirst!.show.id;

    expect(await mallory.subscriptions.list()).toEqual({ items: [], nextCursor: null });
    await expect(mallory.subscriptions.setNotify({ showId, notify: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await mallory.subscriptions.remove({ showId })).toEqual({ showId, removed: false });
    expect((await alice.subscriptions.list()).items.map((s) => [s.show.id, s.notify])).toContainEqual([showId, true]);
  });
});
