/**
 * Replays the PyTorch 1.13 learning-rate trajectories in fixtures/goldens/sched (written by
 * scripts/goldens/gen_sched.py) through the TypeScript schedulers.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  MultiStepLR,
  OneCycleLR,
  PolynomialLR,
  SequentialLR,
  StepLR,
  getCosineScheduleWithWarmup,
  getLinearScheduleWithWarmup,
  type LRScheduler,
  type LrLambda,
  type ParamGroup,
  type SchedulableOptimizer,
  type Scheduler,
} from "../../src/optim/schedulers/index.js";

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/goldens/sched");
const TOLERANCE = 1e-10;

interface SchedulerSpec {
  type: string;
  kwargs?: Record<string, unknown>;
}

interface GoldenCase {
  name: string;
  optimizer: { type: "SGD" | "Adam"; groups: { lr: number; initial_lr?: number }[]; options?: Record<string, unknown> };
  scheduler: SchedulerSpec;
  steps?: number;
  calls?: (number | null)[];
  lr: number[][];
  last_lr?: number[][];
  momentum?: number[][];
}

/** The same named lambdas as NAMED_LAMBDAS in gen_sched.py. */
const NAMED_LAMBDAS: Record<string, LrLambda> = {
  pow095: (epoch) => 0.95 ** epoch,
  halve_every_10: (epoch) => 0.5 ** Math.floor(epoch / 10),
  inverse_sqrt: (epoch) => 1.0 / Math.sqrt(epoch + 1),
};

/** A stand-in with torch's param-group keys for SGD (momentum) or Adam (betas). */
function makeOptimizer(spec: GoldenCase["optimizer"]): SchedulableOptimizer {
  const options = spec.options ?? {};
  const defaults: Record<string, unknown> =
    spec.type === "SGD"
      ? { lr: 0.001, momentum: options.momentum ?? 0, dampening: 0, weight_decay: 0, nesterov: false }
      : { lr: 0.001, betas: options.betas ?? [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false };
  const paramGroups: ParamGroup[] = spec.groups.map((g) => {
    const group: ParamGroup = { ...structuredClone(defaults), lr: g.lr };
    if (g.initial_lr !== undefined) group.initial_lr = g.initial_lr;
    return group;
  });
  return { paramGroups, defaults };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Kwargs = any;

/** A scheduler from a golden spec, constructed in the same order as the Python script. */
function makeScheduler(optimizer: SchedulableOptimizer, spec: SchedulerSpec): Scheduler {
  const kwargs: Kwargs = spec.kwargs ?? {};
  switch (spec.type) {
    case "StepLR":
      return new StepLR(optimizer, kwargs);
    case "MultiStepLR":
      return new MultiStepLR(optimizer, kwargs);
    case "ExponentialLR":
      return new ExponentialLR(optimizer, kwargs);
    case "ConstantLR":
      return new ConstantLR(optimizer, kwargs);
    case "LinearLR":
      return new LinearLR(optimizer, kwargs);
    case "PolynomialLR":
      return new PolynomialLR(optimizer, kwargs);
    case "CosineAnnealingLR":
      return new CosineAnnealingLR(optimizer, kwargs);
    case "OneCycleLR":
      return new OneCycleLR(optimizer, kwargs);
    case "LambdaLR": {
      const names: string | string[] = kwargs.lr_lambda;
      const lr_lambda = Array.isArray(names) ? names.map((n) => NAMED_LAMBDAS[n]) : NAMED_LAMBDAS[names];
      return new LambdaLR(optimizer, { ...kwargs, lr_lambda });
    }
    case "get_linear_schedule_with_warmup":
      return getLinearScheduleWithWarmup(optimizer, kwargs);
    case "get_cosine_schedule_with_warmup":
      return getCosineScheduleWithWarmup(optimizer, kwargs);
    case "SequentialLR": {
      const schedulers = (kwargs.schedulers as SchedulerSpec[]).map((child) => makeScheduler(optimizer, child));
      return new SequentialLR(optimizer, { ...kwargs, schedulers: schedulers as LRScheduler[] });
    }
    default:
      throw new Error(`no scheduler ${spec.type}`);
  }
}

/** The momentum OneCycleLR cycles in a group: beta1 or momentum. */
function momentumOf(group: ParamGroup): number {
  return Array.isArray(group.betas) ? (group.betas[0] as number) : (group.momentum as number);
}

/** Indices where `actual` is further than the tolerance (relative) from `expected`. */
function mismatches(actual: number[][], expected: number[][]): string[] {
  const bad: string[] = [];
  expected.forEach((row, step) =>
    row.forEach((want, g) => {
      const got = actual[step]?.[g];
      const ok = got === want || Math.abs(got - want) <= TOLERANCE * Math.abs(want);
      if (!ok) bad.push(`step ${step} group ${g}: got ${got}, torch ${want}`);
    }),
  );
  return bad;
}

/** Runs a golden case's step() calls and records what torch recorded. */
function replay(golden: GoldenCase): { lr: number[][]; lastLr: number[][]; momentum: number[][] } {
  const optimizer = makeOptimizer(golden.optimizer);
  const scheduler = makeScheduler(optimizer, golden.scheduler);
  const lrs = () => optimizer.paramGroups.map((g) => g.lr);
  const lr = [lrs()];
  const lastLr = [scheduler.getLastLr()];
  const momentum = [optimizer.paramGroups.map(momentumOf)];
  const calls = golden.calls ?? new Array<null>(golden.steps ?? 0).fill(null);
  for (const epoch of calls) {
    if (epoch === null) scheduler.step();
    else (scheduler as LRScheduler).step(epoch);
    lr.push(lrs());
    lastLr.push(scheduler.getLastLr());
    momentum.push(optimizer.paramGroups.map(momentumOf));
  }
  return { lr, lastLr, momentum };
}

const goldens: GoldenCase[] = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), "utf8")) as GoldenCase);

describe("scheduler goldens from PyTorch 1.13", () => {
  it("cover every scheduler with enough steps", () => {
    const types = new Set<string>();
    const visit = (spec: SchedulerSpec) => {
      types.add(spec.type);
      for (const child of (spec.kwargs?.schedulers as SchedulerSpec[] | undefined) ?? []) visit(child);
    };
    goldens.forEach((g) => visit(g.scheduler));
    expect([...types].sort()).toEqual(
      [
        "ConstantLR",
        "CosineAnnealingLR",
        "ExponentialLR",
        "LambdaLR",
        "LinearLR",
        "MultiStepLR",
        "OneCycleLR",
        "PolynomialLR",
        "SequentialLR",
        "StepLR",
        "get_cosine_schedule_with_warmup",
        "get_linear_schedule_with_warmup",
      ].sort(),
    );
    for (const g of goldens) expect(g.lr.length, g.name).toBe((g.calls?.length ?? g.steps ?? 0) + 1);
    expect(goldens.filter((g) => g.momentum).length).toBeGreaterThanOrEqual(4);
  });

  for (const golden of goldens) {
    it(golden.name, () => {
      const run = replay(golden);
      expect(run.lr.length).toBe(golden.lr.length);
      expect(mismatches(run.lr, golden.lr)).toEqual([]);
      expect(mismatches(run.lastLr, golden.last_lr ?? golden.lr)).toEqual([]);
      if (golden.momentum) expect(mismatches(run.momentum, golden.momentum)).toEqual([]);
    });
  }
});
