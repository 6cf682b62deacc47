/**
 * mmengine/mmcv `_base_` inheritance across files: a child config is judged as mmengine's `Config` reads it,
 * with its bases merged in (nested dicts merge, `_delete_=True` replaces, any other value replaces), and every
 * value keeps the file and line that set it. `_base_.x` and `{{_base_.x}}` in a child read its merged bases
 * (references.ts).
 */
import path from "node:path";
import type { MappingEntry, OptimizerSite, ResolvedValue, Span } from "../core/facts.js";
import { inheritedFrom } from "../core/messages.js";
import { mapValueSpans } from "../core/spans.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { entryOf, isMapping, recognizeConfig, replaceModelFacts, type ConfigSiteData, type MappingValue } from "./recognize.js";
import { resolveBaseReferences } from "./references.js";

/** The dialects whose configs inherit through `_base_`. */
const INHERITING = new Set(["mmengine", "mmcv"]);

/** Why a chain of bases could not be read, reported at the child's `_base_` value. */
interface BaseNotice {
  message: string;
  span: Span;
}

/** The relative paths a `_base_` value names (a string or a list of strings); undefined when one is not a string. */
function basePaths(value: ResolvedValue): string[] | undefined {
  return baseItems(value)?.map((item) => item.path);
}

/**
 * Each path a `_base_` value names with where it is written: a list item's own span when it is written in the
 * file, so a notice about one base points at that base, or else the whole value's.
 */
function baseItems(value: ResolvedValue): { path: string; span: Span }[] | undefined {
  const v = value.value;
  if (v.kind === "string") return [{ path: v.value, span: value.span }];
  if (v.kind !== "sequence") return undefined;
  const out: { path: string; span: Span }[] = [];
  for (const item of v.items) {
    if (item.value.kind !== "string") return undefined;
    out.push({ path: item.value.value, span: item.span.file === undefined && value.span.file === undefined ? item.span : value.span });
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

/** A tree in which every mapping may hold keys not seen (what an unreadable base sets is unknown). */
function openAll(value: MappingValue): MappingValue {
  if (value.value.kind !== "mapping") return value;
  const entries = value.value.entries.map((e) => (isMapping(e.value) ? { ...e, value: openAll(e.value) } : e));
  return { ...value, value: { kind: "mapping", entries, open: true } };
}

const EMPTY_BASE: MappingValue = { value: { kind: "mapping", entries: [] }, span: { start: 0, end: 0 }, dependsOn: [] };

/**
 * A base its adapter read without a config tree and that cannot touch the optimizer (a runtime or dataset
 * base: it parses and never says `optim`); it contributes nothing to what the rules judge.
 */
function setsNoOptimizer(file: ProjectFile): boolean {
  return file.analyzed.syntaxErrors.length === 0 && !/optim|\blr\b/i.test(file.text);
}

const UNKNOWN_BASE: MappingValue = { value: { kind: "mapping", entries: [], open: true }, span: { start: 0, end: 0 }, dependsOn: [] };

/**
 * A file's config with all its bases merged in; spans of values from other files name their file. A base that
 * cannot be read (a package-scoped `mmdet::...` path, a file that is not a plain config) makes the result open:
 * absent arguments are unknown, never defaults. A relative base that does not exist, or a cycle, is reported.
 */
function resolved(project: ProjectContext, filePath: string, root: MappingValue, chain: readonly string[], host: string, notices: BaseNotice[]): MappingValue {
  const base = entryOf(root, "_base_");
  const own = withoutKeys(root, ["_base_"]);
  if (!base) return own;
  const items = baseItems(base.value);
  if (!items) return openAll(own);
  let merged: MappingValue | undefined;
  let unknown = false;
  for (const { path: relative, span: written } of items) {
    const target = path.resolve(path.dirname(filePath), relative);
    if (relative.includes("::")) {
      unknown = true;
      continue;
    }
    if (chain.includes(target)) {
      const names = [...chain.slice(chain.indexOf(target)), target].map((p) => path.basename(p)).join(" → ");
      notices.push({ message: `\`_base_\` inheritance is a cycle: ${names}`, span: base.value.span });
      unknown = true;
      continue;
    }
    const file = project.file(target);
    if (!file) {
      if (filePath === host && project.readsFiles && !project.exists(target)) notices.push({ message: `\`_base_\` file ${relative} does not exist; what it would set is unknown`, span: written });
      unknown = true;
      continue;
    }
    const baseRoot = rootOf(file) ?? (setsNoOptimizer(file) ? EMPTY_BASE : undefined);
    let tree = baseRoot ? resolved(project, target, baseRoot, [...chain, target], host, notices) : UNKNOWN_BASE;
    if (!baseRoot) unknown = true;
    if (target !== host) tree = fromFile(tree, target, inheritedFrom(host, target), false);
    merged = merged ? mergeConfig(merged, tree) : tree;
  }
  // `_base_.x` and `{{_base_.x}}` read the merged bases, before the child's own values go over them.
  const inherited = merged && unknown ? openAll(merged) : merged;
  const ownResolved = resolveBaseReferences(own, inherited, host);
  const result = merged ? mergeConfig(merged, ownResolved) : ownResolved;
  return unknown ? openAll(result) : result;
}

/**
 * A config tree read from another file, for merging into the host's: its spans name that file, and each value
 * without an origin gets one saying where it came from (values that already have one keep theirs).
 */
export function fromFile(tree: MappingValue, file: string, description: string, overridable: boolean): MappingValue {
  const note = (value: ResolvedValue): ResolvedValue => {
    const v = value.value;
    if (v.kind === "mapping") return { ...value, value: { ...v, entries: v.entries.map((e) => ({ ...e, value: note(e.value) })) } };
    return value.origin ? value : { ...value, origin: { span: value.span, description, overridable } };
  };
  return note(mapValueSpans(tree, (s) => (s.file === undefined ? { ...s, file } : s))) as MappingValue;
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
      const notices: BaseNotice[] = [];
      const merged = resolved(project, file.path, root, [file.path], file.path, notices);
      // mmengine would refuse to load such a config; the file itself is valid code, so this is a warning, not a parse failure.
      for (const notice of notices) file.analyzed.syntaxErrors.push({ span: notice.span, message: notice.message, severity: "warning" });
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
      const dropped = new Set(facts.optimizers.filter((s) => INHERITING.has(s.dialect ?? "")).map((s) => s.id));
      facts.optimizers = [...kept, ...found.optimizers.filter((s) => INHERITING.has(s.dialect ?? "")).map((s) => ownEdits(s, root))];
      const inherited = new Set(facts.optimizers.map((s) => s.id));
      const tiedToKept = <T extends { sites?: string[] }>(list: T[]): T[] => list.filter((f) => f.sites?.some((id) => inherited.has(id) && !kept.some((k) => k.id === id)));
      replaceModelFacts(facts, dropped, { kinds: tiedToKept(found.kinds), precision: tiedToKept(found.precision), freezes: found.freezes });
      const inheritedSchedulers = found.schedulers.filter((s) => s.span.file !== undefined);
      facts.schedulers = [...facts.schedulers, ...inheritedSchedulers];
    }
  },
};
