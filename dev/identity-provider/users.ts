// The local provider's test users. The first three match the seed's demo users (prisma/seed-data.ts).
import { randomBytes } from "node:crypto";
import { API_SCOPES } from "../../src/utils/scopes";

/**
 * The tenant's roles and the API permissions each gives (Auth0 RBAC), and the role a new sign-up
 * gets (on Auth0, a post-login Action assigns it: docs/sign-in.md).
 */
export const ROLES = {
  member: API_SCOPES,
  viewer: ["read:shows", "read:billing"],
} as const satisfies Record<string, readonly string[]>;
export const DEFAULT_ROLE: keyof typeof ROLES = "member";

export interface TestUser {
  sub: string;
  email: string;
  name: string;
  nickname: string;
  description: string;
  /** The API permissions (Auth0 RBAC) this user may be granted: those of their role. */
  permissions: readonly string[];
}

export const TEST_PASSWORD = "showtrack";

export const TEST_USERS: readonly TestUser[] = [
  { sub: "dev|alice", email: "alice@example.test", name: "Alice Free", nickname: "alice", description: "Free plan, follows 2 shows", permissions: ROLES.member },
  { sub: "dev|bob", email: "bob@example.test", name: "Bob Developer", nickname: "bob", description: "Developer plan, 12 shows, 3 invoices", permissions: ROLES.member },
  { sub: "dev|carol", email: "carol@example.test", name: "Carol Enterprise", nickname: "carol", description: "Enterprise plan", permissions: ROLES.member },
  { sub: "dev|dave", email: "dave@example.test", name: "Dave Newcomer", nickname: "dave", description: "No data yet", permissions: ROLES.member },
  { sub: "dev|rita", email: "rita@example.test", name: "Rita Readonly", nickname: "rita", description: "Read-only: may look, not change", permissions: ROLES.viewer },
];

/**
 * One provider's users: the test users, and those who signed up on its page (in memory, as long
 * as the provider runs), each with the default role's permissions, as a new Auth0 user gets.
 */
export function userDirectory() {
  const users = new Map(TEST_USERS.map((user) => [user.sub, user]));
  const byEmail = (email: string) => [...users.values()].find((user) => user.email === email.trim().toLowerCase());
  return {
    find: (sub: string) => users.get(sub),
    checkPassword: (email: string, password: string) => (password === TEST_PASSWORD ? byEmail(email) : undefined),
    /** A new user with the default role, or undefined when the email is taken. */
    signUp(email: string, name: string): TestUser | undefined {
      const address = email.trim().toLowerCase();
      if (byEmail(address)) return undefined;
      const nickname = address.split("@")[0]!;
      const user = { sub: `auth0|${randomBytes(12).toString("hex")}`, email: address, name: name.trim() || nickname, nickname, description: "Signed up here", permissions: ROLES[DEFAULT_ROLE] };
      users.set(user.sub, user);
      return user;
    },
  };
}
