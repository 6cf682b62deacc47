import type { Report, Rule } from "../src/core/types.js";
import { asNumber, globalBatch, warmupInForce, type BatchFacts, type OptimizerSite, type ResolvedValue, type Span } from "../src/core/facts.js";
import type { Knowledge, OptimizerInfo } from "../src/knowledge/index.js";
import { LARGE_BATCH } from "../src/knowledge/training.js";
import { className, effectiveNumber, formatNumber, groupsOverride, kindNote, modelKindsOf, originNotes, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** The warm-up a transformer recipe uses, as the scheduler call that adds it in front of whatever schedule follows. */
const WARMUP_CALL =
  "torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=warmup_steps), chained before any existing schedule with SequentialLR, or transformers.get_cosine_schedule_with_warmup";

/** The same advice in the words of a framework config. */
function configAdvice(dialect: string | undefined): string {
  switch (dialect) {
    case "hf":
    case "transformers":
    case "axolotl":
      return "set warmup_ratio to 0.05 or 0.1 (or warmup_steps)";
    case "mmengine":
      return "add dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=<5-10% of the iterations>) before the main schedule in param_scheduler";
    case "deepspeed":
      return "use a WarmupLR or WarmupDecayLR scheduler with warmup_num_steps about 5 to 10% of the steps";
    default:
      return `warm the lr up over the first 5 to 10% of the steps, e.g. ${WARMUP_CALL}`;
  }
}

/**
 * The words for the lr of a large-batch run when it is known to be raised for its batch: above the rate its family
 * starts from at ordinary batch sizes, or scaled by the world size or global batch in the code. Undefined when it is
 * not, or when the rate cannot be read (parameter groups with their own rates, a value the analysis cannot resolve).
 */
function raisedLr(site: OptimizerSite, info: OptimizerInfo, scaledInCode: boolean, knowledge: Knowledge): string | undefined {
  if (scaledInCode) return "the lr the code scales with the number of workers or the global batch";
  const range = knowledge.lrRange(info.family);
  const lr = effectiveNumber(site, info, "lr");
  if (!range || lr === undefined || groupsOverride(site, "lr") || lr <= range.suggested) return undefined;
  return `lr=${formatNumber(lr)}, above the ${formatNumber(range.suggested)} that ${info.family}-family runs start from at ordinary batch sizes,`;
}

/** Where each known part of the global batch is set. */
function batchNotes(batch: BatchFacts | undefined): { span: Span; message: string }[] {
  if (!batch) return [];
  const parts: [string, ResolvedValue | undefined][] = [
    ["the global batch", batch.global],
    ["the per-device batch", batch.perDevice],
    ["gradient accumulation", batch.accumulation],
    ["the world size", batch.worldSize],
  ];
  return parts.flatMap(([name, value]) => (value ? (value.origin ? originNotes(name, value) : [{ span: value.span, message: `${name} is ${formatNumber(asNumber(value) ?? NaN)} here` }]) : []));
}

export const missingWarmup: Rule<Record<string, never>> = {
  meta: {
    code: "OPT011",
    name: "missing-warmup",
    type: "problem",
    defaultSeverity: "warning",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: false,
    docs: {
      summary: "Finds an Adam-family optimizer training a transformer from scratch, or any optimizer at a global batch of 8k or more with its learning rate raised for it, with no learning-rate warm-up in force.",
      whatItDoes:
        "Reports an optimizer construction when its lr logic is fully visible and holds no warm-up, and either (a) it is Adam-family (Adam, AdamW, NAdam, RAdam, ...) and the parameters it trains belong to a transformer the code shows (a `transformers` model class, `nn.Transformer*` layers, a ViT/DeiT/Swin, a class named like GPT or BERT, a transformer config), or (b) the global batch (per-device batch times accumulation times world size, each part known) is at least " +
        `${LARGE_BATCH.samples}` +
        " samples and the lr is raised for it: above the rate the family starts from at ordinary batch sizes (0.001 for Adam, 0.1 for SGD), or multiplied in the code by the world size or the global batch. A large batch trained at an ordinary rate (a graph or recommendation model at Adam's 0.001, say) has no raised rate for a warm-up to ease in, and a rate that cannot be read is not judged. A warm-up is in force when a scheduler ramps the lr up (`LinearLR` with `start_factor` below 1, also inside `SequentialLR`, `OneCycleLR`, the `get_*_with_warmup` helpers, timm `warmup_t`, HF `warmup_ratio`/`warmup_steps`, DeepSpeed `WarmupLR`/`WarmupDecayLR`, an mmengine `LinearLR` in `param_scheduler`) or the code ramps `param_group['lr']` itself. Nothing is reported when any lr logic is out of sight: a scheduler whose effect is unknown, the optimizer handed to a helper, a trainer that steps the optimizer itself, or a loop that cannot be found. Runs that fine-tune pretrained weights (`from_pretrained`, a partial or non-strict load, a new head) are left alone in case (a): short fine-tuning at a small lr often does without warm-up. " +
        CHECKPOINT_NOTE,
      whyBad:
        "Adam's second-moment estimate is built from only a handful of gradients in the first steps, so its per-parameter step sizes are noisy and can be far too large exactly when the network is least stable. Transformers are especially sensitive: without a warm-up the attention logits and layer-norm inputs can blow up early and the run diverges or settles into a worse minimum (the post-LN transformer recipes depend on it). At very large batches the same happens for any optimizer: the lr scaled up with the batch is too large for the first updates, and a gradual ramp over the first few percent of training is what makes the linear scaling rule work.",
      badExample:
        "import torch\nimport torch.nn as nn\n\nmodel = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=512, nhead=8), num_layers=6)\noptimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)\nfor epoch in range(10):\n    for batch in loader:\n        loss = model(batch).sum()\n        loss.backward()\n        optimizer.step()\n        optimizer.zero_grad()\n",
      goodExample:
        "import torch\nimport torch.nn as nn\n\nmodel = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=512, nhead=8), num_layers=6)\noptimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)\nscheduler = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.01, total_iters=500)\nfor epoch in range(10):\n    for batch in loader:\n        loss = model(batch).sum()\n        loss.backward()\n        optimizer.step()\n        scheduler.step()\n        optimizer.zero_grad()\n",
      severityRationale:
        "warning: a missing warm-up is a common cause of early divergence or a worse result for these runs, a likely bug; some runs do train without one, so it does not fail the run as an error would.",
      fixSafety:
        "No fix: where the warm-up goes depends on the schedule the run already has and on its number of steps, which the analysis does not always know. The message names the concrete scheduler call instead (or, in a config, the framework's warm-up key). Adding a warm-up changes the early dynamics; the peak lr may then be raised again.",
      configExample: {
        language: "python",
        code: "model = dict(type='ImageClassifier', backbone=dict(type='VisionTransformer', arch='b'))\noptim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05))\nparam_scheduler = [dict(type='CosineAnnealingLR', T_max=300, by_epoch=True)]\ntrain_cfg = dict(by_epoch=True, max_epochs=300)\n",
      },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const fineTuning = ctx.facts.resume?.fineTuning ?? [];
    const batch = globalBatch(ctx.facts.batch);
    // A lower bound when some part is unknown: at or past the threshold it is large for certain.
    const large = batch && batch.value >= LARGE_BATCH.samples ? batch : undefined;
    const scaledInCode = ctx.facts.distributed.lrScaledByWorldSize.length > 0;
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || valuesReplacedByCheckpoint(site)) continue;
      if (warmupInForce(ctx.facts, site.id) !== false) continue;
      const kinds = modelKindsOf(ctx.facts, site);
      const transformer = info.family === "adam" && fineTuning.length === 0 && !kinds.has("gan") && !kinds.has("rl-policy") ? kinds.get("transformer") : undefined;
      const raised = !transformer && large ? raisedLr(site, info, scaledInCode, ctx.knowledge) : undefined;
      if (!transformer && !raised) continue;
      const name = className(info);
      const why = transformer
        ? `${name} trains a transformer with no learning-rate warm-up: its second-moment estimates come from only a few gradients in the first steps, so early steps are erratic and can destabilize attention and normalization layers`
        : `${name} trains at a global batch of ${formatNumber(large!.value)}${large!.exact ? "" : " or more"} with no learning-rate warm-up: ${raised} is too large for the first updates`;
      const advice = configAdvice(site.dialect);
      const report: Report = {
        span: site.span,
        reads: [{ site: site.id, name: "lr" }],
        message: `${why}; ${advice}.`,
        related: transformer ? [kindNote(transformer)] : batchNotes(ctx.facts.batch),
      };
      ctx.report(report);
    }
  },
};
