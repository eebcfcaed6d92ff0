import { z } from "zod";

const ORIGIN_LIST = "must be a comma-separated list of origins (scheme, host and port, no path), e.g. https://app.example.com";

/**
 * "https://a.example, https://b.example" → the origins, each exactly as a browser sends it in
 * `Origin`: the app's CORS_ALLOWED_ORIGINS and the local provider's IDP_SPA_ORIGINS.
 */
export const originList = z
  .string()
  .default("")
  .transform((value) => value.split(",").map((item) => item.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine((item) => URL.canParse(item) && new URL(item).origin === item, ORIGIN_LIST)));
