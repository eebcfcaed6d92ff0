import Head from "next/head";
import { Link } from "~/components/Link";
import { useState, type ReactNode } from "react";
import { LoadError, Loading, type Retryable } from "~/components/LoadError";
import { PaymentMethod } from "~/components/PaymentMethod";
import { describeChannel } from "~/components/account/activityChannel";
import type { ApiScope } from "~/utils/scopes";
import { READ_ONLY_NOTICE } from "~/utils/permissions";
import { describeActivity } from "~/utils/activity";
import { formatDate, formatPrice, formatTimeAgo } from "~/utils/format";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";
import { loginUrl, RECENT_SIGN_IN_SECONDS } from "~/utils/auth-routes";
import { markAccountDeleted } from "~/utils/deleted-account";

type Subscriptions = RouterOutputs["subscriptions"]["list"];
type Follows = Subscriptions["items"];

/** How many of the person's latest actions the page shows (the me.activity input). */
export const RECENT_ACTIVITY = { limit: 10 };

/** The follows' pages the page loads (the subscriptions.list input, each page giving the next's cursor): of the API's default size. */
export const FOLLOWS_PAGES = {};

/** A section's data and how loading it went: the part of a query's result the view reads. */
export interface Loadable<T> extends Retryable {
  data: T | undefined;
  isError: boolean;
}

/** The follows' pages loaded so far, and how to load the next (an infinite query's result). */
export interface FollowsPages extends Loadable<{ pages: Subscriptions[] }> {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}

export interface AccountViewProps {
  profile: Loadable<RouterOutputs["me"]["profile"]>;
  billing: Loadable<RouterOutputs["billing"]["info"]>;
  subscriptions: FollowsPages;
  activity: Loadable<RouterOutputs["me"]["activity"]>;
  scopes: readonly ApiScope[];
  /** The panel of the person's sessions (SignedInSessions). */
  sessions?: ReactNode;
  /** When episode reminders come (ReminderLead). */
  reminderLead?: ReactNode;
}

function FollowedShows({ subscriptions, readOnly }: { subscriptions: FollowsPages; readOnly: boolean }) {
  const utils = trpc.useUtils();

  // Each loaded page changes in place; the refetch that follows brings the pages back in step.
  const optimistic = (update: (list: Follows, showId: string, notify?: boolean) => Follows) => ({
    async onMutate({ showId, notify }: { showId: string; notify?: boolean }) {
      await utils.subscriptions.list.cancel();
      const previous = utils.subscriptions.list.getInfiniteData(FOLLOWS_PAGES);
      utils.subscriptions.list.setInfiniteData(FOLLOWS_PAGES, (data) =>
        data && { ...data, pages: data.pages.map((page) => ({ ...page, items: update(page.items, showId, notify) })) },
      );
      return { previous };
    },
    onError(_error: unknown, _variables: unknown, context?: { previous?: ReturnType<typeof utils.subscriptions.list.getInfiniteData> }) {
      utils.subscriptions.list.setInfiniteData(FOLLOWS_PAGES, context?.previous);
    },
    onSettled() {
      void utils.subscriptions.list.invalidate();
      void utils.billing.info.invalidate();
      void utils.shows.list.invalidate();
      void utils.me.activity.invalidate();
    },
  });
  const unfollow = trpc.subscriptions.remove.useMutation(optimistic((list, showId) => list.filter((s) => s.show.id !== showId)));
  const setNotify = trpc.subscriptions.setNotify.useMutation(
    optimistic((list, showId, notify) => list.map((s) => (s.show.id === showId ? { ...s, notify: notify ?? s.notify } : s))),
  );

  if (subscriptions.isError) return <LoadError what="Your shows" query={subscriptions} />;
  if (!subscriptions.data) return <Loading what="your shows" />;
  const follows = subscriptions.data.pages.flatMap((page) => page.items);
  if (follows.length === 0) {
    // Someone who may not follow is not invited to: the notice above says why.
    return readOnly ? (
      <p className="muted">You do not follow any show.</p>
    ) : (
      <p className="muted">
        You do not follow any show yet. <Link href="/shows">Browse the catalogue</Link>.
      </p>
    );
  }
  return (
    <>
      <ul className="grid" id="my-shows">
        {follows.map(({ show, notify, createdAt }) => (
          <li className="card" key={show.id} data-show={show.slug}>
            <h3>
              <Link href={`/shows/${show.slug}`}>{show.title}</Link>
            </h3>
            <p className="muted">
              {show.network} · following since {formatDate(createdAt)}
            </p>
            <div className="actions">
              <label className="reminder-toggle">
                <input type="checkbox" checked={notify} disabled={readOnly} onChange={(event) => setNotify.mutate({ showId: show.id, notify: event.target.checked })} />{" "}
                Episode reminders
              </label>
              <button type="button" className="button small secondary" aria-label={`Unfollow ${show.title}`} disabled={readOnly} onClick={() => unfollow.mutate({ showId: show.id })}>
                Unfollow
              </button>
            </div>
          </li>
        ))}
      </ul>
      {subscriptions.hasNextPage ? (
        <p>
          <button type="button" className="button secondary" id="more-shows" disabled={subscriptions.isFetchingNextPage} onClick={() => void subscriptions.fetchNextPage()}>
            {subscriptions.isFetchingNextPage ? "Loading…" : "Show more"}
          </button>
        </p>
      ) : null}
    </>
  );
}

/** What was done, and how, unless what was done says it already (a sign-in names its browser). */
function describeWithChannel(event: Parameters<typeof describeActivity>[0] & Parameters<typeof describeChannel>[0]) {
  const what = describeActivity(event);
  const how = describeChannel(event);
  return how && !what.endsWith(how) ? `${what} · ${how}` : what;
}

/** The latest things the person did (the audit trail; as many as RECENT_ACTIVITY says), newest first. */
function RecentActivity({ activity }: { activity: AccountViewProps["activity"] }) {
  if (activity.isError) return <LoadError what="Your recent activity" query={activity} />;
  if (!activity.data || activity.data.items.length === 0) return null;
  return (
    <section aria-labelledby="activity-heading">
      <h2 id="activity-heading">Recent activity</h2>
      <ul className="activity" id="activity">
        {activity.data.items.map((event) => (
          <li key={event.id}>
            {describeWithChannel(event)} ·{" "}
            {/* Relative to the clock of whoever renders it: the server's and the browser's may differ by a minute. */}
            <time dateTime={event.createdAt} title={formatDate(event.createdAt)} suppressHydrationWarning>
              {formatTimeAgo(event.createdAt)}
            </time>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Export and deletion: the person's data is theirs to take away, and to have removed. */
function YourData({ email, canExport }: { email: string | null; canExport: boolean }) {
  const [confirmation, setConfirmation] = useState("");
  const deleteAccount = trpc.me.delete.useMutation({
    meta: { ownErrorMessage: true },
    onSuccess: () => {
      markAccountDeleted();
      // A full navigation: the signed-in header and every cached query go with the session.
      // eslint-disable-next-line @next/next/no-location-assign-relative-destination
      window.location.assign("/");
    },
  });
  const error = deleteAccount.error;
  // The server's own words about the confirmation, rather than the whole validation report.
  const fieldErrors = error?.data?.zodError?.fieldErrors as Partial<Record<string, string[]>> | undefined;
  const confirmed = email !== null && confirmation.trim().toLowerCase() === email.toLowerCase();
  return (
    <section className="panel" aria-labelledby="data-heading" id="your-data">
      <h2 id="data-heading">Your data</h2>
      {canExport ? (
        <p>
          <a href="/api/me/export" download>
            Download my data
          </a>{" "}
          <span className="muted">(one JSON file: your profile, plan, followed shows, invoices and activity)</span>
        </p>
      ) : (
        <p className="muted">Downloading your data needs the read:shows and read:billing permissions.</p>
      )}
      <h3>Delete my account</h3>
      <p>
        <strong>This cannot be undone.</strong> Your followed shows, plan, payment method and activity are deleted at once, and you
        are signed out everywhere. Your invoices are kept for our accounting, with nothing that links them to you. For your safety,
        this needs a sign-in of the last {RECENT_SIGN_IN_SECONDS / 60} minutes. Signing in again later starts a new Free account.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (confirmed) deleteAccount.mutate({ confirmEmail: confirmation });
        }}
      >
        <label>
          Type your email address{email ? ` (${email})` : ""} to confirm:{" "}
          <input type="email" name="confirmEmail" autoComplete="off" value={confirmation} onChange={(event) => setConfirmation(event.target.value)} />
        </label>{" "}
        <button type="submit" className="button danger" disabled={!confirmed || deleteAccount.isPending}>
          Delete my account
        </button>
      </form>
      {error ? (
        <p className="notice" role="alert" id="delete-error">
          {fieldErrors?.confirmEmail?.[0] ?? friendlyMessage(error)}{" "}
          {error.data?.code === "PRECONDITION_FAILED" ? (
            // max_age=0: the identity provider asks for the person's credentials again, whatever its own
            // session, then the SDK brings them back here.
            <a href={loginUrl("/account#your-data", { maxAgeSeconds: 0 })} id="sign-in-again">
              Sign in again
            </a>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

/** The account page as it renders its data, fed by /account's queries. */
export function AccountView({ profile, billing, subscriptions, activity, scopes, sessions, reminderLead }: AccountViewProps) {
  const info = billing.data;
  const canChangePlan = scopes.includes("write:billing");
  return (
    <>
      <Head>
        <title>Your account · Showtrack</title>
      </Head>
      <h1>Your account</h1>
      {profile.data ? (
        <p className="lead">
          Signed in as <strong>{profile.data.name ?? profile.data.email}</strong> ({profile.data.email}), member since{" "}
          {formatDate(profile.data.createdAt)}.
        </p>
      ) : profile.isError ? (
        <LoadError what="Your profile" query={profile} />
      ) : null}

      {info ? (
        <section className="panel" aria-labelledby="plan-heading" id="plan">
          <h2 id="plan-heading">Plan: {info.tier.name}</h2>
          <dl className="stats">
            <div>
              <dt>Price</dt>
              <dd>{formatPrice(info.tier.priceCents, info.tier.currency, info.tier.interval)}</dd>
            </div>
            <div>
              <dt>Shows followed</dt>
              <dd id="usage">
                {info.usage.subscriptions} of {info.usage.limit ?? "unlimited"}
              </dd>
            </div>
            {/* A free plan has no billing period: it neither renews nor is paid. */}
            {info.tier.priceCents > 0 ? (
              <div>
                <dt>Current period</dt>
                <dd>
                  {formatDate(info.currentPeriodStart)} – {formatDate(info.currentPeriodEnd)}
                </dd>
              </div>
            ) : null}
            {info.status === "past_due" ? (
              <div>
                <dt>Status</dt>
                <dd>Past due</dd>
              </div>
            ) : null}
          </dl>
          {info.status === "past_due" ? (
            <p className="notice" id="past-due" role="status">
              Your plan&apos;s renewal was declined: you follow as on Free until it is paid. Update your card below and it is tried
              again at once.
            </p>
          ) : null}
          {info.pendingTier ? (
            <p className="notice ok" id="pending-switch">
              Switching to {info.pendingTier.name} on {formatDate(info.currentPeriodEnd)}: until then you keep {info.tier.name}
              {info.usage.limit === null ? ". " : ", and "}
              {info.usage.limit === null ? "" : `you can follow up to ${info.usage.limit} shows, ${info.pendingTier.name}'s limit. `}
              {canChangePlan ? <Link href="/pricing">Keep {info.tier.name}</Link> : null}
            </p>
          ) : null}
          <PaymentMethod card={info.paymentMethod} readOnly={!canChangePlan} />
          {canChangePlan ? (
            <p>
              <Link href="/pricing">Change plan</Link>
            </p>
          ) : (
            <p className="follow-notice">{READ_ONLY_NOTICE["write:billing"]}</p>
          )}
        </section>
      ) : billing.isError ? (
        // A failed billing.info (its prefetch failed, then the browser's fetch) says so, with a retry.
        <section className="panel" aria-labelledby="plan-heading" id="plan">
          <h2 id="plan-heading">Plan</h2>
          <LoadError what="Your plan" query={billing} />
        </section>
      ) : (
        <Loading what="your plan" />
      )}

      <h2>Your shows</h2>
      {scopes.includes("write:shows") ? null : <p className="follow-notice">{READ_ONLY_NOTICE["write:shows"]}</p>}
      {reminderLead}
      <FollowedShows subscriptions={subscriptions} readOnly={!scopes.includes("write:shows")} />

      <RecentActivity activity={activity} />

      {info ? (
        <section aria-labelledby="invoices-heading" id="invoices">
          <h2 id="invoices-heading">Latest invoices</h2>
          {info.invoices.length > 0 ? (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Issued</th>
                    <th scope="col">Period</th>
                    <th scope="col">Amount</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {info.invoices.map((invoice) => (
                    <tr key={invoice.id}>
                      <td>{formatDate(invoice.issuedAt)}</td>
                      <td>
                        {formatDate(invoice.periodStart)} – {formatDate(invoice.periodEnd)}
                      </td>
                      <td>{formatPrice(invoice.amountCents, invoice.currency)}</td>
                      <td>{invoice.status.charAt(0).toUpperCase() + invoice.status.slice(1).replace("_", " ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="muted" id="no-invoices">
              No invoices yet: the first comes with your first paid plan.
            </p>
          )}
        </section>
      ) : null}

      {sessions}

      {profile.data ? <YourData email={profile.data.email} canExport={scopes.includes("read:shows") && scopes.includes("read:billing")} /> : null}
    </>
  );
}
