/** The rule registry, in code order. */
import type { Rule } from "../src/core/types.js";
import { adamWeightDecay } from "./adam-weight-decay.js";
import { sgdMissingNesterov } from "./sgd-missing-nesterov.js";
import { lrOutOfRange } from "./lr-out-of-range.js";
import { unscaledDistributedLr } from "./unscaled-distributed-lr.js";
import { weightDecayOnBiasNorm } from "./weight-decay-on-bias-norm.js";
import { invalidHyperparameter } from "./invalid-hyperparameter.js";
import { adamForTransformer } from "./adam-for-transformer.js";
import { fp16EpsUnderflow } from "./fp16-eps-underflow.js";
import { weightDecayInRl } from "./weight-decay-in-rl.js";
import { sgdWithoutMomentum } from "./sgd-without-momentum.js";
import { adagradForDeepNets } from "./adagrad-for-deep-nets.js";
import { adamMissingBiasCorrection } from "./adam-missing-bias-correction.js";
import { resumeWithoutOptimizerState } from "./resume-without-optimizer-state.js";
import { sharedLrAcrossOptimizers } from "./shared-lr-across-optimizers.js";
import { largeBatchOptimizer } from "./large-batch-optimizer.js";
import { sgdWithoutScheduler } from "./sgd-without-scheduler.js";
import { missingWarmup } from "./missing-warmup.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const RULES: Rule<any>[] = [
  adamWeightDecay,
  sgdMissingNesterov,
  lrOutOfRange,
  unscaledDistributedLr,
  weightDecayOnBiasNorm,
  adamMissingBiasCorrection,
  resumeWithoutOptimizerState,
  sharedLrAcrossOptimizers,
  invalidHyperparameter,
  adamForTransformer,
  missingWarmup,
  largeBatchOptimizer,
  fp16EpsUnderflow,
  weightDecayInRl,
  sgdWithoutMomentum,
  adagradForDeepNets,
  sgdWithoutScheduler,
];
