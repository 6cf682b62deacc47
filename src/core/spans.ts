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
  ParamsFact,
  ResolvedValue,
  Span,
  TrainingFacts,
} from "./facts.js";

export type SpanMap = (span: Span) => Span;

/** Set while `mapEverySiteSpan` runs: spans into other files are moved too. */
let everySpan = false;

/** A span moved, keeping the file it names (spans into other files are not moved). */
function move(span: Span, map: SpanMap): Span {
  return span.file === undefined || everySpan ? map(span) : span;
}

/** A resolved value with its use-site, origin and literal spans moved, and those of its items and entries. */
export function mapValueSpans(value: ResolvedValue, map: SpanMap): ResolvedValue {
  const v = value.value;
  const inner: ResolvedValue["value"] =
    v.kind === "sequence"
      ? { kind: "sequence", items: v.items.map((item) => mapValueSpans(item, map)) }
      : v.kind === "mapping"
        ? { ...v, entries: v.entries.map((e) => ({ ...e, keySpan: move(e.keySpan, map), span: move(e.span, map), value: mapValueSpans(e.value, map) })) }
        : v;
  return {
    ...value,
    value: inner,
    span: move(value.span, map),
    ...(value.origin ? { origin: { ...value.origin, span: move(value.origin.span, map) } } : {}),
    ...(value.literalSpan ? { literalSpan: move(value.literalSpan, map) } : {}),
  };
}

function mapParams(params: ParamsFact, map: SpanMap): ParamsFact {
  switch (params.kind) {
    case "missing":
      return params;
    case "groups":
      return {
        ...params,
        span: move(params.span, map),
        groups: params.groups.map((g) => ({ ...g, span: move(g.span, map), values: new Map([...g.values].map(([k, v]) => [k, mapValueSpans(v, map)])) })),
      };
    default:
      return { ...params, span: move(params.span, map) };
  }
}

/** A site with every span moved by `map`, spans into other files included (the project pass re-homes a site with it). */
export function mapEverySiteSpan(site: OptimizerSite, map: SpanMap): OptimizerSite {
  everySpan = true;
  try {
    return mapSite(site, map);
  } finally {
    everySpan = false;
  }
}

function mapSite(site: OptimizerSite, map: SpanMap): OptimizerSite {
  const args = new Map<string, ArgumentFact>();
  for (const [name, arg] of site.args) args.set(name, { ...arg, span: move(arg.span, map), value: mapValueSpans(arg.value, map) });
  const moved: OptimizerSite = { ...site, span: move(site.span, map), nameSpan: move(site.nameSpan, map), args, params: mapParams(site.params, map) };
  if (site.stateRestored) moved.stateRestored = { ...site.stateRestored, span: move(site.stateRestored.span, map) };
  return moved;
}

function mapDistributed(d: DistributedFacts, map: SpanMap): DistributedFacts {
  return {
    evidence: d.evidence.map((e) => ({ ...e, span: move(e.span, map) })),
    batchScaledByWorldSize: d.batchScaledByWorldSize.map((s) => move(s, map)),
    lrScaledByWorldSize: d.lrScaledByWorldSize.map((s) => move(s, map)),
  };
}

function mapHints(h: ModelHints, map: SpanMap): ModelHints {
  return {
    freezesParameters: h.freezesParameters.map((s) => move(s, map)),
    ...(h.kinds ? { kinds: h.kinds.map((k) => ({ ...k, span: move(k.span, map) })) } : {}),
  };
}

/** How each field of TrainingFacts moves; the mapped type makes a missing field a compile error. */
const FIELDS: { [K in keyof TrainingFacts]-?: (value: TrainingFacts[K], map: SpanMap) => TrainingFacts[K] } = {
  optimizers: (sites, map) => sites.map((s) => mapSite(s, map)),
  distributed: mapDistributed,
  schedulers: (list, map) => list.map((s) => ({ ...s, span: move(s.span, map) })),
  lrWrites: (list, map) => list.map((w) => ({ ...w, span: move(w.span, map), value: mapValueSpans(w.value, map) })),
  modelHints: mapHints,
  checkpoints: (list, map) => list?.map((c) => ({ ...c, span: move(c.span, map) })),
  testCode: (list, map) => list?.map((s) => move(s, map)),
  precision: (list, map) => list?.map((p) => ({ ...p, span: move(p.span, map) })),
  resume: (r, map) =>
    r && {
      evidence: r.evidence.map((e) => ({ ...e, span: move(e.span, map) })),
      fineTuning: r.fineTuning.map((e) => ({ ...e, span: move(e.span, map) })),
    },
  batch: (b, map) => {
    if (!b) return b;
    const out: BatchFacts = {};
    for (const key of ["perDevice", "accumulation", "worldSize", "global"] as const) {
      const value = b[key];
      if (value) out[key] = mapValueSpans(value, map);
    }
    return out;
  },
  loops: (list, map) =>
    list?.map((l) => ({
      ...l,
      steppedAt: l.steppedAt.map((s) => move(s, map)),
      opaqueUses: l.opaqueUses.map((s) => move(s, map)),
      ...(l.epochs ? { epochs: mapValueSpans(l.epochs, map) } : {}),
      ...(l.steps ? { steps: mapValueSpans(l.steps, map) } : {}),
    })),
  manualAdam: (list, map) =>
    list?.map((u) => ({ ...u, span: move(u.span, map), firstMoment: move(u.firstMoment, map), secondMoment: move(u.secondMoment, map) })),
};

/** The facts with every span moved by `map`. */
export function mapFactSpans(facts: TrainingFacts, map: SpanMap): TrainingFacts {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FIELDS) as (keyof TrainingFacts)[]) {
    const field = FIELDS[key] as (value: unknown, map: SpanMap) => unknown;
    if (facts[key] !== undefined) out[key] = field(facts[key], map);
  }
  return out as unknown as TrainingFacts;
}
