/** What configs say about the model they train and its precision, tied to the optimizer sites recognized beside it. */
import { describe, expect, it } from "vitest";
import { analyzeYaml } from "../../src/yaml/adapter.js";
import { jsonAdapter } from "../../src/json/adapter.js";
import { analyzePython } from "../../src/python/analyze.js";
import { slice } from "./helpers.js";

describe("model kinds and precision from configs", () => {
  it("an HF TrainingArguments file trains a transformer; fp16 keeps master weights", () => {
    const text = '{"output_dir": "out", "learning_rate": 2e-5, "optim": "sgd", "fp16": true, "bf16": false}';
    const { facts } = jsonAdapter.analyze(text, "args.json");
    const [site] = facts.optimizers;
    expect(facts.modelHints.kinds?.map((k) => [k.kind, k.sites])).toEqual([["transformer", [site.id]]]);
    expect(facts.precision?.map((p) => [p.kind, slice(text, p.span)])).toEqual([["master-weights", '"fp16": true']]);
  });

  it("a DeepSpeed config's fp16 block keeps master weights; bf16 is recorded as such", () => {
    const text = "train_batch_size: 32\noptimizer:\n  type: Adam\n  params: {lr: 1e-4}\nfp16:\n  enabled: true\nbf16:\n  enabled: false\n";
    const { facts } = analyzeYaml(text, "ds.yaml");
    expect(facts.precision?.map((p) => p.kind)).toEqual(["master-weights"]);
    expect(facts.modelHints.kinds ?? []).toEqual([]);
  });

  it("an mmengine backbone type names the network, a Hydra model target too", () => {
    const mm = analyzePython("model = dict(backbone=dict(type='ResNet', depth=50))\noptim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\n", "cfg.py");
    expect(mm.facts.modelHints.kinds?.map((k) => [k.kind, slice(mm.text, k.span), k.sites])).toEqual([["cnn", "'ResNet'", [mm.facts.optimizers[0].id]]]);
    const hydra = "model:\n  _target_: timm.create_model\n  model_name: vit_base_patch16_224\noptimizer:\n  _target_: torch.optim.SGD\n  lr: 0.1\n";
    const { facts } = analyzeYaml(hydra, "conf.yaml");
    expect(facts.modelHints.kinds?.map((k) => [k.kind, k.description])).toEqual([["transformer", "the config builds vit_base_patch16_224, a transformer"]]);
  });

  it("a user class whose name reads like a model family word-by-word only (OptimizerWrapper is not OPT)", () => {
    const { facts } = analyzeYaml("model:\n  _target_: mypkg.OptimizerWrapperNet\noptimizer:\n  _target_: torch.optim.Adam\n", "conf.yaml");
    expect(facts.modelHints.kinds ?? []).toEqual([]);
  });
});
