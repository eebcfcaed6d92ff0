// The local provider's test users. The first three match the seed's demo users (prisma/seed-data.ts).
import { API_SCOPES } from "../../src/utils/scopes";

export interface TestUser {
  sub: string;
  email: string;
  name: string;
  nickname: string;
  description: string;
  /** The API permissions (Auth0 RBAC) this user may be granted. */
  permissions: readonly string[];
}

export const TEST_PASSWORD = "showtrack";

export const TEST_USERS: readonly TestUser[] = [
  { sub: "dev|alice", email: "alice@example.test", name: "Alice Free", nickname: "alice", description: "Free plan, follows 2 shows", permissions: API_SCOPES },
  { sub: "dev|bob", email: "bob@example.test", name: "Bob Developer", nickname: "bob", description: "Developer plan, 12 shows, 3 invoices", permissions: API_SCOPES },
  { sub: "dev|carol", email: "carol@example.test", name: "Carol Enterprise", nickname: "carol", description: "Enterprise plan", permissions: API_SCOPES },
  { sub: "dev|dave", email: "dave@example.test", name: "Dave Newcomer", nickname: "dave", description: "No data yet", permissions: API_SCOPES },
  { sub: "dev|rita", email: "rita@example.test", name: "Rita Readonly", nickname: "rita", description: "Read-only: may look, not change", permissions: ["read:shows", "read:billing"] },
];

export const findUser = (sub: string) => TEST_USERS.find((user) => user.sub === sub);

export const checkPassword = (email: string, password: string) =>
  password === TEST_PASSWORD ? TEST_USERS.find((user) => user.email === email.trim().toLowerCase()) : undefined;
