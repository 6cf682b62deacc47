/** Learning-rate schedulers with torch.optim.lr_scheduler semantics, plus the transformers warmup schedules. */
export type { ParamGroup, SchedulableOptimizer, Scheduler, SchedulerState } from "./types.js";
export { LRScheduler } from "./base.js";
export {
  StepLR,
  MultiStepLR,
  ExponentialLR,
  ConstantLR,
  LinearLR,
  PolynomialLR,
  type StepLROptions,
  type MultiStepLROptions,
  type ExponentialLROptions,
  type ConstantLROptions,
  type LinearLROptions,
  type PolynomialLROptions,
} from "./decay.js";
export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosine.js";
export {
  LambdaLR,
  getLinearScheduleWithWarmup,
  getCosineScheduleWithWarmup,
  linearWarmupLambda,
  cosineWarmupLambda,
  type LrLambda,
  type LambdaLROptions,
  type WarmupScheduleOptions,
  type CosineWarmupScheduleOptions,
} from "./lambda.js";
export { OneCycleLR, annealCos, annealLinear, cyclePhases, type OneCycleLROptions, type AnnealStrategy, type CyclePhase } from "./one-cycle.js";
export { SequentialLR, type SequentialLROptions } from "./sequential.js";
