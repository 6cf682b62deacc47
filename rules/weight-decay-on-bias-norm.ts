import type { Rule } from "../src/core/types.js";
import { asNumber, frozenFor } from "../src/core/facts.js";
import { className, formatNumber, originNotes, provenance, siteDecayIsCoupled, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** Where an mmengine or mmcv config keeps biases and norms out of decay, by where its `paramwise_cfg` is or goes. */
const MMENGINE_REMEDY: Record<"present" | "wrapper" | "optimizer", string> = {
  present: "add norm_decay_mult=0.0 and bias_decay_mult=0.0 to its paramwise_cfg",
  wrapper: "add paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0) to the optim_wrapper, beside the optimizer",
  optimizer: "add paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0) to the optimizer dict",
};

export const weightDecayOnBiasNorm: Rule<Record<string, never>> = {
  meta: {
    code: "OPT005",
    name: "weight-decay-on-bias-norm",
    type: "suggestion",
    defaultSeverity: "warning",
    priority: "optimizer-choice",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds decoupled weight decay applied to all of a model's parameters, biases and normalization weights included.",
      whatItDoes:
        "Reports optimizers with decoupled weight decay (AdamW and its relatives, FusedAdam in AdamW mode, LAMB) that are given a weight_decay greater than zero explicitly (a class default such as AdamW's 0.01 is not a choice the author made, and is not reported) and receive `model.parameters()` as a whole instead of parameter groups (also through a filter that keeps only the parameters requiring gradients, `filter(lambda p: p.requires_grad, model.parameters())` or `[p for p in model.parameters() if p.requires_grad]`: it leaves out frozen parameters, not the trainable biases and norms), or parameter groups that only split the model by module or name (`backbone.parameters()` beside `head.parameters()`, a comprehension over `named_parameters()` testing `\"backbone\" in n`) where no group sets its own weight_decay and none selects parameters by shape, bias or norm, or that an mmengine/mmcv config builds without a `paramwise_cfg` (mmengine's default constructor decays every parameter; `bias_decay_mult=0` with `norm_decay_mult=0` is the no-decay evidence), or with a `paramwise_cfg` whose `custom_keys` change decay only for token and position-embedding parameters (`.cls_token`, `.pos_embed`); any other `paramwise_cfg` or a custom constructor is not judged. Frameworks that keep biases and norms out of decay themselves (the HF Trainer, timm's `create_optimizer_v2`, GPT-NeoX) are not reported; but an HF Trainer whose DeepSpeed config has an `optimizer` section hands DeepSpeed every trainable parameter in one group, so the weight decay it fills in for \"auto\" from the arguments is reported, unless the arguments choose which parameters train (a LoRA or peft adapter, frozen or tuned parts). Files that freeze parameters (`requires_grad = False`, `.requires_grad_(False)`, `.freeze()`, peft's `get_peft_model` or `prepare_model_for_kbit_training`, a `peft_config=` handed to a trainer, a peft or loralib import, a `mark_only_*_as_trainable` helper, an import from a project module named for LoRA such as `models.lora`) are not reported: only the trainable parameters are decayed there, and which those are cannot be seen from the construction. A freeze that names one model the file builds itself (a loop over `encoder.parameters()`, `encoder.requires_grad_(False)`) counts only for the optimizers training that model or a model built from it: a frozen extractor in one notebook cell leaves another network's optimizer judged." + " " + CHECKPOINT_NOTE,
      whyBad:
        "Weight decay is meant to keep the weight matrices small. Biases and the scale and shift of normalization layers (LayerNorm, BatchNorm) have few parameters, do not cause overfitting, and set the scale the network works at; pulling them toward zero only fights the normalization and can slow or hurt training. Transformer and modern vision recipes therefore put biases and norm weights in a parameter group with weight_decay=0.",
      badExample: "import torch\n\noptimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)\n",
      goodExample:
        "import torch\n\ndecay = [p for n, p in model.named_parameters() if p.ndim >= 2]\nno_decay = [p for n, p in model.named_parameters() if p.ndim < 2]\noptimizer = torch.optim.AdamW(\n    [{\"params\": decay, \"weight_decay\": 0.05}, {\"params\": no_decay, \"weight_decay\": 0.0}],\n    lr=1e-3,\n)\n",
      severityRationale:
        "A warning: decaying biases and norm weights usually costs a little accuracy rather than breaking training.",
      configExample: {
        language: "python",
        code: "# mmengine config: no paramwise_cfg, so every parameter is decayed\noptim_wrapper = dict(\n    type='OptimWrapper',\n    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.05),\n)\n",
      },
      fixSafety:
        "Never fixed automatically: which parameters count as norm weights depends on the model. A suggestion replaces the parameters with two groups, decaying matrices and leaving one-dimensional parameters (biases, norm weights) undecayed.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    // Frozen parameters get no gradient and the optimizer skips them: the trainable ones may be matrices only (LoRA).
    for (const site of ctx.facts.optimizers) {
      if (frozenFor(ctx.facts.modelHints, site.id)) continue;
      const params = site.params;
      const managed = params.kind === "managed" && !params.excludesBiasAndNorm;
      // Groups split by module or name, none exempt from the optimizer's weight decay: each decays its biases and norms.
      const splitByModule = params.kind === "groups" && params.complete && params.byModule === true && !params.hasNoDecayGroup && !params.keys.includes("weight_decay");
      // Decay on an RL network is weight-decay-in-rl's (OPT014) finding, which invalidates the value this report reads.
      if ((params.kind !== "whole-model" && !managed && !splitByModule) || valuesReplacedByCheckpoint(site)) continue;
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || siteDecayIsCoupled(ctx.knowledge, site, info) !== false) continue;
      const wdArg = site.args.get("weight_decay");
      const weightDecay = asNumber(wdArg?.value);
      if (!wdArg || weightDecay === undefined || weightDecay <= 0) continue;
      const setting = `weight_decay=${formatNumber(weightDecay)}${provenance(wdArg.value)}`;
      if (params.kind === "managed") {
        // A framework picks the parameters from a config: the remedy is a setting of that framework, not parameter groups.
        const remedy = params.paramwiseCfg !== undefined ? MMENGINE_REMEDY[params.paramwiseCfg] : (params.remedy ?? `configure ${params.by} to leave them undecayed`);
        const exempts = params.exempts?.map((k) => `'${k}'`).join(", ");
        const why = params.why ? `: ${params.why}` : `, because ${params.by} decays all parameters unless told otherwise`;
        ctx.report({
          span: params.span,
          message: exempts
            ? `${className(info)} applies ${setting} to biases and normalization weights too: ${params.by} decays every parameter its paramwise_cfg does not exempt, and its custom_keys exempt only ${exempts}; ${MMENGINE_REMEDY.present}.`
            : `${className(info)} applies ${setting} to every parameter, including biases and normalization weights${why}; ${remedy}.`,
          related: originNotes("weight_decay", wdArg.value),
          reads: [{ site: site.id, name: "weight_decay" }],
          settingsChange: settingsChange(site, info, {}),
        });
        continue;
      }
      if (params.kind === "groups") {
        ctx.report({
          span: params.span,
          message: `${className(info)} applies ${setting} to every parameter group, and each group takes a module's parameters whole or by name, so biases and normalization weights are decayed too; give them a group of their own with weight_decay=0.`,
          related: originNotes("weight_decay", wdArg.value),
          reads: [{ site: site.id, name: "weight_decay" }],
          settingsChange: settingsChange(site, info, {}),
        });
        continue;
      }
      if (params.kind !== "whole-model") continue;
      ctx.report({
        span: params.span,
        message: `${className(info)} applies ${setting} to every ${params.trainable ? "trainable " : ""}parameter of \`${params.model}\`, including biases and normalization weights, which should not be decayed; put those in a parameter group with weight_decay=0.`,
        related: originNotes("weight_decay", wdArg.value),
        reads: [{ site: site.id, name: "weight_decay" }],
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
