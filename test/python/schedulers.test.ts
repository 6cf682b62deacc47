import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SCHEDULERS, isSchedulerPath, schedulerByName } from "../../src/knowledge/schedulers.js";
import { analyzePython } from "../../src/python/analyze.js";
import { loadFixture, numberOf } from "./fixture.js";

describe("schedulers that overwrite the optimizer's lr (fixtures/python/lr_schedulers.py)", () => {
  const fx = loadFixture("lr_schedulers.py");

  it("makes the lr unknown on the optimizer a OneCycleLR is built on, keeping where it was written", () => {
    const lr = fx.arg("one-cycle", "lr")!;
    expect(lr.value.value).toEqual({ kind: "unknown" });
    expect(fx.slice(lr.span)).toBe("lr=0.1");
  });

  it("matches CyclicLR's optimizer= keyword to an attribute holding the construction", () => {
    expect(fx.arg("cyclic-attribute", "lr")!.value.value).toEqual({ kind: "unknown" });
    expect(numberOf(fx.arg("cyclic-attribute", "momentum")!.value)).toBe(0.9);
  });

  it("leaves other constructions and scaling-only schedulers alone", () => {
    expect(numberOf(fx.arg("step-schedule", "lr")!.value)).toBe(0.05);
  });

  it("matches a construction written inside the scheduler call", () => {
    expect(fx.arg("inline", "lr")!.value.value).toEqual({ kind: "unknown" });
  });
});

describe("a scheduler whose optimizer is not one known construction (fixtures/python/lr_scheduler_helper.py)", () => {
  const fx = loadFixture("lr_scheduler_helper.py");

  it("makes the lr of every construction in the file unknown", () => {
    expect(fx.arg("first", "lr")!.value.value).toEqual({ kind: "unknown" });
    expect(fx.arg("second", "lr")!.value.value).toEqual({ kind: "unknown" });
  });
});

describe("scheduler facts (fixtures/python/scheduler_facts.py)", () => {
  const fx = loadFixture("scheduler_facts.py");
  const text = fx.file.text;
  /** Each `# scheduler: <canonical> -> <case>` marker, with the site id that case names (undefined for `none`). */
  const expected = [...text.matchAll(/# scheduler: (\S+) -> (\S+)/g)].map((m) => ({
    line: text.slice(0, m.index).split("\n").length,
    canonical: m[1],
    optimizerSite: m[2] === "none" ? undefined : fx.site(m[2])!.id,
  }));

  it("recognizes every tagged scheduler through its import and matches it to its optimizer", () => {
    const actual = fx.file.facts.schedulers.map((s) => ({
      line: text.slice(0, s.span.start).split("\n").length,
      canonical: s.canonical,
      optimizerSite: s.optimizerSite,
    }));
    expect(expected.length).toBe(11);
    expect(actual).toEqual(expected);
  });

  it("covers the whole construction", () => {
    const step = fx.file.facts.schedulers[0];
    expect(fx.slice(step.span)).toBe("sched.StepLR(opt, step_size=10)");
  });

  it("does not take a local function named like a transformers schedule for a scheduler", () => {
    expect(fx.file.facts.schedulers.some((s) => fx.slice(s.span)!.startsWith("get_linear_schedule_with_warmup"))).toBe(false);
  });
});

describe("learning rates the training loop writes (fixtures/rules/lr-out-of-range/valid-loop-lr.py)", () => {
  it("records the write and its unknown value", () => {
    const file = analyzePython(readFileSync(new URL("../../fixtures/rules/lr-out-of-range/valid-loop-lr.py", import.meta.url), "utf8"));
    expect(file.facts.lrWrites.map((w) => file.text.slice(w.span.start, w.span.end))).toEqual(['param_group["lr"] = lr']);
    expect(file.facts.lrWrites[0].value.value).toEqual({ kind: "unknown" });
  });
});

describe("the scheduler knowledge table", () => {
  it("lists the schedules that can exceed the initial lr as unbounded, and the decaying ones as bounded", () => {
    const bounded = (name: string) => schedulerByName(name)?.boundedByInitialLr;
    for (const name of ["LambdaLR", "MultiplicativeLR", "OneCycleLR", "CyclicLR"]) expect(bounded(`torch.optim.lr_scheduler.${name}`)).toBe(false);
    for (const name of ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "ReduceLROnPlateau", "LinearLR", "ConstantLR", "PolynomialLR", "SequentialLR", "ChainedScheduler"]) {
      expect(bounded(`torch.optim.lr_scheduler.${name}`)).toBe(true);
    }
    expect(bounded("transformers.optimization.get_linear_schedule_with_warmup")).toBe(true);
    expect(schedulerByName("transformers.optimization.get_cosine_schedule_with_warmup")?.canonical).toBe("transformers.get_cosine_schedule_with_warmup");
    expect(bounded("timm.scheduler.create_scheduler")).toBe(true);
  });

  it("recognizes schedulers it does not list by their module and name, without knowing their bound", () => {
    expect(isSchedulerPath("torch.optim.lr_scheduler.SomeFutureLR")).toBe(true);
    expect(schedulerByName("torch.optim.lr_scheduler.SomeFutureLR")).toBeUndefined();
    expect(isSchedulerPath("transformers.get_some_new_schedule_with_warmup")).toBe(true);
    expect(isSchedulerPath("timm.scheduler.cosine_lr.CosineLRScheduler")).toBe(true);
    expect(isSchedulerPath("transformers.Trainer")).toBe(false);
    expect(isSchedulerPath("torch.optim.lr_scheduler.math")).toBe(false);
  });

  it("names each scheduler once", () => {
    const names = SCHEDULERS.flatMap((s) => [s.canonical, ...s.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });
});
