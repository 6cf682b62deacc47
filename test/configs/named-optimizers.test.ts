/**
 * llm-foundry and OLMo train configs: `optimizer: {name: ...}` and `scheduler: {name: ..., t_warmup: ...}` beside a
 * `max_duration`, read as what each framework builds from them.
 */
import { describe, expect, it } from "vitest";
import { yamlAdapter } from "../../src/yaml/adapter.js";

/** The sites (`dialect:canonical lr params`) and schedules (`canonical:warmup`) a YAML text gives. */
function read(text: string) {
  const { facts } = yamlAdapter.analyze(text, "/p/train.yaml");
  const lr = (s: (typeof facts.optimizers)[number]) => { const v = s.args.get("lr")?.value.value; return v?.kind === "number" ? v.value : "?"; };
  return {
    sites: facts.optimizers.map((s) => `${s.dialect}:${s.canonical} lr=${lr(s)} ${s.params.kind}${s.params.kind === "managed" && s.params.excludesBiasAndNorm ? "-excludes" : ""}`),
    schedules: facts.schedulers.map((s) => `${s.canonical}:${String(s.warmup)}`),
  };
}

const FOUNDRY = (optimizer: string, scheduler: string) =>
  `model:\n  name: mpt_causal_lm\noptimizer:\n${optimizer}\nscheduler:\n${scheduler}\nmax_duration: 100ba\nglobal_train_batch_size: 256\n`;

describe("llm-foundry configs", () => {
  it("builds Composer's DecoupledAdamW from decoupled_adamw, all parameters alike", () => {
    expect(read(FOUNDRY("  name: decoupled_adamw\n  lr: 6.0e-4", "  name: cosine_with_warmup\n  t_warmup: 100ba"))).toEqual({
      sites: ["llm-foundry:composer.optim.DecoupledAdamW lr=0.0006 other"],
      schedules: ["composer.optim.CosineAnnealingWithWarmupScheduler:true"],
    });
  });

  it("reads t_warmup as Composer time, and a factor above 1 as a schedule of unknown effect", () => {
    expect(read(FOUNDRY("  name: decoupled_adamw\n  lr: 1.0e-5", "  name: linear_decay_with_warmup\n  t_warmup: 0ba")).schedules).toEqual(["composer.optim.LinearWithWarmupScheduler:false"]);
    expect(read(FOUNDRY("  name: decoupled_adamw\n  lr: 1.0e-5", "  name: cosine_with_warmup\n  t_warmup: 0.01dur\n  alpha_f: 2.0")).schedules).toEqual(["llmfoundry.scheduler.cosine_with_warmup:true"]);
  });

  it("makes no site for an optimizer it does not model, or without the train config's keys", () => {
    expect(read(FOUNDRY("  name: decoupled_lionw\n  lr: 1.0e-4", "  name: cosine_with_warmup\n  t_warmup: 100ba")).sites).toEqual([]);
    expect(read("optimizer:\n  name: decoupled_adamw\n  lr: 0.5\n").sites).toEqual([]);
  });

  it("reads no schedule without the train config's keys either (a max_duration alone is not enough)", () => {
    const text = "optimizer:\n  name: decoupled_adamw\n  lr: 0.5\nscheduler:\n  name: cosine_with_warmup\n  t_warmup: 100ba\nmax_duration: 10ep\n";
    expect(read(text)).toEqual({ sites: [], schedules: [] });
  });
});

describe("OLMo configs", () => {
  const OLMO = (optimizer: string, scheduler = "  name: cosine_with_warmup") => `run_name: x\noptimizer:\n${optimizer}\nscheduler:\n${scheduler}\nmax_duration: 1000\nglobal_train_batch_size: 512\n`;

  it("builds torch's AdamW from learning_rate, keeping biases and norms out of decay by default", () => {
    expect(read(OLMO("  name: adamw\n  learning_rate: 4.0e-4"))).toEqual({
      sites: ["olmo:torch.optim.AdamW lr=0.0004 managed-excludes"],
      // OLMo's default warm-up is 100 steps.
      schedules: ["olmo.optim.CosWithWarmup:true"],
    });
  });

  it("decays every parameter when decay_norm_and_bias is set, and takes OLMo's own defaults", () => {
    const { facts } = yamlAdapter.analyze(OLMO("  name: adamw\n  decay_norm_and_bias: true"), "/p/train.yaml");
    expect(facts.optimizers.map((s) => `${s.dialect}:${s.params.kind}`)).toEqual(["olmo:other"]);
    // The schedule is OLMo's too (with its default warm-up), though the optimizer writes no learning_rate.
    expect(facts.schedulers.map((s) => `${s.canonical}:${String(s.warmup)}`)).toEqual(["olmo.optim.CosWithWarmup:true"]);
    const args = facts.optimizers[0].args;
    expect(["lr", "eps", "weight_decay"].map((a) => { const v = args.get(a)?.value.value; return v?.kind === "number" ? v.value : undefined; })).toEqual([1e-4, 1e-5, 0.01]);
  });

  it("makes no site for lionw", () => {
    expect(read(OLMO("  name: lionw\n  learning_rate: 1.0e-4")).sites).toEqual([]);
  });
});
