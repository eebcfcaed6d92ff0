import type { GetServerSideProps } from "next";
import Head from "next/head";
import { Link } from "~/components/Link";
import { AirTime } from "~/components/AirTime";
import { LoadError, Loading } from "~/components/LoadError";
import { createSsr, loginRedirect, type SsrProps } from "~/server/faces/ssr";
import { episodeCode, formatTimeAgo } from "~/utils/format";
import { trpc } from "~/utils/trpc";

const PAGE = { limit: 20 };

export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  if (!ssr.session) return loginRedirect(context);
  await ssr.helpers.notifications.list.prefetchInfinite(PAGE);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

/** The person's episode reminders in the app, newest first, a page at a time; unread ones marked. */
export default function NotificationsPage() {
  const utils = trpc.useUtils();
  const list = trpc.notifications.list.useInfiniteQuery(PAGE, { getNextPageParam: (page) => page.nextCursor });
  const markRead = trpc.notifications.markRead.useMutation({
    onSuccess: (_result, { id }) => {
      // The bell's count comes with each page; here it follows at once.
      utils.notifications.unreadCount.setData(undefined, (count) => (count === undefined ? count : id ? Math.max(0, count - 1) : 0));
      void utils.notifications.list.invalidate();
    },
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <Head>
        <title>Reminders · Showtrack</title>
      </Head>
      <h1>Reminders</h1>
      <p className="lead">
        Episodes of the shows you follow, before they air. Choose when, or turn them off, on <Link href="/account">your account</Link>.
      </p>
      {list.isError ? <LoadError what="Your reminders" query={list} /> : null}
      {!list.data && !list.isError ? <Loading what="your reminders" /> : null}
      {list.data && items.length === 0 ? <p className="muted">No reminders yet.</p> : null}
      {items.some((item) => !item.read) ? (
        <p>
          <button type="button" className="button secondary small" id="mark-all-read" disabled={markRead.isPending} onClick={() => markRead.mutate({})}>
            Mark all as read
          </button>
        </p>
      ) : null}
      <ul className="notifications" id="notifications">
        {items.map((item) => (
          <li key={item.id} className={item.read ? "read" : "unread"} data-notification={item.id}>
            <p>
              {item.read ? null : <span className="badge">New</span>} <Link href={`/shows/${item.show.slug}`}>{item.show.title}</Link>{" "}
              {episodeCode(item.episode)} “{item.episode.title}” airs <AirTime at={item.episode.airsAt} withDate />
            </p>
            <p className="muted">
              <time dateTime={item.createdAt} suppressHydrationWarning>
                {formatTimeAgo(item.createdAt)}
              </time>
              {item.read ? null : (
                <>
                  {" · "}
                  <button type="button" className="button small secondary" disabled={markRead.isPending} onClick={() => markRead.mutate({ id: item.id })}>
                    Mark as read
                  </button>
                </>
              )}
            </p>
          </li>
        ))}
      </ul>
      {list.hasNextPage ? (
        <button type="button" className="button secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          {list.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      ) : null}
    </>
  );
}
