import type { Loadable } from "~/components/account/AccountView";
import { LoadError, Loading } from "~/components/LoadError";
import { REMINDER_LEADS, type ReminderLead } from "~/utils/reminders";
import { trpc, type RouterOutputs } from "~/utils/trpc";

const LABELS: Record<ReminderLead, string> = { 15: "15 minutes before", 60: "1 hour before", 1440: "1 day before" };
const CHOICES = [...REMINDER_LEADS.map((minutes) => ({ minutes, label: LABELS[minutes] })), { minutes: null, label: "Off" }];

/**
 * When episode reminders come (in the app and by email), for every show followed with reminders on.
 * `lead` is the me.reminders query on /account.
 */
export function ReminderLead({ lead, readOnly }: { lead: Loadable<RouterOutputs["me"]["reminders"]>; readOnly: boolean }) {
  const utils = trpc.useUtils();
  const setLead = trpc.me.setReminderLead.useMutation({ onSuccess: (data) => utils.me.reminders.setData(undefined, data) });
  if (lead.isError) return <LoadError what="Your reminder setting" query={lead} />;
  if (!lead.data) return <Loading what="your reminder setting" />;
  const current = lead.data.leadMinutes;
  return (
    <p id="reminder-lead">
      <label>
        Episode reminders come{" "}
        <select
          value={current === null ? "off" : String(current)}
          disabled={readOnly || setLead.isPending}
          onChange={(event) => setLead.mutate({ minutes: REMINDER_LEADS.find((minutes) => String(minutes) === event.target.value) ?? null })}
        >
          {CHOICES.map((choice) => (
            <option key={choice.label} value={choice.minutes === null ? "off" : String(choice.minutes)}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>{" "}
      <span className="muted">an episode airs, in the app (the bell) and by email.</span>
    </p>
  );
}
