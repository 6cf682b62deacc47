/**
 * The one recognizer of optimizer constructions in config trees. Every dialect reaches it as the same
 * neutral tree (a `mapping` ResolvedValue): a YAML mapping, a JSON object, a Python dict literal or the
 * keyword arguments of a call such as `TrainingArguments(...)`. It returns facts the rules read, and
 * leaves with each site what the file's adapter needs to edit it in its own syntax.
 */
import type { ArgumentFact, MappingEntry, OptimizerSite, ResolvedValue, SchedulerFact, Span } from "../core/facts.js";
import { optimizerByName, type OptimizerInfo } from "../knowledge/optimizers.js";

/** A mapping value (the neutral config tree node). */
export type MappingValue = ResolvedValue & { value: { kind: "mapping" } };

/** What the file's adapter needs to make fix requests on a config site; kept as the site's `adapterData`. */
export interface ConfigSiteData {
  /** The mapping that holds the optimizer's arguments: where `set-argument` replaces or adds a key. */
  args: MappingValue;
  /** How this dialect writes another optimizer's name (for `rename-optimizer`), or undefined when it has none. */
  nameFor(canonical: string): string | undefined;
  /** The key this dialect uses for a canonical argument name (HF writes `learning_rate` for `lr`). */
  keyFor(argument: string): string;
}

export interface ConfigContext {
  /** The file the tree was read from: site ids are `<file>#<n>`. */
  filePath: string;
}

/** What the recognizer found in a tree. */
export interface ConfigFacts {
  optimizers: OptimizerSite[];
  schedulers: SchedulerFact[];
}

/** Whether a value is a mapping. */
export function isMapping(value: ResolvedValue | undefined): value is MappingValue {
  return value?.value.kind === "mapping";
}

/** The entry of a mapping under a key (the last one wins, as in YAML, JSON and Python dicts). */
export function entryOf(mapping: MappingValue, key: string): MappingEntry | undefined {
  const entries = mapping.value.kind === "mapping" ? mapping.value.entries : [];
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].key === key) return entries[i];
  return undefined;
}

/** A string-valued entry. */
function stringAt(mapping: MappingValue, key: string): string | undefined {
  const v = entryOf(mapping, key)?.value.value;
  return v?.kind === "string" ? v.value : undefined;
}

/** The arguments of a construction, read from a mapping's entries against the optimizer's signature. */
function argumentsFrom(mapping: MappingValue, info: OptimizerInfo, keyFor: (argument: string) => string): Map<string, ArgumentFact> {
  const args = new Map<string, ArgumentFact>();
  for (const name of info.signature) {
    const entry = entryOf(mapping, keyFor(name));
    if (entry) args.set(name, { name, value: entry.value, span: entry.span, how: "keyword" });
  }
  return args;
}

/** Builds a site for an optimizer named in a mapping. */
function site(
  ctx: ConfigContext,
  id: number,
  info: OptimizerInfo,
  whole: ResolvedValue,
  nameSpan: Span,
  args: MappingValue,
  dialect: string,
  nameFor: (canonical: string) => string | undefined,
  keyFor: (argument: string) => string = (a) => a,
): OptimizerSite {
  const data: ConfigSiteData = { args, nameFor, keyFor };
  return {
    id: `${ctx.filePath}#${id}`,
    canonical: info.canonical,
    span: whole.span,
    nameSpan,
    args: argumentsFrom(args, info, keyFor),
    hasUnresolvedSpread: args.value.kind === "mapping" && args.value.open === true,
    params: { kind: "missing" },
    dialect,
    adapterData: data,
  };
}

/** Every mapping in a tree, depth first, with the key that leads to it. */
function* mappings(value: ResolvedValue, key?: string): Generator<{ mapping: MappingValue; key?: string }> {
  if (isMapping(value)) {
    yield { mapping: value, key };
    for (const entry of value.value.kind === "mapping" ? value.value.entries : []) yield* mappings(entry.value, entry.key);
  } else if (value.value.kind === "sequence") {
    for (const item of value.value.items) yield* mappings(item, key);
  }
}

/**
 * Optimizer constructions in a config tree. This core knows Hydra `_target_`; the other dialects
 * (mmengine `type=`, Lightning `class_path`, DeepSpeed, NeoX, fairseq, HF, axolotl, timm) extend it.
 */
export function recognizeConfig(root: ResolvedValue, ctx: ConfigContext): ConfigFacts {
  const optimizers: OptimizerSite[] = [];
  for (const { mapping } of mappings(root)) {
    const target = entryOf(mapping, "_target_");
    const path = stringAt(mapping, "_target_");
    const info = path ? optimizerByName(path) : undefined;
    if (target && info) {
      optimizers.push(site(ctx, optimizers.length, info, mapping, target.value.span, mapping, "hydra", (c) => c));
    }
  }
  return { optimizers, schedulers: [] };
}
