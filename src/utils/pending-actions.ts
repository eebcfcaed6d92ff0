/**
 * Changes a person made while their session had ended (the API answered UNAUTHORIZED): remembered in
 * this tab's sessionStorage before the trip to the login page, and replayed when the person is back
 * on the page they made them on. Nothing a person does is lost to an expired session.
 */
type ShowInput = { showId: string };
export type PendingAction = {
  /** The page (path and query) the change was made on: it is replayed there, and only there. */
  page: string;
  at: number;
} & (
  | { path: "subscriptions.add" | "subscriptions.remove"; input: ShowInput }
  | { path: "subscriptions.setNotify"; input: ShowInput & { notify: boolean } }
);

// Checked by hand, not with zod: zod 4 probes `new Function` for its fast path, which the
// Content-Security-Policy forbids (a reported violation on every page that loaded it).
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/** The stored shape, or null: storage is the person's to edit, and a replay must send only these. */
function asPendingAction(value: unknown): PendingAction | null {
  if (!isRecord(value) || !isRecord(value.input) || typeof value.page !== "string" || typeof value.at !== "number") return null;
  const { path, page, at } = value;
  const { showId, notify } = value.input;
  if (typeof showId !== "string") return null;
  if (path === "subscriptions.add" || path === "subscriptions.remove") return { path, input: { showId }, page, at };
  if (path === "subscriptions.setNotify" && typeof notify === "boolean") return { path, input: { showId, notify }, page, at };
  return null;
}

const STORAGE_KEY = "showtrack:pending-actions";
/** A change older than this is stale: the person may have moved on (or signed in as someone else). */
const MAX_AGE_MS = 15 * 60_000;

function read(): PendingAction[] {
  try {
    const stored: unknown = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "[]");
    const actions = Array.isArray(stored) ? stored.map(asPendingAction) : [];
    return actions.filter((action) => action !== null && Date.now() - action.at < MAX_AGE_MS) as PendingAction[];
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
  const action = asPendingAction({ path, input, page, at: Date.now() });
  if (!action) return false;
  // The same change twice (a double click) is replayed once.
  const others = read().filter((known) => known.path !== path || JSON.stringify(known.input) !== JSON.stringify(action.input));
  write([...others, action]);
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
