import { describe, expect, it } from "vitest";
import { analyzePython, indexPython } from "../../src/python/analyze.js";
import { extractFacts } from "../../src/python/facts.js";
import { withConfigFacts } from "../../src/python/configs.js";
import { withModelFacts } from "../../src/python/models.js";
import { Resolver } from "../../src/python/values.js";
import type { TrainingFacts } from "../../src/core/facts.js";

/**
 * No construction in the calls, so the config code is read once, before the rest of the facts, and added to them:
 * a Trainer's arguments, a DeepSpeed config and an mmengine runner (the global batch found before the per-device one,
 * which the keys' order shows), a scheduler of the file's own, and an lr scaled with the world size both by the runner
 * and, later in the file, by the file's own code (the one sort orders them).
 */
const RUNNER_AND_TRAINER = `import deepspeed
import torch
import torch.distributed as dist
from mmengine.runner import Runner
from transformers import TrainingArguments

schedule = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10)
args = TrainingArguments(output_dir="out", gradient_accumulation_steps=4, learning_rate=3e-5, num_train_epochs=3, fp16=True, lr_scheduler_type="cosine")
engine, _, _, _ = deepspeed.initialize(model=model, config={"train_batch_size": 64, "optimizer": {"type": "AdamW", "params": {"lr": 1e-4}}})
runner = Runner(
    model=model,
    train_dataloader=dict(batch_size=2),
    optim_wrapper=dict(optimizer=dict(type="SGD", lr=0.1, momentum=0.9)),
    param_scheduler=[dict(type="MultiStepLR", milestones=[8, 11])],
    train_cfg=dict(by_epoch=True, max_epochs=12),
    auto_scale_lr=dict(enable=True, base_batch_size=16),
)
lr = 0.1 * dist.get_world_size()
`;

/** An mmdetection-style config file. */
const MODULE_CONFIG = `model = dict(type="RetinaNet", backbone=dict(type="ResNet", depth=50))
optim_wrapper = dict(optimizer=dict(type="AdamW", lr=0.0001, weight_decay=0.05))
param_scheduler = [dict(type="LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=500), dict(type="MultiStepLR", milestones=[8, 11])]
train_cfg = dict(type="EpochBasedTrainLoop", max_epochs=12)
train_dataloader = dict(batch_size=2, num_workers=2)
auto_scale_lr = dict(enable=True, base_batch_size=16)
`;

/** Facts with Maps and Sets written out, keys in their order. */
const written = (facts: TrainingFacts) => JSON.stringify(facts, (_key, value: unknown) => (value instanceof Map ? [...value] : value instanceof Set ? [...value] : value));

/** The facts as the config code read a second time, over the calls' facts, gives them. */
function readTwice(text: string, filePath: string): TrainingFacts {
  const { index, text: analyzed } = indexPython(text);
  const resolver = new Resolver(index, analyzed, filePath);
  return withModelFacts(resolver, withConfigFacts(resolver, extractFacts(resolver), [], []));
}

describe("config code of a file whose calls build no optimizer", () => {
  it.each([
    ["runner and Trainer arguments", RUNNER_AND_TRAINER, "train.py", true],
    ["an mmdetection-style config", MODULE_CONFIG, "configs/retinanet.py", false],
  ])("is read once and gives the facts reading it again would (%s)", (_name, text, filePath, runner) => {
    const once = analyzePython(text, filePath).facts;
    const twice = readTwice(text, filePath);
    // The case holds what the merge adds: config constructions and schedulers, loops, batch keys, lr scaling.
    expect(once.optimizers.length).toBeGreaterThan(0);
    expect(once.schedulers.length).toBeGreaterThan(1);
    expect(once.loops?.length).toBeGreaterThan(0);
    if (runner) {
      expect(once.distributed.lrScaledByWorldSize.length).toBeGreaterThan(1);
      expect(Object.keys(once.batch ?? {}).length).toBeGreaterThan(1);
    }
    expect(written(once)).toBe(written(twice));
  });
});
