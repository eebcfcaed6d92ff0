import { TRPCError } from "@trpc/server";
import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import Head from "next/head";
import { Link } from "~/components/Link";
import { FollowButton, FollowNotice, useFollowAvailability } from "~/components/FollowButton";
import { GenreTags } from "~/components/ShowCard";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { AirTime } from "~/components/AirTime";
import { episodeCode } from "~/utils/format";
import { trpc, type RouterOutputs } from "~/utils/trpc";

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

type EpisodeList = RouterOutputs["shows"]["bySlug"]["episodes"]["upcoming"];

function EpisodeItems({ episodes }: { episodes: EpisodeList }) {
  return (
    <ul className="episodes">
      {episodes.map((episode) => (
        <li key={`${episode.season}-${episode.number}`}>
          <strong>{episodeCode(episode)}</strong> {episode.title} · <AirTime at={episode.airsAt} withDate />
        </li>
      ))}
    </ul>
  );
}

/** The next episodes and those of the last two weeks, in the viewer's time zone. */
function Episodes({ episodes }: { episodes: RouterOutputs["shows"]["bySlug"]["episodes"] }) {
  if (episodes.upcoming.length === 0 && episodes.recent.length === 0) return null;
  return (
    <section aria-labelledby="episodes-heading" id="episodes">
      <h2 id="episodes-heading">Episodes</h2>
      {episodes.upcoming.length > 0 ? (
        <>
          <h3>Coming up</h3>
          <EpisodeItems episodes={episodes.upcoming} />
        </>
      ) : null}
      {episodes.recent.length > 0 ? (
        <>
          <h3>Recently aired</h3>
          <EpisodeItems episodes={episodes.recent} />
        </>
      ) : null}
    </section>
  );
}

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
      <Episodes episodes={show.episodes} />
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
