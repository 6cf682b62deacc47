import type { Report, Rule } from "../src/core/types.js";
import { NEGLIGIBLE_MOMENTUM } from "../src/knowledge/training.js";
import { className, effectiveNumber, firstKind, formatNumber, groupsOverride, kindNote, modelKindsOf, originNotes, provenance, settingsChange, valuesReplacedByCheckpoint, CHECKPOINT_NOTE } from "./util.js";

/** The momentum the suggestion sets, with Nesterov. */
const MOMENTUM = 0.9;

export const sgdWithoutMomentum: Rule<Record<string, never>> = {
  meta: {
    code: "OPT015",
    name: "sgd-without-momentum",
    type: "suggestion",
    defaultSeverity: "info",
    priority: "optimizer-choice",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds plain SGD without momentum training a deep network.",
      whatItDoes:
        "Reports `SGD` (torch, apex `FusedSGD`, and configs that build it: mmengine `type='SGD'`, Hydra, the HF Trainer's `optim='sgd'`) whose momentum is known to be 0, written or by default, or below 0.01 (a momentum that small averages almost nothing; `momentum=5e-4` is usually a weight decay typed in the wrong place), when the parameters it trains belong to a deep network the code shows: a CNN (torchvision or timm CNNs, two or more `nn.Conv*` layers), a transformer, or an MLP of three or more `nn.Linear` layers. Recurrent networks (`nn.LSTM`, `nn.GRU`, `nn.RNN` and their `*Cell` layers, or a class named for one, such as `TreeLSTMCell` or `CharRNN`, whose `nn.Linear` layers are the gates of one step rather than a stack), GANs, RL agents and sparse embeddings are left alone, and so is any model the code does not tie to the optimizer, such as a linear or convex model. Momentum that parameter groups set themselves, or that may come from an unresolved `**kwargs`, is not judged. " +
        CHECKPOINT_NOTE +
        " The default severity is info: plain SGD is a judgement call, and some studies use it on purpose.",
      whyBad:
        "Without momentum, SGD follows each mini-batch gradient on its own: it zig-zags across narrow valleys of the loss and crawls along their floor, which is the usual shape of a deep network's loss. Momentum averages successive gradients, so the oscillating components cancel and the consistent direction accumulates; Nesterov momentum also corrects earlier when it overshoots. Vision and transformer recipes that use SGD pair it with momentum 0.9 and Nesterov.",
      badExample: "import torch\nimport torchvision\n\nmodel = torchvision.models.resnet50()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n",
      goodExample:
        "import torch\nimport torchvision\n\nmodel = torchvision.models.resnet50()\noptimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)\n",
      severityRationale:
        "info: plain SGD can train a deep network with enough tuning; the finding is advice tied to a model kind read from names and layers, so it does not fail a run.",
      fixSafety:
        "Never applied by `--fix`: the suggestion sets `momentum=0.9` and `nesterov=True`. With momentum 0.9 each gradient acts about ten times over, so the same learning rate takes steps about ten times larger: lower the learning rate about tenfold and re-tune it. For the HF Trainer, which passes SGD only the learning rate and weight decay, the message names `optim_args` instead of an edit. The simulation compares the settings at the same effective step (the learning rate divided by ten after the change).",
      configExample: { language: "yaml", code: "optimizer:\n  _target_: torch.optim.SGD\n  lr: 0.1\nmodel:\n  _target_: torchvision.models.resnet50\n" },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "sgd" || valuesReplacedByCheckpoint(site) || groupsOverride(site, "momentum")) continue;
      if (site.params.kind === "groups" && site.params.keys.includes("momentum")) continue;
      const momentum = effectiveNumber(site, info, "momentum");
      if (momentum === undefined || momentum < 0 || momentum >= NEGLIGIBLE_MOMENTUM) continue;
      const kinds = modelKindsOf(ctx.facts, site);
      if (kinds.has("rnn") || kinds.has("gan") || kinds.has("rl-policy") || kinds.has("sparse-embedding")) continue;
      const deep = firstKind(kinds, ["cnn", "transformer", "mlp"]);
      if (!deep) continue;
      const momentumArg = site.args.get("momentum");
      const written = !momentumArg ? "no momentum" : momentum > 0 ? `momentum=${formatNumber(momentum)}${provenance(momentumArg.value)}, which averages almost nothing (a weight decay value in the momentum slot?),` : `momentum=${formatNumber(momentum)}${provenance(momentumArg.value)}`;
      const hf = site.dialect === "transformers";
      const report: Report = {
        span: site.span,
        reads: [{ site: site.id, name: "momentum" }],
        message: `${className(info)} with ${written} trains a deep network (${deep.description}); plain SGD oscillates across narrow valleys of the loss and converges slowly: use momentum=${MOMENTUM} with nesterov=True${hf ? ` (optim_args="momentum=${MOMENTUM},nesterov=True")` : ""}, and lower the learning rate about tenfold, since momentum multiplies the effective step, then re-tune it.`,
        related: [kindNote(deep), ...originNotes("momentum", momentumArg?.value)],
        suggestions: [
          {
            desc: `Set momentum=${MOMENTUM} and nesterov=True (then re-tune the learning rate)`,
            requests: hf
              ? []
              : [
                  { kind: "set-argument", site: site.id, name: "momentum", value: MOMENTUM },
                  { kind: "set-argument", site: site.id, name: "nesterov", value: true },
                ],
          },
        ],
      };
      const lr = effectiveNumber(site, info, "lr");
      // Same effective step (lr / (1 - momentum)) before and after, so the comparison shows momentum, not a larger step.
      report.settingsChange = settingsChange(site, info, { momentum: MOMENTUM, nesterov: true, ...(lr !== undefined ? { lr: Number((lr * (1 - MOMENTUM)).toPrecision(6)) } : {}) });
      ctx.report(report);
    }
  },
};
