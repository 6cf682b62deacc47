/** LambdaLR and the transformers warmup schedules built on it (lr = initial_lr * lambda(step)). */
import { ValueError } from "../errors.js";
import { checkOptionNames } from "../options.js";
import { LRScheduler } from "./base.js";
import type { SchedulableOptimizer } from "./types.js";

/** A multiplicative lr factor as a function of the epoch (or step) index. */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** One function for all groups, or one per group. */
  lr_lambda: LrLambda | LrLambda[];
  last_epoch?: number;
}

/** Sets each group's lr to its initial lr times `lr_lambda(epoch)`. */
export class LambdaLR extends LRScheduler {
  lrLambdas: LrLambda[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super(optimizer);
    checkOptionNames("LambdaLR", options, ["lr_lambda", "last_epoch", "verbose"], ["lr_lambda"]);
    const groupCount = optimizer.paramGroups.length;
    if (Array.isArray(options.lr_lambda)) {
      if (options.lr_lambda.length !== groupCount) {
        throw new ValueError(`expected ${groupCount} lr_lambdas, got ${options.lr_lambda.length}`);
      }
      this.lrLambdas = [...options.lr_lambda];
    } else {
      this.lrLambdas = new Array<LrLambda>(groupCount).fill(options.lr_lambda);
    }
    this.start(options.last_epoch ?? -1);
  }

  protected getLr(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i](this.lastEpoch));
  }

  protected override unsavedKeys(): string[] {
    return [...super.unsavedKeys(), "lrLambdas"];
  }
}

export interface WarmupScheduleOptions {
  num_warmup_steps: number;
  num_training_steps: number;
  last_epoch?: number;
}

export interface CosineWarmupScheduleOptions extends WarmupScheduleOptions {
  /** Number of cosine waves after warmup; 0.5 decays once from the peak to 0. */
  num_cycles?: number;
}

/** Fraction of warmup done at `step`: rises linearly from 0 to 1 over `warmupSteps`. */
function warmupFraction(step: number, warmupSteps: number): number {
  return step / Math.max(1, warmupSteps);
}

/** transformers' linear schedule factor: linear warmup, then linear decay to 0 at `num_training_steps`. */
export function linearWarmupLambda(numWarmupSteps: number, numTrainingSteps: number): LrLambda {
  return (step) => {
    if (step < numWarmupSteps) return warmupFraction(step, numWarmupSteps);
    return Math.max(0.0, (numTrainingSteps - step) / Math.max(1, numTrainingSteps - numWarmupSteps));
  };
}

/** transformers' cosine schedule factor: linear warmup, then `numCycles` cosine waves, clipped at 0. */
export function cosineWarmupLambda(numWarmupSteps: number, numTrainingSteps: number, numCycles = 0.5): LrLambda {
  return (step) => {
    if (step < numWarmupSteps) return warmupFraction(step, numWarmupSteps);
    const progress = (step - numWarmupSteps) / Math.max(1, numTrainingSteps - numWarmupSteps);
    return Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * numCycles * 2.0 * progress)));
  };
}

/** The options of transformers' warmup schedules; the first two are required. */
const WARMUP_OPTIONS = ["num_warmup_steps", "num_training_steps", "last_epoch"] as const;

/** transformers' `get_linear_schedule_with_warmup`. */
export function getLinearScheduleWithWarmup(optimizer: SchedulableOptimizer, options: WarmupScheduleOptions): LambdaLR {
  checkOptionNames("get_linear_schedule_with_warmup", options, [...WARMUP_OPTIONS], WARMUP_OPTIONS.slice(0, 2));
  return new LambdaLR(optimizer, {
    lr_lambda: linearWarmupLambda(options.num_warmup_steps, options.num_training_steps),
    last_epoch: options.last_epoch,
  });
}

/** transformers' `get_cosine_schedule_with_warmup` (num_cycles defaults to 0.5). */
export function getCosineScheduleWithWarmup(
  optimizer: SchedulableOptimizer,
  options: CosineWarmupScheduleOptions,
): LambdaLR {
  checkOptionNames("get_cosine_schedule_with_warmup", options, [...WARMUP_OPTIONS, "num_cycles"], WARMUP_OPTIONS.slice(0, 2));
  return new LambdaLR(optimizer, {
    lr_lambda: cosineWarmupLambda(options.num_warmup_steps, options.num_training_steps, options.num_cycles),
    last_epoch: options.last_epoch,
  });
}
