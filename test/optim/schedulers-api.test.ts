/** Scheduler behaviour beyond the goldens: saved state, resuming, errors torch raises, shared initial_lr. */
import { describe, expect, it } from "vitest";
import {
  ConstantLR,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  OneCycleLR,
  SequentialLR,
  StepLR,
  getCosineScheduleWithWarmup,
  type ParamGroup,
  type SchedulableOptimizer,
  type Scheduler,
} from "../../src/optim/schedulers/index.js";

/** A stand-in optimizer: SGD-like groups (momentum) or Adam-like groups (betas), optionally without `defaults`. */
function standIn(lrs: number[], kind: "sgd" | "adam" = "sgd", withDefaults = true): SchedulableOptimizer {
  const options = kind === "sgd" ? { momentum: 0.9 } : { betas: [0.9, 0.999] };
  const paramGroups: ParamGroup[] = lrs.map((lr) => ({ lr, ...structuredClone(options) }));
  return withDefaults ? { paramGroups, defaults: { lr: 0.001, ...structuredClone(options) } } : { paramGroups };
}

/** The lr of every group after each of `n` steps. */
function trajectory(scheduler: Scheduler, n: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    scheduler.step();
    out.push(scheduler.optimizer.paramGroups.map((g) => g.lr));
  }
  return out;
}

type Build = (optimizer: SchedulableOptimizer) => Scheduler;

const builds: Record<string, Build> = {
  StepLR: (o) => new StepLR(o, { step_size: 4, gamma: 0.5 }),
  CosineAnnealingLR: (o) => new CosineAnnealingLR(o, { T_max: 9, eta_min: 1e-4 }),
  OneCycleLR: (o) => new OneCycleLR(o, { max_lr: [0.4, 0.2], total_steps: 40 }),
  LambdaLR: (o) => new LambdaLR(o, { lr_lambda: (e) => 1 / (e + 1) }),
  CosineWarmup: (o) => getCosineScheduleWithWarmup(o, { num_warmup_steps: 5, num_training_steps: 40 }),
  SequentialLR: (o) =>
    new SequentialLR(o, {
      schedulers: [new LinearLR(o, { start_factor: 0.1, total_iters: 6 }), new CosineAnnealingLR(o, { T_max: 20 })],
      milestones: [6],
    }),
};

describe("stateDict / loadStateDict", () => {
  for (const [name, build] of Object.entries(builds)) {
    it(`${name}: a restored scheduler continues exactly where the saved one was`, () => {
      const original = standIn([0.1, 0.05]);
      const scheduler = build(original);
      trajectory(scheduler, 13);
      const saved = JSON.parse(JSON.stringify(scheduler.stateDict()));
      const savedGroups = structuredClone(original.paramGroups);
      const expected = trajectory(scheduler, 20);

      // Rebuild as a training script would: new optimizer and scheduler, then load both states.
      const resumed = standIn([0.1, 0.05]);
      const restored = build(resumed);
      resumed.paramGroups.forEach((group, i) => Object.assign(group, structuredClone(savedGroups[i])));
      restored.loadStateDict(saved);
      expect(restored.lastEpoch).toBe(13);
      expect(restored.getLastLr()).toEqual(savedGroups.map((g) => g.lr));
      expect(trajectory(restored, 20)).toEqual(expected);
    });
  }

  it("leaves the optimizer and lambdas out of the saved state", () => {
    const state = new LambdaLR(standIn([0.1]), { lr_lambda: (e) => e }).stateDict();
    expect(Object.keys(state)).not.toContain("optimizer");
    expect(Object.keys(state)).not.toContain("lrLambdas");
    expect(state.lastEpoch).toBe(0);
    expect(state.baseLrs).toEqual([0.1]);
  });
});

describe("construction", () => {
  it("takes torch's initial step: sets initial_lr and evaluates epoch 0", () => {
    const optimizer = standIn([0.1, 0.02]);
    const scheduler = new LinearLR(optimizer, { start_factor: 0.5, total_iters: 4 });
    expect(scheduler.lastEpoch).toBe(0);
    expect(optimizer.paramGroups.map((g) => g.initial_lr)).toEqual([0.1, 0.02]);
    expect(scheduler.getLastLr()).toEqual([0.05, 0.01]);
  });

  it("keeps an initial_lr set by an earlier scheduler on the same optimizer", () => {
    const optimizer = standIn([0.1]);
    new ExponentialLR(optimizer, { gamma: 0.5 }).step();
    const later = new StepLR(optimizer, { step_size: 2 });
    expect(later.baseLrs).toEqual([0.1]);
    expect(optimizer.paramGroups[0].lr).toBe(0.05);
  });

  it("requires initial_lr when resuming from last_epoch", () => {
    expect(() => new StepLR(standIn([0.1]), { step_size: 2, last_epoch: 5 })).toThrow(/initial_lr/);
  });

  it("rejects settings torch rejects (or fails on at the first step)", () => {
    expect(() => new LinearLR(standIn([0.1]), { start_factor: 0 })).toThrow(/start_factor/);
    expect(() => new LinearLR(standIn([0.1]), { end_factor: 1.5 })).toThrow(/end_factor/);
    expect(() => new OneCycleLR(standIn([0.1]), { max_lr: 1, total_steps: 10, pct_start: 1.2 })).toThrow(/pct_start/);
    expect(() => new OneCycleLR(standIn([0.1]), { max_lr: 1, total_steps: 0 })).toThrow(/total_steps/);
    expect(() => new OneCycleLR(standIn([0.1]), { max_lr: 1 })).toThrow(/total_steps/);
    expect(() => new OneCycleLR(standIn([0.1, 0.2]), { max_lr: [1], total_steps: 5 })).toThrow(/max_lr/);
    expect(() => new LambdaLR(standIn([0.1, 0.2]), { lr_lambda: [() => 1] })).toThrow(/lr_lambdas/);
  });

  it("ConstantLR with factor 0 fails where torch divides by zero, not earlier", () => {
    const scheduler = new ConstantLR(standIn([0.1]), { factor: 0, total_iters: 2 });
    scheduler.step();
    expect(scheduler.getLastLr()).toEqual([0]);
    expect(() => scheduler.step()).toThrow(/division by zero/);
  });

  it("SequentialLR checks its schedulers and milestones", () => {
    const a = standIn([0.1]);
    const b = standIn([0.1]);
    expect(
      () => new SequentialLR(a, { schedulers: [new StepLR(a, { step_size: 2 }), new StepLR(b, { step_size: 2 })], milestones: [3] }),
    ).toThrow(/different optimizer/);
    expect(
      () => new SequentialLR(a, { schedulers: [new StepLR(a, { step_size: 2 }), new StepLR(a, { step_size: 2 })], milestones: [] }),
    ).toThrow(/milestone/);
  });
});

describe("OneCycleLR", () => {
  it("allows total_steps steps and throws on the next, as torch does", () => {
    const scheduler = new OneCycleLR(standIn([0.1]), { max_lr: 0.5, total_steps: 10 });
    trajectory(scheduler, 10);
    expect(scheduler.lastEpoch).toBe(10);
    expect(() => scheduler.step()).toThrow(/12 times/);
  });

  it("cycles betas[0] and keeps betas[1] when the optimizer has no defaults", () => {
    const optimizer = standIn([0.01], "adam", false);
    const scheduler = new OneCycleLR(optimizer, { max_lr: 0.01, total_steps: 20, base_momentum: 0.8, max_momentum: 0.9 });
    expect(optimizer.paramGroups[0].betas).toEqual([0.9, 0.999]);
    trajectory(scheduler, 5);
    const betas = optimizer.paramGroups[0].betas as number[];
    expect(betas[0]).toBeLessThan(0.9);
    expect(betas[0]).toBeGreaterThanOrEqual(0.8);
    expect(betas[1]).toBe(0.999);
    expect(optimizer.paramGroups[0].momentum).toBeUndefined();
  });

  it("refuses cycle_momentum on an optimizer without momentum or betas", () => {
    const optimizer: SchedulableOptimizer = { paramGroups: [{ lr: 0.1 }], defaults: { lr: 0.1 } };
    expect(() => new OneCycleLR(optimizer, { max_lr: 1, total_steps: 5 })).toThrow(/momentum/);
    expect(() => new OneCycleLR(optimizer, { max_lr: 1, total_steps: 5, cycle_momentum: false })).not.toThrow();
  });
});
