// A: the A0 route with the proxy in front (as pages have it; API routes do not: bench/app.ts adds this route to the copy's proxy matcher), for what the proxy costs.
export { default } from "../shows";
