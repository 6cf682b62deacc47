import type { FixRequest, Report, Rule } from "../src/core/types.js";
import type { CheckpointFact, OptimizerSite, TrainingFacts } from "../src/core/facts.js";
import { className } from "./util.js";

/** The constructions the file steps itself, in file order. */
function steppedSites(facts: TrainingFacts): OptimizerSite[] {
  const stepped = new Set((facts.loops ?? []).filter((l) => l.steppedAt.length > 0 && l.optimizerSite).map((l) => l.optimizerSite!));
  return facts.optimizers.filter((s) => stepped.has(s.id) && s.dialect === undefined);
}

/** Whether any load or save in the file carries optimizer state (or a whole training state). */
function handlesOptimizerState(checkpoints: CheckpointFact[], kind: "load" | "save"): boolean {
  return checkpoints.some((c) => c.kind === kind && (c.state === "optimizer" || c.state === "training" || (kind === "save" && c.includesOptimizerState !== false)));
}

export const resumeWithoutOptimizerState: Rule<Record<string, never>> = {
  meta: {
    code: "OPT007",
    name: "resume-without-optimizer-state",
    type: "problem",
    defaultSeverity: "warning",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds training that resumes from a checkpoint but restarts the optimizer's state from zero.",
      whatItDoes:
        "Looks at scripts that build an optimizer and step it in their own loop, and that resume an earlier run: they read a step or epoch counter back from a loaded checkpoint (`start_epoch = checkpoint[\"epoch\"]`), or load weights under a condition that names resuming (`if args.resume:`, but not `if not args.resume:`, `if args.resume is None:` or the `else` after it), directly or in a function of the same file that is called under one (`self.restore_model(...)` inside `if self.resume_iters:`). A model class that builds and steps its optimizers also inherits what the methods of its project base classes in other modules load and save (in Python's method resolution order, the first definition winning; nothing past a base class optim-lint cannot read), so a `BaseModel` that resumes only the networks is reported where it loads them. Such a script is reported at the model's `load_state_dict` when nothing in it restores an optimizer (`optimizer.load_state_dict`, a helper handed the optimizer, accelerate `load_state`, Lightning `ckpt_path`, HF `resume_from_checkpoint`). A script that resumes and restores the optimizer from a checkpoint that its own saves never fill is reported at the save that leaves the optimizer out; an `optimizer.state_dict()` taken outside any save the file shows (a dict handed to a logger, or to a checkpoint helper such as `save_checkpoint({...})`) counts as a save of that state, so a weights-only export beside it is left alone. Fine-tuning is left alone: a load with `strict=False`, a load into a submodule (`model.backbone`), weights filtered before loading, a new head assigned after loading, or `from_pretrained` anywhere in the file keep the rule silent, since a new task starts with a fresh optimizer on purpose. Framework configs are not read: the trainers that resume from them (Lightning, HF, mmengine) restore the optimizer themselves. The severity is `warning`: a resumed run that silently differs from an uninterrupted one is a bug, but the script still trains. No `optim-lint simulate` comparison is attached: the reference runs start from scratch and have no checkpoint to resume.",
      whyBad:
        "An optimizer's state is part of where training stands: SGD's momentum buffers, Adam's first and second moments and its step count (which drives bias correction), and the scheduler's position. A run that restores the weights and the epoch counter but builds a fresh optimizer restarts Adam with zero moments and a step count of one, so the first updates after resuming are rescaled by bias correction on fresh statistics and often spike the loss; SGD loses its velocity. The result differs from an uninterrupted run, silently, every time the job is preempted.",
      badExample:
        "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\nif args.resume:\n    checkpoint = torch.load(args.resume)\n    model.load_state_dict(checkpoint[\"model\"])\n    start_epoch = checkpoint[\"epoch\"] + 1\nfor epoch in range(start_epoch, args.epochs):\n    train_one_epoch(model, loader)\n    optimizer.step()\n",
      goodExample:
        "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3)\nif args.resume:\n    checkpoint = torch.load(args.resume)\n    model.load_state_dict(checkpoint[\"model\"])\n    optimizer.load_state_dict(checkpoint[\"optimizer\"])\n    start_epoch = checkpoint[\"epoch\"] + 1\nfor epoch in range(start_epoch, args.epochs):\n    train_one_epoch(model, loader)\n    optimizer.step()\n",
      severityRationale:
        "warning: a resumed run that starts its moments and momentum from zero usually shows a loss spike and may drift from the run it continues, a likely bug; a deliberate optimizer reset is rare but possible, so it does not stop the build as an error would.",
      fixSafety:
        "Never fixed automatically, only suggested: restoring the optimizer needs its state in the checkpoint, which older checkpoints may lack. The suggestion loads it from the same checkpoint as the model (`optimizer.load_state_dict(checkpoint[\"optimizer\"])`, after the model load, or after the construction when that comes later in the same block) and, when the script's own save writes a dict literal without it, adds `\"optimizer\": optimizer.state_dict()` to that save too. It is offered only when the model's weights come from a key of a loaded checkpoint and the optimizer is assigned to a name.",
    },
  },
  // Every finding is about a checkpoint load or save, in a file that steps an optimizer it constructs.
  needs: ["checkpoints"],
  needsAlso: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const { facts } = ctx;
    const resume = facts.resume;
    const checkpoints = facts.checkpoints ?? [];
    if (!resume || resume.fineTuning.length > 0) return;
    const sites = steppedSites(facts);
    if (sites.length === 0) return;
    const site = sites[0];
    const info = ctx.knowledge.optimizer(site.canonical);
    const name = info ? className(info) : "the optimizer";
    const counters = resume.evidence.filter((e) => e.kind === "counter");
    const flagged = resume.evidence.filter((e) => e.kind === "flag");
    if (counters.length === 0 && flagged.length === 0) return;
    const modelLoads = checkpoints.filter((c) => c.kind === "load" && c.state === "model" && !c.partial);
    // Only loads that resume: under a resume condition, or any model load when a counter is read back.
    const resuming = counters.length > 0 ? modelLoads : modelLoads.filter((c) => flagged.some((f) => f.span.start === c.span.start && f.span.end === c.span.end));
    const emptySaves = checkpoints.filter((c) => c.kind === "save" && c.includesOptimizerState === false);
    const savesState = handlesOptimizerState(checkpoints, "save");
    const why = [...new Map([...counters, ...flagged].map((e) => [e.description, { span: e.span, message: `the run resumes: ${e.description}` }])).values()];
    const lost = info?.family === "sgd" || info?.family === "lars" ? "its momentum buffers restart from zero" : info?.family === "adam" || info?.family === "lamb" ? "its moment estimates and step count restart from zero" : "its running statistics restart from scratch";
    if (!handlesOptimizerState(checkpoints, "load")) {
      const load = resuming[0];
      if (!load) return;
      const restore: FixRequest = { kind: "restore-optimizer-state", load: load.span, site: site.id };
      const report: Report = {
        span: load.span,
        message: `This run resumes from a checkpoint and restores the model, but never restores ${name}'s state: ${lost}, so training after a resume differs from an uninterrupted run; ${savesState ? "load the optimizer's saved state back as well" : "save the optimizer's state_dict() with the checkpoint and load it back here"}.`,
        related: why,
        suggestions: [],
      };
      const save = emptySaves[0];
      if (save && !savesState) {
        report.related!.push({ span: save.span, message: "this save leaves the optimizer's state out" });
        report.suggestions!.push({ desc: "Save the optimizer's state and restore it after the model", requests: [{ kind: "save-optimizer-state", save: save.span, site: site.id }, restore] });
      }
      report.suggestions!.push({ desc: "Restore the optimizer's state after the model", requests: [restore] });
      ctx.report(report);
      return;
    }
    // The optimizer is restored, but from what? No save of this script writes it.
    if (savesState || emptySaves.length === 0) return;
    for (const save of emptySaves) {
      ctx.report({
        span: save.span,
        message: `This script resumes and restores ${name}'s state from its checkpoint, but this save leaves that state out, so a run resumed from it cannot restore the optimizer; add the optimizer's state_dict() to what is saved.`,
        related: why,
        suggestions: [{ desc: "Save the optimizer's state with the checkpoint", requests: [{ kind: "save-optimizer-state", save: save.span, site: site.id }] }],
      });
    }
  },
};
