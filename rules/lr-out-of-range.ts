import type { Rule } from "../src/core/types.js";
import type { OptimizerSite, TrainingFacts } from "../src/core/facts.js";
import { asNumber, frozenFor, schedulersOn } from "../src/core/facts.js";
import type { Family, Knowledge, LrRange, OptimizerInfo } from "../src/knowledge/index.js";
import { className, formatNumber, groupsOverride, modelKindsOf, originNotes, provenance, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** A construction with a known positive lr and the range of its family. */
interface RatedSite {
  site: OptimizerSite;
  info: OptimizerInfo;
  range: LrRange;
  lr: number;
}

/** Per-family bounds a project sets in its configuration, over the knowledge table's. */
type RangeOverrides = Partial<Record<Family, Partial<Pick<LrRange, "low" | "high" | "suggested">>>>;

/** The options of lr-out-of-range (`npm run docs` reads this type for the rule page and the config schema). */
export interface LrOutOfRangeOptions {
  /** How far outside the typical range (as a multiple of its bounds) a learning rate must be before it is reported. */
  factor: number;
  /** Typical ranges to use instead of the built-in ones, by optimizer family (`adam`, `sgd`, `rmsprop`, `adagrad`, `adadelta`, `lamb`, `lars`): a table of `low`, `high` and `suggested`, e.g. `ranges = { sgd = { high = 5 } }`. */
  ranges: RangeOverrides;
}

/** The knowledge table's range for a family, with the configured bounds (finite numbers only) laid over it. */
function rangeFor(knowledge: Knowledge, info: OptimizerInfo, overrides: RangeOverrides): LrRange | undefined {
  const base = knowledge.lrRange(info.family);
  const custom = overrides[info.family] ?? {};
  const pick = (key: "low" | "high" | "suggested") => (Number.isFinite(custom[key]) ? custom[key] : undefined);
  const low = pick("low") ?? base?.low;
  const high = pick("high") ?? base?.high;
  if (low === undefined || high === undefined) return undefined;
  return { low, high, suggested: pick("suggested") ?? base?.suggested ?? Math.sqrt(low * high), rationale: base?.rationale ?? "configured" };
}

/** Constructions whose lr is a known positive number in a family with a known range. */
function ratedSites(sites: OptimizerSite[], knowledge: Knowledge, overrides: RangeOverrides): RatedSite[] {
  return sites.flatMap((site) => {
    const info = knowledge.optimizer(site.canonical);
    const range = info && rangeFor(knowledge, info, overrides);
    const lr = asNumber(site.args.get("lr")?.value);
    return info && range && lr !== undefined && lr > 0 ? [{ site, info, range, lr }] : [];
  });
}

/**
 * Whether the constructor's lr is the highest rate that trains: not just a default every parameter group
 * overrides, not rescaled by a schedule of unknown factor (LambdaLR, OneCycleLR, a scheduler the table
 * does not list), and not replaced by rates the training loop writes into the groups.
 */
function lrIsPeakRate(site: OptimizerSite, facts: TrainingFacts, knowledge: Knowledge): boolean {
  if (groupsOverride(site, "lr")) return false;
  if (facts.lrWrites.some((write) => write.value.value.kind !== "number")) return false;
  return schedulersOn(facts, site.id).every((s) => knowledge.scheduler(s.canonical)?.boundedByInitialLr === true);
}

/** Whether all the code shows of the model a construction trains is that it is one linear layer (linear or logistic regression). */
function onlyLinearModel(facts: TrainingFacts, site: OptimizerSite): boolean {
  const kinds = modelKindsOf(facts, site);
  return kinds.size === 1 && kinds.has("linear");
}

/** Whether a construction optimizes tensors listed by hand (an input image, a latent code, a perturbation) or held bare by a module, rather than a network's weights. */
function optimizesTensors(site: OptimizerSite): boolean {
  return site.params.kind === "other" && site.params.tensors === true;
}

/** Whether an lr is beyond its family's range by the factor: "high", "low", or undefined when it is plausible. */
function outOfRange(rated: RatedSite, factor: number): "high" | "low" | undefined {
  if (rated.lr > rated.range.high * factor) return "high";
  return rated.lr < rated.range.low / factor ? "low" : undefined;
}

/** The span key of the overridable default (argparse option, config field) an lr comes from, which each run may set for the optimizer it picks. */
function commandLineDefaultKey(site: OptimizerSite): string | undefined {
  const origin = site.args.get("lr")?.value.origin;
  return origin?.overridable ? `${origin.span.start}:${origin.span.end}` : undefined;
}

export const lrOutOfRange: Rule<LrOutOfRangeOptions> = {
  meta: {
    code: "OPT003",
    name: "lr-out-of-range",
    type: "problem",
    defaultSeverity: "error",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds learning rates roughly an order of magnitude or more outside the range that works for the optimizer's family.",
      whatItDoes:
        "Compares a known learning rate with the typical range of the optimizer's family (Adam-like, SGD, RMSprop, Adagrad, Adadelta, LAMB, LARS) and reports it when it exceeds the upper bound times `factor` or falls below the lower bound divided by `factor`. The bounds are generous: large-batch SGD rates of 0.2 to 1, the SGD rates of 20 to 40 that recurrent language models use with gradient clipping, and fine-tuning Adam rates of 1e-5 pass. An absent lr means the class default, which is in range. An lr that cannot be resolved, an lr of 0 (often deliberate when the training loop writes the rate itself) and families without a known range are never reported; negative rates belong to `invalid-hyperparameter`. An argparse `--lr` default shared by optimizers of different families in the file is not reported when it is in range for one of them: the script picks one with a flag, and runs of the others pass their own `--lr`. The constructor's lr is not judged when it is not the rate that trains at its peak: when every parameter group sets its own `lr`, when a scheduler rescales it by a factor the code chooses (`LambdaLR`, `MultiplicativeLR`, a scheduler class defined in the file or one the knowledge table does not list) or replaces it (`OneCycleLR`, `CyclicLR`), also when such a scheduler is built on an optimizer that cannot be matched to one construction, or when the file writes a computed value into `param_group[\"lr\"]`. Schedules that only lower the rate or warm up to it (StepLR, CosineAnnealingLR, ReduceLROnPlateau, the transformers and timm warmup schedules, ...) do not stop a report. Tensors listed by hand as the parameters (`[image]`, `[w, b]`, `[latent] + noise`) are not judged either, nor the `parameters()` of a module of the file that holds only bare `nn.Parameter` tensors and builds no layer in its `__init__` (a camera pose, a voxel grid, a texture): the ranges describe training a network's weights, while an input image, a latent code or an adversarial perturbation is routinely optimized with rates of 0.01 to 1. An SGD rate below the range is not reported when all the code shows of the model is one `nn.Linear` layer (alone, in an `nn.Sequential` with only parameter-free modules such as `nn.Sigmoid`, or a class whose `__init__` builds nothing else): the stable rate of a linear or logistic regression falls with the square of its inputs' scale, so raw features in the tens or hundreds need rates of 1e-5 or less. For the same reason a rate above the range is not reported in a file that freezes parameters (`requires_grad = False`, `.requires_grad_(False)`, `.freeze()`, peft, a `mark_only_*_as_trainable` helper, an import from a module named for LoRA; a freeze that names one model the file builds itself counts only for the optimizers of that model or of a model built from it): prompt tuning trains only a soft prompt at rates of 0.3 to 1, and tuning only the norm weights or a head also runs above full-training rates; a rate below the range is still reported. An SGD rate below the range is not reported either in a file whose loss is summed over the batch instead of averaged (`reduction=\"sum\"`, or `reduction=\"none\"` whose per-sample losses the code then adds up, or the old `size_average=False`): the gradient, and with it plain SGD's step, grows with the batch size." + " " + CHECKPOINT_NOTE,
      whyBad:
        "The learning rate scale depends on the update rule. Adaptive methods divide by the gradient's running magnitude, so their lr is close to the raw step size and needs values 10 to 100 times smaller than SGD's. Copying an SGD rate such as 0.1 to Adam typically diverges within a few steps, while an Adam-sized rate on SGD barely moves the weights and wastes the run.",
      badExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=0.1)\n",
      goodExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=3e-4)\n",
      severityRationale:
        "An error: a rate this far outside its family's range usually diverges in a few steps or barely trains, which wastes the run. It is the first thing to check when training misbehaves.",
      configExample: {
        language: "json",
        code: '{\n  "output_dir": "out",\n  "optim": "adamw_torch",\n  "learning_rate": 0.1\n}\n',
      },
      fixSafety:
        "Never fixed automatically: the right learning rate depends on the model, batch size and schedule. A suggestion sets the family's usual starting value at the call; if the value comes from an argparse default or a constant, that definition is shown and may be the better place to change it.",
      options: {
        factor: "How far outside the typical range (as a multiple of its bounds) a learning rate must be before it is reported.",
        ranges:
          "Typical ranges to use instead of the built-in ones, by optimizer family (`adam`, `sgd`, `rmsprop`, `adagrad`, `adadelta`, `lamb`, `lars`): a table of `low`, `high` and `suggested`, e.g. `ranges = { sgd = { high = 5 } }`.",
      },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: { factor: 10, ranges: {} },
  check(ctx) {
    const factor = ctx.options.factor;
    const rated = ratedSites(
      ctx.facts.optimizers.filter((site) => !optimizesTensors(site) && !valuesReplacedByCheckpoint(site) && lrIsPeakRate(site, ctx.facts, ctx.knowledge)),
      ctx.knowledge,
      ctx.options.ranges,
    );
    // One `--lr` default shared by `--optimizer sgd|adam` branches is tuned for one of them; the others get their lr on the command line.
    const plausibleOrigins = new Map<string, Set<string>>();
    for (const r of rated) {
      const key = commandLineDefaultKey(r.site);
      if (!key || outOfRange(r, factor)) continue;
      plausibleOrigins.set(key, (plausibleOrigins.get(key) ?? new Set()).add(r.info.family));
    }
    for (const r of rated) {
      const { site, info, range, lr } = r;
      const direction = outOfRange(r, factor);
      if (!direction) continue;
      const key = commandLineDefaultKey(site);
      const familiesFitting = key ? plausibleOrigins.get(key) : undefined;
      if (familiesFitting && [...familiesFitting].some((family) => family !== info.family)) continue;
      const arg = site.args.get("lr")!;
      const tooHigh = direction === "high";
      // Only part of the network trains (a soft prompt, norm weights, adapters, a head): such runs use rates well above full training's.
      if (tooHigh && frozenFor(ctx.facts.modelHints, site.id)) continue;
      // SGD on a linear model: the stable rate is about 2 / (largest eigenvalue of the inputs' second moments), so
      // raw features in the tens or hundreds need rates far below a network's; the range cannot judge a small one.
      if (!tooHigh && info.family === "sgd" && onlyLinearModel(ctx.facts, site)) continue;
      // SGD on a loss summed over the batch: its step grows with the batch size, so a rate far below the range for a
      // mean loss may be an ordinary one (d2l's fine-tuning at 5e-5 with a batch of 128).
      if (!tooHigh && info.family === "sgd" && (ctx.facts.modelHints.summedLosses?.length ?? 0) > 0) continue;
      const typical = `${formatNumber(range.low)} to ${formatNumber(range.high)}`;
      const consequence = tooHigh ? "steps this large usually make training diverge" : "steps this small barely move the weights";
      ctx.report({
        span: arg.span,
        message: `lr=${formatNumber(lr)}${provenance(arg.value)} is far ${tooHigh ? "above" : "below"} the typical range for ${className(info)} (${info.family} family: ${typical}); ${consequence}. Start near ${formatNumber(range.suggested)} and tune from there.`,
        related: originNotes("lr", arg.value),
        reads: [{ site: site.id, name: "lr" }],
        suggestions: [
          {
            desc: `Set lr=${formatNumber(range.suggested)}, a usual starting value for the ${info.family} family`,
            requests: [{ kind: "set-argument", site: site.id, name: "lr", value: range.suggested }],
          },
        ],
        settingsChange: settingsChange(site, info, { lr: range.suggested }),
      });
    }
  },
};
