/**
 * The DeepSpeed config file an HF Trainer names by its path, read by the project pass: without an `optimizer` section
 * the Trainer's `optim` trains; with one, DeepSpeed builds it and fills its "auto" params from the arguments.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import type { TrainingFacts } from "../../src/core/facts.js";
import type { ProjectHost } from "../../src/core/types.js";
import { lintProject, lintText } from "../../src/default-linter.js";

const ALL = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

const NO_OPTIMIZER = `{"train_micro_batch_size_per_gpu": "auto", "zero_optimization": {"stage": 2}}\n`;

/** A DeepSpeed config whose optimizer section writes `params`. */
const withOptimizer = (type: string, params: string) => `{\n  "train_batch_size": "auto",\n  "optimizer": {"type": "${type}", "params": ${params}}\n}\n`;

const AUTO = `{"lr": "auto", "betas": "auto", "eps": "auto", "weight_decay": "auto"}`;

/** A script whose TrainingArguments write `keywords` (an lr far above AdamW's range, swapped betas) and name `ds`. */
const script = (ds: string, keywords = `learning_rate=0.5, adam_beta1=0.999, adam_beta2=0.9`) => `from transformers import Trainer, TrainingArguments

args = TrainingArguments(output_dir="out", ${keywords}, deepspeed=${ds})
Trainer(model=None, args=args).train()
`;

/** The given file's messages, linted with the others readable; `dependencies` gets the files it was linked to. */
function messages(files: Record<string, string>, given = "/p/train.py", rules = ALL, dependencies?: Map<string, string[]>) {
  const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
  return lintProject([{ filePath: given, text: files[given], rules }], { host, ...(dependencies ? { dependencies } : {}) })[0].messages;
}

function lint(files: Record<string, string>, given = "/p/train.py") {
  return messages(files, given).map((m) => `${m.line}:${m.column} ${m.code}${m.fix ? " fix" : ""}`);
}

/** A rule that reports what `show` reads of the facts the rules get, to see the joined facts. */
const base = RULES.find((r) => r.meta.code === "OPT003")!;
function probe(files: Record<string, string>, show: (facts: TrainingFacts) => string, given = "/p/train.py"): string[] {
  const rule = { ...base, check: (ctx: Parameters<typeof base.check>[0]) => ctx.report({ span: { start: 0, end: 1 }, message: show(ctx.facts) }) };
  return messages(files, given, [{ rule: rule as typeof base, severity: "warning", options: {} }]).map((m) => m.message);
}

/** The file's schedules as `name:warmup`. */
const schedulesOf = (facts: TrainingFacts) => facts.schedulers.map((s) => `${s.canonical}:${String(s.warmup)}`).join(" ");

/** A marker of the project's root folder, up to which a config is looked for. */
const ROOT = { "/p/pyproject.toml": "" };

describe("DeepSpeed config files named by the HF Trainer", () => {
  it("judges the Trainer's optim when the named config has no optimizer section", () => {
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": NO_OPTIMIZER })).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
  });

  it("judges DeepSpeed's optimizer with its auto params filled from the arguments, fixed where they are written", () => {
    // The Trainer's own optim is Adafactor, which has no betas: the swapped betas are reported for DeepSpeed's AdamW.
    const keywords = `optim="adafactor", learning_rate=0.5, adam_beta1=0.999, adam_beta2=0.9`;
    const files = { "/p/train.py": script(`"configs/ds.json"`, keywords), "/p/configs/ds.json": withOptimizer("AdamW", AUTO) };
    const found = messages(files);
    expect(found.map((m) => `${m.line}:${m.column} ${m.code}${m.fix ? " fix" : ""}`)).toEqual(["3:63 OPT003", "3:82 OPT009 fix"]);
    expect(found[0].message).toContain("AdamW");
    expect(lint({ ...files, "/p/configs/ds.json": NO_OPTIMIZER }).filter((m) => m.includes("OPT009"))).toEqual([]);
  });

  it("leaves literal params of the DeepSpeed config (judged in that file) and an adam_w_mode switch unknown here", () => {
    const literal = withOptimizer("AdamW", `{"lr": 0.5, "betas": [0.999, 0.9], "eps": 1e-8, "weight_decay": 0.0}`);
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": literal })).toEqual([]);
    // The join happened: the file holds DeepSpeed's AdamW, its lr unknown here.
    const sites = (facts: TrainingFacts) => facts.optimizers.map((s) => `${s.dialect}:${s.canonical}:${s.args.get("lr")?.value.value.kind}`).join(" ");
    expect(probe({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": literal }, sites)).toEqual([expect.stringMatching(/^deepspeed:[\w.]*AdamW:unknown$/)]);
    const coupled = withOptimizer("Adam", `{"lr": "auto", "adam_w_mode": false, "weight_decay": "auto"}`);
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": coupled })).toEqual([]);
  });

  it("finds the config from a folder above the script, and leaves a path it cannot find unknown", () => {
    const files = { "/p/scripts/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": NO_OPTIMIZER, ...ROOT };
    expect(lint(files, "/p/scripts/train.py")).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
    expect(lint({ "/p/train.py": script(`"configs/missing.json"`) })).toEqual([]);
    expect(lintText(script(`"configs/ds.json"`), { filePath: "/p/train.py", rules: ALL }).messages).toEqual([]);
  });

  it("looks no higher than the project's root, and uses a path only when one folder on the way holds it", () => {
    const files = { "/p/scripts/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": withOptimizer("AdamW", AUTO) };
    // No marker: the run's files (the script alone) are all in scripts/, so the config above is not looked for.
    expect(lint(files, "/p/scripts/train.py")).toEqual([]);
    // A marker below the config's folder bounds the lookup too.
    expect(lint({ ...files, "/p/scripts/setup.py": "" }, "/p/scripts/train.py")).toEqual([]);
    expect(lint({ ...files, ...ROOT }, "/p/scripts/train.py")).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
    // Two candidates (HF opens the path from the folder the run starts in, which is not known): unknown, and linked.
    const both = { ...files, ...ROOT, "/p/scripts/configs/ds.json": NO_OPTIMIZER };
    const dependencies = new Map<string, string[]>();
    expect(messages(both, "/p/scripts/train.py", ALL, dependencies)).toEqual([]);
    expect(dependencies.get("/p/scripts/train.py")?.sort()).toEqual(["/p/configs/ds.json", "/p/scripts/configs/ds.json"]);
  });

  it("links the script to the config even when the join adds no optimizer", () => {
    // adam_w_mode false leaves DeepSpeed's optimizer unknown here; an edit of the config may change that.
    const coupled = withOptimizer("Adam", `{"lr": "auto", "adam_w_mode": false}`);
    const dependencies = new Map<string, string[]>();
    expect(messages({ "/p/train.py": script(`"ds.json"`), "/p/ds.json": coupled }, "/p/train.py", ALL, dependencies)).toEqual([]);
    expect(dependencies.get("/p/train.py")).toEqual(["/p/ds.json"]);
  });

  it("reads the config a TrainingArguments YAML file names", () => {
    const yaml = `output_dir: out\nlearning_rate: 0.5\nper_device_train_batch_size: 8\ndeepspeed: ds/zero2.json\n`;
    expect(lint({ "/p/train.yaml": yaml, "/p/ds/zero2.json": NO_OPTIMIZER }, "/p/train.yaml")).toEqual(["2:1 OPT003"]);
    expect(lint({ "/p/train.yaml": yaml, "/p/ds/zero2.json": withOptimizer("AdamW", `{"lr": 0.5}`) }, "/p/train.yaml")).toEqual([]);
  });

  it("reports the weight decay DeepSpeed's optimizer applies to every parameter the Trainer hands it", () => {
    const keywords = `learning_rate=2e-5, weight_decay=0.1, warmup_ratio=0.03`;
    const files = { "/p/train.py": script(`"scripts/zero3_offload.json"`, keywords), "/p/scripts/zero3_offload.json": withOptimizer("AdamW", AUTO) };
    const found = messages(files);
    expect(found.map((m) => `${m.line}:${m.column} ${m.code}`)).toEqual(["3:101 OPT005"]);
    expect(found[0].message).toContain("weight_decay=0.1 to every parameter");
    // Without the section the Trainer builds AdamW itself, biases and norms undecayed; with peft only adapters train.
    expect(lint({ ...files, "/p/scripts/zero3_offload.json": NO_OPTIMIZER })).toEqual([]);
    const lora = `from peft import get_peft_model\n${script(`"scripts/zero3_offload.json"`, keywords)}`;
    expect(lint({ ...files, "/p/train.py": lora })).toEqual([]);
  });

  it("judges an optimizer section written in place, auto params filled from the arguments", () => {
    const inline = `{"optimizer": {"type": "AdamW", "params": {"lr": "auto", "weight_decay": "auto"}}, "zero_optimization": {"stage": 2}}`;
    expect(lint({ "/p/train.py": script(inline, "learning_rate=0.5") })).toEqual(["3:44 OPT003"]);
  });
});

describe("a DeepSpeed scheduler section", () => {
  const keywords = `learning_rate=3e-4, warmup_steps=0, lr_scheduler_type="cosine"`;
  const WARMUP = `{"train_batch_size": "auto", "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 100}}}`;
  const schedules = (ds: string) => probe({ "/p/train.py": script(`"ds.json"`, keywords), "/p/ds.json": ds }, schedulesOf);

  it("replaces the Trainer's schedule, and leaves it when there is none", () => {
    expect(schedules(WARMUP)).toEqual(["deepspeed.runtime.lr_schedules.WarmupLR:true"]);
    expect(schedules(NO_OPTIMIZER)[0]).toMatch(/cosine.*:false$/);
  });

  it("replaces it the same way when the config is written in place", () => {
    expect(probe({ "/p/train.py": script(WARMUP, keywords) }, schedulesOf)).toEqual(["deepspeed.runtime.lr_schedules.WarmupLR:true"]);
    expect(probe({ "/p/train.py": script(NO_OPTIMIZER, keywords) }, schedulesOf)[0]).toMatch(/cosine.*:false$/);
  });
});
