import type { Report, Rule } from "../src/core/types.js";
import { frozenFor, type PrecisionFact } from "../src/core/facts.js";
import { className, effectiveBool, effectiveNumber, formatNumber, isOverridable, originNotes, provenance, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** The smallest positive float16 number (2^-24, a subnormal): anything below half of it rounds to zero. */
const FP16_SMALLEST = 2 ** -24;

/** The eps the fix writes: well inside float16's range, and the value fp16 Adam recipes use. */
const SAFE_EPS = 1e-6;

/** Implementations that run the update in float16 when the parameters are float16 (apex, DeepSpeed and bitsandbytes compute in fp32). */
const FP16_MATH = new Set(["torch", "transformers", "timm"]);

export const fp16EpsUnderflow: Rule<Record<string, never>> = {
  meta: {
    code: "OPT013",
    name: "fp16-eps-underflow",
    type: "problem",
    defaultSeverity: "error",
    priority: "numerical-stability",
    fixApplicability: "safe",
    fixable: true,
    hasSuggestions: true,
    docs: {
      summary: "Finds Adam-family optimizers training float16 parameters with an eps too small for float16 to hold.",
      whatItDoes:
        "Reports an Adam-family construction from torch, transformers or timm (`Adam`, `AdamW`, `NAdam`, `RAdam`, `Adamax`) whose eps, passed or the default 1e-8, is below 6e-8 (2^-24, the smallest number float16 can hold), when the parameters it trains were cast to float16 before it was built: `model.half()`, `model.to(torch.float16)` or `from_pretrained(..., torch_dtype=torch.float16)` on the model whose parameters it receives, or `torch.set_default_dtype(torch.float16)` (or `set_default_tensor_type` with a `HalfTensor`) before that model is built in the same flow. It stays silent when the file runs mixed precision with fp32 master weights (`autocast`, a `GradScaler`, apex amp or `FP16_Optimizer`, DeepSpeed, Accelerate, a Lightning or HF Trainer, or a project's own wrapper named like `FP16Optimizer`, `MixedPrecisionTrainer` or a loss scaler), when it freezes parameters (adapters such as LoRA train in fp32 beside a half-precision base; a freeze that names one model the file builds itself counts only for the optimizers of that model or of a model built from it), with `fused=True` (the fused kernel computes in fp32), and for apex, DeepSpeed and bitsandbytes optimizers, which keep their math in fp32. A cast after the construction (for export or evaluation) does not count. " +
        CHECKPOINT_NOTE +
        " The default severity is error: with float16 states the run produces inf or NaN as soon as a second-moment estimate underflows.",
      whyBad:
        "With float16 parameters, PyTorch's Adam keeps its moment estimates in float16 and adds eps to the square root of the second moment in float16. An eps of 1e-8 rounds to zero there, and small squared gradients (below about 6e-8) underflow to zero as well, so the denominator becomes exactly zero: the update divides by zero and the weights turn into inf or NaN. An eps that float16 can represent, such as 1e-6, keeps the denominator positive.",
      badExample: "import torch\n\nmodel = Net().half()\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-4)\n",
      goodExample: "import torch\n\nmodel = Net().half()\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-4, eps=1e-6)\n",
      severityRationale:
        "error: an eps that float16 rounds to zero lets a vanished second moment divide by zero, and the run produces inf or NaN weights; this is a bug, not a matter of taste.",
      fixSafety:
        "`--fix` sets `eps=1e-6` (adding it when the default was used). The fix is safe: on float16 parameters the written eps rounds to zero, so no run ever trained with it, and 1e-6 only restores the small positive stabilizer eps is meant to be. When eps is read from an option a run can change (an argparse default, a config field), the change is offered as a suggestion instead, so the option stays the user's. The simulation runs in float64 and cannot show float16 underflow, so the finding carries no settings change for `optim-lint simulate`.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const precision = ctx.facts.precision ?? [];
    // Mixed precision anywhere in the file keeps fp32 master weights, and frozen bases usually mean fp32 adapters.
    if (precision.some((p) => p.kind === "master-weights")) return;
    for (const site of ctx.facts.optimizers) {
      if (frozenFor(ctx.facts.modelHints, site.id)) continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "adam" || !FP16_MATH.has(info.framework) || site.dialect !== undefined || valuesReplacedByCheckpoint(site)) continue;
      const cast: PrecisionFact | undefined = precision.find((p) => p.kind === "fp16-params" && p.sites?.includes(site.id));
      if (!cast || effectiveBool(site, info, "fused") === true || (site.args.has("fused") && effectiveBool(site, info, "fused") === undefined)) continue;
      const eps = effectiveNumber(site, info, "eps");
      if (eps === undefined || eps <= 0 || eps >= FP16_SMALLEST) continue;
      const epsArg = site.args.get("eps");
      const written = epsArg ? `eps=${formatNumber(eps)}${provenance(epsArg.value)}` : `the default eps=${formatNumber(eps)}`;
      const report: Report = {
        span: epsArg?.span ?? site.span,
        reads: [{ site: site.id, name: "eps" }],
        message: `${className(info)} trains float16 parameters with ${written}, which float16 cannot hold (its smallest value is about 6e-8): eps rounds to zero, so an underflowed second moment divides by zero and the weights become inf or NaN; set eps=${formatNumber(SAFE_EPS)}.`,
        related: [{ span: cast.span, message: `parameters are float16 here: ${cast.description}` }, ...originNotes("eps", epsArg?.value)],
      };
      const request = { kind: "set-argument" as const, site: site.id, name: "eps", value: SAFE_EPS };
      if (isOverridable(epsArg?.value)) report.suggestions = [{ desc: `Set eps=${formatNumber(SAFE_EPS)}`, requests: [request] }];
      else report.fix = { title: `Set eps=${formatNumber(SAFE_EPS)}`, requests: [request], applicability: "safe" };
      ctx.report(report);
    }
  },
};
