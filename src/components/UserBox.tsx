import { Link } from "~/components/Link";
import { useRouter } from "next/router";
import type { HeaderUser } from "~/utils/header-user";
import { loginUrl } from "~/utils/auth-routes";
import { trpc } from "~/utils/trpc";

// The initial, not the identity provider's picture: that lives on other origins (Gravatar, social
// networks' CDNs), which the Content-Security-Policy does not let the page load from.
function Avatar({ name }: { name: string }) {
  return (
    <span className="avatar" aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
    </span>
  );
}

/**
 * The bell: the person's unread reminders, as the page's server counted them (every server-rendered
 * page of a signed-in person carries the count), so that it needs no request; none where it did not.
 */
function Bell() {
  const unread = trpc.notifications.unreadCount.useQuery(undefined, { enabled: false }).data;
  if (unread === undefined) return null;
  return (
    <Link href="/notifications" className="bell" id="bell" aria-label={unread > 0 ? `Reminders, ${unread} unread` : "Reminders"}>
      <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
        <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
      </svg>
      {unread > 0 ? <span className="badge">{unread}</span> : null}
    </Link>
  );
}

export function UserBox({ user }: { user: HeaderUser | null }) {
  const router = useRouter();
  if (!user) {
    return (
      <a className="button small" href={loginUrl(router.asPath)} id="login">
        Log in
      </a>
    );
  }
  return (
    <>
      <Bell />
      <Avatar name={user.name ?? user.email ?? "?"} />
      <span id="header-user">{user.name ?? user.email}</span>
      {/* /auth/* are the SDK's routes, not pages: plain links, full navigations. */}
      <a className="button secondary small" href="/auth/logout" id="logout">
        Log out
      </a>
    </>
  );
}
