// The /account twin: the same view, fed by a getServerSideProps that reads with Prisma by hand
// instead of prefetching through tRPC.
import type { GetServerSideProps } from "next";
import { AccountView, RECENT_ACTIVITY, type Loadable } from "~/components/account/AccountView";
import { ApiTokens } from "~/components/account/ApiTokens";
import { ReminderLead } from "~/components/account/ReminderLead";
import { SignedInSessions } from "~/components/account/SignedInSessions";
import { accountByPrisma } from "../../bench/hand-written";

type AccountTwinProps = NonNullable<Awaited<ReturnType<typeof accountByPrisma>>>;

/** Data that came with the page, as the view takes a query's result. */
function loaded<T>(data: T): Loadable<T> {
  return { data, isError: false, error: null, isFetching: false, refetch: () => undefined };
}

export const getServerSideProps: GetServerSideProps<AccountTwinProps> = async ({ req }) => {
  const props = await accountByPrisma(req, RECENT_ACTIVITY.limit);
  return props ? { props } : { redirect: { destination: "/auth/login", permanent: false } };
};

export default function AccountTwin({ profile, billing, subscriptions, activity, scopes, sessions, tokens, reminders }: AccountTwinProps) {
  return (
    <AccountView
      profile={loaded(profile)}
      billing={loaded(billing)}
      subscriptions={{ ...loaded({ pages: [subscriptions] }), hasNextPage: subscriptions.nextCursor !== null, isFetchingNextPage: false, fetchNextPage: () => undefined }}
      activity={loaded(activity)}
      scopes={scopes}
      sessions={
        <>
          <SignedInSessions list={loaded(sessions)} />
          <ApiTokens list={loaded(tokens)} held={scopes} />
        </>
      }
      reminderLead={scopes.includes("read:shows") ? <ReminderLead lead={loaded(reminders)} readOnly={!scopes.includes("write:shows")} /> : null}
    />
  );
}
