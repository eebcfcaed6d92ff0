import Head from "next/head";
import { formatDate } from "~/utils/format";
import { trpc } from "~/utils/trpc";

// The "user on the frontend" page: the server sends it without any user data; the browser then
// asks the API for the profile and the plan, in one batched request (signed out → the login page, through the query client's UNAUTHORIZED handler).
export default function ProfilePage() {
  const profile = trpc.me.profile.useQuery();
  const billing = trpc.billing.info.useQuery();
  return (
    <>
      <Head>
        <title>Profile · Showtrack</title>
      </Head>
      <h1>Profile</h1>
      {profile.isPending ? (
        <p className="loading" role="status">
          Loading your profile…
        </p>
      ) : profile.isError ? (
        <p className="notice">Your profile could not be loaded. Try again in a moment.</p>
      ) : (
        <dl className="panel stats" id="profile">
          <div>
            <dt>Name</dt>
            <dd>{profile.data.name ?? "—"}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{profile.data.email ?? "—"}</dd>
          </div>
          <div>
            <dt>Plan</dt>
            <dd>{profile.data.tier.name}</dd>
          </div>
          <div>
            <dt>Shows followed</dt>
            <dd>{billing.data ? `${billing.data.usage.subscriptions} of ${billing.data.usage.limit ?? "unlimited"}` : "…"}</dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{formatDate(profile.data.createdAt)}</dd>
          </div>
        </dl>
      )}
    </>
  );
}
