// The /account twin (SHOWTRACK_BENCH=1 builds only): the same view, fed by a getServerSideProps
// that reads with Prisma by hand instead of prefetching through tRPC.
import type { GetServerSideProps } from "next";
import { createElement } from "react";
import { AccountView, loaded, RECENT_ACTIVITY } from "~/components/account/AccountView";
import { ReminderLead } from "~/components/account/ReminderLead";
import { SignedInSessions } from "~/components/account/SignedInSessions";
import { accountByPrisma } from "~/bench/hand-written";

type AccountTwinProps = NonNullable<Awaited<ReturnType<typeof accountByPrisma>>>;

export const getServerSideProps: GetServerSideProps<AccountTwinProps> = async ({ req }) => {
  const props = await accountByPrisma(req, RECENT_ACTIVITY.limit);
  return props ? { props } : { redirect: { destination: "/auth/login", permanent: false } };
};

export default function AccountTwin({ profile, billing, subscriptions, activity, scopes, sessions, reminders }: AccountTwinProps) {
  return createElement(AccountView, {
    profile: loaded(profile),
    billing: loaded(billing),
    subscriptions: loaded(subscriptions),
    activity: loaded(activity),
    scopes,
    sessions: createElement(SignedInSessions, { list: loaded(sessions) }),
    reminderLead: scopes.includes("read:shows") ? createElement(ReminderLead, { lead: loaded(reminders), readOnly: !scopes.includes("write:shows") }) : null,
  });
}
