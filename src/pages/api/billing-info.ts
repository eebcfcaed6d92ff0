import { restRoute } from "~/server/faces/rest";

export default restRoute("private", (caller) => caller.billing.info());
