import { LoadError, Loading } from "~/components/LoadError";
import { formatDate, formatTimeAgo } from "~/utils/format";
import type { Loadable } from "~/components/account/AccountView";
import { trpc, type RouterOutputs } from "~/utils/trpc";

/**
 * "Where you're signed in": each session of the person (browser and system, first and last seen, a
 * truncated address), with a way to sign out of any one of them, or of all but this one. `list` is the
 * sessions.list query on /account (prefetched with the page).
 */
export function SignedInSessions({ list }: { list: Loadable<RouterOutputs["sessions"]["list"]> }) {
  const utils = trpc.useUtils();
  const refresh = { onSettled: () => void utils.sessions.list.invalidate() };
  const end = trpc.sessions.end.useMutation({
    ...refresh,
    // Signing out this browser: a full navigation, as after any sign-out.
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination
    onSuccess: (_result, { id }) => (list.data?.sessions.find((session) => session.id === id)?.current ? window.location.assign("/") : undefined),
  });
  const endOthers = trpc.sessions.endOthers.useMutation(refresh);

  if (list.isError) return <LoadError what="Where you're signed in" query={list} />;
  if (!list.data) return <Loading what="where you're signed in" />;
  return (
    <section className="panel" aria-labelledby="sessions-heading" id="sessions">
      <h2 id="sessions-heading">Where you&apos;re signed in</h2>
      {list.data.listed ? (
        <>
          <ul className="sessions">
            {list.data.sessions.map((session) => (
              <li key={session.id} data-session={session.id} data-current={session.current || undefined}>
                <strong>
                  {session.browser} on {session.os}
                </strong>
                {session.current ? <span className="badge">This device</span> : null}{" "}
                <span className="muted">
                  signed in {formatDate(session.createdAt)} · last seen{" "}
                  <time dateTime={session.lastSeenAt} title={formatDate(session.lastSeenAt)} suppressHydrationWarning>
                    {formatTimeAgo(session.lastSeenAt)}
                  </time>{" "}
                  · {session.ip ?? "address unknown"}
                </span>{" "}
                <button
                  type="button"
                  className="button small secondary"
                  aria-label={session.current ? "Sign out on this device" : `Sign out ${session.browser} on ${session.os}`}
                  disabled={end.isPending}
                  onClick={() => end.mutate({ id: session.id })}
                >
                  Sign out
                </button>
              </li>
            ))}
          </ul>
          {list.data.sessions.some((session) => !session.current) ? (
            <button type="button" className="button secondary" id="sign-out-others" disabled={endOthers.isPending} onClick={() => endOthers.mutate()}>
              Sign out everywhere else
            </button>
          ) : null}
          {endOthers.data ? (
            <p className="notice ok" role="status">
              Signed out of {endOthers.data.ended} other {endOthers.data.ended === 1 ? "session" : "sessions"}.
            </p>
          ) : null}
        </>
      ) : (
        <p className="muted">This deployment keeps each session in its browser&apos;s cookie only, so sessions cannot be listed or ended here.</p>
      )}
    </section>
  );
}
