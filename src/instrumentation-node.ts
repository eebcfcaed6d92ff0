/** Validates the environment at boot, not at the first request: a missing or malformed variable stops the server, naming the variable and what it expects. */
export async function validateEnvironment() {
  try {
    await import("~/server/platform/env");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
