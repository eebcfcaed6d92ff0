import { AsyncLocalStorage } from "node:async_hooks";
import { createHash, hkdfSync } from "node:crypto";
import type { LogoutToken, SessionData, SessionDataStore } from "@auth0/nextjs-auth0/types";
import { EncryptJWT, jwtDecrypt } from "jose";
import type { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/platform/db";
import { SESSION_DATA, TAKE_SESSIONS } from "~/server/platform/statements";
import { env } from "~/server/platform/env";
import { bareAddress } from "~/server/platform/request";

/** A session as it begins or ends: whose, its row key, and the browser behind it. */
export interface SessionMoment {
  sub: string;
  sessionId: string;
  userAgent: string | null;
  ip: string | null;
  user?: SessionData["user"];
}

/**
 * What the store records of the browser behind a session: its User-Agent and address; and, where the
 * writer wants to hear of them (the proxy's sign-ins and sign-outs, for the audit trail), a session
 * that began or ended.
 */
export interface DeviceInfo {
  userAgent?: string;
  ip?: string;
  onBegun?: (session: SessionMoment) => Promise<void>;
  onEnded?: (session: SessionMoment) => Promise<void>;
}

// The SDK's store interface passes no request: whoever writes a session on a request's behalf (the
// proxy at sign-in, a handler rolling it) runs the write inside `withDevice`.
const currentDevice = new AsyncLocalStorage<DeviceInfo>();
export const withDevice = <T>(device: DeviceInfo, write: () => T): T => currentDevice.run(device, write);

/**
 * The session data as read from the store carries its row's key: the app needs it to tell the
 * person's current session from their others (and `open` to tell a row's own data).
 */
export const STORE_KEY = "storeKey";
export const storeKeyOf = (session: SessionData): string | undefined =>
  typeof session[STORE_KEY] === "string" ? session[STORE_KEY] : undefined;

/** The row key of a session id: its SHA-256, so that the table alone cannot be turned into cookies. */
const rowKey = (id: string) => createHash("sha256").update(id).digest("base64url");

/** An IPv4 address to its /24, an IPv6 one to its /48: a person recognises it, nobody is located by it. */
export function truncateAddress(raw: string | undefined): string | null {
  const address = raw && bareAddress(raw);
  if (!address) return null;
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.\d+$/i.exec(address);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (!address.includes(":")) return null;
  const [head = ""] = address.split("::");
  const groups = head.split(":").filter(Boolean);
  return `${[...groups, "0", "0", "0"].slice(0, 3).join(":")}::/48`;
}

// Tokens at rest are encrypted like the cookie they replace: a copy of the table is no set of
// refresh tokens. The key is derived from AUTH0_SECRET apart from the cookie's (another HKDF info).
const DATA_KEY = new Uint8Array(hkdfSync("sha256", env.AUTH0_SECRET, "", "Showtrack session store", 32));

// Sealed with its own row's key inside: a sealed session copied into another row (by someone who can
// write to the database but does not hold AUTH0_SECRET) opens as no session.
async function seal(session: SessionData, key: string): Promise<string> {
  return new EncryptJWT({ ...session, [STORE_KEY]: key }).setProtectedHeader({ alg: "dir", enc: "A256GCM" }).encrypt(DATA_KEY);
}

/** The session sealed in a row, with the row's key (STORE_KEY); null when it is not that row's. */
async function open(sealed: string, key: string): Promise<SessionData | null> {
  try {
    const { payload } = await jwtDecrypt<SessionData>(sealed, DATA_KEY, { keyManagementAlgorithms: ["dir"], contentEncryptionAlgorithms: ["A256GCM"] });
    return payload[STORE_KEY] === key ? payload : null;
  } catch {
    return null; // sealed under another AUTH0_SECRET: as good as no session
  }
}

export interface SessionStoreOptions {
  inactivitySeconds: number;
  absoluteSeconds: number;
  now?: () => number;
}

/**
 * nextjs-auth0's session data store on PostgreSQL: one `Session` row per signed-in browser. A row
 * lives until the earlier of its inactivity and absolute expiry (recomputed at every write, as the
 * SDK rolls the cookie), and a row past it is no session, whatever cookie still names it. The job
 * worker purges expired rows (`purgeExpiredSessions`).
 */
export function createSessionStore(db: Db, { inactivitySeconds, absoluteSeconds, now = Date.now }: SessionStoreOptions) {
  const expiryOf = (session: SessionData) =>
    new Date(Math.min(now() + inactivitySeconds * 1000, (session.internal.createdAt + absoluteSeconds) * 1000));

  const store = {
    async get(id: string): Promise<SessionData | null> {
      const key = rowKey(id);
      // The hottest read of the app (every signed-in request): one statement past Prisma's query compiler.
      const [row] = await db.sql(SESSION_DATA, [key, new Date(now())]);
      return row ? open(row.data, key) : null;
    },

    async set(id: string, session: SessionData): Promise<void> {
      const key = rowKey(id);
      const device = currentDevice.getStore() ?? {};
      const seen = new Date(now());
      const fields = { data: await seal(session, key), lastSeenAt: seen, expiresAt: expiryOf(session), ...(device.ip && { ip: truncateAddress(device.ip) }) };
      const { count } = await db.session.updateMany({ where: { id: key }, data: fields });
      if (count > 0) return;
      // A new id: a sign-in (the SDK makes a new one at every sign-in, so no other request writes it).
      const created = await db.session.create({
        data: {
          id: key,
          sub: session.user.sub,
          sid: session.internal.sid || null,
          userAgent: device.userAgent?.slice(0, 512) ?? null,
          createdAt: new Date(session.internal.createdAt * 1000),
          ...fields,
        },
        select: { id: true, sub: true, userAgent: true, ip: true },
      });
      await device.onBegun?.({ ...created, sessionId: created.id, user: session.user });
    },

    /** Writes only a session that still exists: a roll racing a sign-out must not bring it back. */
    async update(id: string, session: SessionData): Promise<boolean> {
      const device = currentDevice.getStore() ?? {};
      const key = rowKey(id);
      const { count } = await db.session.updateMany({
        where: { id: key, expiresAt: { gt: new Date(now()) } },
        data: { data: await seal(session, key), lastSeenAt: new Date(now()), expiresAt: expiryOf(session), ...(device.ip && { ip: truncateAddress(device.ip) }) },
      });
      return count > 0;
    },

    async delete(id: string): Promise<void> {
      const { onEnded } = currentDevice.getStore() ?? {};
      const [ended] = await deleteSessions(db, { id: rowKey(id) });
      if (ended) await onEnded?.(ended);
    },

    /**
     * Back-channel logout: the provider's session `sid` ends the sessions begun in it; a token with
     * only `sub` ends every session of that person. Both, when given, must match.
     */
    async deleteByLogoutToken({ sub, sid }: LogoutToken): Promise<void> {
      if (!sub && !sid) return;
      await db.session.deleteMany({ where: { ...(sub && { sub }), ...(sid && { sid }) } });
    },
  } satisfies SessionDataStore;
  return store;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** The person's sessions, newest first, as the account page lists them. */
export async function sessionsOf(db: Db, sub: string, now = Date.now()) {
  return db.session.findMany({
    where: { sub, expiresAt: { gt: new Date(now) } },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
    select: { id: true, userAgent: true, ip: true, createdAt: true, lastSeenAt: true },
  });
}

/** Ends one of the person's sessions (by its row key), or all but `except`; those ended. */
export async function endSessions(db: Db, sub: string, which: { only: string } | { except?: string }): Promise<SessionMoment[]> {
  const id = "only" in which ? which.only : which.except && { not: which.except };
  return deleteSessions(db, { sub, ...(id && { id }) });
}

/** Deletes the sessions `where` names; those this call deleted (a concurrent end may take some). */
async function deleteSessions(db: Db, where: Prisma.SessionWhereInput): Promise<SessionMoment[]> {
  const rows = await db.session.findMany({ where, select: { id: true, sub: true, userAgent: true, ip: true } });
  if (rows.length === 0) return [];
  const { count } = await db.session.deleteMany({ where: { id: { in: rows.map((row) => row.id) } } });
  return count === rows.length ? rows.map((row) => ({ ...row, sessionId: row.id })) : [];
}

/** Whether the session a store read gave still exists (it may have been ended since). */
export async function stillStored(db: Db, session: SessionData): Promise<boolean> {
  const key = storeKeyOf(session);
  return key === undefined || (await db.session.count({ where: { id: key } })) > 0;
}

/** Ends the session a store read gave (by the row key it carries); nothing for a cookie-only one. */
export async function endStoredSession(db: Db, session: SessionData): Promise<void> {
  const key = storeKeyOf(session);
  if (key) await db.session.deleteMany({ where: { id: key } });
}

/**
 * Ends every session of the person and gives back what they held (their refresh tokens are then
 * revoked at the identity provider): one statement, so every row of theirs at that moment is both
 * deleted and given back.
 */
export async function takeSessionsOf(db: Db, sub: string): Promise<SessionData[]> {
  const rows = await db.sql(TAKE_SESSIONS, [sub]);
  const sessions = await Promise.all(rows.map((row) => open(row.data, row.id)));
  return sessions.filter((session): session is SessionData => session !== null);
}

/** Deletes the sessions past their expiry (the job worker's, every few minutes); how many. */
export async function purgeExpiredSessions(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { expiresAt: { lte: now } } });
  return count;
}
