import { useUser } from "@auth0/nextjs-auth0";
import { UserBox } from "~/components/UserBox";

/** For a page whose server did not read the session (404, 500, pages without getServerSideProps): ask /auth/profile (204 when signed out). */
export function FetchedUserBox() {
  const { user } = useUser();
  // undefined until /auth/profile answers: no "Log in" that the answer takes back.
  return user === undefined ? null : <UserBox user={user ? { sub: user.sub, name: user.name, email: user.email } : null} />;
}
