/** The knowledge table rules read: optimizers, their learning-rate ranges and schedulers, in one place. */
import { LR_RANGES, type LrRange } from "./ranges.js";
import { OPTIMIZERS, decayIsCoupled, optimizerByName, type Family, type OptimizerInfo } from "./optimizers.js";
import { SCHEDULERS, schedulerByName, type SchedulerInfo } from "./schedulers.js";

export interface Knowledge {
  /** An optimizer by canonical name or alias; undefined for a class the table does not list. */
  optimizer(canonical: string): OptimizerInfo | undefined;
  /** The typical learning-rate range of a family, when one is established. */
  lrRange(family: Family): LrRange | undefined;
  /** Whether weight decay is coupled to the gradient, given the decay flag's value if any. */
  decayIsCoupled: typeof decayIsCoupled;
  /** A scheduler by canonical name; undefined for a scheduler the table does not list. */
  scheduler(canonical: string): SchedulerInfo | undefined;
}

export const knowledge: Knowledge = {
  optimizer: optimizerByName,
  lrRange: (family) => LR_RANGES[family],
  decayIsCoupled,
  scheduler: schedulerByName,
};

export { OPTIMIZERS, LR_RANGES, SCHEDULERS, optimizerByName, decayIsCoupled, schedulerByName };
export type { Family, OptimizerInfo, LrRange, SchedulerInfo };
