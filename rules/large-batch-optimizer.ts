import type { Rule } from "../src/core/types.js";
import { globalBatch, warmupInForce, type DistributedEvidence } from "../src/core/facts.js";
import { LARGE_BATCH } from "../src/knowledge/training.js";
import { className, formatNumber, provenance, valuesReplacedByCheckpoint } from "./util.js";

/** The layer-wise counterpart of each family: LARS for SGD (vision recipes), LAMB for Adam (transformer recipes). */
const LAYERWISE = {
  sgd: { name: "LARS", canonical: "timm.optim.Lars", lrFactor: 1 },
  adam: { name: "LAMB", canonical: "timm.optim.Lamb", lrFactor: 1 },
} as const;

/** Evidence kinds that show data-parallel training. */
const DATA_PARALLEL: ReadonlySet<DistributedEvidence["kind"]> = new Set(["ddp", "distributed-sampler", "fsdp", "horovod"]);

/** Words for the parts a global batch was computed from. */
const PART_NAMES = ["per-device batch", "gradient accumulation", "workers"];

export const largeBatchOptimizer: Rule<Record<string, never>> = {
  meta: {
    code: "OPT012",
    name: "large-batch-optimizer",
    type: "suggestion",
    defaultSeverity: "warning",
    priority: "batch-size",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: `Finds SGD or Adam trained at a global batch of ${LARGE_BATCH.samples} samples or more without layer-wise adaptation.`,
      whatItDoes: `Computes the global batch from what the file states: a global batch written as such (DeepSpeed \`train_batch_size\`), or the per-device batch (the training \`DataLoader\`'s \`batch_size\`, \`per_device_train_batch_size\`, \`train_micro_batch_size_per_gpu\`, a config's \`batch_size\`) times the gradient-accumulation steps and the number of workers when those are known. A part that is not known counts as 1, so the figure is a lower bound and the rule never guesses a batch upward. An SGD- or Adam-family optimizer is reported when that bound is ${LARGE_BATCH.samples} or more, the training is data-parallel (a script must show \`DistributedDataParallel\`, FSDP, Horovod or a \`DistributedSampler\` in the optimizer's flow; a framework config counts as such), and nothing gives it layer-wise trust ratios (it is not LARS or LAMB, and no \`LARC\`/LARS wrapper takes it). Loaders with a \`batch_sampler\` or different training batch sizes leave the batch unknown, and then nothing is reported. The severity is \`warning\`: at these batch sizes plain SGD and Adam are known to lose accuracy, though a well-tuned warm-up can carry them some way.`,
      whyBad: `${LARGE_BATCH.rationale} With one global rate, the layers whose gradients are large relative to their weights diverge or the rate must be kept so low that the small layers barely move.`,
      badExample:
        "import torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\nfrom torch.utils.data import DataLoader\n\nmodel = DDP(model)\nloader = DataLoader(train_set, batch_size=16384, shuffle=True)\noptimizer = torch.optim.SGD(model.parameters(), lr=6.4, momentum=0.9)\n",
      goodExample:
        "import torch\nfrom torch.utils.data import DataLoader\n\nloader = DataLoader(train_set, batch_size=256, shuffle=True)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
      severityRationale:
        "warning: plain SGD or Adam at a global batch of thousands often loses accuracy or diverges without layer-wise adaptation, but careful warm-up can make it work, so the finding asks for a look rather than failing the run.",
      fixSafety:
        "Never fixed automatically: changing the optimizer changes the training dynamics and needs a new lr and a warm-up. The suggestion swaps SGD for timm's `Lars` and Adam for timm's `Lamb` (adding the import), keeping the arguments both accept; the message says to warm up over the first epochs and to scale the lr with the batch (linearly for LARS, by its square root for LAMB). No `optim-lint simulate` comparison is attached: its model problems train at small batches, where layer-wise trust ratios have nothing to correct, so a before/after run there would say nothing about an 8k batch.",
      configExample: {
        language: "json",
        code: '{\n  "train_batch_size": 16384,\n  "optimizer": {"type": "Adam", "params": {"lr": 1e-3}}\n}\n',
      },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const batch = globalBatch(ctx.facts.batch);
    if (!batch || batch.value < LARGE_BATCH.samples) return;
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || (info.family !== "sgd" && info.family !== "adam") || valuesReplacedByCheckpoint(site)) continue;
      const loop = ctx.facts.loops?.find((l) => l.optimizerSite === site.id);
      if (loop?.layerwise) continue;
      // Scripts must show data-parallel training in the construction's flow: a big batch on one device is mostly a
      // small model (tabular, recommender) where a single rate is fine. Framework configs train at scale by design.
      const dataParallel = ctx.facts.distributed.evidence.some((e) => DATA_PARALLEL.has(e.kind) && (!e.sites || e.sites.includes(site.id)));
      if (site.dialect === undefined && !dataParallel) continue;
      const target = LAYERWISE[info.family];
      const targetInfo = ctx.knowledge.optimizer(target.canonical);
      const warm = warmupInForce(ctx.facts, site.id);
      const written = batch.parts.length === 1 && batch.parts[0] === ctx.facts.batch?.global;
      const parts = written ? `${provenance(batch.parts[0]) || " (written as the global batch)"}` : ` (${batch.parts.map((p, i) => `${PART_NAMES[i]} ${formatNumber((p.value as { value: number }).value)}${provenance(p)}`).join(", ")})`;
      const size = `${batch.exact ? "" : "at least "}${formatNumber(batch.value)}`;
      const scaling = info.family === "sgd" ? "scale the lr linearly with the batch" : "scale the lr by the square root of the batch ratio";
      ctx.report({
        span: site.nameSpan,
        message: `${className(info)} trains at a global batch of ${size}${parts}, where a single global rate no longer suits every layer; switch to ${target.name}, which scales each layer's step by its own trust ratio, ${warm === true ? "keep the warm-up" : "warm up over the first few epochs"} and ${scaling}.`,
        related: batch.parts.map((p) => ({ span: p.origin?.span ?? p.span, message: "the batch is set here" })),
        suggestions: targetInfo ? [{ desc: `Use ${target.name} (${target.canonical})`, requests: [{ kind: "rename-optimizer", site: site.id, to: target.canonical }] }] : [],
      });
    }
  },
};
