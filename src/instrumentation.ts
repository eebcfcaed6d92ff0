// Runs once when the Next server boots. Next also compiles this file for the Edge runtime (the
// proxy); the Node-only boot code lives in its own module, imported only under Node, so that
// compilation sees no process.exit (Next's documented pattern for runtime-specific code).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") await (await import("./instrumentation-node")).validateEnvironment();
}
