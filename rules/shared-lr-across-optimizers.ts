import type { Rule } from "../src/core/types.js";
import type { ArgumentFact, OptimizerSite, Span } from "../src/core/facts.js";
import type { LrRange, OptimizerInfo } from "../src/knowledge/index.js";
import { LR_FAMILY_GAP } from "../src/knowledge/training.js";
import { className, exclusivePair, formatNumber, groupsOverride, provenance, settingsChange, valuesReplacedByCheckpoint } from "./util.js";

/** Where an lr value comes from: its definition (a flag, a constant), or nothing when it is a literal at the call. */
function originKey(arg: ArgumentFact): string | undefined {
  const span: Span | undefined = arg.value.origin?.span;
  return span ? `${span.file ?? ""}:${span.start}:${span.end}` : undefined;
}

/** The geometric centre of a range, to compare how far apart two families' ranges are. */
function centre(range: LrRange): number {
  return Math.sqrt(range.low * range.high);
}

interface Candidate {
  site: OptimizerSite;
  info: OptimizerInfo;
  range: LrRange;
  arg: ArgumentFact;
  lr: number;
}

export const sharedLrAcrossOptimizers: Rule<Record<string, never>> = {
  meta: {
    code: "OPT008",
    name: "shared-lr-across-optimizers",
    type: "problem",
    defaultSeverity: "warning",
    priority: "learning-rate",
    fixable: false,
    hasSuggestions: true,
    docs: {
      summary: "Finds one learning-rate setting handed to optimizers whose families need rates far apart, such as SGD and Adam.",
      whatItDoes:
        "Groups the file's optimizer constructions by where their `lr` is defined (the same argparse flag, config field or constant, not merely equal numbers), and reports a construction when its group also holds an optimizer of another family whose typical range (see `lr-out-of-range`) is centred ten times or more away from its own, and the shared value lies outside its family's typical range. A default each run may set (an argparse flag, a config field) shared by alternatives that no run builds together (different branches of one `if`, conditional expression or `match`, a branch that returns or raises and the code after its `if`, separate `if`s that test one setting for different constants (`if args.opt == 'sgd'` then `if args.opt == 'adam'`), helpers called from such branches, or builders in flows nothing in the file joins, such as functions registered for a config option) is left alone: the script picks one, and runs that pick another pass their own rate. A value that fits both ranges (1e-3 for SGD and Adam) is left alone, as are rates that cannot be resolved, rates replaced by every parameter group, and constructions whose settings a checkpoint replaces. The severity is `warning`: one of the two optimizers trains with a rate outside its family's usual range, a likely mistake. `optim-lint simulate` compares the out-of-range optimizer at the shared value and at its family's usual starting value.",
      whyBad:
        "SGD's step is the raw gradient times the lr, while Adam divides by the gradient's running scale, so their useful rates sit orders of magnitude apart (around 0.1 for SGD, around 1e-3 and below for Adam). A GAN, a two-stage schedule or an actor-critic script that hands one `--lr` to both tunes it for one and leaves the other far too fast or too slow, and the instability it causes is then blamed on the model.",
      badExample:
        "import argparse\nimport torch\n\nparser = argparse.ArgumentParser()\nparser.add_argument(\"--lr\", type=float, default=0.1)\nargs = parser.parse_args()\nencoder_opt = torch.optim.SGD(encoder.parameters(), lr=args.lr, momentum=0.9)\nhead_opt = torch.optim.Adam(head.parameters(), lr=args.lr)\n",
      goodExample:
        "import argparse\nimport torch\n\nparser = argparse.ArgumentParser()\nparser.add_argument(\"--lr\", type=float, default=0.1)\nparser.add_argument(\"--head-lr\", type=float, default=1e-3)\nargs = parser.parse_args()\nencoder_opt = torch.optim.SGD(encoder.parameters(), lr=args.lr, momentum=0.9)\nhead_opt = torch.optim.Adam(head.parameters(), lr=args.head_lr)\n",
      configExample: {
        language: "python",
        code: "# mmengine config with one optimizer per submodule: the generator's SGD and the discriminator's Adam share lr\nlr = 0.1\noptim_wrapper = dict(\n    constructor='MultiOptimWrapperConstructor',\n    generator=dict(optimizer=dict(type='SGD', lr=lr, momentum=0.9, nesterov=True)),\n    discriminator=dict(optimizer=dict(type='Adam', lr=lr, betas=(0.5, 0.999))),\n)\n",
      },
      severityRationale:
        "warning: one value cannot suit two families whose working ranges sit ten times apart, so at least one optimizer trains at a rate it was not tuned for; the code may still be intended, so it is not an error.",
      fixSafety:
        "Never fixed automatically: which optimizer the shared value was tuned for is the user's knowledge. The suggestion gives the construction whose range the value misses a literal lr of its own, that family's usual starting value, written at the call only; the shared setting keeps driving the other optimizer. Give that literal a flag of its own afterwards if runs need to change it.",
    },
  },
  // Every finding is about an optimizer construction.
  needs: ["optimizers"],
  defaultOptions: {},
  check(ctx) {
    const groups = new Map<string, Candidate[]>();
    for (const site of ctx.facts.optimizers) {
      const info = ctx.knowledge.optimizer(site.canonical);
      const arg = site.args.get("lr");
      const range = info && ctx.knowledge.lrRange(info.family);
      if (!info || !arg || !range || arg.value.value.kind !== "number" || valuesReplacedByCheckpoint(site) || groupsOverride(site, "lr")) continue;
      const key = originKey(arg);
      if (!key) continue;
      groups.set(key, [...(groups.get(key) ?? []), { site, info, range, arg, lr: arg.value.value.value }]);
    }
    for (const candidates of groups.values()) {
      for (const c of candidates) {
        if (c.lr <= 0 || (c.lr >= c.range.low && c.lr <= c.range.high)) continue;
        // A default each run may set (an argparse flag, a config field) shared by alternatives no run builds together
        // is tuned for the one picked by default; runs that pick another pass their own lr.
        const alternatives = (o: Candidate) => c.arg.value.origin?.overridable === true && exclusivePair(ctx.facts, c.site.id, o.site.id);
        const other = candidates.find((o) => o.info.family !== c.info.family && Math.max(centre(o.range), centre(c.range)) / Math.min(centre(o.range), centre(c.range)) >= LR_FAMILY_GAP && !alternatives(o));
        if (!other) continue;
        const side = c.lr > c.range.high ? "above" : "below";
        ctx.report({
          span: c.arg.span,
          message: `lr=${formatNumber(c.lr)}${provenance(c.arg.value)} is also handed to ${className(other.info)}, but the two need rates in different ranges: ${className(c.info)}'s typical range is ${formatNumber(c.range.low)} to ${formatNumber(c.range.high)}, ${className(other.info)}'s ${formatNumber(other.range.low)} to ${formatNumber(other.range.high)}, and this value is ${side} ${className(c.info)}'s; give each optimizer its own lr.`,
          related: [
            { span: c.arg.value.origin!.span, message: `lr is set here (${c.arg.value.origin!.description}) for both optimizers` },
            { span: other.arg.span, message: `${className(other.info)} takes the same lr here` },
          ],
          suggestions: [
            {
              desc: `Give ${className(c.info)} its own lr of ${formatNumber(c.range.suggested)}`,
              requests: [{ kind: "set-argument", site: c.site.id, name: "lr", value: c.range.suggested, atCall: true }],
            },
          ],
          settingsChange: settingsChange(c.site, c.info, { lr: c.range.suggested }),
        });
      }
    }
  },
};
