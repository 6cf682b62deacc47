/** The 1cycle policy (torch's OneCycleLR): lr up to max_lr and down far below the start, momentum inversely. */
import { ValueError } from "../errors.js";
import { checkOptionNames } from "../options.js";
import { LRScheduler, groupNumber, perGroup } from "./base.js";
import type { ParamGroup, SchedulableOptimizer } from "./types.js";

export type AnnealStrategy = "cos" | "linear";

export interface OneCycleLROptions {
  /** Peak lr, one for all groups or one per group. */
  max_lr: number | number[];
  /** Length of the cycle; otherwise `epochs * steps_per_epoch`. */
  total_steps?: number;
  epochs?: number;
  steps_per_epoch?: number;
  /** Fraction of the cycle spent raising the lr. */
  pct_start?: number;
  anneal_strategy?: AnnealStrategy;
  /** Cycle `momentum` (or `betas[0]` for Adam-like optimizers) inversely to the lr. */
  cycle_momentum?: boolean;
  base_momentum?: number | number[];
  max_momentum?: number | number[];
  /** The starting lr is `max_lr / div_factor`. */
  div_factor?: number;
  /** The final lr is the starting lr divided by this. */
  final_div_factor?: number;
  /** Go up, come back down symmetrically to the starting lr, then anneal to the final lr. */
  three_phase?: boolean;
  last_epoch?: number;
}

/** Group keys a phase anneals between. */
type LrKey = "initial_lr" | "max_lr" | "min_lr";
type MomentumKey = "max_momentum" | "base_momentum";

/** One segment of the cycle, ending at step `endStep` (inclusive). */
export interface CyclePhase {
  endStep: number;
  startLr: LrKey;
  endLr: LrKey;
  startMomentum: MomentumKey;
  endMomentum: MomentumKey;
}

/** Cosine interpolation from `start` (pct 0) to `end` (pct 1). */
export function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

/** Linear interpolation from `start` (pct 0) to `end` (pct 1). */
export function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** The phases of a cycle of `totalSteps` steps, as torch lays them out. */
export function cyclePhases(totalSteps: number, pctStart: number, threePhase: boolean): CyclePhase[] {
  const rise = pctStart * totalSteps - 1;
  if (threePhase) {
    return [
      { endStep: rise, startLr: "initial_lr", endLr: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum" },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: "max_lr", endLr: "initial_lr", startMomentum: "base_momentum", endMomentum: "max_momentum" },
      { endStep: totalSteps - 1, startLr: "initial_lr", endLr: "min_lr", startMomentum: "max_momentum", endMomentum: "max_momentum" },
    ];
  }
  return [
    { endStep: rise, startLr: "initial_lr", endLr: "max_lr", startMomentum: "max_momentum", endMomentum: "base_momentum" },
    { endStep: totalSteps - 1, startLr: "max_lr", endLr: "min_lr", startMomentum: "base_momentum", endMomentum: "max_momentum" },
  ];
}

/** Whether the optimizer keeps its momentum as `betas[0]` (Adam-like) rather than `momentum`. */
function usesBetas(optimizer: SchedulableOptimizer): boolean {
  if (optimizer.defaults) return "betas" in optimizer.defaults;
  return optimizer.paramGroups.length > 0 && "betas" in optimizer.paramGroups[0];
}

/** Whether the optimizer has a momentum-like option to cycle. */
function hasMomentum(optimizer: SchedulableOptimizer): boolean {
  const where = optimizer.defaults ?? optimizer.paramGroups[0] ?? {};
  return "momentum" in where || "betas" in where;
}

/** Writes the cycled momentum into a group: `betas[0]` or `momentum`. */
function setMomentum(group: ParamGroup, value: number, beta1: boolean, index: number): void {
  if (!beta1) {
    group.momentum = value;
    return;
  }
  const betas = group.betas;
  if (!Array.isArray(betas)) throw new ValueError(`param group ${index} has no betas to cycle`);
  group.betas = [value, ...betas.slice(1)];
}

/** Steps the 1cycle schedule; not chainable (every lr comes from the phase endpoints). */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  phases: CyclePhase[];
  annealStrategy: AnnealStrategy;
  cycleMomentum: boolean;
  useBeta1 = false;

  constructor(optimizer: SchedulableOptimizer, options: OneCycleLROptions) {
    super(optimizer);
    checkOptionNames("OneCycleLR", options, ["max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start", "anneal_strategy", "cycle_momentum", "base_momentum", "max_momentum", "div_factor", "final_div_factor", "three_phase", "last_epoch", "verbose"], ["max_lr"]);
    this.totalSteps = resolveTotalSteps(options);
    const pctStart = options.pct_start ?? 0.3;
    if (!(pctStart >= 0 && pctStart <= 1)) throw new ValueError(`pct_start must be between 0 and 1, got ${pctStart}`);
    this.phases = cyclePhases(this.totalSteps, pctStart, options.three_phase ?? false);
    this.annealStrategy = options.anneal_strategy ?? "cos";
    if (this.annealStrategy !== "cos" && this.annealStrategy !== "linear") {
      throw new ValueError(`anneal_strategy must be 'cos' or 'linear', got ${String(this.annealStrategy)}`);
    }
    const groups = optimizer.paramGroups;
    const lastEpoch = options.last_epoch ?? -1;
    const divFactor = options.div_factor ?? 25;
    const finalDivFactor = options.final_div_factor ?? 1e4;
    const maxLrs = perGroup("max_lr", options.max_lr, groups.length);
    if (lastEpoch === -1) {
      groups.forEach((group, i) => {
        group.initial_lr = maxLrs[i] / divFactor;
        group.max_lr = maxLrs[i];
        group.min_lr = group.initial_lr / finalDivFactor;
      });
    }
    this.cycleMomentum = options.cycle_momentum ?? true;
    if (this.cycleMomentum) {
      if (!hasMomentum(optimizer)) throw new ValueError("cycle_momentum needs an optimizer with momentum or betas");
      this.useBeta1 = usesBetas(optimizer);
      const maxMomentums = perGroup("max_momentum", options.max_momentum ?? 0.95, groups.length);
      const baseMomentums = perGroup("base_momentum", options.base_momentum ?? 0.85, groups.length);
      if (lastEpoch === -1) {
        groups.forEach((group, i) => {
          setMomentum(group, maxMomentums[i], this.useBeta1, i);
          group.max_momentum = maxMomentums[i];
          group.base_momentum = baseMomentums[i];
        });
      }
    }
    this.start(lastEpoch);
  }

  protected getLr(): number[] {
    const stepNum = this.lastEpoch;
    if (stepNum > this.totalSteps) {
      throw new ValueError(`tried to step ${stepNum + 1} times; the cycle has ${this.totalSteps} total steps`);
    }
    const anneal = this.annealStrategy === "cos" ? annealCos : annealLinear;
    const { phase, startStep } = phaseAt(this.phases, stepNum);
    const pct = (stepNum - startStep) / (phase.endStep - startStep);
    return this.optimizer.paramGroups.map((group, i) => {
      if (this.cycleMomentum) {
        const momentum = anneal(groupNumber(group, phase.startMomentum, i), groupNumber(group, phase.endMomentum, i), pct);
        setMomentum(group, momentum, this.useBeta1, i);
      }
      return anneal(groupNumber(group, phase.startLr, i), groupNumber(group, phase.endLr, i), pct);
    });
  }
}

/** The phase a step falls in and the step that phase starts from; the last phase also takes any overrun. */
function phaseAt(phases: readonly CyclePhase[], step: number): { phase: CyclePhase; startStep: number } {
  let startStep = 0;
  for (let p = 0; p < phases.length - 1; p++) {
    if (step <= phases[p].endStep) return { phase: phases[p], startStep };
    startStep = phases[p].endStep;
  }
  return { phase: phases[phases.length - 1], startStep };
}

/** `total_steps`, or `epochs * steps_per_epoch`, validated as positive integers. */
function resolveTotalSteps(options: OneCycleLROptions): number {
  const positiveInt = (name: string, value: number): number => {
    if (!Number.isInteger(value) || value <= 0) throw new ValueError(`${name} must be a positive integer, got ${value}`);
    return value;
  };
  if (options.total_steps !== undefined) return positiveInt("total_steps", options.total_steps);
  if (options.epochs === undefined || options.steps_per_epoch === undefined) {
    throw new ValueError("OneCycleLR needs total_steps, or both epochs and steps_per_epoch");
  }
  return positiveInt("epochs", options.epochs) * positiveInt("steps_per_epoch", options.steps_per_epoch);
}
