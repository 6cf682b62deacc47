/**
 * A lint worker thread (see parallel.ts): lints each job it is sent as a project of its own and posts the results.
 * Trees are freed between files as in the main thread.
 */
import { parentPort } from "node:worker_threads";
import { NativeMemoryGuard } from "./native-memory.js";
import { lintJob, type WorkerJob, type WorkerReply } from "./parallel.js";

/** Characters parsed between two collections in a worker: each of several threads holds at most about 10 MB of trees. */
const CHARS_PER_COLLECTION = 300_000;

const port = parentPort;
if (port) {
  port.on("message", async (job: WorkerJob) => {
    const memory = new NativeMemoryGuard(CHARS_PER_COLLECTION);
    const reply: WorkerReply = { id: job.id, ...(await lintJob(job, (chars) => memory.afterFile(chars))) };
    port.postMessage(reply);
  });
}
