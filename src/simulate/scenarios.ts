/**
 * Which model problems a finding is simulated on, and how its before/after settings are run there.
 * Each rule is mapped to the problems where its pitfall shows; rules without a mapping use the defaults.
 */
import type { OptimizerConfig } from "../core/types.js";
import { noisyQuadratic, problemById, type Problem, type ProblemId } from "./problems.js";
import type { RunPlan } from "./runner.js";

/** A settings change as lint messages carry it. */
export interface SettingsChange {
  before: OptimizerConfig;
  after: OptimizerConfig;
}

/** Everything needed to simulate one finding. */
export interface Scenario {
  problems: Problem[];
  before: RunPlan;
  after: RunPlan;
  /** Report each run's shrinkage against the run without decay, and its final weight norm. */
  decayReport: boolean;
  /** What the simulation assumed beyond the finding's settings, in words. */
  notes: string[];
  /** The settings to show for the finding: its own, or completed where it left something out (the worker count). */
  shown?: SettingsChange;
  /** Words after each side's settings when the settings alone do not show the change (which parameters decay). */
  labels?: { before: string; after: string };
}

/** The problems used when a rule has no mapping of its own. */
export const DEFAULT_PROBLEMS: ProblemId[] = ["ill-conditioned-quadratic", "mlp"];

/** Workers assumed when a distributed finding does not say how many there are. */
export const ASSUMED_WORKERS = 8;

/** Rule names mapped to their codes, so either can select a scenario. */
const RULE_CODES: Record<string, string> = {
  OPT001: "adam-weight-decay",
  OPT002: "sgd-missing-nesterov",
  OPT003: "lr-out-of-range",
  OPT004: "unscaled-distributed-lr",
  OPT005: "weight-decay-on-bias-norm",
  OPT006: "adam-missing-bias-correction",
  OPT008: "shared-lr-across-optimizers",
  OPT009: "invalid-hyperparameter",
  OPT010: "adam-for-transformer",
  OPT012: "large-batch-optimizer",
  OPT013: "fp16-eps-underflow",
  OPT014: "weight-decay-in-rl",
  OPT015: "sgd-without-momentum",
  OPT016: "adagrad-for-deep-nets",
};

/** Optimizers whose step is the raw gradient times the learning rate (no per-coordinate scaling). */
const NON_ADAPTIVE = new Set(["SGD", "LARS"]);

/** Whether an optimizer divides its step by a running gradient scale (Adam, RMSprop, ...). */
function isAdaptive(optimizer: string): boolean {
  return !NON_ADAPTIVE.has(optimizer);
}

/** A numeric option, when the settings hold one. */
function numberOption(config: OptimizerConfig, name: string): number | undefined {
  const value = config.options[name];
  return typeof value === "number" ? value : undefined;
}

/** The number of workers a distributed finding's change scales the learning rate by, if it says. */
function workersFromChange(change: SettingsChange): number | undefined {
  const before = numberOption(change.before, "lr");
  const after = numberOption(change.after, "lr");
  if (before === undefined || after === undefined || before <= 0) return undefined;
  const ratio = after / before;
  return ratio > 1.5 ? Math.round(ratio) : undefined;
}

/** Settings without weight decay. */
function withoutDecay(config: OptimizerConfig): OptimizerConfig {
  return { optimizer: config.optimizer, options: { ...config.options, weight_decay: 0 } };
}

/** Whether settings decay the weights. */
function decays(config: OptimizerConfig): boolean {
  const decay = config.options.weight_decay;
  return typeof decay === "number" && decay !== 0;
}

/** Why weight decay is left out of a comparison that is not about decay. */
const DECAY_LEFT_OUT =
  "Weight decay is left out on both sides: the change is not about decay, and on these problems decay would only move the optimum.";

/**
 * Plans that run each side's settings with one parameter group. For a change that is not about decay,
 * decay is removed from both sides so the comparison isolates the change.
 */
function plainPlans(change: SettingsChange, notes: string[]): Pick<Scenario, "before" | "after" | "notes"> {
  if (!decays(change.before) && !decays(change.after)) {
    return { before: { config: change.before, layout: "single-group" }, after: { config: change.after, layout: "single-group" }, notes };
  }
  return {
    before: { config: withoutDecay(change.before), layout: "single-group" },
    after: { config: withoutDecay(change.after), layout: "single-group" },
    notes: [...notes, DECAY_LEFT_OUT],
  };
}

/**
 * The noisy quadratic for a data-parallel finding, with a global batch of one worker's batch times the
 * workers. For SGD-like optimizers it is scaled so that the single-worker setting is a sound one: its
 * effective step (lr / (1 − momentum)) is a tenth of a stable step in the steepest direction, and its noise
 * floor at one worker's batch is about 0.5% of the initial loss. Adaptive optimizers start at weight scale.
 */
function distributedScenario(change: SettingsChange): Scenario {
  const notes: string[] = [];
  let workers = workersFromChange(change);
  let after = change.after;
  const lr = numberOption(change.before, "lr");
  if (workers === undefined) {
    workers = ASSUMED_WORKERS;
    if (lr !== undefined) after = { ...change.after, options: { ...change.after.options, lr: lr * workers } };
    notes.push(`The finding does not say how many workers run; ${workers} are assumed and the learning rate scaled by ${workers}.`);
  }
  const adaptive = isAdaptive(change.before.optimizer);
  const momentum = Math.min(numberOption(change.before, "momentum") ?? 0, 0.99);
  const effectiveStep = lr !== undefined && lr > 0 ? lr / (1 - momentum) : undefined;
  const calibrated = !adaptive && effectiveStep !== undefined;
  if (calibrated) notes.push("The quadratic is scaled so that the single-worker learning rate is a sound setting for it at one worker's batch.");
  const problem = noisyQuadratic({
    globalBatch: workers,
    curvatureScale: calibrated ? 0.1 / effectiveStep : 1,
    start: calibrated ? 10 * Math.sqrt(effectiveStep) : 0.1,
    shows: "batch",
    targetFraction: 0.02,
  });
  return { problems: [problem], ...plainPlans({ before: change.before, after }, notes), decayReport: false, shown: { before: change.before, after } };
}

/** The scenario for a finding of a rule (name or code) with its settings change. */
export function scenarioFor(ruleId: string | null, change: SettingsChange): Scenario {
  const rule = ruleId ? (RULE_CODES[ruleId.toUpperCase()] ?? ruleId) : "";
  switch (rule) {
    // Each changes weight decay itself: the problems where decay shows, reported against runs without it.
    case "adam-weight-decay":
    case "adam-for-transformer":
    case "weight-decay-in-rl":
      return {
        problems: [problemById("scaled-regression"), problemById("mlp")],
        before: { config: change.before, layout: "single-group" },
        after: { config: change.after, layout: "single-group" },
        decayReport: true,
        notes: [],
      };
    case "sgd-without-momentum":
      return {
        problems: [problemById("ill-conditioned-quadratic"), problemById("rosenbrock")],
        ...plainPlans(change, ["After the change the learning rate is a tenth of the original, so both sides take the same effective step (lr / (1 - momentum))."]),
        decayReport: false,
      };
    case "weight-decay-on-bias-norm":
      // The settings stay the same; what changes is which parameters decay. The normalized regression is where that
      // shows in the loss: decay on a norm gain and a bias pulls the output toward zero, decay on normalized weights does not.
      return {
        problems: [problemById("normalized-regression"), problemById("mlp")],
        before: { config: change.before, layout: "single-group" },
        after: { config: change.after, layout: "split-decay" },
        decayReport: true,
        notes: ["After the change, biases and norm gains sit in a group with weight_decay=0; the weight matrices keep their decay."],
        labels: { before: "on every parameter", after: "on weight matrices only; biases and norm gains at weight_decay=0" },
      };
    case "sgd-missing-nesterov":
      return { problems: [problemById("ill-conditioned-quadratic"), problemById("rosenbrock")], ...plainPlans(change, []), decayReport: false };
    case "shared-lr-across-optimizers":
    case "lr-out-of-range": {
      const start = isAdaptive(change.before.optimizer) ? 0.1 : 1;
      const quadratic = noisyQuadratic({ globalBatch: 1, start, shows: "step-size" });
      return { problems: [quadratic, problemById("mlp")], ...plainPlans(change, []), decayReport: false };
    }
    case "unscaled-distributed-lr":
      return distributedScenario(change);
    default:
      return { problems: DEFAULT_PROBLEMS.map(problemById), ...plainPlans(change, []), decayReport: false };
  }
}
