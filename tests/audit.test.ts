// The audit trail: each successful mutation records one event in its own transaction, a failed
// or no-op one records none, and people read back only their own events, as their scopes allow.
import { describe, expect, it } from "vitest";
import { callerFor, db, seededApiServer, sessionCookie, wireInput } from "./helpers";

const VISA = { number: "4242424242424242", expMonth: 12, expYear: new Date().getUTCFullYear() + 1, cvc: "123" };

const api = seededApiServer();

const eventsOf = (sub: string) =>
  db.auditEvent.findMany({ where: { user: { auth0Sub: sub } }, orderBy: { seq: "asc" }, select: { action: true, target: true, details: true, requestId: true } });

const showsBySlug = async (count: number) =>
  db.show.findMany({ orderBy: { slug: "asc" }, take: count, select: { id: true, title: true } });

describe("audit trail", () => {
  it("records follow, reminders, unfollow and plan change, with the request id; no-ops record nothing", async () => {
    const sub = "test|audited";
    const user = callerFor({ sub });
    const [show] = await showsBySlug(1);
    await user.subscriptions.add({ showId: show!.id });
    await user.subscriptions.add({ showId: show!.id }); // already followed: nothing new
    await user.subscriptions.setNotify({ showId: show!.id, notify: false });
    await user.subscriptions.setNotify({ showId: show!.id, notify: false }); // unchanged
    await user.subscriptions.remove({ showId: show!.id });
    await user.subscriptions.remove({ showId: show!.id }); // not followed any more
    await user.billing.setCard(VISA);
    await user.billing.changeTier({ tierId: "enterprise" });
    await user.billing.changeTier({ tierId: "enterprise" }); // same plan
    await user.billing.changeTier({ tierId: "free" }); // at the end of the period
    await user.billing.changeTier({ tierId: "enterprise" }); // not then after all

    // Over HTTP, the event carries the request's id: the server's, the one it answered with, never
    // the x-request-id the caller sent.
    const cookie = await sessionCookie({ sub });
    const response = await fetch(`${api.url}/subscriptions.add`, {
      method: "POST",
      headers: { cookie, origin: new URL(process.env.APP_BASE_URL!).origin, "content-type": "application/json", "x-request-id": "req-audit-0001" },
      body: wireInput({ showId: show!.id }),
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const title = { showTitle: show!.title };
    expect(await eventsOf(sub)).toEqual([
      { action: "follow", target: show!.id, details: title, requestId: null },
      { action: "notify_off", target: show!.id, details: title, requestId: null },
      { action: "unfollow", target: show!.id, details: title, requestId: null },
      { action: "card_change", target: "card", details: { brand: "visa", last4: "4242" }, requestId: null },
      { action: "plan_change", target: "enterprise", details: { from: "Free", to: "Enterprise" }, requestId: null },
      { action: "plan_change_scheduled", target: "free", details: { from: "Enterprise", to: "Free", on: expect.any(String) }, requestId: null },
      { action: "plan_change_canceled", target: "free", details: { from: "Enterprise", to: "Free" }, requestId: null },
      { action: "follow", target: show!.id, details: title, requestId },
    ]);
  });

  it("a refused mutation records nothing (its transaction rolls back)", async () => {
    const sub = "test|audit-refused";
    const user = callerFor({ sub });
    const shows = await showsBySlug(4);
    for (const show of shows.slice(0, 3)) await user.subscriptions.add({ showId: show.id });
    await expect(user.subscriptions.add({ showId: shows[3]!.id })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await expect(user.billing.changeTier({ tierId: "free" })).resolves.toBeTruthy(); // already Free: no change
    await expect(user.subscriptions.setNotify({ showId: shows[3]!.id, notify: false })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await eventsOf(sub)).map((event) => event.action)).toEqual(["follow", "follow", "follow"]);
  });

  it("an event is part of its mutation's transaction: a failure after it leaves neither", async () => {
    const sub = "test|audit-rollback";
    const user = callerFor({ sub });
    await user.billing.setCard(VISA);
    // This file's own database: make the invoice of a paid plan fail, after the event is written.
    await db.$executeRawUnsafe(`
      CREATE FUNCTION refuse_invoices() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no invoices today'; END $$;
      CREATE TRIGGER refuse_invoices BEFORE INSERT ON "Invoice" FOR EACH ROW EXECUTE FUNCTION refuse_invoices();`);
    try {
      await expect(user.billing.changeTier({ tierId: "developer" })).rejects.toMatchObject({ code: "INTERNAL_SERVER_ERROR" });
    } finally {
      await db.$executeRawUnsafe(`DROP TRIGGER refuse_invoices ON "Invoice"; DROP FUNCTION refuse_invoices();`);
    }
    expect((await eventsOf(sub)).map((event) => event.action)).toEqual(["card_change"]);
    expect((await user.billing.info()).tier.id).toBe("free");
  });

  it("me.activity pages through the caller's own events, newest first, filtered by scope", async () => {
    const sub = "test|activity";
    const user = callerFor({ sub });
    const shows = await showsBySlug(2);
    await user.subscriptions.add({ showId: shows[0]!.id });
    await user.billing.setCard(VISA);
    await user.billing.changeTier({ tierId: "developer" });
    await user.subscriptions.add({ showId: shows[1]!.id });

    const first = await user.me.activity({ limit: 2 });
    expect(first.items.map((event) => event.action)).toEqual(["follow", "plan_change"]);
    expect(first.items[0]!.details).toEqual({ showTitle: shows[1]!.title });
    const second = await user.me.activity({ limit: 2, cursor: first.nextCursor });
    expect([second.items.map((event) => event.action), second.nextCursor]).toEqual([["card_change", "follow"], null]);

    const showsOnly = callerFor({ sub, scope: "read:shows" });
    expect((await showsOnly.me.activity({})).items.map((event) => event.action)).toEqual(["follow", "follow"]);
    const billingOnly = callerFor({ sub, scope: "read:billing" });
    expect((await billingOnly.me.activity({})).items.map((event) => event.action)).toEqual(["plan_change", "card_change"]);
    expect((await callerFor({ sub: "test|someone-else" }).me.activity({})).items).toEqual([]);
  });
});
