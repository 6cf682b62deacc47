/**
 * Runs an optimizer configuration on a model problem with the reference optimizer core, and compares a
 * finding's settings before and after its fix on each problem the finding's rule is about.
 */
import type { OptimizerConfig } from "../core/types.js";
import { createOptimizer, type ParamsInput } from "../optim/index.js";
import { parameterNorm, type Problem, type TrackedQuantity } from "./problems.js";
import { seededRandom } from "./random.js";

/** The seed of the gradient noise: the same for every run, so before and after see the same noise. */
const NOISE_SEED = 0x5eed_1000;

/** A run counts as diverged once its loss exceeds the initial loss by this factor. */
const DIVERGENCE_FACTOR = 1e6;

/** How parameters are handed to the optimizer: one group, or decayed weights and undecayed biases/norms. */
export type ParamLayout = "single-group" | "split-decay";

/** One point of a loss curve. */
export interface LossPoint {
  step: number;
  loss: number;
}

/** The numbers a report shows for one run. */
export interface RunSummary {
  /** Loss after the last step (null when it is not a finite number). */
  finalLoss: number | null;
  bestLoss: number | null;
  /** The loss became non-finite or grew past a million times its initial value. */
  diverged: boolean;
  /** The first evaluated step at which the loss reached the problem's target, null if never. */
  stepsToTarget: number | null;
  /** Per tracked quantity, 1 − |with decay| / |without decay|: how much the decay pulled it towards zero. */
  shrinkage?: TrackedQuantity[];
  /** Euclidean norm of all parameters at the end. */
  weightNorm?: number;
  /** Why the optimizer could not be built or stepped (for example PyTorch rejecting an option). */
  rejected?: string;
}

export interface ProblemRun {
  summary: RunSummary;
  curve: LossPoint[];
}

/** Before and after on one problem. */
export interface ProblemComparison {
  problem: Problem;
  before: ProblemRun;
  after: ProblemRun;
}

/** A run's outcome with its final parameters, for decay comparisons. */
interface RunOutcome extends ProblemRun {
  params: Float64Array[];
}

/** The options a reference optimizer takes: numbers, booleans and number lists only. */
function optimizerOptions(config: OptimizerConfig): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(config.options)) {
    if (typeof value === "number" || typeof value === "boolean" || Array.isArray(value)) options[name] = value;
  }
  return options;
}

/** Parameter order for a layout: indices of the parameters as the optimizer's flattened groups list them. */
function layoutOrder(problem: Problem, layout: ParamLayout): number[] {
  const all = problem.roles.map((_, i) => i);
  if (layout === "single-group") return all;
  return [...all.filter((i) => problem.roles[i] === "weight"), ...all.filter((i) => problem.roles[i] !== "weight")];
}

/** What the optimizer is constructed with for a layout. */
function paramsInput(problem: Problem, params: Float64Array[], layout: ParamLayout): ParamsInput {
  if (layout === "single-group") return params;
  const weights = params.filter((_, i) => problem.roles[i] === "weight");
  const others = params.filter((_, i) => problem.roles[i] !== "weight");
  return others.length === 0 ? [{ params: weights }] : [{ params: weights }, { params: others, weight_decay: 0 }];
}

/** The text of an error thrown by the optimizer core. */
function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
}

/** A summary for a configuration the optimizer core refused. */
function rejectedRun(problem: Problem, params: Float64Array[], reason: string): RunOutcome {
  return {
    summary: { finalLoss: null, bestLoss: null, diverged: false, stepsToTarget: null, rejected: reason },
    curve: [{ step: 0, loss: problem.loss(params) }],
    params,
  };
}

/** Runs one configuration on one problem for the problem's step budget. */
export function runConfig(problem: Problem, config: OptimizerConfig, layout: ParamLayout = "single-group"): RunOutcome {
  const params = problem.init();
  const order = layoutOrder(problem, layout);
  let optimizer;
  try {
    optimizer = createOptimizer(config.optimizer, paramsInput(problem, params, layout), optimizerOptions(config));
  } catch (error) {
    return rejectedRun(problem, params, errorText(error));
  }
  const random = seededRandom(NOISE_SEED);
  const initial = problem.loss(params);
  const curve: LossPoint[] = [{ step: 0, loss: initial }];
  let best = initial;
  let last = initial;
  let diverged = false;
  let stepsToTarget: number | null = initial <= problem.targetLoss ? 0 : null;
  for (let step = 1; step <= problem.steps; step++) {
    const grads = problem.sampleGrad ? problem.sampleGrad(params, random) : problem.grad(params);
    try {
      optimizer.step(order.map((i) => grads[i]));
    } catch (error) {
      return rejectedRun(problem, params, errorText(error));
    }
    if (step % problem.evalEvery !== 0 && step !== problem.steps) continue;
    last = problem.loss(params);
    curve.push({ step, loss: last });
    if (!Number.isFinite(last) || last > DIVERGENCE_FACTOR * initial) {
      diverged = true;
      break;
    }
    if (last < best) best = last;
    if (stepsToTarget === null && last <= problem.targetLoss) stepsToTarget = step;
  }
  return {
    summary: { finalLoss: Number.isFinite(last) ? last : null, bestLoss: best, diverged, stepsToTarget },
    curve,
    params,
  };
}

/** 1 − |a| / |b| per tracked quantity: the fraction by which decay pulled each towards zero. */
export function shrinkageAgainst(decayed: TrackedQuantity[], reference: TrackedQuantity[]): TrackedQuantity[] {
  return decayed.map((q, i) => ({ label: q.label, value: 1 - Math.abs(q.value) / Math.abs(reference[i].value) }));
}

/** The same configuration without any weight decay, under one name for Adam and AdamW (identical then). */
function withoutDecay(config: OptimizerConfig): OptimizerConfig {
  const options: OptimizerConfig["options"] = { ...config.options, weight_decay: 0 };
  delete options.decoupled_weight_decay;
  return { optimizer: config.optimizer === "AdamW" ? "Adam" : config.optimizer, options };
}

/** What one side of a comparison runs: its settings and how its parameters are grouped. */
export interface RunPlan {
  config: OptimizerConfig;
  layout: ParamLayout;
}

/** Runs configurations and remembers runs without decay, which several decay comparisons share. */
export class Simulator {
  private readonly references = new WeakMap<Problem, Map<string, RunOutcome>>();

  /** A run with the decay report attached: shrinkage against the run without decay, and the final weight norm. */
  private withDecayReport(problem: Problem, plan: RunPlan, outcome: RunOutcome): ProblemRun {
    if (outcome.summary.rejected) return outcome;
    const reference = this.reference(problem, plan.config);
    const summary: RunSummary = { ...outcome.summary, weightNorm: parameterNorm(outcome.params) };
    if (!reference.summary.rejected && !outcome.summary.diverged && !reference.summary.diverged) {
      summary.shrinkage = shrinkageAgainst(problem.tracked(outcome.params), problem.tracked(reference.params));
    }
    return { summary, curve: outcome.curve };
  }

  /** The run of a configuration without decay on a problem, computed once. */
  private reference(problem: Problem, config: OptimizerConfig): RunOutcome {
    const plain = withoutDecay(config);
    const key = JSON.stringify([plain.optimizer, Object.entries(plain.options).sort()]);
    let runs = this.references.get(problem);
    if (!runs) this.references.set(problem, (runs = new Map()));
    let outcome = runs.get(key);
    if (!outcome) {
      outcome = runConfig(problem, plain);
      runs.set(key, outcome);
    }
    return outcome;
  }

  /** Before and after on one problem; with `decayReport`, each side also reports shrinkage and weight norm. */
  compare(problem: Problem, before: RunPlan, after: RunPlan, decayReport: boolean): ProblemComparison {
    const side = (plan: RunPlan): ProblemRun => {
      const outcome = runConfig(problem, plan.config, plan.layout);
      return decayReport ? this.withDecayReport(problem, plan, outcome) : { summary: outcome.summary, curve: outcome.curve };
    };
    return { problem, before: side(before), after: side(after) };
  }
}
