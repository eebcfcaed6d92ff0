import Link from "next/link";
import { useState } from "react";
import { PLAN_LIMIT_CODE } from "~/utils/plan-limit";
import { errorCode, friendlyMessage, trpc, type RouterInputs } from "~/utils/trpc";

type ListInput = RouterInputs["shows"]["list"];

/**
 * Follow / Unfollow with an optimistic update of the catalogue page it sits on, rolled back when
 * the server refuses. The plan-cap refusal is shown next to the button, with a way out.
 */
export function FollowButton({
  showId,
  title,
  following,
  listInput,
  readOnly,
}: {
  showId: string;
  title: string;
  following: boolean;
  listInput: ListInput;
  /** Signed in without the write:shows permission: the button stays, disabled, with the reason. */
  readOnly: boolean;
}) {
  const utils = trpc.useUtils();
  const [error, setError] = useState<{ message: string; upgrade: boolean } | null>(null);

  const setFollowing = (value: boolean) =>
    utils.shows.list.setInfiniteData(listInput, (data) =>
      data && {
        ...data,
        pages: data.pages.map((page) => ({
          ...page,
          items: page.items.map((item) => (item.id === showId ? { ...item, following: value } : item)),
        })),
      },
    );

  const optimistic = (value: boolean) => ({
    meta: { ownErrorMessage: true },
    async onMutate() {
      setError(null);
      await utils.shows.list.cancel(listInput);
      const previous = utils.shows.list.getInfiniteData(listInput);
      setFollowing(value);
      return { previous };
    },
    onError(cause: unknown, _variables: unknown, context?: { previous?: ReturnType<typeof utils.shows.list.getInfiniteData> }) {
      utils.shows.list.setInfiniteData(listInput, context?.previous);
      if (errorCode(cause) !== "UNAUTHORIZED") setError({ message: friendlyMessage(cause), upgrade: errorCode(cause) === PLAN_LIMIT_CODE });
    },
    onSettled() {
      void utils.subscriptions.list.invalidate();
      void utils.billing.info.invalidate();
    },
  });
  const follow = trpc.subscriptions.add.useMutation(optimistic(true));
  const unfollow = trpc.subscriptions.remove.useMutation(optimistic(false));
  const busy = follow.isPending || unfollow.isPending;
  const reasonId = `follow-reason-${showId}`;

  return (
    <>
      <button
        type="button"
        className={`button small${following ? " secondary" : ""}`}
        aria-pressed={following}
        aria-label={`${following ? "Unfollow" : "Follow"} ${title}`}
        disabled={busy || readOnly}
        aria-describedby={readOnly ? reasonId : undefined}
        onClick={() => (following ? unfollow : follow).mutate({ showId })}
      >
        {following ? "Following ✓" : "Follow"}
      </button>
      {readOnly ? (
        <small className="muted" id={reasonId}>
          Read-only access: following needs the write:shows permission.
        </small>
      ) : null}
      {error ? (
        <p className="notice inline" role="alert" data-testid="follow-error">
          {error.message}
          {error.upgrade ? (
            <>
              {" "}
              <Link href="/pricing">See plans</Link>
            </>
          ) : null}
        </p>
      ) : null}
    </>
  );
}
