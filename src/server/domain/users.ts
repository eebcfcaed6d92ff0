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
  name: true,
  picture: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

type DbUser = Prisma.UserGetPayload<{ select: typeof userSelect }>;
/** What a request says of its person: the ID token's profile (sessions), the permissions (sessions and their bearer tokens). */
type Profile = Partial<Pick<DbUser, "email" | "emailVerified" | "name" | "picture" | "permissions">>;

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
 * The database user for a caller (just-in-time provisioning). A session's ID token claims refresh
 * the profile, and the person's own requests (a session, or an access token of theirs) their
 * permissions; written only when they changed: most requests read nothing at all (a user seen in the
 * last minute), or one row. Bearer callers carry no profile claims, so theirs is left as it is.
 * Null when there is no user and `mayCreate` refuses one.
 */
export async function provisionUser(
  db: Db,
  sub: string,
  claims?: SessionUser,
  { mayCreate, permissions }: { mayCreate?: () => Promise<boolean>; permissions?: string[] } = {},
): Promise<DbUser | null> {
  const profile: Profile = {
    ...(claims && {
      email: claims.email ?? null,
      emailVerified: claims.email !== undefined && claims.email_verified === true,
      name: claims.name ?? null,
      picture: claims.picture ?? null,
    }),
    ...(permissions && { permissions: [...permissions].sort() }),
  };
  const recent = recentUsersOf(db);
  const known = recent.get(sub);
  if (known && !profileChanged(known, profile)) return known;
  const user = await findOrCreateUser(db, sub, profile, mayCreate);
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
async function findOrCreateUser(db: Db, sub: string, profile: Profile, mayCreate?: () => Promise<boolean>): Promise<DbUser | null> {
  const where = { auth0Sub: sub };
  const existing = await db.user.findUnique({ where, select: userSelect });
  if (!existing) {
    if (mayCreate && !(await mayCreate())) return null;
    try {
      return await db.user.create({ data: { ...where, ...profile }, select: userSelect });
    } catch (error) {
      // A concurrent first request created it: use theirs.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
        return db.user.findUniqueOrThrow({ where, select: userSelect });
      }
      throw error;
    }
  }
  return profileChanged(existing, profile) ? db.user.update({ where, data: profile, select: userSelect }) : existing;
}
