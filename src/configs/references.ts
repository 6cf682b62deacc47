/**
 * Values a config reads from elsewhere in the tree it ends up in, resolved once that tree is built: mmengine/mmcv
 * `_base_.x` and `{{_base_.x}}` against the child's merged bases, and OmegaConf/Hydra `${a.b}` / `${..b}`
 * interpolations against the composed config. A read that does not land on a known value stays unknown; a
 * resolved value keeps the place it is used as its span and gains an origin note at the place that defines it.
 */
import path from "node:path";
import type { ConfigReference, MappingEntry, ResolvedValue, Value } from "../core/facts.js";
import { arithmetic } from "../core/arithmetic.js";
import { entryOf, isMapping, type MappingValue } from "./recognize.js";

/** mmengine's placeholder, written whole as a string value (YAML, JSON, or a quoted Python string). */
const BASE_PLACEHOLDER = /^\{\{\s*_base_\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\}\}$/;

/**
 * An OmegaConf interpolation that is a plain path: `${optimizer.lr}` (from the root) or `${.lr}`, `${..lr}` (from
 * the node that holds it, one level up per extra dot). Resolvers (`${oc.env:X}`, `${eval:...}`), list indices and
 * interpolations inside a longer string do not match.
 */
const INTERPOLATION = /^\$\{(\.*)([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\}$/;

/** How deep a chain of interpolations that lead to interpolations is followed. */
const MAX_HOPS = 8;

/** The value at a path of keys in a tree; undefined when a key is absent or a step is not a mapping. */
export function valueAt(tree: ResolvedValue, keys: readonly string[]): ResolvedValue | undefined {
  let at: ResolvedValue | undefined = tree;
  for (const key of keys) {
    if (!isMapping(at)) return undefined;
    at = entryOf(at, key)?.value;
  }
  return at;
}

/** The number a reference computes from the value it reads, or the value itself when it applies no arithmetic. */
function applied(value: Value, ops: BaseReference["ops"]): Value | undefined {
  if (ops.length === 0) return value;
  if (value.kind !== "number") return undefined;
  let n: number | undefined = value.value;
  for (const { op, operand, side } of ops) {
    n = side === "left" ? arithmetic(op, n, operand) : arithmetic(op, operand, n);
    if (n === undefined) return undefined;
  }
  return { kind: "number", value: n };
}

/** Where a value was defined, in words: the file it came from, relative to the host's folder. */
function where(found: ResolvedValue, host: string): string {
  const file = found.origin?.span.file ?? found.span.file;
  return file ? ` in ${path.relative(path.dirname(host), file)}` : "";
}

/** A value read through a reference: used where the reference is written, defined where `found` was. */
function readThrough(use: ResolvedValue, found: ResolvedValue, value: Value, words: string, host: string, direct: boolean): ResolvedValue {
  const out: ResolvedValue = {
    value,
    span: use.span,
    origin: { span: found.origin?.span ?? found.span, description: `${words}${where(found, host)}`, overridable: found.origin?.overridable ?? false },
    dependsOn: [...new Set([...use.dependsOn, ...found.dependsOn])],
  };
  // A fix that changes the value edits it where it is defined (another file's edits are refused there).
  if (direct && found.literalSpan) out.literalSpan = found.literalSpan;
  return out;
}

/** Rebuilds a tree bottom-up through `visit`, which may replace any value (mappings are visited after their entries). */
function rebuild(value: ResolvedValue, visit: (v: ResolvedValue, parents: readonly MappingValue[]) => ResolvedValue, parents: readonly MappingValue[] = []): ResolvedValue {
  const v = value.value;
  if (v.kind === "mapping") {
    const inner = [...parents, value as MappingValue];
    const entries: MappingEntry[] = v.entries.map((e) => ({ ...e, value: rebuild(e.value, visit, inner) }));
    return visit({ ...value, value: { ...v, entries } }, parents);
  }
  if (v.kind === "sequence") return visit({ ...value, value: { kind: "sequence", items: v.items.map((item) => rebuild(item, visit, parents)) } }, parents);
  return visit(value, parents);
}

type BaseReference = ConfigReference & { scheme: "base" };

/** The `_base_` reference a value makes: a Python `_base_.x` read, or a `{{_base_.x}}` placeholder string. */
function baseReference(value: ResolvedValue): BaseReference | undefined {
  const v = value.value;
  if (v.kind === "unknown") return v.reference?.scheme === "base" ? v.reference : undefined;
  const m = v.kind === "string" ? BASE_PLACEHOLDER.exec(v.value) : null;
  return m ? { scheme: "base", path: m[1].split("."), ops: [] } : undefined;
}

/**
 * A child config with its `_base_.x` reads replaced by the values its merged bases hold (`bases`); reads that
 * land on nothing known stay unknown.
 */
export function resolveBaseReferences(own: MappingValue, bases: MappingValue | undefined, host: string): MappingValue {
  return rebuild(own, (value) => {
    const reference = baseReference(value);
    if (!reference) return value;
    const found = bases && valueAt(bases, reference.path);
    const computed = found && applied(found.value, reference.ops);
    if (!found || !computed || computed.kind === "unknown") return { ...value, value: { kind: "unknown" } };
    return readThrough(value, found, computed, `\`_base_.${reference.path.join(".")}\``, host, reference.ops.length === 0);
  }) as MappingValue;
}

/** The interpolation a string value is: its path and how many levels up from the holding node it starts (-1: the root). */
function interpolation(value: ResolvedValue): { keys: string[]; up: number } | undefined {
  const v = value.value;
  const m = v.kind === "unknown" && v.reference?.scheme === "interpolation" ? INTERPOLATION.exec(v.reference.text) : null;
  return m ? { keys: m[2].split("."), up: m[1].length - 1 } : undefined;
}

/**
 * A config with its plain-path interpolations replaced by the values they name. `absolute`: the tree is the whole
 * config (a composed primary), so `${a.b}` reads from its root; otherwise only relative reads (`${.b}`) that stay
 * inside it are resolved. Interpolations that lead to interpolations are followed; cycles and misses stay unknown.
 */
export function resolveInterpolations(root: MappingValue, host: string, absolute: boolean): MappingValue {
  /** The value an interpolation names; `holders` runs from the root to the mapping that holds it. */
  const follow = (value: ResolvedValue, holders: readonly MappingValue[], hops: number): ResolvedValue | undefined => {
    const target = interpolation(value);
    if (!target) return value;
    if (hops >= MAX_HOPS) return undefined;
    if (target.up < 0 && !absolute) return undefined;
    // `${a.b}` starts at the root; `${.b}` at the holding mapping, `${..b}` at its parent.
    const chain = target.up < 0 ? [root] : holders.slice(0, holders.length - target.up);
    if (chain.length === 0) return undefined;
    let at: ResolvedValue = chain[chain.length - 1];
    for (const [i, key] of target.keys.entries()) {
      if (!isMapping(at)) return undefined;
      const next = entryOf(at, key)?.value;
      if (!next) return undefined;
      if (i < target.keys.length - 1) chain.push(next as MappingValue);
      at = next;
    }
    // What it lands on may interpolate in turn, from where that value sits.
    return follow(at, chain, hops + 1);
  };
  // Reads go to the tree as written (the holders handed down are the original mappings), so the order of the walk does not matter.
  return rebuild(root, (value, holders) => {
    if (!interpolation(value)) return value;
    const found = follow(value, holders, 0);
    if (!found || found.value.kind === "unknown") return { ...value, value: { kind: "unknown" } };
    const written = value.value.kind === "unknown" && value.value.reference?.scheme === "interpolation" ? value.value.reference.text : "";
    return readThrough(value, found, found.value, `interpolated by \`${written}\``, host, true);
  }) as MappingValue;
}
