import type { Loadable } from "~/components/account/AccountView";
import { LoadError, Loading } from "~/components/LoadError";
import { trpc, type RouterOutputs } from "~/utils/trpc";

const CHOICES = [
  { minutes: 15, label: "15 minutes before" },
  { minutes: 60, label: "1 hour before" },
  { minutes: 1440, label: "1 day before" },
  { minutes: null, label: "Off" },
] as const;

/**
 * When episode reminders come (in the app and by email), for every show followed with reminders on.
 * `lead` is the me.reminders query on /account, or the benchmark twin's own read.
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
          onChange={(event) => setLead.mutate({ minutes: event.target.value === "off" ? null : (Number(event.target.value) as 15 | 60 | 1440) })}
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
