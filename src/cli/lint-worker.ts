/**
 * A lint worker thread (see parallel.ts): lints each job it is sent as a project of its own, one after the other,
 * and posts the results. The run's index (which files call each name, the import graph) comes from the main thread,
 * which read every file; folder listings are kept across jobs. Trees are freed between files as in the main thread.
 */
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { useRunIndex } from "../python/calls.js";
import { NativeMemoryGuard } from "./native-memory.js";
import { diskHost, lintJob, restoreRunIndex, type PortableRunIndex, type WorkerJob, type WorkerReply, type WorkerStart } from "./parallel.js";

/** Characters parsed between two collections in a worker: each of several threads holds at most about 10 MB of trees. */
const CHARS_PER_COLLECTION = 200_000;

const port = parentPort;
const start = workerData as WorkerStart | undefined;
if (port && start?.optimLintWorker) {
  // The files of a run do not change while it lasts: one host answers every job.
  const host = diskHost();
  const signal = new Int32Array(start.signal);
  // One message at a time, in order: a job yields between files, and a second one run meanwhile would hold its trees too.
  let queue: Promise<void> = Promise.resolve();
  const handle = async (message: WorkerJob | PortableRunIndex): Promise<void> => {
    if ("kind" in message) {
      useRunIndex(restoreRunIndex(message, { port: start.graphs, signal, receive: receiveMessageOnPort }));
      return;
    }
    const memory = new NativeMemoryGuard(CHARS_PER_COLLECTION);
    const reply: WorkerReply = { id: message.id, ...(await lintJob(message, (chars) => memory.afterFile(chars), host)) };
    port.postMessage(reply);
  };
  port.on("message", (message: WorkerJob | PortableRunIndex) => {
    queue = queue.then(() => handle(message));
    // A failure ends the worker, as an error thrown in a handler would: the pool lints its job in the main thread.
    queue.catch((error: unknown) =>
      setImmediate(() => {
        throw error;
      }),
    );
  });
}
