/** The torch.optim contract around the update rules: state dicts, missing gradients, mutable groups, errors, factory. */
import { describe, expect, it } from "vitest";
import {
  Adagrad, Adam, Adadelta, NAdam, OPTIMIZER_NAMES, OPTIMIZER_OPTIONS, OptimError, RMSprop, RuntimeError, SGD, StepLR, ValueError, createOptimizer,
  type Optimizer, type StateDict,
} from "../../src/optim/index.js";
import { OPTIMIZERS } from "../../src/knowledge/optimizers.js";

const START = [[0.5, -1.25, 2], [0.1, -0.2, 0.3, 0.4]];

/** Deterministic gradients for step `t`: smooth, sign-changing, different per parameter. */
function gradients(t: number): number[][] {
  return START.map((p, i) => p.map((_, j) => Math.sin(1.7 * t + 0.9 * j + 2.3 * i) * (1 + i)));
}

/** Fresh float64 copies of the starting parameters. */
function freshParams(): Float64Array[] {
  return START.map((values) => Float64Array.from(values));
}

/** Options that switch on each optimizer's stateful branches. */
const STATEFUL_OPTIONS: Record<string, Record<string, unknown>> = {
  SGD: { lr: 0.05, momentum: 0.9, nesterov: true },
  Adam: { lr: 0.01, amsgrad: true },
  AdamW: { lr: 0.01 },
  RMSprop: { lr: 0.01, centered: true, momentum: 0.5 },
  Adagrad: { lr: 0.1, lr_decay: 0.01 },
  Adamax: { lr: 0.01 },
  NAdam: { lr: 0.01 },
  RAdam: { lr: 0.01 },
  Adadelta: {},
  LAMB: { lr: 0.01 },
  LARS: { lr: 0.1, momentum: 0.9, weight_decay: 1e-4 },
  Lookahead: { base: "Adam", lr: 0.01, lookahead_k: 3 },
};

describe("stateDict / loadStateDict", () => {
  for (const name of OPTIMIZER_NAMES) {
    it(`${name}: continuing from a JSON round trip equals running uninterrupted`, () => {
      const options = STATEFUL_OPTIONS[name];
      const straight = freshParams();
      const reference = createOptimizer(name, straight, options);
      for (let t = 0; t < 8; t++) reference.step(gradients(t));

      const first = freshParams();
      const before = createOptimizer(name, first, options);
      for (let t = 0; t < 4; t++) before.step(gradients(t));
      const saved = JSON.parse(JSON.stringify(before.stateDict())) as StateDict;
      // A new optimizer built on copies of the current parameters, as after loading a checkpoint.
      const resumed = first.map((p) => Float64Array.from(p));
      const after = createOptimizer(name, resumed, options);
      after.loadStateDict(saved);
      for (let t = 4; t < 8; t++) after.step(gradients(t));

      resumed.forEach((p, i) => expect(Array.from(p)).toEqual(Array.from(straight[i])));
    });
  }

  it("returns deep copies: changing the dict or the loaded source leaves the optimizer alone", () => {
    const params = freshParams();
    const adam = new Adam(params, { lr: 0.01 });
    adam.step(gradients(0));
    const dict = adam.stateDict();
    (dict.state["0"].exp_avg as number[])[0] = 1e9;
    dict.param_groups[0].lr = 99;
    (dict.param_groups[0].betas as number[])[0] = 0.5;
    expect(adam.paramGroups[0].lr).toBe(0.01);
    expect(adam.paramGroups[0].betas).toEqual([0.9, 0.999]);
    expect((adam.stateDict().state["0"].exp_avg as number[])[0]).not.toBe(1e9);

    const other = new Adam(freshParams(), { lr: 0.01 });
    const source = adam.stateDict();
    other.loadStateDict(source);
    (source.param_groups[0].betas as number[])[1] = 0.5;
    expect(other.paramGroups[0].betas).toEqual([0.9, 0.999]);
  });

  it("restores group options such as a changed lr and a scheduler's initial_lr", () => {
    const sgd = new SGD(freshParams(), { lr: 0.1 });
    sgd.paramGroups[0].lr = 0.02;
    sgd.paramGroups[0].initial_lr = 0.1;
    const other = new SGD(freshParams(), { lr: 0.1 });
    other.loadStateDict(sgd.stateDict());
    expect(other.paramGroups[0].lr).toBe(0.02);
    expect(other.paramGroups[0].initial_lr).toBe(0.1);
  });

  it("rejects a dict for differently shaped groups", () => {
    const two = new SGD([{ params: [Float64Array.from([1])] }, { params: [Float64Array.from([2])] }], { lr: 0.1 });
    const one = new SGD([Float64Array.from([1]), Float64Array.from([2])], { lr: 0.1 });
    expect(() => one.loadStateDict(two.stateDict())).toThrow("loaded state dict has a different number of parameter groups");
    const bigger = new SGD([Float64Array.from([1]), Float64Array.from([2]), Float64Array.from([3])], { lr: 0.1 });
    expect(() => bigger.loadStateDict(one.stateDict())).toThrow("doesn't match the size of optimizer's group");
  });
});

describe("null gradients", () => {
  it("skip the parameter: its value, state and step count stay as they were", () => {
    const params = freshParams();
    const adam = new Adam(params, { lr: 0.01 });
    adam.step([gradients(0)[0], null]);
    expect(Array.from(params[1])).toEqual(START[1]);
    expect(adam.stateDict().state["1"]).toBeUndefined();
    adam.step(gradients(1));
    adam.step([null, gradients(2)[1]]);
    const state = adam.stateDict().state;
    expect(state["0"].step).toBe(2);
    expect(state["1"].step).toBe(2);
  });

  it("give the same result as an optimizer that never saw that parameter", () => {
    const a = freshParams();
    const b = [Float64Array.from(START[0])];
    const both = new NAdam(a, { lr: 0.01 });
    const alone = new NAdam(b, { lr: 0.01 });
    for (let t = 0; t < 5; t++) {
      both.step([gradients(t)[0], null]);
      alone.step([gradients(t)[0]]);
    }
    expect(Array.from(a[0])).toEqual(Array.from(b[0]));
    expect(Array.from(a[1])).toEqual(START[1]);
  });
});

describe("paramGroups", () => {
  it("are read at every step, so changing lr between steps takes effect", () => {
    const p = Float64Array.from([1, 2]);
    const sgd = new SGD([p], { lr: 0.1 });
    sgd.step([[1, 1]]);
    sgd.paramGroups[0].lr = 0.5;
    sgd.step([[1, 1]]);
    expect(Array.from(p)).toEqual([1 - 0.1 - 0.5, 2 - 0.1 - 0.5]);
  });

  it("are what a scheduler drives: StepLR halves lr every two steps and records initial_lr", () => {
    const p = Float64Array.from([1]);
    const sgd = new SGD([p], { lr: 0.4 });
    const scheduler = new StepLR(sgd, { step_size: 2, gamma: 0.5 });
    let expected = 1;
    for (let t = 0; t < 6; t++) {
      expected -= 0.4 * 0.5 ** Math.floor(t / 2);
      sgd.step([[1]]);
      scheduler.step();
    }
    expect(p[0]).toBeCloseTo(expected, 15);
    expect(sgd.stateDict().param_groups[0].initial_lr).toBe(0.4);
  });

  it("fill missing options from the defaults and keep their own", () => {
    const sgd = new SGD([{ params: [Float64Array.from([1])] }, { params: [Float64Array.from([1])], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(sgd.paramGroups.map((g) => [g.lr, g.momentum, g.nesterov])).toEqual([[0.1, 0, false], [0.5, 0.9, false]]);
    expect(sgd.allParams()).toHaveLength(2);
  });
});

describe("errors mirror torch's ValueError messages", () => {
  const p = (): Float64Array[] => [Float64Array.from([1])];
  const cases: [string, () => unknown, string][] = [
    ["negative lr", () => new Adam(p(), { lr: -1 }), "Invalid learning rate: -1"],
    ["beta above one", () => new Adam(p(), { betas: [1.5, 0.9] }), "Invalid beta parameter at index 0: 1.5"],
    ["second beta", () => new NAdam(p(), { betas: [0.9, 1] }), "Invalid beta parameter at index 1: 1"],
    ["negative eps", () => new Adam(p(), { eps: -1e-8 }), "Invalid epsilon value: -1e-8"],
    ["negative weight decay", () => new SGD(p(), { weight_decay: -0.1 }), "Invalid weight_decay value: -0.1"],
    ["negative momentum", () => new SGD(p(), { momentum: -0.9 }), "Invalid momentum value: -0.9"],
    ["nesterov with dampening", () => new SGD(p(), { momentum: 0.9, dampening: 0.1, nesterov: true }), "Nesterov momentum requires a momentum and zero dampening"],
    ["nesterov without momentum", () => new SGD(p(), { nesterov: true }), "Nesterov momentum requires a momentum and zero dampening"],
    ["negative alpha", () => new RMSprop(p(), { alpha: -0.5 }), "Invalid alpha value: -0.5"],
    ["negative accumulator", () => new Adagrad(p(), { initial_accumulator_value: -1 }), "Invalid initial_accumulator_value value: -1"],
    ["negative lr_decay", () => new Adagrad(p(), { lr_decay: -1 }), "Invalid lr_decay value: -1"],
    ["rho above one", () => new Adadelta(p(), { rho: 1.5 }), "Invalid rho value: 1.5"],
    ["negative momentum_decay", () => new NAdam(p(), { momentum_decay: -1 }), "Invalid momentum_decay value: -1"],
    ["NaN lr", () => new SGD(p(), { lr: NaN }), "Invalid learning rate: NaN"],
    ["empty parameters", () => new SGD([], { lr: 0.1 }), "optimizer got an empty parameter list"],
    ["shared parameter", () => {
      const shared = Float64Array.from([1]);
      return new SGD([{ params: [shared] }, { params: [shared] }]);
    }, "some parameters appear in more than one parameter group"],
    ["unknown optimizer", () => createOptimizer("Adamm", p()), "Unknown optimizer: Adamm"],
  ];
  for (const [label, build, message] of cases) {
    it(label, () => {
      expect(build).toThrow(ValueError);
      expect(build).toThrow(message);
    });
  }

  it("ValueError is an OptimError and an Error named like Python's", () => {
    try {
      new Adam([Float64Array.from([1])], { lr: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(OptimError);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe("ValueError");
    }
  });

  it("mismatched gradients are a RuntimeError", () => {
    const sgd = new SGD([Float64Array.from([1, 2])], { lr: 0.1 });
    expect(() => sgd.step([])).toThrow(RuntimeError);
    expect(() => sgd.step([[1]])).toThrow(RuntimeError);
  });
});

describe("createOptimizer", () => {
  it("builds every torch optimizer with the knowledge table's defaults", () => {
    const torchEntries = OPTIMIZERS.filter((info) => info.framework === "torch");
    expect(torchEntries.length).toBeGreaterThanOrEqual(9);
    for (const info of torchEntries) {
      const optimizer: Optimizer = createOptimizer(info.short, [Float64Array.from([1])]);
      expect(optimizer.constructor.name).toBe(info.short);
      for (const [key, value] of Object.entries(info.defaults)) expect([info.short, key, optimizer.defaults[key]]).toEqual([info.short, key, value]);
    }
  });

  it("lists the options each optimizer reads, which are exactly the keys of its groups", () => {
    expect(Object.keys(OPTIMIZER_OPTIONS).sort()).toEqual([...OPTIMIZER_NAMES].sort());
    for (const name of OPTIMIZER_NAMES.filter((n) => n !== "Lookahead" && n !== "AdamW")) {
      const group = createOptimizer(name, [Float64Array.from([1])]).paramGroups[0];
      expect(Object.keys(group).filter((key) => key !== "params").sort()).toEqual(OPTIMIZER_OPTIONS[name].filter((key) => key !== "shapes").sort());
    }
    expect(OPTIMIZER_OPTIONS.AdamW).not.toContain("decoupled_weight_decay");
  });

  it("matches names case-insensitively", () => {
    expect(createOptimizer("adamw", [Float64Array.from([1])])).toBeInstanceOf(Adam);
    expect(createOptimizer("lamb", [Float64Array.from([1])]).constructor.name).toBe("LAMB");
  });
});

describe("Float32Array parameters", () => {
  it("store float32 values and state, and track the float64 trajectory closely", () => {
    const wide = freshParams();
    const narrow = START.map((values) => Float32Array.from(values));
    const a = new Adam(wide, { lr: 0.01 });
    const b = new Adam(narrow, { lr: 0.01 });
    for (let t = 0; t < 10; t++) {
      a.step(gradients(t));
      b.step(gradients(t));
    }
    narrow.forEach((p, i) => p.forEach((x, j) => expect(Math.abs(x - wide[i][j])).toBeLessThan(1e-5)));
    narrow.forEach((p) => p.forEach((x) => expect(Math.fround(x)).toBe(x)));
    const resumed = new Adam(narrow.map((p) => Float32Array.from(p)), { lr: 0.01 });
    resumed.loadStateDict(b.stateDict());
    resumed.step(gradients(10));
    b.step(gradients(10));
    expect(resumed.allParams().map((p) => Array.from(p))).toEqual(narrow.map((p) => Array.from(p)));
  });
});
