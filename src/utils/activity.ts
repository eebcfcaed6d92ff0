import { formatCard, formatDate } from "~/utils/format";

/** An audit event as the API returns it (src/server/domain/audit.ts, toActivity). */
export type ActivityEvent =
  | { action: "follow" | "unfollow" | "notify_on" | "notify_off"; details: { showTitle: string } }
  | { action: "plan_change" | "plan_change_canceled"; details: { from: string; to: string } }
  | { action: "plan_change_scheduled"; details: { from: string; to: string; on: string } }
  | { action: "card_change"; details: { brand: string; last4: string } }
  | { action: "token_created" | "token_revoked"; details: { name: string } }
  | { action: "session_signed_in" | "session_ended"; details: { browser: string; os: string } };

/**
 * What a person did, in words: /account's recent activity and the readable part of the data export.
 * `channel` null: the app's own doing, or its operators' (a token revoked for someone who leaves).
 */
export function describeActivity(event: ActivityEvent & { channel: string | null }): string {
  switch (event.action) {
    case "follow":
      return `You followed ${event.details.showTitle}`;
    case "unfollow":
      return `You unfollowed ${event.details.showTitle}`;
    case "notify_on":
      return `You turned on reminders for ${event.details.showTitle}`;
    case "notify_off":
      return `You turned off reminders for ${event.details.showTitle}`;
    case "plan_change":
      return `You switched from the ${event.details.from} plan to ${event.details.to}`;
    case "plan_change_scheduled":
      return `You chose to switch from the ${event.details.from} plan to ${event.details.to} on ${formatDate(event.details.on)}`;
    case "plan_change_canceled":
      return `You canceled the switch to the ${event.details.to} plan`;
    case "card_change":
      return `You added a card: ${formatCard(event.details)}`;
    case "token_created":
      return `You created the API token '${event.details.name}'`;
    case "token_revoked":
      return event.channel === null ? `Your API token '${event.details.name}' was revoked by Showtrack's administrators` : `You revoked the API token '${event.details.name}'`;
    case "session_signed_in":
      return `You signed in on ${event.details.browser} on ${event.details.os}`;
    case "session_ended":
      return `You signed out ${event.details.browser} on ${event.details.os}`;
  }
}
