import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { getQueryKey } from "@trpc/react-query";
import { Link } from "~/components/Link";
import { useRouter } from "next/router";
import { loginUrl } from "~/utils/auth-routes";
import { READ_ONLY_NOTICE } from "~/utils/permissions";
import { PLAN_LIMIT_CODE } from "~/utils/plan-limit";
import type { ApiScope } from "~/utils/scopes";
import { showToast, type Toast } from "~/utils/toasts";
import { cardSectionHref } from "~/utils/card-section";
import { errorCode, friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";

/** The page's one note on why Follow is unavailable; every unavailable button points at it. */
const NOTICE_ID = "follow-notice";

/** What a Follow button may do on this page, decided once per page. */
export type FollowAvailability =
  | { kind: "signed-out" }
  | { kind: "read-only" }
  | { kind: "open"; capped: false }
  | { kind: "open"; capped: true; refusal: string; way: NonNullable<Toast["link"]> };

type Usage = RouterOutputs["subscriptions"]["usage"];

/** The way past a full cap, by why it is full: a bigger plan, keeping the plan one has, or paying for it. */
function wayPast(usage: Usage): NonNullable<Toast["link"]> {
  switch (usage.capReason) {
    case "plan":
      return { href: "/pricing", label: "See plans" };
    case "downgrade":
      return { href: "/pricing", label: `Keep ${usage.plan}` };
    case "unpaid":
      return { href: cardSectionHref(), label: "Update card" };
  }
}

/**
 * Whether the person may follow shows here: signed out, read-only (no write:shows), or allowed, and
 * then whether the plan's cap is reached (known before any click, from `subscriptions.usage`).
 */
export function useFollowAvailability({ signedIn, scopes }: { signedIn: boolean; scopes: readonly ApiScope[] }): FollowAvailability {
  const mayFollow = signedIn && scopes.includes("write:shows");
  const usage = trpc.subscriptions.usage.useQuery(undefined, { enabled: mayFollow && scopes.includes("read:shows") });
  if (!signedIn) return { kind: "signed-out" };
  if (!mayFollow) return { kind: "read-only" };
  // The server's own refusal, the words a follow would get back: the notice, the buttons and the
  // refusal agree, a waiting downgrade's cap included.
  const refusal = usage.data?.refusal;
  return usage.data && refusal ? { kind: "open", capped: true, refusal, way: wayPast(usage.data) } : { kind: "open", capped: false };
}

/** Said once per page, above the shows: why Follow is unavailable (read-only access, or the plan is full). */
export function FollowNotice({ availability }: { availability: FollowAvailability }) {
  if (availability.kind === "read-only") {
    return (
      <p className="follow-notice" id={NOTICE_ID}>
        {READ_ONLY_NOTICE["write:shows"]}
      </p>
    );
  }
  if (availability.kind === "open" && availability.capped) {
    return (
      <p className="follow-notice" id={NOTICE_ID}>
        {availability.refusal} <Link href={availability.way.href}>{availability.way.label}</Link>
      </p>
    );
  }
  return null;
}

type ShowPage = RouterOutputs["shows"]["list"];
type ShowList = InfiniteData<ShowPage>;
type ShowDetail = RouterOutputs["shows"]["bySlug"];

/** Marks the show followed (or not) in every cached catalogue page, show page and usage count. */
function useSetFollowing() {
  const queryClient = useQueryClient();
  return async (showId: string, following: boolean) => {
    // The catalogue's pages (infinite) and single lists such as the landing page's featured shows.
    const catalogue = getQueryKey(trpc.shows.list, undefined, "infinite");
    const lists = getQueryKey(trpc.shows.list, undefined, "query");
    const details = getQueryKey(trpc.shows.bySlug);
    const usage = getQueryKey(trpc.subscriptions.usage);
    // A refetch in flight would overwrite the optimistic value with the old one.
    await Promise.all([catalogue, lists, details, usage].map((queryKey) => queryClient.cancelQueries({ queryKey })));
    const mark = <T extends { id: string; following?: boolean }>(show: T): T => (show.id === showId ? { ...show, following } : show);
    const markList = (list: ShowPage): ShowPage => ({ ...list, items: list.items.map(mark) });
    queryClient.setQueriesData<ShowList>({ queryKey: catalogue }, (data) => data && { ...data, pages: data.pages.map(markList) });
    queryClient.setQueriesData<ShowPage>({ queryKey: lists }, (data) => data && markList(data));
    queryClient.setQueriesData<ShowDetail>({ queryKey: details }, (show) => show && mark(show));
    queryClient.setQueriesData<Usage>({ queryKey: usage }, (data) => data && { ...data, following: data.following + (following ? 1 : -1) });
  };
}

/**
 * Follow / Unfollow for one show, the same on the catalogue and on a show's page: flips at once
 * (optimistic) and flips back when the server refuses, saying why. The button is never disabled
 * while the request runs (keyboard focus stays on it): it is `aria-busy` and ignores clicks.
 */
export function FollowButton({ show, availability }: { show: { id: string; title: string; following: boolean }; availability: FollowAvailability }) {
  const router = useRouter();
  const utils = trpc.useUtils();
  const setFollowing = useSetFollowing();

  const optimistic = (value: boolean) => ({
    meta: { ownErrorMessage: true },
    onMutate: () => setFollowing(show.id, value),
    async onError(error: unknown) {
      await setFollowing(show.id, !value);
      const code = errorCode(error);
      if (code === PLAN_LIMIT_CODE) {
        // The page's usage query (useFollowAvailability's), read here rather than subscribed to by every button.
        const usage = utils.subscriptions.usage.getData();
        showToast(friendlyMessage(error), usage ? wayPast(usage) : { href: "/pricing", label: "See plans" });
      } else if (code === "FORBIDDEN") showToast(READ_ONLY_NOTICE["write:shows"]);
      // UNAUTHORIZED: the query client remembers the change and goes to the login page.
      else if (code !== "UNAUTHORIZED") showToast(friendlyMessage(error));
    },
    onSettled(_data: unknown, error: unknown) {
      if (errorCode(error) === "UNAUTHORIZED") return; // off to the login page: nothing to refresh here
      void utils.subscriptions.usage.invalidate();
      void utils.subscriptions.list.invalidate();
      void utils.billing.info.invalidate();
      void utils.me.activity.invalidate();
    },
  });
  const follow = trpc.subscriptions.add.useMutation(optimistic(true));
  const unfollow = trpc.subscriptions.remove.useMutation(optimistic(false));

  // The show's title completes the name for screen readers; the visible words stay short.
  const title = <span className="visually-hidden">{` ${show.title}`}</span>;
  if (availability.kind === "signed-out") {
    return (
      <a className="button small secondary follow-button" href={loginUrl(router.asPath)}>
        Sign in to follow{title}
      </a>
    );
  }
  const busy = follow.isPending || unfollow.isPending;
  const planFull = availability.kind === "open" && availability.capped && !show.following;
  const unavailable = availability.kind === "read-only" || planFull;
  return (
    <button
      type="button"
      // Unavailable buttons are quiet: the page's one notice says why, and so does a click.
      className={`button small follow-button${show.following || unavailable ? " secondary" : ""}`}
      aria-pressed={show.following}
      aria-busy={busy}
      aria-disabled={unavailable || undefined}
      aria-describedby={unavailable ? NOTICE_ID : undefined}
      onClick={() => {
        if (busy) return;
        if (availability.kind === "read-only") showToast(READ_ONLY_NOTICE["write:shows"]);
        else if (planFull) showToast(availability.refusal, availability.way);
        else (show.following ? unfollow : follow).mutate({ showId: show.id });
      }}
    >
      {show.following ? "Following" : "Follow"}
      {title}
      {show.following ? <span aria-hidden="true"> ✓</span> : null}
    </button>
  );
}
