import path from "node:path";

export const TMP_DIR = path.resolve(import.meta.dirname, "..", ".tmp");
export const IDP_KEYS_FILE = path.join(TMP_DIR, "identity-provider-keys.json");
