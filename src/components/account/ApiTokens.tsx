import { Link } from "~/components/Link";
import { useState, type FormEvent } from "react";
import { LoadError, Loading } from "~/components/LoadError";
import { API_TOKEN_EXPIRIES } from "~/utils/api-tokens";
import { loginUrl } from "~/utils/auth-routes";
import { formatDate, formatTimeAgo } from "~/utils/format";
import type { ApiScope } from "~/utils/scopes";
import { friendlyMessage, trpc, type RouterOutputs } from "~/utils/trpc";
import type { Loadable } from "~/components/account/AccountView";

type Created = RouterOutputs["tokens"]["create"];

/** The line a person copies to try their new token: their followed shows, from a terminal. */
// The token in a variable, not in the command: it stays out of the shell's history and of `ps`.
const curlLine = (token: string) => `export SHOWTRACK_TOKEN=${token}\ncurl -H "Authorization: Bearer $SHOWTRACK_TOKEN" ${window.location.origin}/api/my/shows`;

/**
 * "API tokens": personal access tokens for scripts, on plans with API access. A new token is shown
 * once, with a curl line; the list shows each token's visible prefix, permissions, expiry and last use,
 * and revokes any. `held`: the person's own permissions, the most a token of theirs may carry.
 */
export function ApiTokens({ list, held }: { list: Loadable<RouterOutputs["tokens"]["list"]>; held: readonly ApiScope[] }) {
  const utils = trpc.useUtils();
  const refresh = { onSettled: () => void utils.tokens.list.invalidate() };
  const [created, setCreated] = useState<Created | null>(null);
  const create = trpc.tokens.create.useMutation({ ...refresh, onSuccess: setCreated });
  const revoke = trpc.tokens.revoke.useMutation(refresh);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const scopes = held.filter((scope) => form.getAll("scope").includes(scope));
    create.mutate({ name: String(form.get("name") ?? ""), scopes, expiresInDays: Number(form.get("expires")) });
  }

  if (list.isError) return <LoadError what="Your API tokens" query={list} />;
  if (!list.data) return <Loading what="your API tokens" />;
  const { allowed, signInBy, tokens } = list.data;
  return (
    <section className="panel" aria-labelledby="tokens-heading" id="api-tokens">
      <h2 id="tokens-heading">API tokens</h2>
      {allowed ? (
        <p className="muted">Personal access tokens let your own scripts call the Showtrack API as you, with the permissions you give them.</p>
      ) : (
        <p className="follow-notice" id="tokens-plan-notice">
          API tokens come with the Developer and Enterprise plans
          {tokens.length > 0 ? ": yours are refused until you upgrade, and work again as soon as you do" : ""}.{" "}
          <Link href="/pricing">See plans</Link>
        </p>
      )}
      {created ? (
        <div className="notice ok" role="status" id="new-token">
          <p>
            Your token &apos;{created.name}&apos; is shown this once: copy it now.
          </p>
          <pre>
            <code id="new-token-value">{created.token}</code>
          </pre>
          <p>Try it:</p>
          <pre>
            <code id="new-token-curl">{curlLine(created.token)}</code>
          </pre>
          <button type="button" className="button small secondary" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      ) : null}
      {allowed ? (
        <form onSubmit={submit} id="create-token" aria-label="Create an API token">
          <label className="field">
            Name
            <input name="name" required maxLength={60} placeholder="ci-script" />
          </label>
          <fieldset className="choices">
            <legend>Permissions</legend>
            {held.map((scope) => (
              <label key={scope}>
                <input type="checkbox" name="scope" value={scope} defaultChecked={scope.startsWith("read:")} /> {scope}
              </label>
            ))}
          </fieldset>
          <label className="field">
            Expires in
            <select name="expires" defaultValue={90}>
              {API_TOKEN_EXPIRIES.map((days) => (
                <option key={days} value={days}>
                  {days} days
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="button" disabled={create.isPending}>
            Create token
          </button>
          {create.error ? (
            <p className="notice inline" role="alert" id="token-error">
              {friendlyMessage(create.error)}{" "}
              {create.error.data?.code === "PRECONDITION_FAILED" ? (
                // max_age=0: the identity provider asks for the person's credentials again, then brings them back here.
                <a href={loginUrl("/account#api-tokens", { maxAgeSeconds: 0 })}>Sign in again</a>
              ) : null}
            </p>
          ) : null}
        </form>
      ) : null}
      {tokens.length > 0 ? (
        <ul className="sessions" id="token-list">
          {tokens.map((token) => (
            <li key={token.id} data-token={token.id}>
              <strong>{token.name}</strong> <code>{token.prefix}…</code>{" "}
              <span className="muted">
                {token.scopes.join(" ")} · expires {formatDate(token.expiresAt)} · last used{" "}
                {token.lastUsedAt ? (
                  <time dateTime={token.lastUsedAt} title={formatDate(token.lastUsedAt)} suppressHydrationWarning>
                    {formatTimeAgo(token.lastUsedAt)}
                  </time>
                ) : (
                  "never"
                )}
              </span>{" "}
              <button
                type="button"
                className="button small secondary"
                aria-label={`Revoke the token ${token.name}`}
                disabled={revoke.isPending}
                onClick={() => revoke.mutate({ id: token.id })}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {tokens.length > 0 && signInBy ? (
        // A token counts on the permissions its person's own sign-ins confirm (src/server/domain/api-tokens.ts).
        <p className="muted" id="tokens-sign-in-by">
          <small>Your tokens stop working on {formatDate(signInBy)} unless you sign in to Showtrack before then.</small>
        </p>
      ) : null}
    </section>
  );
}
