/**
 * Moves every span of a fact structure from one text's offsets to another's (a notebook's Python view to
 * the .ipynb file). The traversal is typed field by field: a new kind of fact must say here how its spans
 * move, or the build fails.
 */
import type {
  ArgumentFact,
  BatchFacts,
  DistributedFacts,
  ModelHints,
  OptimizerSite,
  ParamGroupFact,
  ParamsFact,
  ResolvedValue,
  Span,
  TrainingFacts,
} from "./facts.js";

export type SpanMap = (span: Span) => Span;

/** Whether two spans cover the same text of the same file. */
export function sameSpan(a: Span, b: Span): boolean {
  return a.start === b.start && a.end === b.end && a.file === b.file;
}

/** `map` restricted to spans of the text being mapped: a span that names another file stays where it is. */
function ownSpans(map: SpanMap): SpanMap {
  return (span) => (span.file === undefined ? map(span) : span);
}

/** A resolved value with its use-site, origin and literal spans moved, and those of its items and entries (spans into other files are kept). */
export function mapValueSpans(value: ResolvedValue, map: SpanMap): ResolvedValue {
  return valueSpans(value, ownSpans(map));
}

/** A resolved value with every span moved by `map`, spans into other files included (a value handed to another file's adapter). */
export function mapEveryValueSpan(value: ResolvedValue, map: SpanMap): ResolvedValue {
  return valueSpans(value, map);
}

/** The internal traversals apply `map` to every span they meet; the exported entry points choose which spans `map` moves. */
function valueSpans(value: ResolvedValue, map: SpanMap): ResolvedValue {
  const v = value.value;
  const inner: ResolvedValue["value"] =
    v.kind === "sequence"
      ? { kind: "sequence", items: v.items.map((item) => valueSpans(item, map)) }
      : v.kind === "mapping"
        ? { ...v, entries: v.entries.map((e) => ({ ...e, keySpan: map(e.keySpan), span: map(e.span), value: valueSpans(e.value, map) })) }
        : v;
  return {
    ...value,
    value: inner,
    span: map(value.span),
    ...(value.origin ? { origin: { ...value.origin, span: map(value.origin.span) } } : {}),
    ...(value.literalSpan ? { literalSpan: map(value.literalSpan) } : {}),
  };
}

function mapGroup(g: ParamGroupFact, map: SpanMap): ParamGroupFact {
  return { ...g, span: map(g.span), values: new Map([...g.values].map(([k, v]) => [k, valueSpans(v, map)])) };
}

function mapParams(params: ParamsFact, map: SpanMap): ParamsFact {
  switch (params.kind) {
    case "missing":
      return params;
    case "groups":
      return { ...params, span: map(params.span), groups: params.groups.map((g) => mapGroup(g, map)) };
    case "whole-model":
      return { ...params, span: map(params.span), ...(params.trainable ? { trainable: map(params.trainable) } : {}) };
    default:
      return { ...params, span: map(params.span) };
  }
}

/** A site with every span moved by `map`, spans into other files included (the project pass re-homes a site with it). */
export function mapEverySiteSpan(site: OptimizerSite, map: SpanMap): OptimizerSite {
  return mapSite(site, map);
}

function mapSite(site: OptimizerSite, map: SpanMap): OptimizerSite {
  const args = new Map<string, ArgumentFact>();
  for (const [name, arg] of site.args) args.set(name, { ...arg, span: map(arg.span), value: valueSpans(arg.value, map) });
  // `builtFrom` is kept as is: its site lies in its own file's offsets, never in the text being mapped.
  const moved: OptimizerSite = { ...site, span: map(site.span), nameSpan: map(site.nameSpan), args, params: mapParams(site.params, map) };
  if (site.stateRestored) moved.stateRestored = { ...site.stateRestored, span: map(site.stateRestored.span) };
  if (site.addedGroups) moved.addedGroups = site.addedGroups.map((g) => mapGroup(g, map));
  return moved;
}

function mapDistributed(d: DistributedFacts, map: SpanMap): DistributedFacts {
  return {
    evidence: d.evidence.map((e) => ({ ...e, span: map(e.span) })),
    batchScaledByWorldSize: d.batchScaledByWorldSize.map((s) => map(s)),
    lrScaledByWorldSize: d.lrScaledByWorldSize.map((s) => map(s)),
  };
}

function mapHints(h: ModelHints, map: SpanMap): ModelHints {
  return {
    freezesParameters: h.freezesParameters.map((s) => map(s)),
    ...(h.scopedFreezes ? { scopedFreezes: h.scopedFreezes.map((f) => ({ span: map(f.span), sites: [...f.sites] })) } : {}),
    ...(h.summedLosses ? { summedLosses: h.summedLosses.map((s) => map(s)) } : {}),
    ...(h.kinds ? { kinds: h.kinds.map((k) => ({ ...k, span: map(k.span) })) } : {}),
  };
}

/** How each field of TrainingFacts moves; the mapped type makes a missing field a compile error. */
const FIELDS: { [K in keyof TrainingFacts]-?: (value: TrainingFacts[K], map: SpanMap) => TrainingFacts[K] } = {
  optimizers: (sites, map) => sites.map((s) => mapSite(s, map)),
  distributed: mapDistributed,
  schedulers: (list, map) => list.map((s) => ({ ...s, span: map(s.span) })),
  lrWrites: (list, map) => list.map((w) => ({ ...w, span: map(w.span), value: valueSpans(w.value, map) })),
  modelHints: mapHints,
  checkpoints: (list, map) => list?.map((c) => ({ ...c, span: map(c.span) })),
  testCode: (list, map) => list?.map((s) => map(s)),
  // Ids only: nothing to move.
  exclusive: (pairs) => pairs,
  precision: (list, map) => list?.map((p) => ({ ...p, span: map(p.span) })),
  resume: (r, map) =>
    r && {
      evidence: r.evidence.map((e) => ({ ...e, span: map(e.span) })),
      fineTuning: r.fineTuning.map((e) => ({ ...e, span: map(e.span) })),
    },
  batch: (b, map) => {
    if (!b) return b;
    const out: BatchFacts = {};
    for (const key of ["perDevice", "accumulation", "worldSize", "global"] as const) {
      const value = b[key];
      if (value) out[key] = valueSpans(value, map);
    }
    return out;
  },
  loops: (list, map) =>
    list?.map((l) => ({
      ...l,
      steppedAt: l.steppedAt.map((s) => map(s)),
      opaqueUses: l.opaqueUses.map((s) => map(s)),
      ...(l.epochs ? { epochs: valueSpans(l.epochs, map) } : {}),
      ...(l.steps ? { steps: valueSpans(l.steps, map) } : {}),
    })),
  manualAdam: (list, map) =>
    list?.map((u) => ({ ...u, span: map(u.span), firstMoment: map(u.firstMoment), secondMoment: map(u.secondMoment) })),
};

/** The facts with every span of their own text moved by `map` (spans into other files are kept). */
export function mapFactSpans(facts: TrainingFacts, map: SpanMap): TrainingFacts {
  const own = ownSpans(map);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FIELDS) as (keyof TrainingFacts)[]) {
    const field = FIELDS[key] as (value: unknown, map: SpanMap) => unknown;
    if (facts[key] !== undefined) out[key] = field(facts[key], own);
  }
  return out as unknown as TrainingFacts;
}
