/** The knowledge table rules read: optimizers, their learning-rate ranges and schedulers, in one place. */
import { LR_RANGES, type LrRange } from "./ranges.js";
import { OPTIMIZERS, decayIsCoupled, optimizerByName, type Family, type OptimizerInfo } from "./optimizers.js";
import { SCHEDULERS, schedulerByName, type SchedulerInfo } from "./schedulers.js";

export interface Knowledge {
  optimizer(canonical: string): OptimizerInfo | undefined;
  lrRange(family: Family): LrRange | undefined;
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
