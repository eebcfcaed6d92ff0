import { vi } from "vitest";
import { describeRateLimits } from "./rate-limits";

vi.hoisted(() => Object.assign(process.env, { RATE_LIMIT_READS_PER_MINUTE: "5", RATE_LIMIT_WRITES_PER_MINUTE: "3" }));

describeRateLimits("memory");
