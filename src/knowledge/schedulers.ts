/**
 * Learning-rate schedulers as data: every scheduler optim-lint recognizes, where it takes its optimizer,
 * and whether the rate it sets can exceed the lr the optimizer was constructed with.
 */
import { indexByName, lastSegment } from "./dotted.js";

export interface SchedulerInfo {
  /** Canonical dotted name: the public import path users write most. */
  canonical: string;
  /** Other dotted paths that name the same class or function. */
  aliases: string[];
  /**
   * True when every rate the schedule sets is at most the optimizer's initial lr (decay, warmup up to it,
   * plateau reduction), so that lr is the peak rate. False when the schedule multiplies it by a factor
   * the code chooses, or replaces it with rates of its own.
   */
  boundedByInitialLr: boolean;
  /** True when building it writes its own rate into every group, so the optimizer's lr never trains. */
  replacesLr?: boolean;
  /** Where the optimizer is passed: its positional index (-1 when only by keyword) and keyword name. */
  optimizerArg: { position: number; keyword: string };
}

/**
 * Where schedulers the table does not list live: a module prefix and the shape of the last path segment.
 * Such a scheduler is recognized, but its effect on the lr is unknown.
 */
const SCHEDULER_FAMILIES: { prefix: string; last: RegExp }[] = [
  { prefix: "torch.optim.lr_scheduler.", last: /^[A-Z]/ },
  { prefix: "transformers.", last: /^get_\w*schedule/ },
  { prefix: "timm.scheduler.", last: /Scheduler$|^create_scheduler/ },
];

const FIRST = { position: 0, keyword: "optimizer" };

/** torch.optim.lr_scheduler classes, and whether they stay at or below the initial lr. */
const TORCH: [string, boolean][] = [
  ["StepLR", true],
  ["MultiStepLR", true],
  ["ExponentialLR", true],
  ["CosineAnnealingLR", true],
  ["CosineAnnealingWarmRestarts", true],
  ["ReduceLROnPlateau", true],
  ["LinearLR", true],
  ["ConstantLR", true],
  ["PolynomialLR", true],
  // Composes schedulers that are each built on the optimizer too, and judged on their own.
  ["SequentialLR", true],
  // The factor lr_lambda returns can be anything (the Transformer "Noam" schedule multiplies by d_model**-0.5 * ...).
  ["LambdaLR", false],
  ["MultiplicativeLR", false],
  ["OneCycleLR", false],
  ["CyclicLR", false],
];

/** torch schedulers that write their own rates into every group when built (max_lr / div_factor, base_lr). */
const LR_REPLACING = new Set(["OneCycleLR", "CyclicLR"]);

/** transformers schedule functions: warmup up to the initial lr, then decay or hold it. */
const TRANSFORMERS = [
  "get_constant_schedule",
  "get_constant_schedule_with_warmup",
  "get_linear_schedule_with_warmup",
  "get_cosine_schedule_with_warmup",
  "get_cosine_with_hard_restarts_schedule_with_warmup",
  "get_cosine_with_min_lr_schedule_with_warmup",
  "get_polynomial_decay_schedule_with_warmup",
  "get_inverse_sqrt_schedule",
  "get_reduce_on_plateau_schedule",
  "get_wsd_schedule",
];

/** timm schedulers (classes and factories): warmup from a small rate up to the initial lr, then decay. */
const TIMM_CLASSES = ["CosineLRScheduler", "TanhLRScheduler", "StepLRScheduler", "MultiStepLRScheduler", "PlateauLRScheduler", "PolyLRScheduler"];

export const SCHEDULERS: SchedulerInfo[] = [
  ...TORCH.map(([name, bounded]) => ({
    canonical: `torch.optim.lr_scheduler.${name}`,
    aliases: [],
    boundedByInitialLr: bounded,
    ...(LR_REPLACING.has(name) ? { replacesLr: true } : {}),
    optimizerArg: FIRST,
  })),
  {
    canonical: "torch.optim.lr_scheduler.ChainedScheduler",
    aliases: [],
    boundedByInitialLr: true,
    optimizerArg: { position: -1, keyword: "optimizer" },
  },
  ...TRANSFORMERS.map((name) => ({
    canonical: `transformers.${name}`,
    aliases: [`transformers.optimization.${name}`],
    boundedByInitialLr: true,
    optimizerArg: FIRST,
  })),
  {
    // get_scheduler(name, optimizer, ...) builds one of the schedules above by name.
    canonical: "transformers.get_scheduler",
    aliases: ["transformers.optimization.get_scheduler"],
    boundedByInitialLr: true,
    optimizerArg: { position: 1, keyword: "optimizer" },
  },
  {
    canonical: "timm.scheduler.create_scheduler",
    aliases: ["timm.scheduler.scheduler_factory.create_scheduler"],
    boundedByInitialLr: true,
    optimizerArg: { position: 1, keyword: "optimizer" },
  },
  {
    canonical: "timm.scheduler.create_scheduler_v2",
    aliases: ["timm.scheduler.scheduler_factory.create_scheduler_v2"],
    boundedByInitialLr: true,
    optimizerArg: FIRST,
  },
  ...TIMM_CLASSES.map((name) => ({
    canonical: `timm.scheduler.${name}`,
    aliases: [],
    boundedByInitialLr: true,
    optimizerArg: FIRST,
  })),
];

const BY_NAME = indexByName(SCHEDULERS);

/** The scheduler a fully qualified dotted name refers to (canonical name or alias). */
export function schedulerByName(dotted: string): SchedulerInfo | undefined {
  return BY_NAME.get(dotted);
}

/** Whether a dotted path names a scheduler: one the table lists, or one shaped like a scheduler of a known library. */
export function isSchedulerPath(dotted: string): boolean {
  if (BY_NAME.has(dotted)) return true;
  const last = lastSegment(dotted);
  return SCHEDULER_FAMILIES.some((family) => dotted.startsWith(family.prefix) && family.last.test(last));
}
