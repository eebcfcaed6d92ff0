// Security headers that depend on nothing known only at run time. next.config.ts gives the API's to
// every /api response, those Next answers itself (an unknown path's 404, a body it refuses) included;
// security-headers.ts adds the rest (the policy of a page, HSTS) per response.

const PERMISSIONS_POLICY = "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()";

/** The headers every response carries, whatever it is. */
export const FIXED_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "strict-origin-when-cross-origin",
  "Permissions-Policy": PERMISSIONS_POLICY,
  // For browsers that predate frame-ancestors.
  "X-Frame-Options": "DENY",
};

/** The headers of every API response: JSON, which nothing may run, load or frame as a document. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  ...FIXED_SECURITY_HEADERS,
};
