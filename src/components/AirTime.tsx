import { useSyncExternalStore } from "react";
import { formatAirTime } from "~/utils/format";

const subscribeToNothing = () => () => undefined;

/**
 * When an episode airs, in the viewer's time zone. The server does not know it: its HTML (and the
 * browser's first render, which must match it) says the time in UTC, and the browser then shows its
 * own, with no hydration mismatch.
 */
export function AirTime({ at, withDate = false }: { at: string; withDate?: boolean }) {
  const inBrowser = useSyncExternalStore(subscribeToNothing, () => true, () => false);
  const text = inBrowser ? formatAirTime(at, { withDate }) : `${formatAirTime(at, { withDate, timeZone: "UTC" })} UTC`;
  return <time dateTime={at}>{text}</time>;
}
