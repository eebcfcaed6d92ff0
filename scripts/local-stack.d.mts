// Types of scripts/local-stack.mjs, which stays plain JavaScript (see there).
type Env = Readonly<Record<string, string | undefined>>;

export declare const LOCAL_FLAG: "--local";

export declare const LOOPBACK_HOSTS: ReadonlySet<string>;

export declare function localProviderPort(auth0Domain: string | undefined): string | undefined;

export declare function localProviderRefusal(env: Env): string | undefined;

export type StartPlan =
  | { run: "next"; args: string[]; note?: string }
  | { run: "local"; args: string[] }
  | { refuse: string };

export declare function startPlan(argv: readonly string[], env: Env): StartPlan;

export declare function onParentGone(onGone: () => void, everyMs?: number): void;
