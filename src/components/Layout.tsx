import dynamic from "next/dynamic";
import { Link } from "~/components/Link";
import { useRouter } from "next/router";
import type { ReactNode } from "react";
import { Toasts } from "~/components/Toasts";
import { UserBox } from "~/components/UserBox";
import type { HeaderUser } from "~/utils/header-user";

const NAV = [
  { href: "/shows", label: "Shows" },
  { href: "/pricing", label: "Pricing" },
  { href: "/account", label: "Account" },
  { href: "/profile", label: "Profile" },
];

// The SDK's useUser (and SWR beneath it) serve only the pages whose server did not read the session
// (404, 500): their chunk loads there, not with every page. The server renders no user box for them
// either, so the first client render matches its HTML.
const FetchedUserBox = dynamic(() => import("~/components/FetchedUserBox").then((module) => module.FetchedUserBox), { ssr: false });

/**
 * `user`: the header's user as the server rendered the page (null: signed out), so the client's
 * first render matches the server's HTML and needs no request; undefined when the server did not say.
 * `sessionState`: false on a page that signs in by itself (/spa), whose own state must not be contradicted.
 */
export function Layout({ user, children, sessionState = true }: { user: HeaderUser | null | undefined; children: ReactNode; sessionState?: boolean }) {
  const router = useRouter();
  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="site-header">
        <div className="inner">
          <Link className="brand" href="/">
            Showtrack
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAV.map((item) => (
                <li key={item.href}>
                  <Link href={item.href} aria-current={router.pathname.startsWith(item.href) ? "page" : undefined}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <div className="user-box">{!sessionState ? null : user === undefined ? <FetchedUserBox /> : <UserBox user={user} />}</div>
        </div>
      </header>
      <main id="content">{children}</main>
      <Toasts />
    </>
  );
}
