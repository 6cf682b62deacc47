/** Option names are checked as Python checks keyword arguments: torch raises TypeError for both cases below. */
import { describe, expect, it } from "vitest";
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  Lookahead,
  MultiStepLR,
  NAdam,
  OneCycleLR,
  SGD,
  SequentialLR,
  StepLR,
  createOptimizer,
  getLinearScheduleWithWarmup,
} from "../../src/optim/index.js";

const params = () => [Float64Array.from([1, 2, 3])];

describe("a misspelled option", () => {
  it("is a TypeError naming the option and the nearest real one, for every optimizer", () => {
    expect(() => new SGD(params(), { lr: 0.1, momentom: 0.9 } as never)).toThrow(/^SGD\.__init__\(\) got an unexpected keyword argument 'momentom' \(did you mean 'momentum'\?\)$/);
    expect(() => new SGD(params(), { lr: 0.1, momentom: 0.9 } as never)).toThrow(expect.objectContaining({ name: "TypeError" }));
    expect(() => new AdamW(params(), { weight_decy: 0.1 } as never)).toThrow(/AdamW\.__init__\(\) got an unexpected keyword argument 'weight_decy'/);
    expect(() => new NAdam(params(), { momentum_decau: 0.1 } as never)).toThrow(/NAdam.*'momentum_decau'/);
    expect(() => createOptimizer("RMSprop", params(), { alpah: 0.9 })).toThrow(/RMSprop.*'alpah'/);
    expect(() => createOptimizer("Adam", params(), { momentum: 0.9 })).toThrow(/Adam.*'momentum'/);
    expect(() => new Lookahead(new SGD(params()), { k: 5, alfa: 0.5 } as never)).toThrow(/Lookahead.*'alfa'/);
  });

  it("is not raised for real options, nor for torch's implementation switches", () => {
    expect(() => new Adam(params(), { lr: 0.1, amsgrad: true, foreach: false, fused: false } as never)).not.toThrow();
    expect(() => createOptimizer("LARS", params(), { lr: 0.1, shapes: [[3]] })).not.toThrow();
  });

  it("is rejected by the schedulers too", () => {
    expect(() => new StepLR(new SGD(params()), { step_size: 2, gama: 0.5 } as never)).toThrow(/StepLR.*'gama'.*'gamma'/);
    expect(() => new CosineAnnealingLR(new SGD(params()), { T_max: 10, eta_mn: 0 } as never)).toThrow(/eta_mn/);
  });
});

describe("a missing required option", () => {
  it("is a TypeError, as torch's missing positional argument, instead of stepping to NaN", () => {
    const opt = () => new SGD(params(), { lr: 0.1 });
    expect(() => new CosineAnnealingLR(opt(), {} as never)).toThrow(/^CosineAnnealingLR\.__init__\(\) missing 1 required argument: 'T_max'$/);
    expect(() => new StepLR(opt(), {} as never)).toThrow(/'step_size'/);
    expect(() => new MultiStepLR(opt(), { gamma: 0.1 } as never)).toThrow(/'milestones'/);
    expect(() => new ExponentialLR(opt(), {} as never)).toThrow(/'gamma'/);
    expect(() => new LambdaLR(opt(), {} as never)).toThrow(/'lr_lambda'/);
    expect(() => new OneCycleLR(opt(), { total_steps: 10 } as never)).toThrow(/'max_lr'/);
    expect(() => new SequentialLR(opt(), { schedulers: [] } as never)).toThrow(/'milestones'/);
    expect(() => getLinearScheduleWithWarmup(opt(), { num_warmup_steps: 2 } as never)).toThrow(/missing 1 required argument: 'num_training_steps'/);
    // With the option given, the schedule steps to finite values.
    const sgd = opt();
    const cosine = new CosineAnnealingLR(sgd, { T_max: 4 });
    for (let i = 0; i < 4; i++) cosine.step();
    expect(cosine.getLastLr().every(Number.isFinite)).toBe(true);
  });
});
