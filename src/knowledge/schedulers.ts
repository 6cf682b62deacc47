/**
 * Learning-rate schedulers as data: every scheduler optim-lint recognizes, where it takes its optimizer,
 * and whether the rate it sets can exceed the lr the optimizer was constructed with.
 */
import { CONFIG_SCHEDULERS } from "./config-names.js";
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
  /** Whether it starts with a warm-up (absent: it cannot be told from the name and arguments, e.g. `LambdaLR`). */
  warmup?: WarmupRule;
  /**
   * A factory that builds the schedule a name argument names (`get_scheduler("cosine", optimizer, ...)`): where the
   * name is passed and the scheduler each name builds. Its `warmup` holds only for named schedules that read the
   * warm-up argument; one that never warms up ignores it, and an unknown name leaves the warm-up unknown.
   */
  byName?: { position: number; keyword: string; schedules: Readonly<Record<string, string>> };
}

/**
 * How a scheduler's warm-up is told: always, never, or by an argument (`start_factor` below 1 for `LinearLR`,
 * `num_warmup_steps` above 0, timm's `warmup_t` above 0); an argument's default applies when it is not passed.
 */
export type WarmupRule =
  | { kind: "always" }
  | { kind: "never" }
  | {
      kind: "argument";
      name: string;
      position: number;
      default?: number;
      when: "below-1" | "above-0";
      /** The argument can show only that there is no warm-up: when it asks for one, whether it is used is unknown. */
      onlyAbsence?: true;
    };

/** torch schedulers with no warm-up of their own (SequentialLR and ChainedScheduler compose parts judged on their own). */
const NO_WARMUP = new Set(["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "ReduceLROnPlateau", "ConstantLR", "PolynomialLR", "SequentialLR"]);

/** The warm-up rule of a torch scheduler by class name. */
function torchWarmup(name: string): WarmupRule | undefined {
  if (name === "LinearLR") return { kind: "argument", name: "start_factor", position: 1, default: 1 / 3, when: "below-1" };
  if (name === "OneCycleLR") return { kind: "always" };
  return NO_WARMUP.has(name) ? { kind: "never" } : undefined;
}

/** The warm-up rule of a transformers schedule function. */
function transformersWarmup(name: string): WarmupRule | undefined {
  if (name.endsWith("_with_warmup") || name === "get_inverse_sqrt_schedule" || name === "get_wsd_schedule") {
    return { kind: "argument", name: "num_warmup_steps", position: 1, ...(name.endsWith("_with_warmup") ? {} : { default: 0 }), when: "above-0" };
  }
  if (name === "get_constant_schedule" || name === "get_reduce_on_plateau_schedule") return { kind: "never" };
  return undefined;
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

/**
 * Config-built schedulers of Composer (llm-foundry) and OLMo, which the config recognizer names by class
 * (CONFIG_SCHEDULERS) only when their factors keep the rate at or below the initial lr; the optimizer is not an
 * argument of theirs (the trainer drives it), and their warm-up is read from `t_warmup` by the recognizer.
 */
const CONFIG_BUILT = [
  "composer.optim.CosineAnnealingWithWarmupScheduler",
  "composer.optim.LinearWithWarmupScheduler",
  "composer.optim.ConstantWithWarmupScheduler",
  "olmo.optim.CosWithWarmup",
  "olmo.optim.LinearWithWarmup",
];
export const SCHEDULERS: SchedulerInfo[] = [
  ...TORCH.map(([name, bounded]) => ({
    canonical: `torch.optim.lr_scheduler.${name}`,
    aliases: [],
    boundedByInitialLr: bounded,
    ...(LR_REPLACING.has(name) ? { replacesLr: true } : {}),
    optimizerArg: FIRST,
    ...(torchWarmup(name) ? { warmup: torchWarmup(name) } : {}),
  })),
  {
    canonical: "torch.optim.lr_scheduler.ChainedScheduler",
    aliases: [],
    boundedByInitialLr: true,
    optimizerArg: { position: -1, keyword: "optimizer" },
    warmup: { kind: "never" },
  },
  ...TRANSFORMERS.map((name) => ({
    canonical: `transformers.${name}`,
    aliases: [`transformers.optimization.${name}`],
    boundedByInitialLr: true,
    optimizerArg: FIRST,
    ...(transformersWarmup(name) ? { warmup: transformersWarmup(name) } : {}),
  })),
  {
    // get_scheduler(name, optimizer, ...) builds one of the schedules above by name.
    canonical: "transformers.get_scheduler",
    aliases: ["transformers.optimization.get_scheduler"],
    boundedByInitialLr: true,
    optimizerArg: { position: 1, keyword: "optimizer" },
    warmup: { kind: "argument", name: "num_warmup_steps", position: 2, default: 0, when: "above-0" },
    byName: { position: 0, keyword: "name", schedules: CONFIG_SCHEDULERS.hf },
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
    warmup: { kind: "argument" as const, name: "warmup_t", position: -1, default: 0, when: "above-0" as const },
  })),
  ...CONFIG_BUILT.map((canonical) => ({ canonical, aliases: [], boundedByInitialLr: true, optimizerArg: { position: -1, keyword: "optimizer" } })),
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

/**
 * The warm-up rule of a scheduler as built: for a by-name factory, the factory's own rule when the named schedule
 * reads its warm-up argument (transformers' `get_scheduler` hands `num_warmup_steps` to it), `never` when the named
 * schedule has none (`constant`, `reduce_lr_on_plateau`: `get_scheduler` drops the argument), and for a name it does
 * not know or a name that is not known (`name` undefined) the factory's rule able to show only the absence of a warm-up.
 */
export function builtWarmupRule(info: SchedulerInfo | undefined, name?: string): WarmupRule | undefined {
  if (!info?.byName) return info?.warmup;
  const named = name === undefined ? undefined : info.byName.schedules[name];
  const rule = named === undefined ? undefined : schedulerByName(named)?.warmup;
  if (rule?.kind === "never") return rule;
  if (rule?.kind === "argument") return info.warmup;
  // An unknown name: no warm-up argument means none (every named warm-up reads it), one may be ignored.
  return info.warmup?.kind === "argument" ? { ...info.warmup, onlyAbsence: true } : undefined;
}

/**
 * Whether a warm-up rule holds, given whether its argument asks for a warm-up (`warms`; undefined: unknown). A rule
 * that shows only the absence of a warm-up leaves a requested one unknown.
 */
export function warmupUnder(rule: WarmupRule | undefined, warms: boolean | undefined): boolean | undefined {
  if (!rule) return undefined;
  if (rule.kind !== "argument") return rule.kind === "always";
  return warms && rule.onlyAbsence ? undefined : warms;
}

/** Whether a warm-up rule holds for an argument value (undefined: not passed, so the default applies; NaN: unknown). */
export function warmupFrom(rule: WarmupRule | undefined, value: number | undefined, passed: boolean): boolean | undefined {
  const n = rule?.kind === "argument" ? (passed ? value : rule.default) : undefined;
  const warms = rule?.kind === "argument" && n !== undefined ? (rule.when === "below-1" ? n < 1 : n > 0) : undefined;
  return warmupUnder(rule, warms);
}
