import type { Rule } from "../src/core/types.js";
import type { DistributedEvidence } from "../src/core/facts.js";
import { formatNumber, originNotes, provenance, settingsChange } from "./util.js";

/** Evidence kinds that show each worker trains on its own batch, so the global batch grows with the workers. */
const DATA_PARALLEL: ReadonlySet<DistributedEvidence["kind"]> = new Set(["ddp", "distributed-sampler", "fsdp"]);

export const unscaledDistributedLr: Rule<Record<string, never>> = {
  meta: {
    code: "OPT004",
    name: "unscaled-distributed-lr",
    type: "suggestion",
    defaultSeverity: "warning",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds data-parallel training whose learning rate stays fixed while the global batch grows with the number of workers.",
      whatItDoes:
        "When a file wraps the model in DistributedDataParallel or FSDP, or shards data with a DistributedSampler, and nothing in the file divides the per-worker batch or scales a learning rate by the world size, each optimizer whose learning rate is a known number that does not depend on the world size or batch size is reported. `init_process_group` or environment variables alone are not taken as evidence of data-parallel batches.",
      whyBad:
        "Under data parallelism every worker processes its own batch and gradients are averaged, so the effective batch is the per-worker batch times the number of workers. A learning rate tuned on one GPU is then too small for the larger batch: going from 1 to 64 workers multiplies the batch by 64 and, by the linear scaling rule, the learning rate should grow by about as much (with a warmup), or the per-worker batch should shrink to keep the global batch constant. Otherwise results change silently with the cluster size.",
      badExample:
        "import torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n\nmodel = DDP(model)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
      goodExample:
        "import torch\nimport torch.distributed as dist\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n\nmodel = DDP(model)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1 * dist.get_world_size(), momentum=0.9)\n",
      fixSafety:
        "Never fixed automatically: whether to scale the learning rate, shrink the per-worker batch, or keep the setting (for example when the lr was tuned at the full cluster size) is a judgement call. A suggestion multiplies the learning rate by the world size; pair it with a warmup.",
    },
  },
  defaultOptions: {},
  check(ctx) {
    const { distributed } = ctx.facts;
    const evidence = distributed.evidence.filter((e) => DATA_PARALLEL.has(e.kind));
    if (evidence.length === 0) return;
    if (distributed.batchScaledByWorldSize.length > 0 || distributed.lrScaledByWorldSize.length > 0) return;
    const setup = evidence.map((e) => ({ span: e.span, message: `data-parallel training: ${e.description}` }));
    for (const site of ctx.facts.optimizers) {
      const arg = site.args.get("lr");
      if (!arg || arg.value.value.kind !== "number") continue;
      if (arg.value.dependsOn.includes("world-size") || arg.value.dependsOn.includes("batch-size")) continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      ctx.report({
        span: arg.span,
        message: `lr=${formatNumber(arg.value.value.value)}${provenance(arg.value)} does not change with the number of workers, but under data-parallel training each worker adds its own batch to the global batch; scale the learning rate with the world size (and warm it up), or divide the per-worker batch by it.`,
        related: [...originNotes("lr", arg.value), ...setup],
        suggestions: [
          {
            desc: "Scale the learning rate linearly with the number of workers (and warm it up)",
            requests: [{ kind: "scale-by-world-size", site: site.id, name: "lr" }],
          },
        ],
        // The world size is not known statically; the simulation assumes a worker count and says so.
        ...(info ? { settingsChange: settingsChange(site, info, {}) } : {}),
      });
    }
  },
};
