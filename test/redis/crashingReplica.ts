// A replica in its own process for the crash tests: it takes one job, opens its check run (prints
// `started <id>`) or starts an organization task (prints `started <kind>`), then hangs mid-work
// until the test kills it with SIGKILL. With `unrecorded` it dies as one that created its run on
// GitHub (the test's fake holds it) but had not recorded it yet: it records nothing.
import { BullQueue, jobPlace } from "../../src/queue/index.js";

const [redisUrl, prefix, mode] = process.argv.slice(2);
if (!redisUrl || !prefix)
  throw new Error("usage: crashingReplica.ts <redis-url> <prefix> [unrecorded]");

const CHECK_RUN_ID = 501;
const queue = new BullQueue({ redisUrl, prefix, lockMs: 1000, supersessionPollMs: 50 });
await queue.start({
  reviveOrgTask: (payload) => ({
    deliveryId: payload.deliveryId,
    pullKey: jobPlace(payload).supersededOn,
    headSha: jobPlace(payload).headSha,
    payload,
    run: async () => {
      process.stdout.write(`started ${payload.kind}\n`);
      await new Promise<void>(() => undefined);
    },
    cancel: async () => undefined,
  }),
  revive: (payload, journal) => ({
    deliveryId: payload.deliveryId,
    pullKey: `${payload.target.owner}/${payload.target.repo}#${payload.target.pullNumber}`,
    headSha: payload.target.headSha,
    payload,
    run: async () => {
      if (mode !== "unrecorded") await journal.recordCheckRun(CHECK_RUN_ID);
      process.stdout.write(`started ${CHECK_RUN_ID}\n`);
      await new Promise<void>(() => undefined);
    },
    cancel: async () => undefined,
  }),
  checkRunInProgress: async () => true,
});
process.stdout.write("ready\n");
