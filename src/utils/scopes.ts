/**
 * The API's permissions (Auth0 RBAC); procedures declare which one they need. Shared by the server,
 * the pages (what to offer), the local identity provider (what to grant) and the tests.
 */
export const API_SCOPES = ["read:shows", "write:shows", "read:billing", "write:billing"] as const;
export type ApiScope = (typeof API_SCOPES)[number];

export const isApiScope = (scope: string): scope is ApiScope => (API_SCOPES as readonly string[]).includes(scope);
