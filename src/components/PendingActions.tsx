import { useIsMutating, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/router";
import { useEffect } from "react";
import { isLeavingForLogin, takeActions, type PendingAction } from "~/utils/pending-actions";
import { showToast } from "~/utils/toasts";
import { friendlyMessage, trpc } from "~/utils/trpc";

/**
 * Nothing a person does is lost: replays the changes an ended session refused once the person is
 * back on that page (signed in again), and asks before the page unloads while a change is in flight.
 */
export function PendingActions() {
  const router = useRouter();
  const { client } = trpc.useUtils();
  const queryClient = useQueryClient();
  const inFlight = useIsMutating() > 0;

  useEffect(() => {
    if (!router.isReady) return;
    const actions = takeActions(router.asPath);
    if (!actions.length) return;
    const send = (action: PendingAction) => {
      switch (action.path) {
        case "subscriptions.add":
          return client.subscriptions.add.mutate(action.input);
        case "subscriptions.remove":
          return client.subscriptions.remove.mutate(action.input);
        case "subscriptions.setNotify":
          return client.subscriptions.setNotify.mutate(action.input);
      }
    };
    void (async () => {
      // One after another, in the order the person made them; a refusal (say, the plan's cap) is told.
      let saved = 0;
      for (const action of actions) {
        try {
          await send(action);
          saved++;
        } catch (error) {
          showToast(friendlyMessage(error));
        }
      }
      // The page shows the replayed changes before it says they are saved.
      await queryClient.invalidateQueries();
      if (saved) showToast(saved === 1 ? "Your change from before signing in is saved." : "Your changes from before signing in are saved.");
    })();
  }, [router.isReady, router.asPath, client, queryClient]);

  useEffect(() => {
    if (!inFlight) return;
    const warn = (event: BeforeUnloadEvent) => {
      if (isLeavingForLogin()) return;
      event.preventDefault(); // the browser asks "Leave site? Changes you made may not be saved."
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [inFlight]);

  return null;
}
