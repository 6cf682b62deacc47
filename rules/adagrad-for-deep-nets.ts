import type { Report, Rule } from "../src/core/types.js";
import { className, effectiveNumber, firstKind, kindNote, modelKindsOf, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** Arguments Adam takes under the same name and meaning; any other Adagrad argument would not carry over. */
const PORTABLE = new Set(["lr", "weight_decay", "foreach", "maximize", "differentiable"]);

export const adagradForDeepNets: Rule<Record<string, never>> = {
  meta: {
    code: "OPT016",
    name: "adagrad-for-deep-nets",
    type: "suggestion",
    defaultSeverity: "info",
    priority: "optimizer-choice",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds Adagrad training a deep dense network, where its ever-growing denominator stalls learning.",
      whatItDoes:
        "Reports `Adagrad` (torch, and configs that build it: the HF Trainer's `optim='adagrad'`, timm's `opt='adagrad'`, mmengine, Hydra) when the parameters it trains belong to a deep dense network the code shows: a transformer, a CNN, a recurrent network or an MLP of three or more `nn.Linear` layers. It is silent when the file builds a sparse embedding (`nn.Embedding(..., sparse=True)`, Adagrad's classic use), for linear and convex models, and whenever the model is not tied to the optimizer. " +
        CHECKPOINT_NOTE +
        " The default severity is info: the choice of optimizer is a judgement call.",
      whyBad:
        "Adagrad divides each step by the square root of the sum of all squared gradients seen so far. That sum only grows, so every parameter's step shrinks steadily and, over the long runs deep networks need, learning stalls well before convergence. Adam and AdamW replace the sum with an exponential moving average, so the step size adapts to recent gradients instead of dying out; that is why they replaced Adagrad for dense deep networks, while Adagrad remains a good fit for sparse features.",
      badExample: "import torch\nimport torchvision\n\nmodel = torchvision.models.resnet18()\noptimizer = torch.optim.Adagrad(model.parameters(), lr=0.01)\n",
      goodExample: "import torch\nimport torchvision\n\nmodel = torchvision.models.resnet18()\noptimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)\n",
      severityRationale:
        "info: Adagrad's shrinking step is a known weakness on deep dense networks, but short runs and some recipes still work; the model kind is inferred, so the finding informs without failing a run.",
      fixSafety:
        "Never applied by `--fix`: the suggestion replaces `Adagrad` with `AdamW` (keeping the import style), and is offered with an edit only when every argument passed means the same for AdamW (the learning rate, weight decay and a few flags); Adagrad's `lr_decay`, `initial_accumulator_value` or `eps` have no counterpart, so then it is advice only. It changes training dynamics: Adam's typical learning rate (1e-3 to 3e-4) is about a tenth of Adagrad's 1e-2, and AdamW's weight decay is decoupled (default 0.01), so re-tune both. The simulation runs AdamW at a tenth of the learning rate.",
      configExample: { language: "json", code: "{\n  \"output_dir\": \"out\",\n  \"learning_rate\": 0.01,\n  \"optim\": \"adagrad\"\n}\n" },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    // Sparse embeddings are where Adagrad shines; a file that builds one is left alone.
    if ((ctx.facts.modelHints.kinds ?? []).some((k) => k.kind === "sparse-embedding")) return;
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "adagrad" || valuesReplacedByCheckpoint(site)) continue;
      const kinds = modelKindsOf(ctx.facts, site);
      if (kinds.has("rl-policy")) continue;
      const deep = firstKind(kinds, ["transformer", "cnn", "rnn", "mlp"]);
      if (!deep) continue;
      const to = ctx.knowledge.optimizer("torch.optim.AdamW")!;
      const portable = !site.hasUnresolvedSpread && [...site.args.values()].every((a) => PORTABLE.has(a.name) && (a.how === "keyword" || a.name === "lr"));
      const report: Report = {
        span: site.span,
        message: `${className(info)} trains a deep network (${deep.description}); its step is divided by the running sum of all squared gradients, which only grows, so learning slows to a crawl over a long run: use AdamW (or Adam), whose moving average keeps the step alive, with a learning rate about a tenth of Adagrad's (1e-3 to 3e-4).`,
        related: [kindNote(deep)],
        suggestions: [{ desc: "Replace Adagrad with AdamW (then re-tune the learning rate)", requests: portable ? [{ kind: "rename-optimizer", site: site.id, to: to.canonical }] : [] }],
      };
      const lr = effectiveNumber(site, info, "lr");
      // AdamW runs with its own eps, and with its default decay unless the construction passes one.
      const changes: Record<string, number> = { eps: to.defaults.eps as number };
      if (lr !== undefined) changes.lr = Number((lr / 10).toPrecision(6));
      if (!site.args.has("weight_decay")) changes.weight_decay = to.defaults.weight_decay as number;
      report.settingsChange = settingsChange(site, info, changes, to);
      ctx.report(report);
    }
  },
};
