import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import { AccountView, FOLLOWS_PAGES, RECENT_ACTIVITY } from "~/components/account/AccountView";
import { ReminderLead } from "~/components/account/ReminderLead";
import { SignedInSessions } from "~/components/account/SignedInSessions";
import { ApiTokens } from "~/components/account/ApiTokens";
import { createSsr, loginRedirect, type SsrProps } from "~/server/faces/ssr";
import { trpc } from "~/utils/trpc";

// The "user on the backend" page: everything is fetched on the server, so the HTML sent to the
// browser already holds the person's shows and plan.
export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  if (!ssr.session) return loginRedirect(context);
  const { scopes } = ssr.props();
  await Promise.all([
    ssr.helpers.me.profile.prefetch(),
    ssr.helpers.subscriptions.list.prefetchInfinite(FOLLOWS_PAGES),
    ssr.helpers.billing.info.prefetch(),
    ssr.helpers.me.activity.prefetch(RECENT_ACTIVITY),
    ssr.helpers.sessions.list.prefetch(),
    ssr.helpers.tokens.list.prefetch(),
    scopes.includes("read:shows") ? ssr.helpers.me.reminders.prefetch() : null,
  ]);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

export default function AccountPage({ scopes }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  // The queries live here and the markup in the view (which takes any data shaped as a query's):
  // refetches, invalidations and optimistic updates re-render it.
  const profile = trpc.me.profile.useQuery();
  const billing = trpc.billing.info.useQuery();
  const subscriptions = trpc.subscriptions.list.useInfiniteQuery(FOLLOWS_PAGES, { getNextPageParam: (page) => page.nextCursor });
  const activity = trpc.me.activity.useQuery(RECENT_ACTIVITY);
  const sessions = trpc.sessions.list.useQuery();
  const tokens = trpc.tokens.list.useQuery();
  const reminders = trpc.me.reminders.useQuery(undefined, { enabled: scopes.includes("read:shows") });
  return (
    <AccountView
      profile={profile}
      billing={billing}
      subscriptions={subscriptions}
      activity={activity}
      scopes={scopes}
      sessions={
        <>
          <SignedInSessions list={sessions} />
          <ApiTokens list={tokens} held={scopes} />
        </>
      }
      reminderLead={scopes.includes("read:shows") ? <ReminderLead lead={reminders} readOnly={!scopes.includes("write:shows")} /> : null}
    />
  );
}
