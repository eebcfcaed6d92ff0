import type { User as SessionUser } from "@auth0/nextjs-auth0/types";
import { LRUCache } from "lru-cache";
import { Prisma } from "~/generated/prisma/client";
import { sqlIn, type Db } from "~/server/platform/db";
import { LOCK_ACCOUNT_ROW } from "~/server/platform/statements";

const userSelect = {
  id: true,
  auth0Sub: true,
  email: true,
  emailVerified: true,
  permissions: true,
  permissionsAt: true,
  name: true,
  picture: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

type DbUser = Prisma.UserGetPayload<{ select: typeof userSelect }>;
/** What a session's ID token says of its person. */
type Profile = Partial<Pick<DbUser, "email" | "emailVerified" | "name" | "picture">>;

/** The permissions an access token of the person's own carries, and when it was issued (its `iat`). */
export interface HeldPermissions {
  scopes: string[];
  issuedAt: Date;
}

// Users provisioned in the last minute, by database client and sub: a signed-in call then costs no
// user lookup, only its own statement. A user deleted by another instance may keep their id here for
// up to USER_CACHE_MS: their reads find nothing and their writes fail on the foreign key (a 409).
const USER_CACHE_MS = 60_000;
const recentUsers = new WeakMap<Db, LRUCache<string, DbUser>>();

function recentUsersOf(db: Db): LRUCache<string, DbUser> {
  let cache = recentUsers.get(db);
  if (!cache) recentUsers.set(db, (cache = new LRUCache({ max: 10_000, ttl: USER_CACHE_MS })));
  return cache;
}

const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a.join(" ") === b.join(" ") : a === b);
const profileChanged = (user: DbUser, profile: Profile) => (Object.keys(profile) as (keyof Profile)[]).some((key) => !same(user[key], profile[key]));
/**
 * Whether `held` is news: from a token issued after the one the stored permissions came from. An
 * older token (an earlier session's, a browser app's still in date) says what the person held
 * then, which may be more than now: it never writes.
 */
const newerPermissions = (user: DbUser, held: HeldPermissions | undefined): held is HeldPermissions =>
  held !== undefined && (user.permissionsAt === null || user.permissionsAt.getTime() < held.issuedAt.getTime());

/**
 * The database user for a caller (just-in-time provisioning). A session's ID token claims refresh
 * the profile, written only when it changed; the person's own requests (a session, or an access
 * token of theirs) bring their `permissions`, written with the token's issue time when that token is
 * newer than the one they were last learned from. Most requests read nothing at all (a user seen in
 * the last minute, with the same access token), or one row. Bearer callers carry no profile claims,
 * so theirs is left as it is. Null when there is no user and `mayCreate` refuses one.
 */
export async function provisionUser(
  db: Db,
  sub: string,
  claims?: SessionUser,
  { mayCreate, permissions }: { mayCreate?: () => Promise<boolean>; permissions?: HeldPermissions } = {},
): Promise<DbUser | null> {
  const profile: Profile = {
    ...(claims && {
      email: claims.email ?? null,
      emailVerified: claims.email !== undefined && claims.email_verified === true,
      name: claims.name ?? null,
      picture: claims.picture ?? null,
    }),
  };
  const held = permissions && { scopes: [...permissions.scopes].sort(), issuedAt: permissions.issuedAt };
  const recent = recentUsersOf(db);
  const known = recent.get(sub);
  if (known && !profileChanged(known, profile) && !newerPermissions(known, held)) return known;
  const user = await findOrCreateUser(db, sub, profile, held, mayCreate);
  if (user) recent.set(sub, user);
  return user;
}

/** Deletes a user (their rows cascade) and forgets them here, so that signing in again provisions afresh. */
export async function deleteUser(db: Db, user: Pick<DbUser, "id" | "auth0Sub">): Promise<void> {
  await db.$transaction(async (tx) => {
    // The account row first, the lock every follow and plan change takes first (entitlements.ts): the
    // delete waits for one in flight instead of deadlocking with it over the user row.
    await sqlIn(tx)(LOCK_ACCOUNT_ROW, [user.id]);
    await tx.user.delete({ where: { id: user.id }, select: { id: true } });
  });
  recentUsersOf(db).delete(user.auth0Sub);
}

/**
 * `mayCreate`, asked only when there is no user yet, says whether the caller may still have one made:
 * a request that read its session just before the account was deleted (and its sessions ended) must
 * not bring the account back.
 */
async function findOrCreateUser(db: Db, sub: string, profile: Profile, held: HeldPermissions | undefined, mayCreate?: () => Promise<boolean>): Promise<DbUser | null> {
  const where = { auth0Sub: sub };
  let user = await db.user.findUnique({ where, select: userSelect });
  if (!user) {
    if (mayCreate && !(await mayCreate())) return null;
    try {
      return await db.user.create({ data: { ...where, ...profile, ...(held && { permissions: held.scopes, permissionsAt: held.issuedAt }) }, select: userSelect });
    } catch (error) {
      // A concurrent first request created it: use theirs (and what ours says, if newer).
      if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
      user = await db.user.findUniqueOrThrow({ where, select: userSelect });
    }
  }
  if (profileChanged(user, profile)) user = await db.user.update({ where, data: profile, select: userSelect });
  if (!newerPermissions(user, held)) return user;
  // One conditional statement: of two requests at once, an older token's never overwrites a newer
  // one's, whichever runs last.
  await db.user.updateMany({
    where: { ...where, OR: [{ permissionsAt: null }, { permissionsAt: { lt: held.issuedAt } }] },
    data: { permissions: held.scopes, permissionsAt: held.issuedAt },
  });
  return db.user.findUnique({ where, select: userSelect });
}
