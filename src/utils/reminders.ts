/** The lead times a person may choose for episode reminders (minutes); null turns them off. */
export const REMINDER_LEADS = [15, 60, 1440] as const;

export type ReminderLead = (typeof REMINDER_LEADS)[number];
