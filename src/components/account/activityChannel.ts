import type { RouterOutputs } from "~/utils/trpc";

type Activity = RouterOutputs["me"]["activity"]["items"][number];

/** How an event came, as the activity list says it after the event: "Chrome 131 on Linux", "via token 'ci-script'". */
export function describeChannel({ channel, via }: Pick<Activity, "channel" | "via">): string | null {
  switch (channel) {
    case "web":
      return via;
    case "browser_app":
      return "in the browser app";
    case "token":
      return `via token '${via}'`;
    case "api_client":
      return `via API client ${via}`;
    default:
      return null;
  }
}
