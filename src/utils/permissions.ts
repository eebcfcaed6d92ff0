import type { ApiScope } from "~/utils/scopes";

/**
 * What a person without a write permission is told, in plain words and once per page: the pages show
 * these instead of the permission's name.
 */
export const READ_ONLY_NOTICE = {
  "write:billing": "Your account can view plans but not change them — ask your admin.",
  "write:shows": "Your account can browse shows but not follow them — ask your admin.",
} as const satisfies Partial<Record<ApiScope, string>>;
