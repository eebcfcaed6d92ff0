// When the local stack of `npm run dev` (the embedded database and the local identity provider,
// dev/identity-provider) may start, and what `npm start` runs. Shared by scripts/start.mjs,
// scripts/dev.ts and dev/identity-provider/server.ts so that they decide alike. Plain JavaScript,
// because scripts/start.mjs runs on a production install, which has Node and Next and nothing else.

/**
 * `npm start -- --local`: the production build with the local stack. A flag on the command line
 * rather than a variable, so that it cannot come along with an env file copied to a server.
 */
export const LOCAL_FLAG = "--local";

/** The host names of this machine. */
export const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The local provider's port when AUTH0_DOMAIN names it (http://localhost:<port>), else undefined. */
export function localProviderPort(auth0Domain) {
  return /^http:\/\/localhost:(\d+)\/?$/.exec(auth0Domain ?? "")?.[1];
}

function onThisMachine(url) {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "http:" && LOOPBACK_HOSTS.has(hostname);
  } catch {
    return false;
  }
}

/**
 * Why the local identity provider must not start in this environment, or undefined when it may.
 * It signs in anyone who clicks a test user, so it never runs where NODE_ENV=production meets an
 * app that looks deployed: an APP_BASE_URL on https, or on another machine than this one.
 */
export function localProviderRefusal(env) {
  if (env.NODE_ENV !== "production" || env.APP_BASE_URL === undefined || onThisMachine(env.APP_BASE_URL)) return undefined;
  return (
    `The local identity provider signs anyone in as a test user, so it does not start with NODE_ENV=production ` +
    `and APP_BASE_URL=${env.APP_BASE_URL} (a deployed app's address). Point AUTH0_DOMAIN at your Auth0 tenant there; ` +
    `on a laptop, use an http://localhost APP_BASE_URL.`
  );
}

/**
 * What `npm start` runs, from its arguments and environment (.env.local included):
 *   { run: "next", args }   `next start` with the arguments, the default (and what a server runs);
 *   { run: "local", args }  with --local: scripts/dev.ts --start, i.e. the local stack and `next start`;
 *   { refuse }              with --local where it cannot or must not run: the one line to print.
 * `note` is a hint to print before plain `next start`.
 */
export function startPlan(argv, env) {
  const args = argv.filter((arg) => arg !== LOCAL_FLAG);
  const localProvider = localProviderPort(env.AUTH0_DOMAIN) !== undefined;
  if (!argv.includes(LOCAL_FLAG)) {
    return localProvider
      ? { run: "next", args, note: `AUTH0_DOMAIN=${env.AUTH0_DOMAIN} is the local identity provider, which \`npm start\` does not start: \`npm start -- ${LOCAL_FLAG}\` runs it (and the embedded database) too.` }
      : { run: "next", args };
  }
  if (!localProvider) {
    return { refuse: `\`npm start -- ${LOCAL_FLAG}\` runs the local identity provider, but AUTH0_DOMAIN=${env.AUTH0_DOMAIN ?? "(unset)"} is not it (http://localhost:<port>). Drop ${LOCAL_FLAG} to use that tenant.` };
  }
  const refusal = localProviderRefusal(env);
  return refusal ? { refuse: refusal } : { run: "local", args };
}

/**
 * Calls `onGone` once when this process's parent ends. npm runs a script through `sh -c`, and a
 * SIGTERM to npm (an IDE's stop button, `timeout`) ends npm and that shell but reaches nothing
 * below: the orphan, adopted by another parent, sees its parent id change.
 */
export function onParentGone(onGone, everyMs = 500) {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
}
