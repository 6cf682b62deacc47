import { describe, expect, it } from "vitest";
import { asNumber } from "../../src/core/facts.js";
import { lintText } from "../../src/default-linter.js";
import { analyzePython } from "../../src/python/analyze.js";
import { RULES } from "../../rules/index.js";

/** Every rule at its default severity on a Python text. */
function lintAll(text: string) {
  return lintText(text, { filePath: "config.py", rules: RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} })) }).messages;
}

const slice = (text: string, span: { start: number; end: number } | undefined) => (span ? text.slice(span.start, span.end) : undefined);

describe("dicts as mapping values", () => {
  it("gives every key and value of dict(...) and a display its own span, open under **spread", () => {
    const closed = "optimizer = dict(type='SGD', lr=0.1, momentum=0.9)\n";
    const [site] = analyzePython(closed, "b.py").facts.optimizers;
    expect(slice(closed, site.nameSpan)).toBe("'SGD'");
    expect(slice(closed, site.args.get("momentum")!.span)).toBe("momentum=0.9");
    expect(slice(closed, site.args.get("momentum")!.value.literalSpan)).toBe("0.9");
    expect(site.hasUnresolvedSpread).toBe(false);
    const spread = "extra = dict(nesterov=True)\noptimizer = dict(type='SGD', lr=0.1, momentum=0.9, **extra)\n";
    expect(analyzePython(spread, "c.py").facts.optimizers[0].hasUnresolvedSpread).toBe(true);
  });

  it("keeps site ids unique after the file's own constructions", () => {
    const text = "import torch\nfrom timm.optim import create_optimizer_v2\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\nopt2 = create_optimizer_v2(model, opt='adamw', lr=1e-3)\n";
    const ids = analyzePython(text, "ids.py").facts.optimizers.map((s) => s.id);
    expect(ids).toEqual(["ids.py#0", "ids.py#1"]);
  });

  it("ties no model fact to the id of a Trainer whose optimizer the file hands over, so a later site does not inherit it", () => {
    const text = [
      "from transformers import Trainer, TrainingArguments",
      "from timm.optim import create_optimizer_v2",
      "args = TrainingArguments(output_dir='o', learning_rate=2e-5, fp16=True)",
      "trainer = Trainer(model=model, args=args, optimizers=(build(), None))",
      "opt = create_optimizer_v2(model, opt='adamw', lr=1e-3)",
      "",
    ].join("\n");
    const facts = analyzePython(text, "given.py").facts;
    expect(facts.optimizers.map((s) => [s.id, s.dialect])).toEqual([["given.py#0", "timm"]]);
    // The timm site takes the id the Trainer's site would have had: the Trainer's kind and fp16 must not reach it.
    expect((facts.modelHints.kinds ?? []).filter((k) => k.sites?.includes("given.py#0"))).toEqual([]);
    expect((facts.precision ?? []).filter((p) => p.sites?.includes("given.py#0"))).toEqual([]);
  });
});

describe("module-level configs", () => {
  it("reads only files that look like mmengine/mmcv configs", () => {
    const script = "import torch\n\ndef main():\n    pass\n\noptimizer = dict(type='Adam', lr=1e-3, weight_decay=1e-4)\n";
    expect(analyzePython(script, "train.py").facts.optimizers).toEqual([]);
    const unrelated = "optimizer = 'adam'\nlr = [0.1]\n";
    expect(analyzePython(unrelated, "x.py").facts.optimizers).toEqual([]);
  });

  it("treats a name changed later as unknown", () => {
    const text = "optimizer = dict(type='Adam', lr=1e-3, weight_decay=1e-4)\noptimizer['weight_decay'] = 0\n";
    expect(analyzePython(text, "m.py").facts.optimizers).toEqual([]);
  });

  it("keeps a clean mmdet-style config silent under every rule", () => {
    const text = [
      "_base_ = ['../_base_/models/retinanet_r50_fpn.py', '../_base_/default_runtime.py']",
      "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=1)",
      "param_scheduler = [",
      "    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),",
      "    dict(type='MultiStepLR', begin=0, end=12, by_epoch=True, milestones=[8, 11], gamma=0.1),",
      "]",
      "optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001))",
      "model = dict(type='RetinaNet', bbox_head=dict(type='RetinaHead', loss_cls=dict(type='FocalLoss', gamma=2.0)))",
      "",
    ].join("\n");
    expect(analyzePython(text, "retinanet.py").facts.optimizers.map((s) => s.canonical)).toEqual(["torch.optim.SGD"]);
    expect(lintAll(text)).toEqual([]);
  });
});

describe("calls that configure an optimizer", () => {
  it("reads TrainingArguments keywords and keeps the Trainer's bias/norm exclusion", () => {
    const text = "from transformers import TrainingArguments\nargs = TrainingArguments(output_dir='o', learning_rate=2e-5, weight_decay=0.1, optim='adamw_torch_fused')\n";
    const [site] = analyzePython(text, "hf.py").facts.optimizers;
    expect(site.canonical).toBe("torch.optim.AdamW");
    expect(asNumber(site.args.get("lr")?.value)).toBe(2e-5);
    expect(site.params).toMatchObject({ kind: "managed", excludesBiasAndNorm: true });
  });

  it("does not guess the optimizer of a local TrainingArguments subclass that leaves optim unset", () => {
    const text = [
      "from dataclasses import dataclass",
      "from transformers import TrainingArguments",
      "@dataclass",
      "class MyArgs(TrainingArguments):",
      "    optim: str = 'adafactor'",
      "a = MyArgs(output_dir='o', learning_rate=0.5)",
      "b = MyArgs(output_dir='o', learning_rate=0.5, optim='adamw_torch')",
      "",
    ].join("\n");
    const sites = analyzePython(text, "sub.py").facts.optimizers;
    expect(sites.map((s) => [s.canonical, s.hasUnresolvedSpread])).toEqual([["torch.optim.AdamW", true]]);
  });

  it("reads create_optimizer_v2 positionals and treats parameters passed as such as unfiltered", () => {
    const text = "from timm.optim import create_optimizer_v2\nopt = create_optimizer_v2(model.parameters(), 'adamw', 1e-3, 0.05)\n";
    const [site] = analyzePython(text, "t.py").facts.optimizers;
    expect(asNumber(site.args.get("weight_decay")?.value)).toBe(0.05);
    expect(site.params.kind).toBe("other");
  });
});

describe("nested dataclass configs", () => {
  it("reads cfg.optim.lr through field(default_factory=...)", () => {
    const text = [
      "from dataclasses import dataclass, field",
      "import torch",
      "@dataclass",
      "class OptimConfig:",
      "    lr: float = 0.5",
      "    momentum: float = 0.9",
      "@dataclass",
      "class TrainConfig:",
      "    optim: OptimConfig = field(default_factory=OptimConfig)",
      "cfg = TrainConfig()",
      "opt = torch.optim.SGD(model.parameters(), lr=cfg.optim.lr, momentum=cfg.optim.momentum)",
      "",
    ].join("\n");
    const [site] = analyzePython(text, "dc.py").facts.optimizers;
    expect(asNumber(site.args.get("lr")?.value)).toBe(0.5);
    expect(site.args.get("momentum")?.value.origin?.description).toBe("default of OptimConfig.momentum");
    const passed = text.replace("cfg = TrainConfig()", "cfg = TrainConfig(optim=OptimConfig(lr=0.05))");
    expect(asNumber(analyzePython(passed, "dc2.py").facts.optimizers[0].args.get("lr")?.value)).toBe(0.05);
  });
});
