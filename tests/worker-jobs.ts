/** The queue a killed worker leaves a job in: it expires fast, so that another worker retries it. */
export const STUCK_QUEUE = { name: "test.stuck", retryLimit: 2, retryDelay: 0, expireInSeconds: 2 };
