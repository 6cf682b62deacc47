/**
 * Facts made on first read. A file's analysis that finds no optimizer construction and no hand-written update (most
 * files that pass the prefilter: modules with scheduler, checkpoint or distributed words) knows that no rule can
 * report from its facts, and that only a joiner placing a construction there (the call-site join's `placeInCaller`,
 * the Hydra join) or another file's analysis can need them. Its facts hold the empty `optimizers` list, and every
 * other field is made, all at once, the first time one is read or written (`complete`, which analyzes the text
 * again: the same text and path give the same facts).
 */
import type { TrainingFacts } from "./facts.js";

/**
 * The fields made on first read. The mapped type makes a field added to TrainingFacts a compile error until it is
 * listed here or among the three that stay plain: `optimizers` (empty, as the file builds none), and `exclusive` and
 * `manualAdam`, which a full analysis of such a file leaves absent too (exclusive pairs are of the file's own
 * constructions, and a file with a hand-written update is never deferred).
 */
const DEFERRED_FIELDS: { [K in Exclude<keyof TrainingFacts, "optimizers" | "exclusive" | "manualAdam">]-?: true } = {
  distributed: true,
  schedulers: true,
  lrWrites: true,
  modelHints: true,
  checkpoints: true,
  resume: true,
  batch: true,
  loops: true,
  testCode: true,
  precision: true,
};
const DEFERRED = Object.keys(DEFERRED_FIELDS);

const pending = new WeakSet<TrainingFacts>();

/** Whether no field of these facts but `optimizers` was read or written yet (rules need not run: see `runRules`). */
export function factsPending(facts: TrainingFacts): boolean {
  return pending.has(facts);
}

/**
 * Facts with no construction whose other fields `complete` gives on first use. What a joiner wrote before (a
 * construction it placed in `optimizers`, a field it set) is kept over what `complete` gives.
 */
export function factsOnDemand(complete: () => TrainingFacts): TrainingFacts {
  const facts = { optimizers: [] } as unknown as TrainingFacts;
  const fields = facts as unknown as Record<string, unknown>;
  const finish = (): void => {
    if (!pending.delete(facts)) return;
    const written = new Map<string, unknown>();
    for (const key of Object.keys(fields)) {
      const own = Object.getOwnPropertyDescriptor(fields, key)!;
      if ("value" in own) written.set(key, own.value);
      delete fields[key];
    }
    Object.assign(fields, complete());
    for (const [key, value] of written) fields[key] = value;
  };
  for (const key of DEFERRED) {
    Object.defineProperty(facts, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        finish();
        return fields[key];
      },
      set: (value: unknown) => {
        finish();
        fields[key] = value;
      },
    });
  }
  pending.add(facts);
  return facts;
}
