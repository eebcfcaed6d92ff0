import type { GetServerSideProps, InferGetServerSidePropsType } from "next";
import Head from "next/head";
import { useRouter } from "next/router";
import { keepPreviousData } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { FollowButton, FollowNotice, useFollowAvailability } from "~/components/FollowButton";
import { LoadError } from "~/components/LoadError";
import { ShowCard } from "~/components/ShowCard";
import { createSsr, type SsrProps } from "~/server/faces/ssr";
import { trpc, type RouterInputs } from "~/utils/trpc";

const PAGE_SIZE = 20;

/** The list query for the page's URL (?q=…&genre=…): the server and the client must agree on it. */
function listInput(query: Record<string, string | string[] | undefined>): RouterInputs["shows"]["list"] {
  const text = (value: string | string[] | undefined) => (typeof value === "string" && value.trim() ? value.trim().slice(0, 100) : undefined);
  const search = text(query.q);
  const genre = text(query.genre);
  return { limit: PAGE_SIZE, ...(search && { search }), ...(genre && { genre }) };
}

export const getServerSideProps = (async (context) => {
  const ssr = await createSsr(context);
  // A client-side visit (Back from a show, a link) has the list in its cache, with every page it
  // loaded: prefetched data would replace it with the first page only.
  if (context.req.headers["x-nextjs-data"]) return { props: ssr.props() };
  const scopes = ssr.props().scopes;
  await Promise.all([
    ssr.helpers.shows.list.prefetchInfinite(listInput(context.query)),
    ssr.helpers.shows.genres.prefetch(),
    scopes.includes("read:shows") && scopes.includes("write:shows") ? ssr.helpers.subscriptions.usage.prefetch() : null,
  ]);
  return { props: ssr.props() };
}) satisfies GetServerSideProps<SsrProps>;

export default function ShowsPage({ user, scopes }: InferGetServerSidePropsType<typeof getServerSideProps>) {
  const router = useRouter();
  const input = listInput(router.query);
  const availability = useFollowAvailability({ signedIn: user !== null, scopes });
  const [search, setSearch] = useState(input.search ?? "");
  const genres = trpc.shows.genres.useQuery();
  // A new search keeps the shown results, dimmed, until its own arrive: the grid never goes blank.
  const shows = trpc.shows.list.useInfiniteQuery(input, { getNextPageParam: (page) => page.nextCursor, placeholderData: keepPreviousData });
  const searching = shows.isPlaceholderData;

  // The search box updates the URL (shareable, back button) shortly after typing stops.
  useEffect(() => {
    if (search.trim() === (input.search ?? "")) return;
    const timer = setTimeout(() => {
      const { q: _q, ...rest } = router.query;
      void router.replace({ query: search.trim() ? { ...rest, q: search.trim() } : rest }, undefined, { shallow: true });
    }, 300);
    return () => clearTimeout(timer);
  }, [search, input.search, router]);

  // Infinite scroll: load the next page when the end of the list comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = shows;
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const items = shows.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <Head>
        <title>Shows · Showtrack</title>
      </Head>
      <h1>Shows</h1>
      <form className="filters" role="search" onSubmit={(event) => event.preventDefault()}>
        <label className="field">
          Search by title
          <input type="search" name="q" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="e.g. Harbor" />
        </label>
        <label className="field">
          Genre
          <select
            name="genre"
            value={input.genre ?? ""}
            onChange={(event) => {
              const { genre: _genre, ...rest } = router.query;
              void router.replace({ query: event.target.value ? { ...rest, genre: event.target.value } : rest }, undefined, { shallow: true });
            }}
          >
            <option value="">All genres</option>
            {genres.data?.map((genre) => (
              <option key={genre} value={genre}>
                {genre}
              </option>
            ))}
          </select>
        </label>
      </form>
      <FollowNotice availability={availability} />
      {shows.isError ? <LoadError what="The shows" query={shows} /> : null}
      <p className="muted search-status" role="status">
        {searching ? "Searching…" : shows.isSuccess && items.length === 0 ? "No show matches. Try another title or genre." : ""}
      </p>
      {/* The cards' h3 titles sit under a heading of their own (axe heading-order). */}
      <h2 className="sr-only">Results</h2>
      <ul className={`grid${searching ? " stale" : ""}`} aria-busy={shows.isFetching}>
        {items.map((show) => (
          <ShowCard key={show.id} show={show}>
            <FollowButton show={{ ...show, following: show.following ?? false }} availability={availability} />
          </ShowCard>
        ))}
      </ul>
      <div ref={sentinel} className="sentinel" />
      {hasNextPage ? (
        <p>
          <button type="button" className="button secondary" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Load more shows"}
          </button>
        </p>
      ) : null}
    </>
  );
}
