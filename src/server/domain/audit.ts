// The audit trail: every successful mutation records who did what, in its own transaction (a
// mutation that fails or rolls back records nothing), and people can read their own events back.
import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import type { AuditAction, AuditChannel } from "~/generated/prisma/enums";
import { describeDevice } from "~/server/domain/sessions";
import type { Auth } from "~/server/platform/auth";
import { env } from "~/server/platform/env";
import { storeKeyOf, truncateAddress, type SessionMoment } from "~/server/platform/session-store";
import { provisionUser } from "~/server/domain/users";
import type { Db } from "~/server/platform/db";
import type { RequestInfo } from "~/server/platform/request";
import type { ApiScope } from "~/utils/scopes";
import type { SessionData } from "@auth0/nextjs-auth0/types";

const showDetails = z.object({ showTitle: z.string() });
const planDetails = z.object({ from: z.string(), to: z.string() });
/** A downgrade set for the end of the period: from the plan one is on, to the one that comes `on` that day. */
const scheduledPlanDetails = planDetails.extend({ on: z.iso.datetime() });
const cardDetails = z.object({ brand: z.string(), last4: z.string() });
const tokenDetails = z.object({ name: z.string(), scopes: z.array(z.string()).optional() });
/** A web session's browser and system ("Firefox 128", "Linux"). */
const sessionDetails = z.object({ browser: z.string(), os: z.string() });

/**
 * What each action records, and which permission lets one read it back; `session`: only the person
 * in the app's own pages (their tokens and sign-ins are none of a token's business).
 */
const ACTIONS = {
  follow: { details: showDetails, readScope: "read:shows" },
  unfollow: { details: showDetails, readScope: "read:shows" },
  notify_on: { details: showDetails, readScope: "read:shows" },
  notify_off: { details: showDetails, readScope: "read:shows" },
  plan_change: { details: planDetails, readScope: "read:billing" },
  plan_change_scheduled: { details: scheduledPlanDetails, readScope: "read:billing" },
  // `to` is the downgrade that no longer comes.
  plan_change_canceled: { details: planDetails, readScope: "read:billing" },
  card_change: { details: cardDetails, readScope: "read:billing" },
  token_created: { details: tokenDetails, readScope: "session" },
  token_revoked: { details: tokenDetails, readScope: "session" },
  session_signed_in: { details: sessionDetails, readScope: "session" },
  session_ended: { details: sessionDetails, readScope: "session" },
} satisfies Record<AuditAction, { details: z.ZodType; readScope: ApiScope | "session" }>;

type Details<A extends AuditAction> = z.infer<(typeof ACTIONS)[A]["details"]>;

/**
 * How a change came: the channel, and which one of it (`via`: a web session's browser and system, a
 * token's name, a client's id), the web session's store id, and the truncated address.
 */
export interface Channel {
  channel: AuditChannel;
  via: string | null;
  sessionId?: string | null;
  ip?: string | null;
}

export interface Actor {
  userId: string;
  requestId?: string | null;
  /** None for what the app does by itself (a downgrade on its date, a renewal). */
  channel?: Channel;
}

const deviceName = (userAgent: string | null | undefined) => {
  const { browser, os } = describeDevice(userAgent);
  return `${browser} on ${os}`;
};

/** The channel of a call from its credentials and its HTTP request. */
export function channelOf(auth: Auth, session: SessionData | null, request: RequestInfo | null): Channel {
  const ip = truncateAddress(request?.ip);
  switch (auth.via) {
    case "session":
      return { channel: "web", via: deviceName(request?.userAgent), sessionId: session ? (storeKeyOf(session) ?? null) : null, ip };
    case "token":
      return { channel: "token", via: auth.token.name, ip };
    case "bearer":
      return auth.clientId === env.AUTH0_SPA_CLIENT_ID ? { channel: "browser_app", via: null, ip } : { channel: "api_client", via: auth.clientId, ip };
  }
}

/** The actor of a protected procedure's call: its user, the request it came in, and how. */
export const actorOf = (ctx: { user: { id: string }; auth: Auth; session: SessionData | null; request: RequestInfo | null }): Actor => ({
  userId: ctx.user.id,
  requestId: ctx.request?.id,
  channel: channelOf(ctx.auth, ctx.session, ctx.request),
});

export async function recordEvent<A extends AuditAction>(
  tx: Prisma.TransactionClient,
  actor: Actor,
  event: { action: A; target: string; details: Details<A> },
): Promise<void> {
  await tx.auditEvent.create({
    data: {
      userId: actor.userId,
      requestId: actor.requestId ?? null,
      action: event.action,
      target: event.target,
      details: event.details,
      channel: actor.channel?.channel ?? null,
      via: actor.channel?.via ?? null,
      sessionId: actor.channel?.sessionId ?? null,
      ip: actor.channel?.ip ?? null,
    },
  });
}

/**
 * A web session began (a sign-in) or ended (signed out, here or on /account): an event of the
 * person's, in that session's channel unless another caller ended it (`by`). A sign-in provisions
 * the person, as their first request would.
 */
export async function recordSessionMoment(db: Db, action: "session_signed_in" | "session_ended", session: SessionMoment, by?: Actor): Promise<void> {
  const user = await provisionUser(db, session.sub, session.user);
  if (!user) return;
  const ownChannel: Channel = { channel: "web", via: deviceName(session.userAgent), sessionId: session.sessionId, ip: session.ip };
  const actor = by ?? { userId: user.id, channel: ownChannel };
  await db.$transaction((tx) => recordEvent(tx, actor, { action, target: session.sessionId, details: describeDevice(session.userAgent) }));
}

/** The actions whose events a caller may read: by the permissions it holds, and those of the session only in the app's pages. */
export function readableActions(auth: Pick<Auth, "scopes" | "via">): AuditAction[] {
  return (Object.keys(ACTIONS) as AuditAction[]).filter((action) => {
    const { readScope } = ACTIONS[action];
    return readScope === "session" ? auth.via === "session" : auth.scopes.includes(readScope);
  });
}

export const auditEventSelect = { id: true, action: true, target: true, details: true, createdAt: true, channel: true, via: true, sessionId: true, ip: true } satisfies Prisma.AuditEventSelect;

/** An event as it leaves the server, its details checked against what the action records. */
export function toActivity({ details, createdAt, ...row }: Prisma.AuditEventGetPayload<{ select: typeof auditEventSelect }>) {
  const event = { ...row, createdAt: createdAt.toISOString() };
  switch (event.action) {
    case "token_created":
    case "token_revoked":
      return { ...event, action: event.action, details: tokenDetails.parse(details) };
    case "session_signed_in":
    case "session_ended":
      return { ...event, action: event.action, details: sessionDetails.parse(details) };
    case "plan_change":
    case "plan_change_canceled":
      return { ...event, action: event.action, details: planDetails.parse(details) };
    case "plan_change_scheduled":
      return { ...event, action: event.action, details: scheduledPlanDetails.parse(details) };
    case "card_change":
      return { ...event, action: event.action, details: cardDetails.parse(details) };
    default:
      return { ...event, action: event.action, details: showDetails.parse(details) };
  }
}
