/** The billing plans' ids: the seed creates these rows, the API accepts only these. */
export const TIER_IDS = ["free", "developer", "enterprise"] as const;
export type TierId = (typeof TIER_IDS)[number];

/** Every new account starts on this plan. */
export const FREE_TIER_ID = "free" satisfies TierId;
