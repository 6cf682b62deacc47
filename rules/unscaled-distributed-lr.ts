import type { Rule } from "../src/core/types.js";
import type { DistributedEvidence } from "../src/core/facts.js";
import type { Family } from "../src/knowledge/index.js";
import { formatNumber, groupsOverride, originNotes, provenance, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** Families the linear scaling rule is established for; for adaptive methods the right scaling is debated. */
const LINEAR_SCALING_FAMILIES: ReadonlySet<Family> = new Set(["sgd", "lars"]);

/** Evidence kinds that show each worker trains on its own batch, so the global batch grows with the workers. */
const DATA_PARALLEL: ReadonlySet<DistributedEvidence["kind"]> = new Set(["ddp", "distributed-sampler", "fsdp", "horovod"]);

export const unscaledDistributedLr: Rule<Record<string, never>> = {
  meta: {
    code: "OPT004",
    name: "unscaled-distributed-lr",
    type: "suggestion",
    defaultSeverity: "warning",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds data-parallel SGD training whose learning rate stays fixed while the global batch grows with the number of workers.",
      whatItDoes:
        "When a file wraps the model in DistributedDataParallel or FSDP, wraps the optimizer in Horovod's DistributedOptimizer, shards data with a DistributedSampler, or calls Ray Train's `prepare_model` or `prepare_data_loader` beside a `ScalingConfig` whose `num_workers` is a known number above 1 (with a count it cannot read, or 1, the world size is unknown and nothing is judged; a product by the expression written for the count scales the lr), and nothing in the file divides a batch size by the world size or scales a learning rate by it, each SGD-family or LARS optimizer whose learning rate is a known positive number that does not depend on the world size or batch size is reported (an lr of 0 is a placeholder for a rate the training loop sets). An mmengine `Runner(...)` given `auto_scale_lr=dict(enable=True, base_batch_size=...)` scales the lr itself (by the world size times the loader's batch over `base_batch_size`), so it counts as scaling, and so does an `enable` the file cannot fix or a `**spread` of the runner's arguments that may hold the key; without `enable`, or with `enable=False`, mmengine keeps the written lr. A division of any batch-like value (a name containing `batch`, `bs`, `bsz`, or the `batch_size=` given to a loader, but not a batch's index or a number of batches such as `batch_idx` or `num_batches`) by the world size counts as keeping the global batch fixed. Adam-family optimizers (LAMB included), RMSprop and Adagrad are not reported: the linear scaling rule was established for SGD, and for adaptive methods practice varies between square-root scaling and none at all when the rate was tuned at the global batch. Parameter groups that set their own lr make the constructor's lr a default and are not reported either. `init_process_group` or environment variables alone are not taken as evidence of data-parallel batches. Evidence counts only for constructions in its own flow of control: the same function, class or module-level code, or code joined to it through calls in the file (a `DistributedSampler` in one test function says nothing about an optimizer in another)." + " " + CHECKPOINT_NOTE,
      whyBad:
        "Under data parallelism every worker processes its own batch and gradients are averaged, so the effective batch is the per-worker batch times the number of workers. For SGD a learning rate tuned on one GPU is then too small for the larger batch: going from 1 to 64 workers multiplies the batch by 64 and, by the linear scaling rule (Goyal et al.), the learning rate should grow by about as much (with a warmup), or the per-worker batch should shrink to keep the global batch constant. Otherwise results change silently with the cluster size.",
      badExample:
        "import torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n\nmodel = DDP(model)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
      goodExample:
        "import torch\nimport torch.distributed as dist\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n\nmodel = DDP(model)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1 * dist.get_world_size(), momentum=0.9)\n",
      severityRationale:
        "A warning: whether the learning rate must grow depends on where it was tuned (on one GPU, or already at the full cluster size), which the code does not say.",
      configExample: {
        language: "python",
        code: "# The optimizer's settings come from a config dict; the script trains data-parallel.\nimport torch\nfrom torch.nn.parallel import DistributedDataParallel as DDP\n\noptim_cfg = dict(lr=0.1, momentum=0.9, weight_decay=1e-4)\n\nmodel = DDP(model)\noptimizer = torch.optim.SGD(model.parameters(), **optim_cfg)\n",
      },
      fixSafety:
        "Never fixed automatically: whether to scale the learning rate, shrink the per-worker batch, or keep the setting (for example when the lr was tuned at the full cluster size) is a judgement call. A suggestion multiplies the learning rate by the world size; pair it with a warmup.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const { distributed } = ctx.facts;
    const evidence = distributed.evidence.filter((e) => DATA_PARALLEL.has(e.kind));
    if (evidence.length === 0) return;
    if (distributed.batchScaledByWorldSize.length > 0 || distributed.lrScaledByWorldSize.length > 0) return;
    for (const site of ctx.facts.optimizers) {
      // Only evidence in the construction's own flow counts: a DistributedSampler in another test says nothing about it.
      const inFlow = evidence.filter((e) => !e.sites || e.sites.includes(site.id));
      if (inFlow.length === 0 || valuesReplacedByCheckpoint(site)) continue;
      const setup = inFlow.map((e) => ({ span: e.span, message: `data-parallel training: ${e.description}` }));
      const arg = site.args.get("lr");
      // lr=0 is a placeholder for a rate the training loop writes itself; a negative one is invalid-hyperparameter's.
      if (!arg || arg.value.value.kind !== "number" || arg.value.value.value <= 0) continue;
      if (arg.value.dependsOn.includes("world-size") || arg.value.dependsOn.includes("batch-size")) continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || !LINEAR_SCALING_FAMILIES.has(info.family) || groupsOverride(site, "lr")) continue;
      ctx.report({
        span: arg.span,
        message: `lr=${formatNumber(arg.value.value.value)}${provenance(arg.value)} does not change with the number of workers, but under data-parallel training each worker adds its own batch to the global batch; scale the learning rate with the world size (and warm it up), or divide the per-worker batch by it.`,
        related: [...originNotes("lr", arg.value), ...setup],
        reads: [{ site: site.id, name: "lr" }],
        suggestions: [
          {
            desc: "Scale the learning rate linearly with the number of workers (and warm it up)",
            requests: [{ kind: "scale-by-world-size", site: site.id, name: "lr" }],
          },
        ],
        // The world size is not known statically; the simulation assumes a worker count and says so.
        settingsChange: settingsChange(site, info, {}),
      });
    }
  },
};
