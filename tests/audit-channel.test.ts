// The audit trail says how each change came: which web session, the browser app, or which personal
// token, and from which (truncated) address; /account's activity and the export carry it.
import { NextRequest } from "next/server";
import { expect, it } from "vitest";
import { proxy } from "~/proxy";
import { accessToken, callProcedure, db, seededApiServer, sessionCookie, signIn } from "./helpers";

const api = seededApiServer();
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

interface Event {
  action: string;
  details: Record<string, unknown>;
  channel: string | null;
  via: string | null;
  sessionId: string | null;
  ip: string | null;
}

it("records the channel and truncated address of cookie, browser-app and personal-token calls, and shows them", async () => {
  const cookie = await sessionCookie({ sub: "dev|bob" });
  const asCookie = { cookie, "user-agent": FIREFOX };
  const shows = await db.show.findMany({ where: { subscriptions: { none: { user: { auth0Sub: "dev|bob" } } } }, select: { id: true, title: true }, take: 3 });
  const follow = async (showId: string, headers: Record<string, string>) =>
    expect((await callProcedure(api.url, "subscriptions.add", { input: { showId }, headers })).status).toBe(200);

  await follow(shows[0]!.id, asCookie);
  await follow(shows[1]!.id, { authorization: `Bearer ${await accessToken({ sub: "dev|bob", azp: "showtrack-spa" })}` });
  const created = await callProcedure(api.url, "tokens.create", { input: { name: "ci-script", scopes: ["read:shows", "write:shows"], expiresInDays: 30 }, headers: asCookie });
  const { token, id } = created.body.result!.data.json as { token: string; id: string };
  await follow(shows[2]!.id, { authorization: `Bearer ${token}` });
  expect((await callProcedure(api.url, "tokens.revoke", { input: { id }, headers: asCookie })).status).toBe(200);

  const activity = await callProcedure(api.url, "me.activity", { input: { limit: 5 }, headers: asCookie });
  const items = (activity.body.result!.data.json as { items: Event[] }).items;
  const sessionId = (await db.session.findFirstOrThrow({ where: { sub: "dev|bob" }, orderBy: { createdAt: "desc" } })).id;
  const web = { channel: "web", via: "Firefox 128 on Linux", sessionId, ip: "127.0.0.0/24" };
  expect(items.map(({ action, details, channel, via, sessionId, ip }) => ({ action, details, channel, via, sessionId, ip }))).toEqual([
    { action: "token_revoked", details: { name: "ci-script" }, ...web },
    { action: "follow", details: { showTitle: shows[2]!.title }, channel: "token", via: "ci-script", sessionId: null, ip: "127.0.0.0/24" },
    { action: "token_created", details: { name: "ci-script", scopes: ["read:shows", "write:shows"] }, ...web },
    { action: "follow", details: { showTitle: shows[1]!.title }, channel: "browser_app", via: null, sessionId: null, ip: "127.0.0.0/24" },
    { action: "follow", details: { showTitle: shows[0]!.title }, ...web },
  ]);

  // The export carries the same.
  const exported = (await (await fetch(`${api.origin}/api/me/export`, { headers: { cookie } })).json()) as { activity: Event[] };
  expect(exported.activity.slice(0, 5).map(({ channel, via }) => ({ channel, via }))).toEqual([
    { channel: "web", via: "Firefox 128 on Linux" },
    { channel: "token", via: "ci-script" },
    { channel: "web", via: "Firefox 128 on Linux" },
    { channel: "browser_app", via: null },
    { channel: "web", via: "Firefox 128 on Linux" },
  ]);

  // A token reads follows, but not the token and sign-in events: those are for the person's own pages.
  const bearer = { authorization: `Bearer ${await accessToken({ sub: "dev|bob" })}` };
  const seenByToken = (await callProcedure(api.url, "me.activity", { input: { limit: 5 }, headers: bearer })).body.result!.data.json as { items: Event[] };
  expect(seenByToken.items.map((item) => item.action)).not.toContain("token_created");
});

it("records a session signed in, one ended on /account, and one signed out, each with its browser", async () => {
  const chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
  const first = await signIn("dev|dave", { userAgent: FIREFOX });
  await signIn("dev|dave", { userAgent: chrome });
  // Told apart by their browsers: both began within the same second.
  const sessionOf = async (userAgent: string) => (await db.session.findFirstOrThrow({ where: { sub: "dev|dave", userAgent }, select: { id: true } })).id;
  const [firstId, secondId] = [await sessionOf(FIREFOX), await sessionOf(chrome)];
  // From the first browser, end the second: an event of the first session's.
  expect((await callProcedure(api.url, "sessions.end", { input: { id: secondId }, headers: { cookie: first, "user-agent": FIREFOX } })).status).toBe(200);
  // Signing out at /auth/logout ends the first.
  const logout = await proxy(new NextRequest(`${process.env.APP_BASE_URL}/auth/logout`, { headers: { cookie: first, "user-agent": FIREFOX } }));
  expect(logout.status).toBeLessThan(400);
  expect(await db.session.count({ where: { sub: "dev|dave" } })).toBe(0);

  const events = await db.auditEvent.findMany({ where: { user: { auth0Sub: "dev|dave" } }, orderBy: { seq: "asc" }, select: { action: true, target: true, details: true, channel: true, via: true, sessionId: true } });
  const firefox = { channel: "web", via: "Firefox 128 on Linux", sessionId: firstId };
  expect(events).toEqual([
    { action: "session_signed_in", target: firstId, details: { browser: "Firefox 128", os: "Linux" }, ...firefox },
    { action: "session_signed_in", target: secondId, details: { browser: "Chrome 131", os: "Linux" }, channel: "web", via: "Chrome 131 on Linux", sessionId: secondId },
    { action: "session_ended", target: secondId, details: { browser: "Chrome 131", os: "Linux" }, ...firefox },
    { action: "session_ended", target: firstId, details: { browser: "Firefox 128", os: "Linux" }, ...firefox },
  ]);
});
