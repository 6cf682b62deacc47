/** The knowledge table rules read: optimizers and their learning-rate ranges, in one place. */
import { LR_RANGES, type LrRange } from "./ranges.js";
import { OPTIMIZERS, decayIsCoupled, optimizerByName, type Family, type OptimizerInfo } from "./optimizers.js";

export interface Knowledge {
  optimizer(canonical: string): OptimizerInfo | undefined;
  lrRange(family: Family): LrRange | undefined;
  decayIsCoupled: typeof decayIsCoupled;
}

export const knowledge: Knowledge = {
  optimizer: optimizerByName,
  lrRange: (family) => LR_RANGES[family],
  decayIsCoupled,
};

export { OPTIMIZERS, LR_RANGES, optimizerByName, decayIsCoupled };
export type { Family, OptimizerInfo, LrRange };
