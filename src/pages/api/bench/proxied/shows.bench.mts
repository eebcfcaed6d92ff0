// A: the A0 route with the proxy in front (as pages have it; API routes do not), for what the proxy costs.
export { default } from "../shows.bench.mts";
