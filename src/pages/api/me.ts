import { restRoute } from "~/server/rest";

export default restRoute("private", (caller) => caller.me.profile());
