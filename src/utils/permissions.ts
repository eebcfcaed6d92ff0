import type { ApiScope } from "~/utils/scopes";

/**
 * What a person without a write permission is told, in plain words and once per page: the pages show
 * these instead of the permission's name.
 */
export const READ_ONLY_NOTICE = {
  "write:billing": "You are signed in with view-only access: you can see plans and billing, but not change them.",
  "write:shows": "You are signed in with view-only access: you can browse shows, but not follow them.",
} as const satisfies Partial<Record<ApiScope, string>>;
