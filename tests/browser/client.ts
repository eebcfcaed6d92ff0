/** The browser test apps' client at their identity provider, and their API. */
export const BROWSER_APP_CLIENT = {
  clientId: "showtrack-e2e",
  clientSecret: "showtrack-e2e-secret",
  audience: "https://api.showtrack.e2e",
};
