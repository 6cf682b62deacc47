import type { FixRequest, Rule } from "../src/core/types.js";
import { asNumber, frozenFor } from "../src/core/facts.js";
import { className, effectiveNumber, groupsOverride, kindNote, modelKindsOf, parameterGroups, settingsChange, siteDecayIsCoupled, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** Decoupled decay transformer recipes use, at the low end of their 0.01 to 0.1 range. */
const SUGGESTED_DECAY = 0.01;

export const adamForTransformer: Rule<Record<string, never>> = {
  meta: {
    code: "OPT010",
    name: "adam-for-transformer",
    type: "suggestion",
    defaultSeverity: "info",
    priority: "optimizer-choice",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds coupled Adam without weight decay training a transformer, where AdamW with decoupled decay is the standard recipe.",
      whatItDoes:
        "Reports an Adam-family construction whose weight decay is coupled to the gradient (`Adam`, and `NAdam`/`RAdam` without `decoupled_weight_decay=True`; in configs mmengine `type='Adam'`, Hydra `_target_: torch.optim.Adam`, timm `opt='adam'`) when its weight_decay is known to be 0, passed or by default, and the parameters it trains belong to a transformer. The model kind must be shown by the code: a model loaded with a `transformers` class (`AutoModelForCausalLM.from_pretrained`), built from `nn.Transformer*` layers, a timm or torchvision ViT/DeiT/Swin, an x-transformers or vit-pytorch model, a class named like GPT, BERT or LLaMA, or an HF TrainingArguments, axolotl or GPT-NeoX config. When the model cannot be traced to the optimizer, or is also a GAN network or an RL policy, nothing is reported. Parameters chosen by a test that keeps only 1-D tensors (`[p for p in model.parameters() if p.ndim < 2]`) do not tie the model: such an optimizer trains the biases, norm gains and scalars while another (Muon, for instance) trains the weight matrices. Files that freeze parameters (`requires_grad = False`, `.requires_grad_(False)`, `.freeze()`, peft, a `mark_only_*_as_trainable` helper, an import from a module named for LoRA, a LoRA wrapper in a config) are not reported either: a frozen transformer with a new head is a linear probe, where the decay recipe of transformer training does not apply. A freeze that names one model the file builds itself (a loop over `encoder.parameters()`, `encoder.requires_grad_(False)`) counts only for the optimizers training that model or a model built from it: a frozen extractor in one notebook cell leaves another network's optimizer judged. A positive coupled weight_decay is adam-weight-decay's (OPT001) finding, not this rule's. " +
        CHECKPOINT_NOTE +
        " The default severity is info: choosing the optimizer by model kind is a judgement call, and Adam without decay does train transformers.",
      whyBad:
        "Adam without weight decay leaves a transformer's large embedding and projection matrices unregularized, and adding decay to Adam later does not help much, because coupled L2 decay is divided by the adaptive denominator and barely acts on parameters with large gradients. Transformer recipes (BERT, GPT, ViT) train with AdamW and a decoupled decay of 0.01 to 0.1, which shrinks every weight at a rate set by the learning rate alone and tends to generalize better.",
      badExample:
        "import torch\nfrom transformers import AutoModelForSequenceClassification\n\nmodel = AutoModelForSequenceClassification.from_pretrained(\"bert-base-uncased\")\noptimizer = torch.optim.Adam(model.parameters(), lr=2e-5)\n",
      goodExample:
        "import torch\nfrom transformers import AutoModelForSequenceClassification\n\nmodel = AutoModelForSequenceClassification.from_pretrained(\"bert-base-uncased\")\noptimizer = torch.optim.AdamW(model.parameters(), lr=2e-5, weight_decay=0.01)\n",
      severityRationale:
        "info: whether Adam or AdamW suits a model is a judgement on the model kind, and the kind is read from names and layers; the finding informs without failing a run.",
      fixSafety:
        "Never applied by `--fix`; the suggestion replaces the optimizer with `AdamW` and sets `weight_decay=0.01` (in configs, the dialect's own name and key). It would be unsafe as a fix: it adds regularization the run never had, so the result of a tuned run changes, and the decay value (0.01 to 0.1) and the learning rate may need re-tuning.",
      configExample: {
        language: "python",
        code: "optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4))\nmodel = dict(type='ImageClassifier', backbone=dict(type='VisionTransformer', arch='b'))\n",
      },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    // With frozen parameters the optimizer may train only a head on a frozen transformer (a linear probe).
    for (const site of ctx.facts.optimizers) {
      if (frozenFor(ctx.facts.modelHints, site.id)) continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "adam" || valuesReplacedByCheckpoint(site)) continue;
      if (siteDecayIsCoupled(ctx.knowledge, site, info) !== true) continue;
      // A positive coupled decay is OPT001's finding; an unknown one is not judged.
      if (groupsOverride(site, "weight_decay") || effectiveNumber(site, info, "weight_decay") !== 0) continue;
      const params = site.params;
      // A group that may decay (its own weight_decay, or keys unseen), listed or added later, is no decay-free construction.
      if (parameterGroups(site).some((g) => g.open || (g.values.has("weight_decay") && asNumber(g.values.get("weight_decay")) !== 0))) continue;
      if (params.kind === "groups" && !params.complete && params.keys.includes("weight_decay")) continue;
      const kinds = modelKindsOf(ctx.facts, site);
      const transformer = kinds.get("transformer");
      if (!transformer || kinds.has("gan") || kinds.has("rl-policy")) continue;
      const name = className(info);
      const to = info.decoupledSibling;
      const requests: FixRequest[] = [];
      if (to) requests.push({ kind: "rename-optimizer", site: site.id, to });
      else if (info.decay.style === "flag") requests.push({ kind: "set-argument", site: site.id, name: info.decay.flag, value: info.decay.decoupledWhen });
      requests.push({ kind: "set-argument", site: site.id, name: "weight_decay", value: SUGGESTED_DECAY });
      const target = to ? className(ctx.knowledge.optimizer(to)!) : `${name} with decoupled decay`;
      ctx.report({
        span: site.span,
        reads: [{ site: site.id, name: "weight_decay" }],
        message: `${name} without weight decay trains a transformer (${transformer.description}); transformer recipes use AdamW with decoupled weight decay of 0.01 to 0.1, which regularizes every weight at the same rate.`,
        related: [kindNote(transformer)],
        suggestions: [{ desc: `Use ${target} with weight_decay=${SUGGESTED_DECAY}`, requests }],
        settingsChange: settingsChange(site, info, { weight_decay: SUGGESTED_DECAY, ...(to ? {} : info.decay.style === "flag" ? { [info.decay.flag]: info.decay.decoupledWhen } : {}) }, to ? ctx.knowledge.optimizer(to) : undefined),
      });
    }
  },
};
