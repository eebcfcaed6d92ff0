import type { NextRequest } from "next/server";
import { auth0 } from "~/server/auth0";

// Next 16 runs proxy.ts (formerly middleware.ts) on the Node runtime. It mounts /auth/login,
// /auth/callback, /auth/logout, /auth/profile and /auth/access-token, and rolls the session
// cookie on every matched request, /api included, so an API-only client stays signed in.
export async function proxy(request: NextRequest) {
  return auth0.middleware(request);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image|favicon.ico|robots.txt).*)"],
};
