/**
 * The DeepSpeed config file an HF Trainer names by its path, read by the project pass: without an `optimizer` section
 * the Trainer's `optim` trains; with one, DeepSpeed builds it and fills its "auto" params from the arguments.
 */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
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

function lint(files: Record<string, string>, given = "/p/train.py") {
  const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
  const [result] = lintProject([{ filePath: given, text: files[given], rules: ALL }], { host });
  return result.messages.map((m) => `${m.line}:${m.column} ${m.code}${m.fix ? " fix" : ""}`);
}

describe("DeepSpeed config files named by the HF Trainer", () => {
  it("judges the Trainer's optim when the named config has no optimizer section", () => {
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": NO_OPTIMIZER })).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
  });

  it("judges DeepSpeed's optimizer with its auto params filled from the arguments, fixed where they are written", () => {
    const files = { "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": withOptimizer("AdamW", AUTO) };
    expect(lint(files)).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
    const host: ProjectHost = { read: (p) => files[p as keyof typeof files], exists: (p) => p in files };
    const [result] = lintProject([{ filePath: "/p/train.py", text: files["/p/train.py"], rules: ALL }], { host });
    expect(result.messages[0].message).toContain("AdamW");
  });

  it("leaves literal params of the DeepSpeed config (judged in that file) and an adam_w_mode switch unknown here", () => {
    const literal = withOptimizer("AdamW", `{"lr": 0.5, "betas": [0.999, 0.9], "eps": 1e-8, "weight_decay": 0.0}`);
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": literal })).toEqual([]);
    const coupled = withOptimizer("Adam", `{"lr": "auto", "adam_w_mode": false, "weight_decay": "auto"}`);
    expect(lint({ "/p/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": coupled })).toEqual([]);
  });

  it("finds the config from a folder above the script, and leaves a path it cannot find unknown", () => {
    const files = { "/p/scripts/train.py": script(`"configs/ds.json"`), "/p/configs/ds.json": NO_OPTIMIZER };
    expect(lint(files, "/p/scripts/train.py")).toEqual(["3:44 OPT003", "3:63 OPT009 fix"]);
    expect(lint({ "/p/train.py": script(`"configs/missing.json"`) })).toEqual([]);
    expect(lintText(script(`"configs/ds.json"`), { filePath: "/p/train.py", rules: ALL }).messages).toEqual([]);
  });

  it("reads the config a TrainingArguments YAML file names", () => {
    const yaml = `output_dir: out\nlearning_rate: 0.5\nper_device_train_batch_size: 8\ndeepspeed: ds/zero2.json\n`;
    expect(lint({ "/p/train.yaml": yaml, "/p/ds/zero2.json": NO_OPTIMIZER }, "/p/train.yaml")).toEqual(["2:1 OPT003"]);
    expect(lint({ "/p/train.yaml": yaml, "/p/ds/zero2.json": withOptimizer("AdamW", `{"lr": 0.5}`) }, "/p/train.yaml")).toEqual([]);
  });

  it("judges an optimizer section written in place, auto params filled from the arguments", () => {
    const inline = `{"optimizer": {"type": "AdamW", "params": {"lr": "auto", "weight_decay": "auto"}}, "zero_optimization": {"stage": 2}}`;
    expect(lint({ "/p/train.py": script(inline, "learning_rate=0.5") })).toEqual(["3:44 OPT003"]);
  });
});

describe("a DeepSpeed scheduler section", () => {
  /** A rule that reports the file's schedules as `name:warmup`, to see what the rules read. */
  const base = RULES.find((r) => r.meta.code === "OPT003")!;
  const probe = { ...base, check: (ctx: Parameters<typeof base.check>[0]) => ctx.report({ span: { start: 0, end: 1 }, message: ctx.facts.schedulers.map((s) => `${s.canonical}:${String(s.warmup)}`).join(" ") }) };
  const schedules = (ds: string) => {
    const files: Record<string, string> = { "/p/train.py": script(`"ds.json"`, `learning_rate=3e-4, warmup_steps=0, lr_scheduler_type="cosine"`), "/p/ds.json": ds };
    const host: ProjectHost = { read: (p) => files[p], exists: (p) => p in files };
    const [result] = lintProject([{ filePath: "/p/train.py", text: files["/p/train.py"], rules: [{ rule: probe as typeof base, severity: "warning", options: {} }] }], { host });
    return result.messages.map((m) => m.message);
  };

  it("replaces the Trainer's schedule, and leaves it when there is none", () => {
    const sched = `{"train_batch_size": "auto", "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 100}}}`;
    expect(schedules(sched)).toEqual(["deepspeed.runtime.lr_schedules.WarmupLR:true"]);
    expect(schedules(NO_OPTIMIZER)[0]).toMatch(/cosine.*:false$/);
  });
});
