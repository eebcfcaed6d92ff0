// Limits of the tRPC endpoint that its clients must respect too (shared with the browser bundle).

/** Request bodies above this are refused (413) before they are parsed. */
export const MAX_BODY_BYTES = 100 * 1024;
/** Procedures one batched request may carry (400 above); the client's batch link splits at this. */
export const MAX_BATCH_SIZE = 10;
