import { friendlyMessage } from "~/utils/trpc";

/** A query as far as a retry needs it. */
export interface Retryable {
  error: unknown;
  isFetching: boolean;
  refetch: () => unknown;
}

/** What a section shows when its data could not be loaded (its server prefetch failed, then the browser's fetch): why, and a retry. */
export function LoadError({ what, query }: { what: string; query: Retryable }) {
  return (
    <div className="notice load-error" role="alert">
      <p>
        {what} could not be loaded. {friendlyMessage(query.error)}
      </p>
      <button type="button" className="button small secondary" disabled={query.isFetching} onClick={() => void query.refetch()}>
        {query.isFetching ? "Retrying…" : "Try again"}
      </button>
    </div>
  );
}

/** The placeholder of a section whose data is on its way (the server did not prefetch it, or its prefetch failed). */
export function Loading({ what }: { what: string }) {
  return (
    <p className="loading" role="status">
      Loading {what}…
    </p>
  );
}
