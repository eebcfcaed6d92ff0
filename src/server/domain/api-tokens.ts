// Personal access tokens: a person on a plan with API access makes one for a script, with a name, some
// of their permissions and an expiry; the API takes it as a bearer credential (src/server/context.ts).
//
// The token is 32 random bytes (256 bits) and is stored only as its SHA-256. A slow password hash
// (bcrypt, scrypt, Argon2) makes guessing a low-entropy password from its hash expensive; a
// 256-bit random secret cannot be guessed from its hash at any speed, so a fast hash loses nothing
// and lets a presented token be found by an index. That lookup is also why checking a token does not
// depend on its secret bytes: the database compares hashes, never the secret, and an attacker who
// times it learns at most how much of a hash of their own guess matches a stored hash, which tells
// them nothing about any token's bytes (finding an input whose SHA-256 shares a long prefix with a
// stored hash is a preimage search). docs/security.md says the same.
import { createHash, randomBytes } from "node:crypto";
import type { Prisma } from "~/generated/prisma/client";
import { recordEvent, type Actor } from "~/server/domain/audit";
import { InvalidRequest, NotAllowed } from "~/server/domain/errors";
import { isDowngradeDue, isLapsed } from "~/server/domain/billing";
import { sqlIn, type Db } from "~/server/platform/db";
import { LOCK_ACCOUNT_ROW } from "~/server/platform/statements";
import { isApiScope, type ApiScope } from "~/utils/scopes";
import { API_TOKEN_PREFIX, MAX_API_TOKEN_DAYS } from "~/utils/api-tokens";
import { FREE_TIER_ID } from "~/utils/tiers";

const DAY_MS = 86_400_000;
/** How much of a token its list shows: the fixed prefix and 8 characters of the secret (48 of its 256 bits). */
const SHOWN_LENGTH = API_TOKEN_PREFIX.length + 8;
/** "Last used" is written at most once a minute per token: a busy script costs no write per call. */
const LAST_USED_GRANULARITY_MS = 60_000;

export const isPersonalToken = (token: string) => token.startsWith(API_TOKEN_PREFIX);

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

interface PlanOfAccount {
  tierId: string;
  priceCents: number;
  pendingTierId: string | null;
  currentPeriodEnd: Date;
}

/**
 * The rule, in one place: personal tokens work while the person's plan includes API access — any
 * paid plan whose period is paid for (a lapsed one keeps only Free's rights, as its cap does), and
 * not once a downgrade to Free has come, whether or not the account row has been moved to it yet.
 * Read at every request, so a downgrade stops tokens at once and an upgrade brings them back.
 */
export function planAllowsTokens(account: PlanOfAccount | null, now: Date): boolean {
  if (account === null) return false;
  const tierId = isDowngradeDue(account, now) ? account.pendingTierId : account.tierId;
  return tierId !== FREE_TIER_ID && !isLapsed(account, now);
}

const NO_API_ACCESS =
  "Your plan does not include API access: personal access tokens work on the Developer and Enterprise plans. Upgrade on /pricing and your tokens work again.";

/**
 * The other rule, in one place: a token carries its person's permissions only while the identity
 * provider confirmed them lately, i.e. while the person made a request of their own (a session, an
 * access token of theirs) in the last `maxAgeSeconds`. The app learns what a person holds only from
 * their own tokens; without this, someone whose role was taken away (or who was blocked) at the
 * identity provider, and who never signs in again, would keep their tokens' permissions until the
 * tokens expire. Null: never confirmed since the app began recording when.
 */
export function permissionsConfirmedUntil(permissionsAt: Date | null, maxAgeSeconds: number): Date | null {
  return permissionsAt && new Date(permissionsAt.getTime() + maxAgeSeconds * 1000);
}

const PERMISSIONS_UNCONFIRMED =
  "Your personal access tokens need you to sign in to Showtrack now and then: it has not seen you signed in lately, so it cannot tell what you may still do. Sign in to Showtrack and your tokens work again.";

const accountPlanSelect = {
  tierId: true,
  pendingTierId: true,
  currentPeriodEnd: true,
  tier: { select: { priceCents: true } },
} satisfies Prisma.BillingAccountSelect;

type AccountPlanRow = Prisma.BillingAccountGetPayload<{ select: typeof accountPlanSelect }>;
const planOf = (row: AccountPlanRow | null): PlanOfAccount | null => row && { ...row, priceCents: row.tier.priceCents };

export const tokenListSelect = { id: true, name: true, prefix: true, scopes: true, createdAt: true, expiresAt: true, lastUsedAt: true } satisfies Prisma.ApiTokenSelect;

const toListed = (row: Prisma.ApiTokenGetPayload<{ select: typeof tokenListSelect }>) => ({
  ...row,
  scopes: row.scopes.filter(isApiScope),
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
});

/**
 * The person's tokens, newest first (expired ones too, until revoked), whether their plan lets them
 * use (and make) any now, and until when they work unless the person signs in again
 * (`permissionsConfirmedUntil`, with `permissionsMaxAgeSeconds`): one statement.
 */
export async function listTokens(db: Db, userId: string, { permissionsMaxAgeSeconds, now = new Date() }: { permissionsMaxAgeSeconds: number; now?: Date }) {
  const { apiTokens, billingAccount, permissionsAt } = await db.user.findUniqueOrThrow({
    where: { id: userId },
    select: {
      apiTokens: { orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: tokenListSelect },
      billingAccount: { select: accountPlanSelect },
      permissionsAt: true,
    },
  });
  return {
    allowed: planAllowsTokens(planOf(billingAccount), now),
    signInBy: permissionsConfirmedUntil(permissionsAt, permissionsMaxAgeSeconds)?.toISOString() ?? null,
    tokens: apiTokens.map(toListed),
  };
}

/** How many tokens one person may hold at once. */
export const MAX_TOKENS_PER_PERSON = 25;

export interface NewToken {
  name: string;
  scopes: ApiScope[];
  expiresInDays: number;
}

/**
 * Makes a token for the person: refused on a plan without API access, with permissions they do not
 * hold (`held`), or beyond a year. The token is returned this once; only its hash is kept.
 */
export async function createToken(db: Db, actor: Actor, held: readonly ApiScope[], input: NewToken, now = new Date()) {
  const missing = input.scopes.find((scope) => !held.includes(scope));
  if (missing) throw new NotAllowed(`You do not hold the ${missing} permission, so a token of yours cannot have it.`);
  if (input.expiresInDays > MAX_API_TOKEN_DAYS) throw new InvalidRequest(`A token lasts at most ${MAX_API_TOKEN_DAYS} days.`);
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const row = await db.$transaction(async (tx) => {
    // The account row's lock first, as a plan change or the account's deletion takes it: two tokens
    // made at once are counted one after the other, and neither passes the bound unseen.
    await sqlIn(tx)(LOCK_ACCOUNT_ROW, [actor.userId]);
    const account = await tx.billingAccount.findUnique({ where: { userId: actor.userId }, select: accountPlanSelect });
    if (!planAllowsTokens(planOf(account), now)) throw new NotAllowed(NO_API_ACCESS);
    // Each token has a rate-limit budget of its own: without a bound, more tokens would be more budget.
    if ((await tx.apiToken.count({ where: { userId: actor.userId } })) >= MAX_TOKENS_PER_PERSON) {
      throw new InvalidRequest(`You have ${MAX_TOKENS_PER_PERSON} tokens, the most one person may have. Revoke one you no longer use first.`);
    }
    const created = await tx.apiToken.create({
      data: {
        userId: actor.userId,
        name: input.name,
        prefix: token.slice(0, SHOWN_LENGTH),
        hash: hashOf(token),
        scopes: [...new Set(input.scopes)],
        createdAt: now,
        expiresAt: new Date(now.getTime() + input.expiresInDays * DAY_MS),
      },
      select: tokenListSelect,
    });
    await recordEvent(tx, actor, { action: "token_created", target: created.id, details: { name: created.name, scopes: created.scopes } });
    return created;
  });
  return { token, ...toListed(row) };
}

/** Deletes a token and records its revocation, unless it was gone already; whether it was there. */
async function revokeIn(tx: Prisma.TransactionClient, actor: Actor, token: { id: string; name: string }): Promise<boolean> {
  const { count } = await tx.apiToken.deleteMany({ where: { id: token.id } });
  if (count > 0) await recordEvent(tx, actor, { action: "token_revoked", target: token.id, details: { name: token.name } });
  return count > 0;
}

/**
 * Revokes one of the person's tokens: it is deleted, and refused on its next request on every
 * instance. Revoking one that is gone already changes nothing; whether this call revoked it.
 */
export async function revokeToken(db: Db, actor: Actor, id: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const [token] = await tx.apiToken.findMany({ where: { id, userId: actor.userId }, select: { id: true, name: true } });
    return token ? revokeIn(tx, actor, token) : false;
  });
}

/**
 * Revokes every token of the person whose identity provider id is `sub`, at once (an operator's
 * command for someone who leaves: scripts/revoke-tokens.ts), each recorded as its revocation on
 * /account is, in no channel (not the person's doing), with `by` (who ran it) as the event's request
 * id: the operators' record, which the person's activity does not show. The names of the tokens
 * revoked; null: no such person.
 */
export async function revokeAllTokens(db: Db, sub: string, by: string): Promise<string[] | null> {
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { auth0Sub: sub }, select: { id: true } });
    if (!user) return null;
    // The account row's lock, which making a token takes: none is made meanwhile and left behind.
    await sqlIn(tx)(LOCK_ACCOUNT_ROW, [user.id]);
    const tokens = await tx.apiToken.findMany({ where: { userId: user.id }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: { id: true, name: true } });
    const revoked: string[] = [];
    for (const token of tokens) if (await revokeIn(tx, { userId: user.id, requestId: by }, token)) revoked.push(token.name);
    return revoked;
  });
}

export type TokenCheck =
  | { ok: true; sub: string; scopes: ApiScope[]; token: { id: string; name: string } }
  | { ok: false; reason: "unknown_token" | "expired"; message: string }
  | { ok: false; reason: "plan_without_api_access" | "permissions_unconfirmed"; message: string };

/**
 * Who a presented token speaks for, read from the database at every request (nothing is cached:
 * a revoked token, or one whose account was deleted, is refused by every instance at once).
 * `permissionsMaxAgeSeconds`: how long the person's permissions count after their last own request.
 */
export async function checkToken(db: Db, token: string, { permissionsMaxAgeSeconds, now = new Date() }: { permissionsMaxAgeSeconds: number; now?: Date }): Promise<TokenCheck> {
  const row = await db.apiToken.findUnique({
    where: { hash: hashOf(token) },
    select: {
      id: true,
      name: true,
      scopes: true,
      expiresAt: true,
      lastUsedAt: true,
      user: { select: { auth0Sub: true, permissions: true, permissionsAt: true, billingAccount: { select: accountPlanSelect } } },
    },
  });
  if (!row) return { ok: false, reason: "unknown_token", message: "The access token is invalid or expired." };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", message: "The access token is invalid or expired." };
  if (!planAllowsTokens(planOf(row.user.billingAccount), now)) return { ok: false, reason: "plan_without_api_access", message: NO_API_ACCESS };
  const confirmedUntil = permissionsConfirmedUntil(row.user.permissionsAt, permissionsMaxAgeSeconds);
  if (!confirmedUntil || confirmedUntil.getTime() <= now.getTime()) return { ok: false, reason: "permissions_unconfirmed", message: PERMISSIONS_UNCONFIRMED };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS) {
    await db.apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  // Never more than the person holds now: a permission taken from them (a role removed) leaves their tokens too.
  const scopes = row.scopes.filter(isApiScope).filter((scope) => row.user.permissions.includes(scope));
  return { ok: true, sub: row.user.auth0Sub, scopes, token: { id: row.id, name: row.name } };
}
