import type { User as SessionUser } from "@auth0/nextjs-auth0/types";
import { Prisma } from "~/generated/prisma/client";
import type { Db } from "~/server/platform/db";

const userSelect = {
  id: true,
  auth0Sub: true,
  email: true,
  name: true,
  picture: true,
  createdAt: true,
} satisfies Prisma.UserSelect;

type DbUser = Prisma.UserGetPayload<{ select: typeof userSelect }>;

/**
 * The database user for a caller (just-in-time provisioning). A session's ID token claims refresh
 * the profile, written only when they changed: most requests are a single read. Bearer callers
 * carry no profile claims, so theirs is left as it is.
 */
export async function provisionUser(db: Db, sub: string, claims?: SessionUser): Promise<DbUser> {
  const profile = claims && { email: claims.email ?? null, name: claims.name ?? null, picture: claims.picture ?? null };
  const where = { auth0Sub: sub };
  const existing = await db.user.findUnique({ where, select: userSelect });
  if (!existing) {
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
  const changed = profile && (Object.keys(profile) as (keyof typeof profile)[]).some((key) => existing[key] !== profile[key]);
  return changed ? db.user.update({ where, data: profile, select: userSelect }) : existing;
}
