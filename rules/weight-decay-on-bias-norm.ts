import type { Rule } from "../src/core/types.js";
import { className, effectiveNumber, formatNumber, originNotes, provenance, siteDecayIsCoupled, settingsChange } from "./util.js";

export const weightDecayOnBiasNorm: Rule<Record<string, never>> = {
  meta: {
    code: "OPT005",
    name: "weight-decay-on-bias-norm",
    type: "suggestion",
    defaultSeverity: "warning",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds decoupled weight decay applied to all of a model's parameters, biases and normalization weights included.",
      whatItDoes:
        "Reports optimizers with decoupled weight decay (AdamW and its relatives, FusedAdam in AdamW mode, LAMB) whose weight_decay is greater than zero, whether passed or the class default (torch `AdamW` decays by 0.01 unless told otherwise), when they receive `model.parameters()` as a whole instead of parameter groups.",
      whyBad:
        "Weight decay is meant to keep the weight matrices small. Biases and the scale and shift of normalization layers (LayerNorm, BatchNorm) have few parameters, do not cause overfitting, and set the scale the network works at; pulling them toward zero only fights the normalization and can slow or hurt training. Transformer and modern vision recipes therefore put biases and norm weights in a parameter group with weight_decay=0.",
      badExample: "import torch\n\noptimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)\n",
      goodExample:
        "import torch\n\ndecay = [p for n, p in model.named_parameters() if p.ndim >= 2]\nno_decay = [p for n, p in model.named_parameters() if p.ndim < 2]\noptimizer = torch.optim.AdamW(\n    [{\"params\": decay, \"weight_decay\": 0.05}, {\"params\": no_decay, \"weight_decay\": 0.0}],\n    lr=1e-3,\n)\n",
      fixSafety:
        "Never fixed automatically: which parameters count as norm weights depends on the model. A suggestion replaces the parameters with two groups, decaying matrices and leaving one-dimensional parameters (biases, norm weights) undecayed.",
    },
  },
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      if (site.params.kind !== "whole-model") continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || siteDecayIsCoupled(ctx.knowledge, site, info) !== false) continue;
      const weightDecay = effectiveNumber(site, info, "weight_decay");
      if (weightDecay === undefined || weightDecay <= 0) continue;
      const wdArg = site.args.get("weight_decay");
      const setting = wdArg ? `weight_decay=${formatNumber(weightDecay)}${provenance(wdArg.value)}` : `the default weight_decay=${formatNumber(weightDecay)}`;
      ctx.report({
        span: site.params.span,
        message: `${className(info)} applies ${setting} to every parameter of \`${site.params.model}\`, including biases and normalization weights, which should not be decayed; put those in a parameter group with weight_decay=0.`,
        related: originNotes("weight_decay", wdArg?.value),
        suggestions: [
          {
            desc: "Split the parameters into a decayed group (weight matrices) and an undecayed group (biases and norm weights)",
            requests: [{ kind: "split-decay-groups", site: site.id }],
          },
        ],
        // The settings stay the same; the simulation moves biases and norm weights into an undecayed group.
        settingsChange: settingsChange(site, info, {}),
      });
    }
  },
};
