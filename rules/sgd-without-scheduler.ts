import type { Report, Rule } from "../src/core/types.js";
import { asNumber, lrSchedule } from "../src/core/facts.js";
import { LONG_RUN } from "../src/knowledge/training.js";
import { className, formatNumber, provenance, valuesReplacedByCheckpoint } from "./util.js";

export const sgdWithoutScheduler: Rule<Record<string, never>> = {
  meta: {
    code: "OPT017",
    name: "sgd-without-scheduler",
    type: "suggestion",
    defaultSeverity: "info",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds SGD trained for many epochs or steps at a constant learning rate.",
      whatItDoes: `Reports an SGD-family optimizer that the script steps in its own loop for a known length of at least ${LONG_RUN.epochs} epochs or ${LONG_RUN.steps} steps (the bound of the \`for epoch in range(...)\` loop around the step, or around the call of the function that steps; \`max_epochs\`/\`max_iters\` of an mmengine config without a \`_base_\`), when no scheduler is built on it and the file writes no lr into a parameter group. It stays silent whenever the lr logic is not fully visible: a scheduler built on an optimizer the analysis cannot pin down, an mmengine config whose \`default_hooks.param_scheduler\` is a hook of its own (mmyolo's \`YOLOv5ParamSchedulerHook\` sets the lr itself), the optimizer handed to any helper that might set its lr (\`adjust_learning_rate(optimizer, epoch)\` from another module), a training loop of unknown length, an optimizer built again on each pass of the loop (or in the function the loop calls) with an lr that is not a known number (the pass may compute it from the epoch), or a trainer that steps the optimizer itself. The severity is \`info\`: a constant rate is sometimes deliberate (short fine-tuning, online learning), and it is a missed improvement rather than a bug. No \`optim-lint simulate\` comparison is attached: the reference runs take optimizer settings only, not a schedule.`,
      whyBad: `${LONG_RUN.rationale} Decaying the rate late in training lets SGD settle into the minimum it has been bouncing around, which is often worth several points of accuracy.`,
      badExample:
        "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\nfor epoch in range(90):\n    for x, y in loader:\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n        optimizer.step()\n",
      goodExample:
        "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\nscheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=90)\nfor epoch in range(90):\n    for x, y in loader:\n        optimizer.zero_grad()\n        loss_fn(model(x), y).backward()\n        optimizer.step()\n    scheduler.step()\n",
      severityRationale:
        "info: a constant learning rate is sometimes deliberate (short fine-tuning, online learning); leaving out a decay costs accuracy rather than breaking training, so the finding is advice.",
      fixSafety:
        "Never fixed automatically: a schedule changes the dynamics of the whole run. The suggestion builds `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=<the loop's length>)` after the optimizer and steps it at the end of each epoch (or after each optimizer step for a step loop); it is offered only when `torch` is imported as a module, the loop runs after the construction in the same function, and a name for the scheduler is free. Step decay (`MultiStepLR` at 30%/60%/90% of training) is the other common choice.",
      configExample: {
        language: "python",
        code: "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))\ntrain_cfg = dict(by_epoch=True, max_epochs=100)\n",
      },
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const { facts } = ctx;
    for (const site of facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      if (!info || info.family !== "sgd" || valuesReplacedByCheckpoint(site)) continue;
      const loop = facts.loops?.find((l) => l.optimizerSite === site.id) ?? facts.loops?.find((l) => l.optimizerSite === undefined && site.dialect !== undefined);
      if (!loop || (loop.steppedBy === "code" && loop.steppedAt.length === 0)) continue;
      if (lrSchedule(facts, site.id) !== "fixed") continue;
      const epochs = asNumber(loop.epochs);
      const steps = asNumber(loop.steps);
      const long = epochs !== undefined && epochs >= LONG_RUN.epochs ? { count: epochs, unit: "epochs", value: loop.epochs! } : steps !== undefined && steps >= LONG_RUN.steps ? { count: steps, unit: "steps", value: loop.steps! } : undefined;
      if (!long) continue;
      const lr = site.args.get("lr");
      const lrText = lr && asNumber(lr.value) !== undefined ? ` lr=${formatNumber(asNumber(lr.value)!)}${provenance(lr.value)}` : " learning rate";
      const report: Report = {
        span: site.nameSpan,
        message: `${className(info)} trains for ${formatNumber(long.count)} ${long.unit}${provenance(long.value)} at a constant${lrText}, with no scheduler and no lr decay; decay the rate (cosine annealing, or step decay at fixed epochs) so that SGD can settle in the minimum late in training.`,
        related: [{ span: long.value.origin?.span ?? long.value.span, message: `the run lasts ${formatNumber(long.count)} ${long.unit}` }],
      };
      if (loop.steppedBy === "code") {
        report.suggestions = [
          {
            desc: `Anneal the lr with CosineAnnealingLR over the ${long.unit}`,
            requests: [{ kind: "add-lr-scheduler", site: site.id, loop: long.value.span, per: long.unit === "epochs" ? "epoch" : "step" }],
          },
        ];
      }
      ctx.report(report);
    }
  },
};
