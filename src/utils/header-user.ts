/** What the header needs of the signed-in person (src/server/faces/ssr.ts fills it in); never the tokens. */
export interface HeaderUser {
  sub: string;
  name?: string;
  email?: string;
}
