import { useSyncExternalStore } from "react";

// The landing page thanks the person who just deleted their account, once. A flag in this tab's
// session storage rather than in the address: an address is copied, bookmarked and carried through
// "Log in" (returnTo) to the next person who signs in on this browser.
const KEY = "showtrack:account-deleted";

/** Called right before the deleted account's tab goes to the landing page. */
export function markAccountDeleted() {
  sessionStorage.setItem(KEY, "1");
}

// Read once per page load: the first read takes the flag away, so a reload, another tab or the next
// person's sign-in finds nothing.
let deletedHere: boolean | undefined;
const readOnce = () => {
  if (deletedHere === undefined) {
    deletedHere = sessionStorage.getItem(KEY) === "1";
    sessionStorage.removeItem(KEY);
  }
  return deletedHere;
};

const noSubscription = () => () => undefined;

/** Whether this tab just deleted its account (false on the server, and after the first page that said so). */
export const useAccountJustDeleted = () => useSyncExternalStore(noSubscription, readOnce, () => false);
