// A: the A0 route behind the proxy, as every /api call is.
export { default } from "./direct/shows.bench.mts";
