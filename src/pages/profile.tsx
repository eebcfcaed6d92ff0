import type { GetServerSideProps } from "next";
import Head from "next/head";
import { LoadError, Loading } from "~/components/LoadError";
import { createSsr, loginRedirect, type SsrProps } from "~/server/faces/ssr";
import { formatDate } from "~/utils/format";
import { trpc } from "~/utils/trpc";

// Only the header's user (and the sign-in page for a visitor) come from the server: no prefetch, the
// page's data is the browser's to fetch.
export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  if (!ssr.session) return loginRedirect(context);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

// The "user on the frontend" page: the server sends it without any user data; the browser then
// asks the API for the profile and the plan, in one batched request (a session that ended since → the
// login page, through the query client's UNAUTHORIZED handler).
export default function ProfilePage() {
  const profile = trpc.me.profile.useQuery();
  const billing = trpc.billing.info.useQuery();
  return (
    <>
      <Head>
        <title>Profile · Showtrack</title>
      </Head>
      <h1>Profile</h1>
      {profile.isError ? (
        <LoadError what="Your profile" query={profile} />
      ) : profile.isPending ? (
        <Loading what="your profile" />
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
            <dd>{billing.data ? `${billing.data.usage.subscriptions} of ${billing.data.usage.limit ?? "unlimited"}` : billing.isError ? "could not be loaded" : "…"}</dd>
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
