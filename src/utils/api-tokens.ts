/** Personal access tokens: what the server makes and the account page offers. */

/** Every personal token begins so: the API tells it from an Auth0 access token (a JWT) at a glance, and so can a secret scanner. */
export const API_TOKEN_PREFIX = "stk_";
/** The longest a token may last. */
export const MAX_API_TOKEN_DAYS = 365;
/** The expiries the account page offers, in days. */
export const API_TOKEN_EXPIRIES = [7, 30, 90, 365] as const;
