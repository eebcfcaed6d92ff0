import { createNextApiHandler } from "@trpc/server/adapters/next";
import { createContext } from "~/server/context";
import { appRouter } from "~/server/routers/_app";

export default createNextApiHandler({
  router: appRouter,
  createContext,
  onError({ error, path, type }) {
    // The client gets a code and a message; the cause and stack are logged here only.
    if (error.code === "INTERNAL_SERVER_ERROR") console.error(`[trpc] ${type} ${path ?? "?"} failed:`, error.cause ?? error);
  },
});
