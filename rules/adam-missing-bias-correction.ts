import type { Report, Rule } from "../src/core/types.js";
import { asBool } from "../src/core/facts.js";
import { className, originNotes, provenance, settingsChange } from "./util.js";

/** Settings the reference optimizers of `optim-lint simulate` read for the Adam and LAMB families. */
const SIMULATED = new Set(["lr", "betas", "eps", "weight_decay", "bias_correction"]);

/** The library flags that switch Adam's bias correction off, by argument name. */
const FLAGS = ["bias_correction", "correct_bias"];

export const adamMissingBiasCorrection: Rule<Record<string, never>> = {
  meta: {
    code: "OPT006",
    name: "adam-missing-bias-correction",
    type: "problem",
    defaultSeverity: "warning",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds Adam-style updates that never correct the bias of their zero-initialized moments.",
      whatItDoes:
        "Reports two things. First, a hand-written Adam-style update, with torch tensors or NumPy arrays: a first moment updated as a running average (`m = beta1 * m + (1 - beta1) * g`, or in place with `mul_` and `add_`/`lerp_`), a second moment of the squared gradient, and then a parameter step that divides by the square root of the second moment, when the file never divides by `1 - beta**t` anywhere (no power of a beta, no `bias_correction` or `m_hat` name). Any correction written anywhere in the file keeps the rule silent, so only updates with no correction at all are reported. A quotient that is only a direction is not reported: returned to a caller (`return m / (v.sqrt() + eps)`, or a name holding it that the function returns), where the step it makes is not seen, or divided by its own norm (`d / d.norm()`, `F.normalize(d)`), which cancels a bias correction's factor. Second, an optimizer constructed with its bias correction switched off by a flag whose value is known: `bias_correction=False` (apex and DeepSpeed `FusedAdam`, `FusedLAMB`, timm `Lamb`, DeepSpeed configs) or `correct_bias=False` (the `AdamW` of older transformers releases). The severity is `warning`: the run trains, but with step sizes in its first thousand or so updates that nobody chose, which is a likely bug rather than a style choice. `optim-lint simulate` runs the before and after settings with bias correction off and on (the reference Adam and LAMB take a `bias_correction` switch), so the changed early steps show on its problems.",
      whyBad:
        "Both moments start at zero, so during the first steps they are averages over too few gradients and are shrunk toward zero by factors of 1 - beta1**t and 1 - beta2**t. Without dividing those factors out, the step size follows sqrt(1 - beta2**t) / (1 - beta1**t) instead of the lr: with the usual betas (0.9, 0.999) it is about a tenth of the intended step for the first hundred steps and reaches it only after thousands, a hidden warm-up that the lr and schedule were not tuned for. If only the first moment is corrected, the opposite happens and the first steps are up to thirty times too large. Some recipes (the original BERT optimizer) dropped the correction on purpose and relied on a long warm-up instead; that choice should be written down, not inherited by accident.",
      badExample:
        "import numpy as np\n\nfor t in range(1, steps + 1):\n    g = grad(w)\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n    w = w - lr * m / (np.sqrt(v) + eps)\n",
      goodExample:
        "import numpy as np\n\nfor t in range(1, steps + 1):\n    g = grad(w)\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g ** 2\n    m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)\n    w = w - lr * m_hat / (np.sqrt(v_hat) + eps)\n",
      severityRationale:
        "warning: the run still trains, but its first updates take step sizes nobody chose, which is a likely bug rather than a style choice; it is not an error because some recipes switch correction off on purpose.",
      fixSafety:
        "Never fixed automatically: correcting the bias makes the first steps larger, and a run tuned without it (with its own warm-up) may need its lr or warm-up re-tuned. For a hand-written update a suggestion divides each moment the step reads by `1 - beta**t`, using the update's own beta names and its step counter (a `t += 1`-style counter or a `for t in range(1, ...)` loop); it is offered only when that counter is known. For a library flag the suggestion sets it back to `True`, the library default.",
      configExample: {
        language: "json",
        code: '{\n  "optimizer": {\n    "type": "Adam",\n    "params": {"lr": 1e-4, "bias_correction": false}\n  }\n}\n',
      },
    },
  },
  // Findings are about a hand-written update or an optimizer construction.
  needs: ["manualAdam", "optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const update of ctx.facts.manualAdam ?? []) {
      if (update.biasCorrected) continue;
      const report: Report = {
        span: update.span,
        message:
          "This hand-written Adam update divides by the square root of a running second moment, but neither moment is divided by 1 - beta**t: both start at zero, so the first steps (about 1 / (1 - beta2) of them) are far smaller than the lr says; divide m by (1 - beta1 ** t) and v by (1 - beta2 ** t).",
        related: [
          { span: update.firstMoment, message: "the first moment starts at zero here" },
          { span: update.secondMoment, message: "the second moment starts at zero here" },
        ],
        settingsChange: { before: { optimizer: "Adam", options: { bias_correction: false } }, after: { optimizer: "Adam", options: { bias_correction: true } } },
      };
      if (update.correctable) report.suggestions = [{ desc: "Divide the moments by 1 - beta**t", requests: [{ kind: "correct-adam-update", update: update.id }] }];
      ctx.report(report);
    }
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || (info.family !== "adam" && info.family !== "lamb")) continue;
      for (const flag of FLAGS) {
        const arg = site.args.get(flag);
        if (!arg || !info.signature.includes(flag) || asBool(arg.value) !== false) continue;
        const change = settingsChange(site, info, { bias_correction: true });
        change.before.options.bias_correction = false;
        // Only what the reference optimizers read: library switches such as adam_w_mode are already in the short name.
        for (const side of [change.before, change.after]) {
          for (const key of Object.keys(side.options)) if (!SIMULATED.has(key)) delete side.options[key];
        }
        ctx.report({
          span: arg.span,
          message: `${className(info)} runs with ${flag}=False${provenance(arg.value)}: its moments start at zero and are never rescaled, so the first steps (about 1 / (1 - beta2) of them) are much smaller than the lr says; drop the flag to restore the correction, or keep it only with a warm-up tuned for it.`,
          related: originNotes(flag, arg.value),
          suggestions: [{ desc: `Set ${flag}=True (the default)`, requests: [{ kind: "set-argument", site: site.id, name: flag, value: true }] }],
          settingsChange: change,
        });
      }
    }
  },
};
