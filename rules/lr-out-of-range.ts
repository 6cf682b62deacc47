import type { Rule } from "../src/core/types.js";
import { asNumber } from "../src/core/facts.js";
import { className, formatNumber, originNotes, provenance, settingsChange } from "./util.js";

export const lrOutOfRange: Rule<{ factor: number }> = {
  meta: {
    code: "OPT003",
    name: "lr-out-of-range",
    type: "problem",
    defaultSeverity: "error",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds learning rates roughly an order of magnitude or more outside the range that works for the optimizer's family.",
      whatItDoes:
        "Compares a known learning rate with the typical range of the optimizer's family (Adam-like, SGD, RMSprop, Adagrad, Adadelta, LAMB, LARS) and reports it when it exceeds the upper bound times `factor` or falls below the lower bound divided by `factor`. The bounds are generous: large-batch SGD rates of 0.2 to 1 and fine-tuning Adam rates of 1e-5 pass. An absent lr means the class default, which is in range. An lr that cannot be resolved, an lr of 0 (often deliberate when the training loop writes the rate itself) and families without a known range are never reported; negative rates belong to `invalid-hyperparameter`.",
      whyBad:
        "The learning rate scale depends on the update rule. Adaptive methods divide by the gradient's running magnitude, so their lr is close to the raw step size and needs values 10 to 100 times smaller than SGD's. Copying an SGD rate such as 0.1 to Adam typically diverges within a few steps, while an Adam-sized rate on SGD barely moves the weights and wastes the run.",
      badExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=0.1)\n",
      goodExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=3e-4)\n",
      fixSafety:
        "Never fixed automatically: the right learning rate depends on the model, batch size and schedule. A suggestion sets the family's usual starting value at the call; if the value comes from an argparse default or a constant, that definition is shown and may be the better place to change it.",
      options: {
        factor: "How far outside the typical range (as a multiple of its bounds) a learning rate must be before it is reported.",
      },
    },
  },
  defaultOptions: { factor: 10 },
  check(ctx) {
    const factor = ctx.options.factor;
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info) continue;
      const range = ctx.knowledge.lrRange(info.family);
      const arg = site.args.get("lr");
      const lr = asNumber(arg?.value);
      if (!range || !arg || lr === undefined || lr <= 0) continue;
      const tooHigh = lr > range.high * factor;
      if (!tooHigh && !(lr < range.low / factor)) continue;
      const typical = `${formatNumber(range.low)} to ${formatNumber(range.high)}`;
      const consequence = tooHigh ? "steps this large usually make training diverge" : "steps this small barely move the weights";
      ctx.report({
        span: arg.span,
        message: `lr=${formatNumber(lr)}${provenance(arg.value)} is far ${tooHigh ? "above" : "below"} the typical range for ${className(info)} (${info.family} family: ${typical}); ${consequence}. Start near ${formatNumber(range.suggested)} and tune from there.`,
        related: originNotes("lr", arg.value),
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
