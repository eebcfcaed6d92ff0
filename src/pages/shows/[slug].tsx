import { TRPCError } from "@trpc/server";
import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import Head from "next/head";
import Link from "next/link";
import { GenreTags } from "~/components/ShowCard";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { trpc } from "~/utils/trpc";

export const getServerSideProps = (async (context) => {
  const slug = String(context.params?.slug ?? "");
  const ssr = await createSsr(context);
  try {
    await ssr.helpers.shows.bySlug.fetch({ slug });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) return { notFound: true };
    throw error;
  }
  return { props: { ...ssr.props(), slug } };
}) satisfies GetServerSideProps<SsrProps & { slug: string }>;

export default function ShowPage({ slug }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const { data: show } = trpc.shows.bySlug.useQuery({ slug });
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
    </article>
  );
}
