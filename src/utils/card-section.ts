import type { TierId } from "~/utils/tiers";

/** The element id of /account's card section: links that send a person to add a card open its form. */
export const CARD_SECTION_ID = "payment-method";

/**
 * Where a person adds or replaces their card; with `switchTo`, the plan switch that needed it, which
 * the section offers to continue once the card is saved (/pricing?switch=… opens its dialog).
 */
export const cardSectionHref = (switchTo?: TierId) => `/account${switchTo ? `?switch=${switchTo}` : ""}#${CARD_SECTION_ID}`;
