/**
 * What a config tree says about the batch and the length of training: DeepSpeed's batch keys, HF TrainingArguments,
 * mmengine's `train_dataloader` and `train_cfg`, Lightning's `data` and `trainer`. Only values written in the tree
 * count; a tree that inherits (`_base_`, a Hydra defaults list) or is open says nothing about what it may inherit.
 */
import type { BatchFacts, ResolvedValue, TrainingLoopFact } from "../core/facts.js";
import { asNumber } from "../core/facts.js";
import { entryOf, isMapping, mappingAt, type MappingValue } from "./recognize.js";

/** A positive number written at a key, with its provenance. */
function numberAt(mapping: MappingValue | undefined, key: string): ResolvedValue | undefined {
  const value = mapping ? entryOf(mapping, key)?.value : undefined;
  const n = asNumber(value);
  return n !== undefined && n > 0 ? value : undefined;
}

/** Whether a tree may take keys from elsewhere (a `_base_`, a Hydra defaults list, a spread). */
function inherits(root: MappingValue): boolean {
  return root.value.kind === "mapping" && (root.value.open === true || !!entryOf(root, "_base_") || !!entryOf(root, "defaults"));
}

/** The batch and loop facts of a config tree; `hf` for a TrainingArguments-style tree. */
export function configTraining(root: ResolvedValue, hint?: "hf" | "timm"): { batch: BatchFacts; loops: TrainingLoopFact[] } {
  const batch: BatchFacts = {};
  const loops: TrainingLoopFact[] = [];
  if (!isMapping(root) || hint === "timm") return { batch, loops };
  const set = (key: keyof BatchFacts, value: ResolvedValue | undefined) => {
    if (value && !batch[key]) batch[key] = value;
  };
  if (hint === "hf") {
    set("perDevice", numberAt(root, "per_device_train_batch_size"));
    set("accumulation", numberAt(root, "gradient_accumulation_steps"));
    return { batch, loops };
  }
  // DeepSpeed; `train_batch_size` means other things elsewhere (an RLlib rollout, a RecBole setting), so only in a DeepSpeed tree.
  if (isDeepSpeed(root)) {
    set("global", numberAt(root, "train_batch_size"));
    set("perDevice", numberAt(root, "train_micro_batch_size_per_gpu"));
    set("accumulation", numberAt(root, "gradient_accumulation_steps"));
  }
  // mmengine: batch_size per GPU of the training loader, and the loop's length.
  set("perDevice", numberAt(mappingAt(root, "train_dataloader"), "batch_size"));
  // Lightning CLI: data.batch_size (or data.init_args.batch_size) and trainer.accumulate_grad_batches.
  const data = mappingAt(root, "data");
  set("perDevice", numberAt(data, "batch_size") ?? numberAt(data && mappingAt(data, "init_args"), "batch_size"));
  set("accumulation", numberAt(mappingAt(root, "trainer"), "accumulate_grad_batches"));
  // HF TrainingArguments keys in a plain YAML/JSON file (axolotl writes micro_batch_size).
  set("perDevice", numberAt(root, "per_device_train_batch_size") ?? numberAt(root, "micro_batch_size"));
  const trainCfg = mappingAt(root, "train_cfg");
  if (trainCfg && !inherits(root) && (entryOf(root, "optim_wrapper") || entryOf(root, "optimizer"))) {
    const epochs = numberAt(trainCfg, "max_epochs");
    const steps = numberAt(trainCfg, "max_iters");
    if (epochs || steps) loops.push({ steppedBy: "framework", steppedAt: [], opaqueUses: [], ...(epochs ? { epochs } : {}), ...(steps ? { steps } : {}) });
  }
  return { batch, loops };
}

/** Whether a tree is a DeepSpeed config: its own batch or ZeRO keys, or an `optimizer` written as `{type, params}`. */
function isDeepSpeed(root: MappingValue): boolean {
  if (["train_micro_batch_size_per_gpu", "zero_optimization", "zero_allow_untested_optimizer"].some((key) => entryOf(root, key))) return true;
  const optimizer = mappingAt(root, "optimizer");
  return !!optimizer && !!entryOf(optimizer, "type") && !!mappingAt(optimizer, "params");
}

/** Batch parts merged: a part already known is kept. */
export function mergeBatch(into: BatchFacts, from: BatchFacts): void {
  for (const key of ["perDevice", "accumulation", "worldSize", "global"] as const) {
    if (!into[key] && from[key]) into[key] = from[key];
  }
}
