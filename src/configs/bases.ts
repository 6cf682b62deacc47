/**
 * mmengine/mmcv `_base_` inheritance across files: a child config is judged as mmengine's `Config` reads it,
 * with its bases merged in (nested dicts merge, `_delete_=True` replaces, any other value replaces), and every
 * value keeps the file and line that set it.
 */
import path from "node:path";
import type { MappingEntry, OptimizerSite, ResolvedValue, Span } from "../core/facts.js";
import { mapValueSpans } from "../core/spans.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { entryOf, isMapping, recognizeConfig, type ConfigSiteData, type MappingValue } from "./recognize.js";

/** The dialects whose configs inherit through `_base_`. */
const INHERITING = new Set(["mmengine", "mmcv"]);

/** Why a chain of bases could not be read. */
class BaseError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

/** The relative paths a `_base_` value names (a string or a list of strings); undefined when one is not a string. */
function basePaths(value: ResolvedValue): string[] | undefined {
  const v = value.value;
  if (v.kind === "string") return [v.value];
  if (v.kind !== "sequence") return undefined;
  const out: string[] = [];
  for (const item of v.items) {
    if (item.value.kind !== "string") return undefined;
    out.push(item.value.value);
  }
  return out;
}

/** Whether a mapping asks to replace what it inherits (`_delete_=True`). */
function deletes(mapping: MappingValue): boolean {
  const flag = entryOf(mapping, "_delete_")?.value.value;
  return flag?.kind === "bool" && flag.value;
}

/** The mapping without the keys that steer merging. */
function withoutKeys(mapping: MappingValue, keys: readonly string[]): MappingValue {
  if (mapping.value.kind !== "mapping") return mapping;
  return { ...mapping, value: { ...mapping.value, entries: mapping.value.entries.filter((e) => !keys.includes(e.key)) } };
}

/** mmengine's merge of a child mapping over what it inherits. */
export function mergeConfig(base: MappingValue, child: MappingValue): MappingValue {
  if (base.value.kind !== "mapping" || child.value.kind !== "mapping") return child;
  const entries: MappingEntry[] = [...base.value.entries];
  for (const entry of child.value.entries) {
    const at = entries.findIndex((e) => e.key === entry.key);
    const inherited = at >= 0 ? entries[at].value : undefined;
    let value = entry.value;
    if (isMapping(value)) {
      value = isMapping(inherited) && !deletes(value) ? mergeConfig(inherited, withoutKeys(value, ["_delete_"])) : withoutKeys(value, ["_delete_"]);
    }
    const merged = { ...entry, value };
    if (at >= 0) entries[at] = merged;
    else entries.push(merged);
  }
  return { ...child, value: { kind: "mapping", entries, open: base.value.open === true || child.value.open === true } };
}

/** The config root of a file, read by its adapter. */
function rootOf(file: ProjectFile): MappingValue | undefined {
  const root = file.analyzed.configRoots?.[0];
  return isMapping(root) ? root : undefined;
}

/** A file's config with all its bases merged in; spans of values from other files name their file. */
function resolved(project: ProjectContext, filePath: string, root: MappingValue, chain: readonly string[], host: string): MappingValue {
  const base = entryOf(root, "_base_");
  const own = withoutKeys(root, ["_base_"]);
  if (!base) return own;
  const paths = basePaths(base.value);
  if (!paths) throw new BaseError("`_base_` is not a path or a list of paths that can be read without running the config", base.value.span);
  let merged: MappingValue | undefined;
  for (const relative of paths) {
    const target = path.resolve(path.dirname(filePath), relative);
    if (chain.includes(target)) {
      const names = [...chain.slice(chain.indexOf(target)), target].map((p) => path.basename(p)).join(" → ");
      throw new BaseError(`\`_base_\` inheritance is a cycle: ${names}`, base.value.span);
    }
    const file = project.file(target);
    const baseRoot = file && rootOf(file);
    if (!baseRoot) throw new BaseError(`\`_base_\` file ${relative} ${file ? "is not a config this dialect reads" : "cannot be read"}`, base.value.span);
    let tree = resolved(project, target, baseRoot, [...chain, target], host);
    if (target !== host) tree = inherited(mapValueSpans(tree, (s) => (s.file === undefined ? { ...s, file: target } : s)), path.relative(path.dirname(host), target)) as MappingValue;
    merged = merged ? mergeConfig(merged, tree) : tree;
  }
  return merged ? mergeConfig(merged, own) : own;
}

/** Values read from another file get an origin note naming it (values that already have one keep theirs). */
function inherited(value: ResolvedValue, shown: string): ResolvedValue {
  const v = value.value;
  if (v.kind === "mapping") return { ...value, value: { ...v, entries: v.entries.map((e) => ({ ...e, value: inherited(e.value, shown) })) } };
  if (value.origin || value.span.file === undefined) return value;
  return { ...value, origin: { span: value.span, description: `inherited from ${shown}`, overridable: false } };
}

/** The mapping of the child file itself with the same span as a merged one, when the child writes it. */
function ownMapping(root: ResolvedValue, span: Span): MappingValue | undefined {
  if (isMapping(root)) {
    if (root.span.start === span.start && root.span.end === span.end && root.span.file === undefined) return root;
    for (const e of root.value.kind === "mapping" ? root.value.entries : []) {
      const found = ownMapping(e.value, span);
      if (found) return found;
    }
  } else if (root.value.kind === "sequence") {
    for (const item of root.value.items) {
      const found = ownMapping(item, span);
      if (found) return found;
    }
  }
  return undefined;
}

/** Fix requests on a merged site edit only what the child file writes: new keys go into its own mapping, if it has one. */
function ownEdits(site: OptimizerSite, childRoot: MappingValue): OptimizerSite {
  const data = site.adapterData as ConfigSiteData | undefined;
  if (!data) return site;
  const own = site.span.file === undefined ? ownMapping(childRoot, site.span) : undefined;
  const adapterData: ConfigSiteData = own ? { ...data, args: own } : { ...data, argsMissing: data.argsMissing ?? "optimizer" };
  return { ...site, adapterData };
}

/** Merges `_base_` chains and judges each child config with what it inherits. */
export const baseConfigJoiner: ProjectJoiner = {
  name: "mmengine-base",
  join(project) {
    for (const file of project.files) {
      const root = rootOf(file);
      const base = root && entryOf(root, "_base_");
      if (!root || !base) continue;
      let merged: MappingValue;
      try {
        merged = resolved(project, file.path, root, [file.path], file.path);
      } catch (error) {
        if (!(error instanceof BaseError)) throw error;
        file.analyzed.syntaxErrors.push({ span: error.span, message: error.message });
        continue;
      }
      const links = (file.analyzed.links ??= new Map());
      for (const relative of basePaths(base.value) ?? []) links.set(path.resolve(path.dirname(file.path), relative), base.value.span);
      // Every file the merged values come from leads back to the `_base_` entry.
      const note = (v: ResolvedValue): void => {
        for (const s of [v.span, v.origin?.span, v.literalSpan]) if (s?.file && !links.has(s.file)) links.set(s.file, base.value.span);
        if (v.value.kind === "mapping") for (const e of v.value.entries) note(e.value);
        if (v.value.kind === "sequence") for (const item of v.value.items) note(item);
      };
      note(merged);
      const facts = file.analyzed.facts;
      const kept = facts.optimizers.filter((s) => !INHERITING.has(s.dialect ?? ""));
      const found = recognizeConfig(merged, { filePath: file.path, firstId: facts.optimizers.length });
      facts.optimizers = [...kept, ...found.optimizers.filter((s) => INHERITING.has(s.dialect ?? "")).map((s) => ownEdits(s, root))];
      const inheritedSchedulers = found.schedulers.filter((s) => s.span.file !== undefined);
      facts.schedulers = [...facts.schedulers, ...inheritedSchedulers];
    }
  },
};
