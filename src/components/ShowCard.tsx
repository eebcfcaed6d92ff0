import { Link } from "~/components/Link";
import type { ReactNode } from "react";
import { AirTime } from "~/components/AirTime";
import { episodeCode } from "~/utils/format";

export interface ShowSummary {
  slug: string;
  title: string;
  network: string;
  premiered: number;
  status: "running" | "ended";
  genres: string[];
  /** The next episode to air, where the list carries it. */
  nextEpisode?: { season: number; number: number; airsAt: string } | null;
}

export function ShowCard({ show, children }: { show: ShowSummary; children?: ReactNode }) {
  return (
    <li className="card" data-show={show.slug}>
      <h3>
        <Link href={`/shows/${show.slug}`}>{show.title}</Link>
      </h3>
      {/* One text node, not five: fewer nodes for the page to hydrate. */}
      <p className="muted">{`${show.network} · ${show.premiered} · ${show.status === "running" ? "Running" : "Ended"}`}</p>
      <GenreTags genres={show.genres} />
      {show.nextEpisode ? (
        <p className="next-episode">
          {`Next: ${episodeCode(show.nextEpisode)} · `}
          <AirTime at={show.nextEpisode.airsAt} />
        </p>
      ) : null}
      {children ? <div className="actions">{children}</div> : null}
    </li>
  );
}

export function GenreTags({ genres }: { genres: string[] }) {
  return (
    <ul className="tags" aria-label="Genres">
      {genres.map((genre) => (
        <li className="tag" key={genre}>
          {genre}
        </li>
      ))}
    </ul>
  );
}
