import { TRPCError } from "@trpc/server";
import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import Head from "next/head";
import Link from "next/link";
import { FollowButton, FollowNotice, useFollowAvailability } from "~/components/FollowButton";
import { GenreTags } from "~/components/ShowCard";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { trpc } from "~/utils/trpc";

export const getServerSideProps = (async (context) => {
  const slug = String(context.params?.slug ?? "");
  const ssr = await createSsr(context);
  const { scopes } = ssr.props();
  try {
    await Promise.all([
      ssr.helpers.shows.bySlug.fetch({ slug }),
      scopes.includes("read:shows") && scopes.includes("write:shows") ? ssr.helpers.subscriptions.usage.prefetch() : null,
    ]);
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return { notFound: true };
    throw error;
  }
  return { props: { ...ssr.props(), slug } };
}) satisfies GetServerSideProps<SsrProps & { slug: string }>;

export default function ShowPage({ slug, user, scopes }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { data: show } = trpc.shows.bySlug.useQuery({ slug });
  const availability = useFollowAvailability({ signedIn: user !== null, scopes });
  if (!show) return null;
  return (
    <article>
      <Head>
        <title>{`${show.title} · Showtrack`}</title>
      </Head>
      <p>
        <Link href="/shows">← All shows</Link>
      </p>
      <h1>{show.title}</h1>
      <p className="muted">
        {show.network} · premiered {show.premiered} · {show.status === "running" ? "still running" : "ended"}
      </p>
      <GenreTags genres={show.genres} />
      <p className="lead">{show.summary}</p>
      <FollowNotice availability={availability} />
      <div className="follow-bar">
        {/* Without read:shows the server does not say whether one follows the show. */}
        {show.following === undefined ? null : (
          <p id="follow-status">{show.following ? "You follow this show." : "You do not follow this show."}</p>
        )}
        <FollowButton show={{ ...show, following: show.following ?? false }} availability={availability} />
      </div>
    </article>
  );
}
