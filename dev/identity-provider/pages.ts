// The provider's own HTML pages: self-contained (no fonts, scripts or images from anywhere).
import fs from "node:fs";
import { TEST_PASSWORD, TEST_USERS } from "./users";

export const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// The app's icon (public/favicon.svg), inline: the provider serves no files, and the browser asks for one.
const ICON = `data:image/svg+xml,${encodeURIComponent(fs.readFileSync(new URL("../../public/favicon.svg", import.meta.url), "utf8"))}`;

const STYLE = `
  body{font:16px/1.5 system-ui,sans-serif;background:#f4f5fb;color:#1c1d29;margin:0;display:grid;place-items:center;min-height:100vh}
  main{background:#fff;border-radius:12px;box-shadow:0 4px 24px #0001;padding:2rem;width:min(420px,92vw)}
  h1{font-size:1.4rem;margin:0 0 .25rem} p.hint{color:#555;margin:.25rem 0 1rem;font-size:.9rem}
  .users{display:grid;gap:.5rem;margin-bottom:1.25rem} .users form{margin:0}
  button{font:inherit;cursor:pointer;border-radius:8px;border:1px solid #4b4fd6;padding:.55rem .8rem}
  .user{width:100%;text-align:left;background:#fff;color:#1c1d29;border-color:#d6d7e6}
  .user:hover,.user:focus-visible{border-color:#4b4fd6;outline:2px solid #4b4fd633}
  .user small{display:block;color:#666}
  label{display:block;font-size:.9rem;margin:.5rem 0 .2rem}
  input{font:inherit;width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #c8c9d8;border-radius:8px}
  input:focus-visible{outline:2px solid #4b4fd6}
  .primary{background:#4b4fd6;color:#fff;width:100%;margin-top:1rem}
  .error{background:#fdecec;color:#8a1c1c;border-radius:8px;padding:.5rem .75rem}
  hr{border:0;border-top:1px solid #e3e4ee;margin:1.25rem 0}`;

export function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="${ICON}"><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

export function loginPage({ uid, error, email }: { uid: string; error?: string; email?: string }): string {
  const action = `/interaction/${escapeHtml(uid)}`;
  const users = TEST_USERS.map(
    (user) => `<form method="post" action="${action}"><input type="hidden" name="sub" value="${escapeHtml(user.sub)}">
      <button class="user" type="submit" data-sub="${escapeHtml(user.sub)}">Continue as ${escapeHtml(user.name)}
      <small>${escapeHtml(user.email)} · ${escapeHtml(user.description)}</small></button></form>`,
  ).join("");
  return page(
    "Sign in to Showtrack",
    `<h1>Sign in to Showtrack</h1>
    <p class="hint">Local identity provider for development: pick a test user, or use the form (password <code>${TEST_PASSWORD}</code>).</p>
    <div class="users">${users}</div><hr>
    ${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : ""}
    <form method="post" action="${action}">
      <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email ?? "")}">
      <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
      <button class="primary" type="submit">Sign in</button>
    </form><hr>
    <form method="post" action="${action}">
      <input type="hidden" name="signup" value="yes">
      <label for="signup-email">New here? Email</label><input id="signup-email" name="email" type="email" autocomplete="email" required>
      <label for="signup-name">Name</label><input id="signup-name" name="name" autocomplete="name">
      <button class="primary" type="submit">Sign up</button>
    </form>`,
  );
}
