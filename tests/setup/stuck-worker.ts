// A worker that takes a job of "test.stuck" and never finishes it, until it is killed: what a crashed
// worker leaves behind (tests/worker.test.ts). DATABASE_URL from the env.
import { createJobEngine } from "../../src/server/platform/jobs";
import { STUCK_QUEUE } from "../worker-jobs";

const boss = createJobEngine(process.env.DATABASE_URL!, { supervise: false, schedule: false, pollingIntervalSeconds: 0.5 });
await boss.start();
await boss.createQueue(STUCK_QUEUE.name, STUCK_QUEUE);
await boss.work(STUCK_QUEUE.name, async ([job]) => {
  console.log(`started ${job!.id}`);
  await new Promise(() => {}); // never settles: only SIGKILL ends it
});
console.log("ready");
