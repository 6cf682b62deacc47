import type { Report, Rule } from "../src/core/types.js";
import { NEGLIGIBLE_MOMENTUM } from "../src/knowledge/training.js";
import { className, effectiveBool, effectiveNumber, formatNumber, isOverridable, originNotes, provenance, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

export const sgdMissingNesterov: Rule<Record<string, never>> = {
  meta: {
    code: "OPT002",
    name: "sgd-missing-nesterov",
    type: "suggestion",
    defaultSeverity: "warning",
    priority: "optimizer-choice",
    fixable: true,
    fixApplicability: "safe",
    hasSuggestions: true,
    docs: {
      summary: "Finds SGD with momentum that uses classical momentum instead of Nesterov momentum.",
      whatItDoes:
        "Reports `SGD` (torch) and apex `FusedSGD` constructions whose momentum is known to be at least 0.01 (a smaller one is plain SGD, for sgd-without-momentum) and that do not pass `nesterov` at all, so classical momentum comes from the class default. A momentum that cannot be resolved is never reported, and neither is a construction that passes `nesterov` in any form (`nesterov=False` written out, a flag, a config entry): that is a choice already made, for example to reproduce a recipe tuned with classical momentum." + " " + CHECKPOINT_NOTE,
      whyBad:
        "Nesterov momentum evaluates the gradient step after the momentum step has been taken into account, which corrects the velocity earlier when it overshoots. It costs nothing extra, usually converges at least as fast as classical momentum, and is the standard choice in modern vision training recipes; leaving it off is a missed, free improvement.",
      badExample: "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n",
      goodExample: "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)\n",
      severityRationale:
        "A warning: classical momentum trains, only less well than it could; adding Nesterov is a better way rather than the repair of a bug.",
      configExample: {
        language: "yaml",
        code: "# Hydra config: conf/optimizer/sgd.yaml\n_target_: torch.optim.SGD\nlr: 0.1\nmomentum: 0.9\nweight_decay: 5e-4\n",
      },
      fixSafety:
        "The fix is **safe**: `--fix` applies it. Nesterov momentum keeps the learning rate, momentum and weight decay meaningful as tuned (the same hyperparameters are sound for both forms), so nothing needs re-tuning; the update rule changes slightly, which is the point. `--fix` adds `nesterov=True`. It is not offered when `dampening` is non-zero, because PyTorch rejects Nesterov momentum with dampening, and it is only a suggestion when `dampening` cannot be resolved, or when momentum or dampening can be changed at run time (an argparse default, a config or dataclass field, a parameter default): a run with `--momentum 0` and `nesterov=True` makes PyTorch raise a ValueError, so the user must decide. The update rule changes slightly, which is intended.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "sgd" || valuesReplacedByCheckpoint(site)) continue;
      const momentum = effectiveNumber(site, info, "momentum");
      // A negligible momentum is sgd-without-momentum's (OPT015) finding: Nesterov on top of it changes nothing.
      if (momentum === undefined || momentum < NEGLIGIBLE_MOMENTUM) continue;
      // A nesterov argument written at the call, read from a flag or a config is a decision already made.
      if (site.args.has("nesterov") || effectiveBool(site, info, "nesterov") !== false) continue;
      const momentumArg = site.args.get("momentum");
      const dampening = effectiveNumber(site, info, "dampening");
      const dampeningArg = site.args.get("dampening");
      const base = `${className(info)} runs classical momentum: momentum=${formatNumber(momentum)}${provenance(momentumArg?.value)} with nesterov off`;
      const report: Report = {
        span: site.span,
        message: "",
        related: [
          ...originNotes("momentum", momentumArg?.value),
          ...originNotes("dampening", dampeningArg?.value),
        ],
        reads: ["momentum", "dampening", "nesterov"].map((name) => ({ site: site.id, name })),
      };
      const request = { kind: "set-argument" as const, site: site.id, name: "nesterov", value: true };
      if (dampening !== undefined && dampening !== 0) {
        report.message = `${base}; Nesterov momentum usually converges faster, but PyTorch rejects it with dampening=${formatNumber(dampening)}: set dampening=0 and nesterov=True together.`;
      } else if (dampening === undefined) {
        report.message = `${base}; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost (dampening must be 0 for it).`;
        report.suggestions = [{ desc: "Set nesterov=True", requests: [request] }];
      } else if (isOverridable(momentumArg?.value) || isOverridable(dampeningArg?.value)) {
        // A run that sets momentum to 0 (or dampening above 0) would make PyTorch reject nesterov=True.
        const condition = isOverridable(momentumArg?.value) ? "momentum is 0" : "dampening is not 0";
        const keep = isOverridable(momentumArg?.value) ? "keeps momentum above 0" : "keeps dampening at 0";
        report.message = `${base}; Nesterov momentum usually converges faster at no extra cost, but this setting can change at run time and PyTorch rejects nesterov=True when ${condition}: pass nesterov=True if every run ${keep}.`;
        report.suggestions = [{ desc: "Set nesterov=True", requests: [request] }];
      } else {
        report.message = `${base}; pass nesterov=True for Nesterov momentum, which usually converges faster at no extra cost.`;
        report.fix = { title: "Set nesterov=True", requests: [request], applicability: "safe" };
      }
      if (report.fix || report.suggestions) report.settingsChange = settingsChange(site, info, { nesterov: true });
      ctx.report(report);
    }
  },
};
