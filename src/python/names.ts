/** Domain vocabulary: which Python names mean a world size, a batch size, a learning rate. */
import type { Dependency } from "../core/facts.js";
import { lastSegment } from "../knowledge/dotted.js";
import { OPTIMIZERS } from "../knowledge/optimizers.js";

/** Last segments of every optimizer path (`Adam`, `FusedLAMB`, ...): code naming none of them constructs no known optimizer. */
export const OPTIMIZER_CLASS_NAMES: ReadonlySet<string> = new Set(
  OPTIMIZERS.flatMap((o) => [o.canonical, ...o.aliases].map(lastSegment)),
);

const WORLD_SIZE_NAME = /world_?size|num_?gpus|(?:^|_)n_?gpus?(?:$|_)|ngpus|^num_processes$|^nprocs$|^gpu_count$|^num_replicas$/i;
const GLOBAL_BATCH_NAME = /^(?:total|global|effective)_?(?:train_)?batch_?size$/i;
const BATCH_NAME = /batch_?size|(?:^|_)bs$/i;
/** Any name of a batch: `batch_size`, `GLOBAL_BATCH`, `args.batch`, `IMS_PER_BATCH`, `bs`, `bsz`. */
const BATCH_LIKE_NAME = /batch|(?:^|_)bsz?$|accum/i;
/** A batch's position or a number of batches (`batch_idx`, `batch_nb`, `num_batches`, `batches_per_epoch`): not a size. */
const BATCH_INDEX_OR_COUNT = /batch_?(?:idx|index|id|i|nb|num|no|count)$|^(?:n|num|total|max)_?(?:train_)?batches$|batches_?(?:per_?epoch|seen|done)$/i;
const LEARNING_RATE_NAME = /^(?:[a-z0-9]+_)*(?:lr|learning_rate)$/i;
/** Calls whose result is the number of data-parallel workers (`dist.get_world_size()`, `torch.cuda.device_count()`). */
const WORLD_SIZE_CALL = /(?:^|_)world_size$|^device_count$/;

/** Import paths of calls that return the number of workers by a generic name (Horovod's `hvd.size()`). */
const WORLD_SIZE_PATH = /^horovod(?:\.\w+)*\.size$/;

/** Environment variables torchrun (and the older launchers) set for each worker. */
export const TORCHRUN_ENV = new Set(["WORLD_SIZE", "LOCAL_RANK", "RANK", "LOCAL_WORLD_SIZE"]);

/** Whether a name (a variable or the last attribute of a chain) holds the number of workers. */
function isWorldSizeName(name: string): boolean {
  return WORLD_SIZE_NAME.test(name);
}

/** Whether a call with this last callee segment returns the number of workers. */
export function isWorldSizeCall(lastSegment: string): boolean {
  return WORLD_SIZE_CALL.test(lastSegment);
}

/** Whether a call to this import path returns the number of workers. */
export function isWorldSizePath(path: string): boolean {
  return WORLD_SIZE_PATH.test(path);
}

/** Whether a name holds a batch of any kind, or a gradient-accumulation count: dividing it by the world size keeps the global batch fixed. */
export function isBatchLikeName(name: string): boolean {
  return BATCH_LIKE_NAME.test(name) && (!BATCH_INDEX_OR_COUNT.test(name) || BATCH_NAME.test(name) || /accum/i.test(name));
}

/** Whether a name holds a batch size of any kind. */
export function isBatchName(name: string): boolean {
  return BATCH_NAME.test(name);
}

/** Whether a name holds a learning rate (`lr`, `base_lr`, `learning_rate`, ...). */
export function isLearningRateName(name: string): boolean {
  return LEARNING_RATE_NAME.test(name);
}

/** What a name itself says the value depends on. */
export function nameDependencies(name: string): Dependency[] {
  if (isWorldSizeName(name)) return ["world-size"];
  if (GLOBAL_BATCH_NAME.test(name)) return ["batch-size"];
  return [];
}

/** The union of dependency lists, in a stable order. */
export function unionDependencies(...lists: Dependency[][]): Dependency[] {
  const all = new Set(lists.flat());
  return (["world-size", "batch-size"] as Dependency[]).filter((d) => all.has(d));
}
