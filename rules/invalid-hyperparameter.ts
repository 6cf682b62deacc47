import type { Report, Rule } from "../src/core/types.js";
import type { ArgumentFact, OptimizerSite, TrainingFacts } from "../src/core/facts.js";
import { asBool, asNumbers, schedulersOn } from "../src/core/facts.js";
import type { OptimizerInfo } from "../src/knowledge/index.js";
import { effectiveNumber, formatLiteral, formatNumber, originNotes, provenance, settingsChange, valuesReplacedByCheckpoint } from "./util.js";

/** Parameters that must not be negative, with what a valid value looks like. */
const NON_NEGATIVE: Record<string, string> = {
  lr: "use a positive learning rate",
  eps: "use a small positive value such as 1e-8",
  weight_decay: "use 0 or a positive value",
};

/** How a value outside its domain fails, in the words of the optimizer's framework. */
function rejection(info: OptimizerInfo): string {
  return info.framework === "torch" ? "PyTorch raises a ValueError when the optimizer is created" : "the optimizer cannot train with it";
}

/** The written form of an argument's value with its provenance: `lr=-0.1 (constant LR)`. */
function shown(arg: ArgumentFact, value: string): string {
  return `${arg.name}=${value}${provenance(arg.value)}`;
}

/** A report on one argument of a construction, with the note for where its value came from; it declares the value invalid, so other rules do not also judge it. */
function onArgument(site: OptimizerSite, arg: ArgumentFact, message: string): Report {
  return { span: arg.span, message, related: originNotes(arg.name, arg.value), invalidates: [{ site: site.id, name: arg.name }] };
}

export const invalidHyperparameter: Rule<Record<string, never>> = {
  meta: {
    code: "OPT009",
    name: "invalid-hyperparameter",
    type: "problem",
    defaultSeverity: "error",
    priority: "numerical-stability",
    fixable: true,
    fixApplicability: "safe",
    hasSuggestions: false,
    docs: {
      summary: "Finds optimizer arguments that PyTorch rejects or that make training impossible.",
      whatItDoes:
        "Checks known argument values: a negative `lr`, `eps` or `weight_decay`; `momentum` outside [0, 1); `betas` outside [0, 1) or with beta1 greater than beta2 (most likely swapped); `nesterov=True` with zero momentum or non-zero dampening. Each bad argument is reported once, on the argument. Values PyTorch accepts (a momentum of 1 or more, swapped betas) are not reported when a checkpoint loaded on every run right after the construction replaces them; values it rejects still are, since the constructor raises before any load. Betas with beta1 above beta2 are not reported either when a schedule cycles beta1 (`OneCycleLR` or `CyclicLR` on the optimizer, a momentum scheduler in the config: mmengine's `*Momentum` schedulers, mmcv's `momentum_config`): the written beta1 is then the cycle's peak, chosen with the schedule, not a slip.",
      whyBad:
        "PyTorch checks most of these when the optimizer is constructed and raises a ValueError, which in a training script typically surfaces only after data loading and model setup, or on a cluster job after queueing. A momentum of 1 or more is accepted but never forgets old gradients, so updates grow without bound. Swapped betas give the squared-gradient average a memory of about ten steps and the gradient average a memory of a thousand, which makes step sizes erratic and training unstable.",
      badExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.999, 0.9))\n",
      goodExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))\n",
      severityRationale:
        "An error: PyTorch rejects most of these values when the optimizer is built, and the rest (a momentum of 1 or more, swapped betas) make training unstable.",
      configExample: {
        language: "json",
        code: '{\n  "train_batch_size": 256,\n  "optimizer": {\n    "type": "AdamW",\n    "params": {"lr": 3e-4, "betas": [0.999, 0.9], "weight_decay": 0.01}\n  }\n}\n',
      },
      fixSafety:
        "The fix is **safe**: `--fix` applies it. Betas written in the wrong order are a slip, not a tuned choice, and swapping them restores the values the pair was meant to hold. `--fix` swaps swapped betas where the pair is written (at the call, or at the argparse default or constant it comes from). Other invalid values need a decision about the intended value and are only reported.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info) continue;
      for (const arg of site.args.values()) {
        // Only a number written as such: a bool passed for lr or momentum is not judged here.
        const value = arg.value.value.kind === "number" ? arg.value.value.value : undefined;
        if (arg.name in NON_NEGATIVE) {
          if (value !== undefined && value < 0) {
            ctx.report(onArgument(site, arg, `${shown(arg, formatNumber(value))} is negative; ${rejection(info)}. ${capitalize(NON_NEGATIVE[arg.name])}.`));
          }
        } else if (arg.name === "momentum") {
          if (value === undefined) continue;
          if (value < 0) ctx.report(onArgument(site, arg, `${shown(arg, formatNumber(value))} is negative; ${rejection(info)}. Use a value in [0, 1) such as 0.9.`));
          // torch accepts a momentum of 1 or more, so a checkpoint loaded afterwards replaces it before it trains.
          else if (value >= 1 && !valuesReplacedByCheckpoint(site)) {
            ctx.report(onArgument(site, arg, `${shown(arg, formatNumber(value))} must be below 1: at 1 or more the momentum buffer never forgets old gradients and the updates grow without bound. Use a value in [0, 1) such as 0.9.`));
          }
        } else if (arg.name === "betas") {
          const betas = asNumbers(arg.value);
          if (!betas || betas.length !== 2) continue;
          const text = formatLiteral(betas);
          if (betas.some((b) => b < 0 || b >= 1)) {
            ctx.report(onArgument(site, arg, `${shown(arg, text)} has a value outside [0, 1); ${rejection(info)}. The usual values are (0.9, 0.999).`));
          } else if (betas[0] > betas[1] && !valuesReplacedByCheckpoint(site) && !cyclesBeta1(site, ctx.facts)) {
            const swapped = [betas[1], betas[0]];
            ctx.report({
              ...onArgument(
                site,
                arg,
                `${shown(arg, text)} looks swapped: beta1 averages the gradient and is normally the smaller one (0.9), beta2 averages its square and is normally the larger (0.999); with these values step sizes become erratic. Swap them.`,
              ),
              fix: { title: `Swap betas to ${formatLiteral(swapped)}`, requests: [{ kind: "swap-sequence-items", value: arg.value }], applicability: "safe" },
              settingsChange: settingsChange(site, info, { betas: swapped }),
            });
          }
        } else if (arg.name === "nesterov" && asBool(arg.value) === true) {
          const momentum = effectiveNumber(site, info, "momentum");
          const dampening = effectiveNumber(site, info, "dampening");
          const momentumArg = site.args.get("momentum");
          const dampeningArg = site.args.get("dampening");
          if (momentum !== undefined && momentum <= 0) {
            ctx.report({
              ...onArgument(site, arg, `nesterov=True needs a positive momentum, but momentum=${formatNumber(momentum)}${provenance(momentumArg?.value)}; ${rejection(info)}. Set momentum (for example 0.9) or drop nesterov.`),
              related: [...originNotes("nesterov", arg.value), ...originNotes("momentum", momentumArg?.value)],
            });
          } else if (dampening !== undefined && dampening !== 0) {
            ctx.report({
              ...onArgument(site, arg, `nesterov=True needs dampening=0, but dampening=${formatNumber(dampening)}${provenance(dampeningArg?.value)}; ${rejection(info)}. Set dampening=0 or drop nesterov.`),
              related: [...originNotes("nesterov", arg.value), ...originNotes("dampening", dampeningArg?.value)],
            });
          }
        }
      }
    }
  },
};

/**
 * Whether a schedule moves the construction's beta1 as it trains: OneCycleLR and CyclicLR cycle it by default, and
 * configs schedule it beside the optimizer (`momentumScheduled`). The written beta1 is then the cycle's peak, chosen
 * with the schedule, and beta1 above beta2 is no slip to swap.
 */
function cyclesBeta1(site: OptimizerSite, facts: TrainingFacts): boolean {
  if (site.momentumScheduled) return true;
  return schedulersOn(facts, site.id).some((s) => /\.(?:OneCycleLR|CyclicLR)$/.test(s.canonical));
}

/** The text with its first letter in upper case. */
function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
