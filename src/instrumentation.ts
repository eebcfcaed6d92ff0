// Runs once when the Next server boots: validate the environment now, not at the first request.
// A missing or malformed variable stops the server, naming the variable and what it expects.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  try {
    await import("~/server/platform/env");
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
