import { restRoute } from "~/server/faces/rest";

export default restRoute("public", (caller) => caller.billing.pricingTiers());
