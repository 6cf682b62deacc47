import type { FixRequest, Report, Rule } from "../src/core/types.js";
import type { OptimizerInfo } from "../src/knowledge/index.js";
import type { OptimizerSite, ResolvedValue } from "../src/core/facts.js";
import { asNumber } from "../src/core/facts.js";
import { lastSegment } from "../src/knowledge/dotted.js";
import { className, effectiveNumber, formatLiteral, formatNumber, groupsOverride, isOverridable, parameterGroups, originNotes, provenance, settingsChange, siteDecayIsCoupled, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** The canonical remedy for coupled decay at a site: the edit and what the message advises, or undefined when none is safe. */
function remedy(site: OptimizerSite, info: OptimizerInfo): { title: string; request: FixRequest; advice: string; to?: string } | undefined {
  if ((info.framework !== "torch" && !info.flagFixable) || info.decay.style !== "flag") return undefined;
  const flag = info.decay.flag;
  if (info.decoupledSibling && !site.args.has(flag)) {
    const to = info.decoupledSibling;
    const sibling = lastSegment(to);
    return {
      title: `Replace ${className(info)} with ${sibling}`,
      request: { kind: "rename-optimizer", site: site.id, to },
      advice: `use ${sibling}, which decays the weights directly`,
      to,
    };
  }
  const setting = `${flag}=${formatLiteral(info.decay.decoupledWhen)}`;
  return {
    title: `Set ${setting}`,
    request: { kind: "set-argument", site: site.id, name: flag, value: info.decay.decoupledWhen },
    advice: `pass ${setting} so the weights are decayed directly`,
  };
}

/** What changes for the weight_decay number when decay becomes decoupled. */
const RETUNE =
  "Decoupled decay is multiplied by the learning rate, so the same weight_decay number decays far less: re-tune it (AdamW runs typically use 0.01 to 0.1).";

/**
 * The weight decay that trains at a site and where it is written: the constructor's (passed or default)
 * unless the parameter groups set their own, else the first positive value a group sets.
 */
function trainedDecay(site: OptimizerSite, info: OptimizerInfo): { value: number; source?: ResolvedValue; inGroup: boolean } | undefined {
  if (!groupsOverride(site, "weight_decay")) {
    const value = effectiveNumber(site, info, "weight_decay");
    if (value !== undefined && value > 0) return { value, source: site.args.get("weight_decay")?.value, inGroup: false };
  }
  for (const group of parameterGroups(site)) {
    const source = group.values.get("weight_decay");
    const value = asNumber(source);
    if (value !== undefined && value > 0) return { value, source, inGroup: true };
  }
  return undefined;
}

export const adamWeightDecay: Rule<Record<string, never>> = {
  meta: {
    code: "OPT001",
    name: "adam-weight-decay",
    type: "problem",
    defaultSeverity: "error",
    priority: "optimizer-choice",
    fixable: true,
    fixApplicability: "unsafe",
    hasSuggestions: true,
    docs: {
      summary: "Finds Adam-family optimizers whose weight_decay is applied as an L2 term through the gradient instead of decoupled decay.",
      whatItDoes:
        "Reports constructions of `Adam`, `NAdam`, `RAdam` (without `decoupled_weight_decay=True`), `Adamax`, apex/DeepSpeed `FusedAdam` with `adam_w_mode=False`, and configs that build them (mmengine `type='Adam'`, Hydra `_target_`, timm `opt='adam'`, a DeepSpeed config whose Adam params set `\"adam_w_mode\": false`), when their weight_decay, passed to the constructor or written in a parameter-group dict (listed at the construction or added later with `add_param_group`), is known to be greater than zero (a constructor value that every group replaces with its own is not counted). The value may be written at the call or come from an argparse default, a constant, a config dict or a dataclass field; a value that cannot be resolved is never reported." + " " + CHECKPOINT_NOTE,
      whyBad:
        "These optimizers add `weight_decay * param` to the gradient before dividing by the gradient's running magnitude (its root-mean-square, or its maximum for Adamax). Parameters with large or noisy gradients therefore receive almost no decay while parameters with small gradients are decayed much harder, so the setting does not regularize the way the number suggests and does not transfer between models. Decoupled weight decay (AdamW, Loshchilov & Hutter) shrinks the weights directly, independent of the gradient statistics, which is what a weight_decay value is normally tuned for.",
      badExample: "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n",
      goodExample: "import torch\n\noptimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)\n",
      severityRationale:
        "An error: the decay does not do what its number says (parameters with large gradients are barely decayed), so a run regularizes differently from what was tuned and results do not transfer. It is a likely bug, not a matter of taste.",
      configExample: {
        language: "python",
        code: "# mmengine config\noptim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4))\n",
      },
      fixSafety:
        "The fix is **unsafe**: `--fix` alone leaves it, `--fix --unsafe-fixes` applies it. It replaces `Adam` with `AdamW` (keeping the import style; the arguments are the same) and sets `decoupled_weight_decay=True` on `NAdam` and `RAdam`, or on an `Adam` that passes `decoupled_weight_decay=False` explicitly; in configs it rewrites the optimizer's name in place (`type='Adam'` becomes `type='AdamW'`, timm's `'adam'` becomes `'adamw'`) and sets DeepSpeed's `adam_w_mode` to true. When that flag is read from elsewhere (an argparse option, a config entry), the change is only a suggestion, so a switch the user controls is not overridden. This changes training on purpose: the same weight_decay value now decays every weight at the same rate, and because decoupled decay is multiplied by the learning rate (each step shrinks the weights by lr times weight_decay), a value tuned as an L2 term decays far less after the switch. AdamW runs typically use 0.01 to 0.1, so re-tune the value; the fix keeps the number as written and the message says so. `Adamax` has no decoupled variant in PyTorch and FusedAdam's `adam_w_mode=False` may be deliberate, so both are reported without a fix.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      // Decay on an RL network is weight-decay-in-rl's (OPT014) finding, which invalidates the value this report reads.
      if (!info || info.family !== "adam" || valuesReplacedByCheckpoint(site)) continue;
      if (siteDecayIsCoupled(ctx.knowledge, site, info) !== true) continue;
      const decay = trainedDecay(site, info);
      if (!decay) continue;
      const flag = info.decay.style === "flag" ? info.decay.flag : undefined;
      const flagArg = flag ? site.args.get(flag) : undefined;
      const name = className(info);
      const written = decay.inGroup ? " in a parameter group" : "";
      const setting = `weight_decay=${formatNumber(decay.value)}${written}${provenance(decay.source)}`;
      const problem = `${name} applies ${setting} as an L2 term added to the gradient, so the adaptive step scales the decay down on parameters with large gradients`;
      const groupNote = decay.inGroup && decay.source ? [{ span: decay.source.span, message: "weight_decay is set here, in a parameter group" }] : [];
      const report: Report = {
        span: site.span,
        message: "",
        related: [...groupNote, ...originNotes("weight_decay", decay.source), ...(flag ? originNotes(flag, flagArg?.value) : [])],
        reads: ["weight_decay", ...(flag ? [flag] : [])].map((name) => ({ site: site.id, name })),
      };
      const fix = remedy(site, info);
      if (fix) {
        const after = fix.to ? ctx.knowledge.optimizer(fix.to) : undefined;
        // Groups without their own weight_decay took Adam's default 0; the sibling's default (AdamW: 0.01) must not reach them.
        const keepDefault = decay.inGroup && fix.request.kind === "rename-optimizer" && !site.args.has("weight_decay") && !groupsOverride(site, "weight_decay");
        const requests: FixRequest[] = keepDefault ? [fix.request, { kind: "set-argument", site: site.id, name: "weight_decay", value: 0 }] : [fix.request];
        // A flag read from a CLI option or config is the user's switch: offer the change, do not override it silently.
        if (isOverridable(flagArg?.value) || (keepDefault && site.hasUnresolvedSpread)) report.suggestions = [{ desc: fix.title, requests }];
        else report.fix = { title: fix.title, requests, applicability: "unsafe" };
        report.message = `${problem}; ${fix.advice}. ${RETUNE}`;
        const changes = fix.request.kind === "set-argument" ? { [fix.request.name]: info.decay.style === "flag" && info.decay.decoupledWhen } : {};
        report.settingsChange = settingsChange(site, info, decay.inGroup ? { ...changes, weight_decay: decay.value } : changes, after);
        if (decay.inGroup) report.settingsChange.before.options.weight_decay = decay.value;
      } else if (info.decay.style === "flag") {
        const coupledSetting = `${info.decay.flag}=${formatLiteral(!info.decay.decoupledWhen)}`;
        report.message = `${problem}; drop ${coupledSetting} (decoupled decay is the default) unless Adam's coupled L2 behaviour is intended. ${RETUNE}`;
      } else {
        report.message = `${problem}; PyTorch has no decoupled ${name}, so switch to AdamW if the model needs weight decay. ${RETUNE}`;
      }
      ctx.report(report);
    }
  },
};
