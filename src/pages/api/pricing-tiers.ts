import { restRoute } from "~/server/rest";

export default restRoute("public", (caller) => caller.billing.pricingTiers());
