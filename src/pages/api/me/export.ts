import { restRoute } from "~/server/faces/rest";

/**
 * The caller's data as a file download, named after the day (UTC) it was taken: the API's JSON,
 * indented, whose amounts and activity carry their words beside the machine's values.
 */
export default restRoute(
  "private",
  (caller) => caller.me.export(),
  () => ({ "Content-Disposition": `attachment; filename="showtrack-export-${new Date().toISOString().slice(0, 10)}.json"` }),
  { indent: 2 },
);
