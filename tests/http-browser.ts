// A browser stand-in for sign-in flows over plain HTTP: keeps cookies, follows redirects, and
// stops at the app (whose callback the test hands to the app itself).

export class HttpBrowser {
  cookies = new Map<string, string>();

  /** `app`: the origin where following stops, e.g. http://localhost:3000. */
  constructor(readonly app: string) {}

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { ...init, redirect: "manual", headers: { ...init.headers, cookie } });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const [name, value] = pair!.split(/=(.*)/s);
      this.cookies.set(name!, value ?? "");
    }
    return response;
  }

  /** Follows redirects until a page that is not a redirect, or a redirect to the app. */
  async follow(url: string, init?: RequestInit): Promise<{ url: string; response: Response }> {
    let response = await this.request(url, init);
    while (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location")!, url).href;
      if (url.startsWith(this.app)) return { url, response };
      response = await this.request(url);
    }
    return { url, response };
  }
}

/** A urlencoded form POST, as a browser submits one. */
export const form = (fields: Record<string, string>): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});
