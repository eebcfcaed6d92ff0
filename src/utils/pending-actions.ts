import { z } from "zod";

/**
 * Changes a person made while their session had ended (the API answered UNAUTHORIZED): remembered in
 * this tab's sessionStorage before the trip to the login page, and replayed when the person is back
 * on the page they made them on. Nothing a person does is lost to an expired session.
 */
const showInput = z.object({ showId: z.string() });
const where = {
  /** The page (path and query) the change was made on: it is replayed there, and only there. */
  page: z.string(),
  at: z.number(),
};
const pendingAction = z.discriminatedUnion("path", [
  z.object({ path: z.literal("subscriptions.add"), input: showInput, ...where }),
  z.object({ path: z.literal("subscriptions.remove"), input: showInput, ...where }),
  z.object({ path: z.literal("subscriptions.setNotify"), input: showInput.extend({ notify: z.boolean() }), ...where }),
]);
export type PendingAction = z.infer<typeof pendingAction>;

const STORAGE_KEY = "showtrack:pending-actions";
/** A change older than this is stale: the person may have moved on (or signed in as someone else). */
const MAX_AGE_MS = 15 * 60_000;

function read(): PendingAction[] {
  try {
    const parsed = z.array(pendingAction).safeParse(JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "[]"));
    return parsed.success ? parsed.data.filter((action) => Date.now() - action.at < MAX_AGE_MS) : [];
  } catch {
    return []; // storage disabled or garbled: nothing to replay
  }
}

function write(actions: PendingAction[]) {
  try {
    if (actions.length) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(actions));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled: the change is lost as before, the person still lands on the login page
  }
}

/** Remembers a refused mutation when it is one that can be replayed; the tRPC path comes from its mutation key. */
export function rememberAction(path: string, input: unknown, page: string): boolean {
  const action = pendingAction.safeParse({ path, input, page, at: Date.now() });
  if (!action.success) return false;
  // The same change twice (a double click) is replayed once.
  const others = read().filter((known) => known.path !== path || JSON.stringify(known.input) !== JSON.stringify(action.data.input));
  write([...others, action.data]);
  return true;
}

/** Takes (and forgets) the changes made on `page`; those of other pages wait for their page. */
export function takeActions(page: string): PendingAction[] {
  const actions = read();
  const mine = actions.filter((action) => action.page === page);
  if (mine.length) write(actions.filter((action) => action.page !== page));
  return mine;
}

let leavingForLogin = false;

/** The page is about to go to the login page on purpose: no "unsaved changes" prompt for that. */
export function markLeavingForLogin() {
  leavingForLogin = true;
}

export const isLeavingForLogin = () => leavingForLogin;
