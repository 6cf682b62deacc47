/** Schedulers that scale the lr by a factor that depends only on the epoch: step, multi-step, exponential, constant, linear, polynomial. */
import { ValueError } from "../errors.js";
import { checkOptionNames } from "../options.js";
import { LRScheduler } from "./base.js";
import type { SchedulableOptimizer } from "./types.js";

/** The current lr of every group. */
function currentLrs(optimizer: SchedulableOptimizer): number[] {
  return optimizer.paramGroups.map((group) => group.lr);
}

/** Every group's current lr times `factor`. */
function scaledLrs(optimizer: SchedulableOptimizer, factor: number): number[] {
  return optimizer.paramGroups.map((group) => group.lr * factor);
}

/** Rejects a factor outside [0, 1] the way torch does. */
function checkUnitFactor(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new ValueError(`${name} must be between 0 and 1, got ${value}`);
}

/** Number of entries in sorted `values` that are <= `x` (Python's `bisect_right`). */
export function bisectRight(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < values[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface StepLROptions {
  step_size: number;
  gamma?: number;
  last_epoch?: number;
}

/** Multiplies the lr by `gamma` every `step_size` epochs. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super(optimizer);
    checkOptionNames("StepLR", options, ["step_size", "gamma", "last_epoch", "verbose"], ["step_size"]);
    this.stepSize = options.step_size;
    this.gamma = options.gamma ?? 0.1;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return currentLrs(this.optimizer);
    return scaledLrs(this.optimizer, this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
}

export interface MultiStepLROptions {
  milestones: number[];
  gamma?: number;
  last_epoch?: number;
}

/** Multiplies the lr by `gamma` at each milestone epoch (twice at a milestone listed twice). */
export class MultiStepLR extends LRScheduler {
  /** Sorted, with repeats kept. */
  milestones: number[];
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super(optimizer);
    checkOptionNames("MultiStepLR", options, ["milestones", "gamma", "last_epoch", "verbose"], ["milestones"]);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    if (hits === 0) return currentLrs(this.optimizer);
    return scaledLrs(this.optimizer, this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = bisectRight(this.milestones, this.lastEpoch);
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }
}

export interface ExponentialLROptions {
  gamma: number;
  last_epoch?: number;
}

/** Multiplies the lr by `gamma` every epoch. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super(optimizer);
    checkOptionNames("ExponentialLR", options, ["gamma", "last_epoch", "verbose"], ["gamma"]);
    this.gamma = options.gamma;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return currentLrs(this.optimizer);
    return scaledLrs(this.optimizer, this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}

export interface ConstantLROptions {
  factor?: number;
  total_iters?: number;
  last_epoch?: number;
}

/** Holds the lr at `factor` times the base lr for `total_iters` epochs, then restores it. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: ConstantLROptions = {}) {
    super(optimizer);
    checkOptionNames("ConstantLR", options, ["factor", "total_iters", "last_epoch", "verbose"]);
    this.factor = options.factor ?? 1 / 3;
    checkUnitFactor("factor", this.factor);
    this.totalIters = options.total_iters ?? 5;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return scaledLrs(this.optimizer, this.factor);
    if (this.lastEpoch !== this.totalIters) return currentLrs(this.optimizer);
    // torch divides by the factor here, so a factor of 0 fails at this step instead of giving an infinite lr.
    if (this.factor === 0) throw new ValueError("ConstantLR with factor 0 cannot restore the lr (division by zero)");
    return scaledLrs(this.optimizer, 1.0 / this.factor);
  }

  protected override closedFormLr(): number[] {
    const restored = this.lastEpoch >= this.totalIters ? 1 - this.factor : 0;
    return this.baseLrs.map((base) => base * (this.factor + restored));
  }
}

export interface LinearLROptions {
  start_factor?: number;
  end_factor?: number;
  total_iters?: number;
  last_epoch?: number;
}

/** Moves the lr factor linearly from `start_factor` to `end_factor` over `total_iters` epochs. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super(optimizer);
    checkOptionNames("LinearLR", options, ["start_factor", "end_factor", "total_iters", "last_epoch", "verbose"]);
    this.startFactor = options.start_factor ?? 1 / 3;
    this.endFactor = options.end_factor ?? 1.0;
    checkUnitFactor("start_factor", this.startFactor);
    checkUnitFactor("end_factor", this.endFactor);
    // torch 1.13 accepts 0 but then divides by zero on the first step; later releases reject it up front.
    if (this.startFactor === 0) throw new ValueError("start_factor must be greater than 0");
    this.totalIters = options.total_iters ?? 5;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0) return scaledLrs(this.optimizer, this.startFactor);
    if (this.lastEpoch > this.totalIters) return currentLrs(this.optimizer);
    const span = this.endFactor - this.startFactor;
    const factor = 1 + span / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * span);
    return scaledLrs(this.optimizer, factor);
  }

  protected override closedFormLr(): number[] {
    const span = this.endFactor - this.startFactor;
    const done = Math.min(this.totalIters, this.lastEpoch);
    return this.baseLrs.map((base) => base * (this.startFactor + (span * done) / this.totalIters));
  }
}

export interface PolynomialLROptions {
  total_iters?: number;
  power?: number;
  last_epoch?: number;
}

/** Decays the lr to 0 over `total_iters` epochs as (1 - t/T)^power. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;

  constructor(optimizer: SchedulableOptimizer, options: PolynomialLROptions = {}) {
    super(optimizer);
    checkOptionNames("PolynomialLR", options, ["total_iters", "power", "last_epoch", "verbose"]);
    this.totalIters = options.total_iters ?? 5;
    this.power = options.power ?? 1.0;
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch > this.totalIters) return currentLrs(this.optimizer);
    const remaining = 1.0 - this.lastEpoch / this.totalIters;
    const previous = 1.0 - (this.lastEpoch - 1) / this.totalIters;
    return scaledLrs(this.optimizer, (remaining / previous) ** this.power);
  }

  protected override closedFormLr(): number[] {
    const remaining = 1.0 - Math.min(this.totalIters, this.lastEpoch) / this.totalIters;
    return this.baseLrs.map((base) => base * remaining ** this.power);
  }
}
