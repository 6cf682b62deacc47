/**
 * Schedulers driving the real optimizers: the quadratic runs in fixtures/goldens/sched/training were
 * recorded with torch 1.13 (scripts/goldens/gen_sched.py); the scheduled lr and the cycled momentum or
 * beta1 must reach the TypeScript SGD / Adam updates exactly as they reach torch's.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SGD } from "../../src/optim/sgd.js";
import { Adam } from "../../src/optim/adam.js";
import {
  CosineAnnealingLR,
  LinearLR,
  OneCycleLR,
  SequentialLR,
  type Scheduler,
} from "../../src/optim/schedulers/index.js";

const TRAINING_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../fixtures/goldens/sched/training");
const TOLERANCE = 1e-10;

interface TrainingGolden {
  steps: number;
  initial_params: number[][];
  targets: number[][];
  params: number[][][];
}

function load(name: string): TrainingGolden {
  return JSON.parse(readFileSync(join(TRAINING_DIR, `${name}.json`), "utf8")) as TrainingGolden;
}

/** Steps optimizer then scheduler on 0.5 * |p - target|^2 and returns the params after each step. */
function train(
  golden: TrainingGolden,
  params: Float64Array[],
  optimizer: { step(grads: Float64Array[]): void },
  scheduler: Scheduler,
): number[][][] {
  const history = [params.map((p) => Array.from(p))];
  for (let s = 0; s < golden.steps; s++) {
    const grads = params.map((p, i) => p.map((v, j) => v - golden.targets[i][j]));
    optimizer.step(grads);
    scheduler.step();
    history.push(params.map((p) => Array.from(p)));
  }
  return history;
}

/** Entries further than the relative tolerance from torch's. */
function mismatches(actual: number[][][], expected: number[][][]): string[] {
  const bad: string[] = [];
  expected.forEach((groups, step) =>
    groups.forEach((values, g) =>
      values.forEach((want, j) => {
        const got = actual[step]?.[g]?.[j];
        if (!(got === want || Math.abs(got - want) <= TOLERANCE * Math.abs(want))) {
          bad.push(`step ${step} group ${g}[${j}]: got ${got}, torch ${want}`);
        }
      }),
    ),
  );
  return bad;
}

describe("schedulers on the real optimizers, against torch 1.13", () => {
  it("SGD with momentum under OneCycleLR (momentum cycled)", () => {
    const golden = load("sgd_one_cycle");
    const params = golden.initial_params.map((v) => Float64Array.from(v));
    const optimizer = new SGD(params.map((p) => ({ params: [p], lr: 0.1 })), { lr: 0.1, momentum: 0.9 });
    const scheduler = new OneCycleLR(optimizer, { max_lr: [0.3, 0.1], total_steps: 40 });
    expect(optimizer.paramGroups[0].momentum).toBe(0.95);
    const history = train(golden, params, optimizer, scheduler);
    expect(history.length).toBe(41);
    expect(mismatches(history, golden.params)).toEqual([]);
  });

  it("Adam under three-phase OneCycleLR (beta1 cycled)", () => {
    const golden = load("adam_one_cycle_betas");
    const params = golden.initial_params.map((v) => Float64Array.from(v));
    const optimizer = new Adam(params.map((p) => ({ params: [p], lr: 0.01 })), { lr: 0.01, betas: [0.9, 0.99] });
    const scheduler = new OneCycleLR(optimizer, { max_lr: 0.05, total_steps: 30, three_phase: true });
    expect(optimizer.paramGroups[1].betas).toEqual([0.95, 0.99]);
    const history = train(golden, params, optimizer, scheduler);
    expect(mismatches(history, golden.params)).toEqual([]);
  });

  it("Nesterov SGD under SequentialLR(LinearLR warmup, CosineAnnealingLR)", () => {
    const golden = load("sgd_sequential_warmup_cosine");
    const params = golden.initial_params.map((v) => Float64Array.from(v));
    const optimizer = new SGD([{ params, lr: 0.2 }], { lr: 0.2, momentum: 0.8, nesterov: true });
    const scheduler = new SequentialLR(optimizer, {
      schedulers: [new LinearLR(optimizer, { start_factor: 0.2, total_iters: 5 }), new CosineAnnealingLR(optimizer, { T_max: 20 })],
      milestones: [5],
    });
    const history = train(golden, params, optimizer, scheduler);
    expect(mismatches(history, golden.params)).toEqual([]);
  });
});
