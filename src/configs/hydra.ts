/**
 * Hydra composition across files: a primary config's defaults list selects config group options
 * (`defaults: [optimizer: sgd]` reads `optimizer/sgd.yaml` beside it), each placed at its package (the group
 * path, a `# @package` header, or `group@pkg` in the list) and merged in defaults-list order with the primary's own
 * content (after them unless `_self_` says otherwise). Options' own defaults lists are composed in turn, and
 * `override group: option` replaces the option a list selects for that group. The composed config is judged, so a
 * primary that only overrides `optimizer.lr` is judged with the optimizer its group option builds; `${a.b}`
 * interpolations are resolved in it (references.ts).
 *
 * Conservative by construction: a form this does not model (an interpolated option name, a package with Hydra's
 * other keywords, a missing non-optional option, a cycle) leaves the primary judged alone, as a file. A cycle is
 * also reported as a warning at the primary's selection that leads into it.
 */
import path from "node:path";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { fromFile, mergeConfig } from "./bases.js";
import { entryOf, isMapping, modelFactsFor, recognizeConfig, replaceModelFacts, type MappingValue } from "./recognize.js";
import { resolveInterpolations } from "./references.js";

/** One item of a defaults list. */
type Item =
  | { kind: "self" }
  /** `group: option` (or a list of options), with the `override`/`optional` keywords and an `@pkg`. */
  | { kind: "group"; group: string; absolute: boolean; options: string[]; pkg?: string; override: boolean; optional: boolean; span: Span }
  /** A config named without a group (`- base_config`), merged at the containing config's package. */
  | { kind: "config"; name: string; absolute: boolean; span: Span };

/** A defaults-list key: keywords, a group path, and a package. */
const ITEM_KEY = /^(?:(override|optional)\s+)?(\/?)([A-Za-z_][\w-]*(?:\/[A-Za-z_][\w-]*)*)(?:@([\w.]*))?$/;

/** An option or config name as written (`adam`, `adam.yaml`, `nested/adam`). */
const OPTION = /^[\w.-]+(?:\/[\w.-]+)*$/;

/** The items of a defaults list, in order; undefined when one is not a form composed here. */
function items(list: ResolvedValue): Item[] | undefined {
  if (list.value.kind !== "sequence") return undefined;
  const out: Item[] = [];
  for (const item of list.value.items) {
    const v = item.value;
    if (v.kind === "string") {
      if (v.value === "_self_") out.push({ kind: "self" });
      else if (OPTION.test(v.value.replace(/^\//, ""))) out.push({ kind: "config", name: v.value.replace(/^\//, ""), absolute: v.value.startsWith("/"), span: item.span });
      else return undefined;
      continue;
    }
    if (v.kind !== "mapping" || v.entries.length !== 1) return undefined;
    const [entry] = v.entries;
    const key = ITEM_KEY.exec(entry.key);
    if (!key) return undefined;
    const option = entry.value.value;
    const options = option.kind === "string" ? [option.value] : option.kind === "sequence" ? option.items.map((i) => (i.value.kind === "string" ? i.value.value : "")) : option.kind === "none" ? [] : undefined;
    // `${...}` option names and other computed selections are not composed here.
    if (!options || options.some((o) => !OPTION.test(o))) return undefined;
    out.push({ kind: "group", group: key[3], absolute: key[2] === "/", options, ...(key[4] !== undefined ? { pkg: key[4] } : {}), override: key[1] === "override", optional: key[1] === "optional", span: entry.span });
  }
  return out;
}

/** The package a `# @package` header in a file's leading comments names, if any. */
export function packageHeader(text: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    if (!line.trimStart().startsWith("#")) return undefined;
    const m = /^\s*#\s*@package\s+(\S+)\s*$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** What a package name's keywords stand for: the config's group path, its file name, and the including config's package. */
interface PackageContext {
  group: string[];
  name: string;
  here: string[];
}

/**
 * Package keys for a package name: `_global_` is the root, `_here_` the including config's package; other names
 * are dotted keys (`_group_` and `_name_` expand), after `relativeTo`. Undefined for a form not modelled here.
 */
function packageKeys(pkg: string, at: PackageContext, relativeTo: string[]): string[] | undefined {
  if (pkg === "_global_") return [];
  if (pkg === "_here_") return at.here;
  const keys: string[] = [...relativeTo];
  for (const part of pkg.split(".")) {
    if (part === "_group_") keys.push(...at.group);
    else if (part === "_name_") keys.push(at.name);
    else if (/^[A-Za-z_][\w-]*$/.test(part) && !/^_\w+_$/.test(part)) keys.push(part);
    else return undefined;
  }
  return keys;
}

/** A config's package: the defaults list's `@pkg` (relative to the including config), else its header (absolute), else its group. */
function packageFor(file: ProjectFile, listed: string | undefined, at: PackageContext): string[] | undefined {
  if (listed !== undefined) return packageKeys(listed, at, at.here);
  const header = packageHeader(file.text);
  return header === undefined ? at.group : packageKeys(header, at, []);
}

/** A tree placed under a path of keys (`["model", "optim"]` → `{model: {optim: tree}}`). */
function placed(keys: readonly string[], tree: MappingValue): MappingValue {
  let value: MappingValue = tree;
  for (const key of [...keys].reverse()) {
    const entry: MappingEntry = { key, keySpan: tree.span, value, span: tree.span };
    value = { value: { kind: "mapping", entries: [entry] }, span: tree.span, dependsOn: [] };
  }
  return value;
}

/** A config's content without its defaults list. */
function ownContent(root: MappingValue): MappingValue {
  if (root.value.kind !== "mapping") return root;
  return { ...root, value: { ...root.value, entries: root.value.entries.filter((e) => e.key !== "defaults") } };
}

/** Hydra's own settings (`hydra/...` groups): they never reach a training config, and their options live in Hydra's package. */
function isHydraGroup(group: string): boolean {
  return group === "hydra" || group.startsWith("hydra/");
}

/** What a composition needs throughout: the project, the host file, the config root folder, and what it found. */
interface Composition {
  project: ProjectContext;
  host: string;
  /** The folder group paths start from (the primary's folder, or the root above an option judged as one). */
  root: string;
  /** Other files read, each with the place in the host that leads there. */
  links: Map<string, Span>;
  /** `override` selections from the lists read so far, by absolute group path. */
  overrides: Map<string, Item & { kind: "group" }>;
  /** Overrides a selection took. */
  consumed: Set<Item>;
  /** Cycles met in the defaults lists, each at the place in the host that leads to it. */
  cycles: { span: Span; message: string }[];
}

/** Notes a defaults list that leads back to a config already being composed. */
function noteCycle(c: Composition, chain: readonly string[], target: string, lead: Span): void {
  const dir = path.dirname(c.host);
  const names = [...chain.slice(chain.indexOf(target)), target].map((p) => path.relative(dir, p).split(path.sep).join("/")).join(" → ");
  const message = `Hydra defaults list is a cycle: ${names}; the config is judged without its composition`;
  if (!c.cycles.some((n) => n.message === message && n.span.start === lead.start)) c.cycles.push({ span: lead, message });
}

/** The config file for a path under the config root (`optimizer/adam` → `optimizer/adam.yaml`). */
function configFile(project: ProjectContext, root: string, name: string): ProjectFile | undefined {
  const base = path.join(root, name.replace(/\.ya?ml$/, ""));
  return project.file(`${base}.yaml`) ?? project.file(`${base}.yml`);
}

/**
 * The parts of a config in merge order: its own content at `pkg` and what its defaults list selects, composed in
 * turn. `group` is the config's group path (empty for the primary); `via` the place in the host that leads here.
 */
function parts(c: Composition, file: ProjectFile, pkg: string[], group: string, via: Span | undefined, chain: readonly string[]): MappingValue[] | undefined {
  const root = file.analyzed.configRoots?.[0];
  if (!isMapping(root)) return undefined;
  const own = ownContent(file.path === c.host ? root : fromFile(root, file.path, `from config group option ${path.relative(path.dirname(c.host), file.path)}`, true));
  const list = entryOf(root, "defaults");
  const listed = list ? items(list.value) : [];
  if (!listed) return undefined;
  // An override in this list applies to the selections of its group here and below.
  const groupPath = (item: { group: string; absolute: boolean }) => (item.absolute || group === "" ? item.group : `${group}/${item.group}`);
  const added: string[] = [];
  for (const item of listed) {
    if (item.kind === "group" && item.override && !c.overrides.has(groupPath(item))) {
      c.overrides.set(groupPath(item), item);
      added.push(groupPath(item));
    }
  }
  const out: MappingValue[] = [];
  let selfAt = -1;
  /** Overrides of this list, where they are written: each selects its option itself unless a selection took it. */
  const pending: { index: number; item: Item & { kind: "group" }; lead: Span }[] = [];
  /** The parts of one group selection, or undefined when an option cannot be read. */
  const select = (item: Item & { kind: "group" }, at: string, options: string[], lead: Span): MappingValue[] | undefined => {
    const found: MappingValue[] = [];
    for (const option of options) {
      const target = configFile(c.project, c.root, `${at}/${option}`);
      if (!target) {
        if (item.optional) continue;
        return undefined;
      }
      if (chain.includes(target.path)) {
        noteCycle(c, chain, target.path, lead);
        return undefined;
      }
      const keys = packageFor(target, item.pkg, { group: at.split("/"), name: option.replace(/\.ya?ml$/, ""), here: pkg });
      const inner = keys && parts(c, target, keys, at, lead, [...chain, target.path]);
      if (!inner) return undefined;
      c.links.set(target.path, lead);
      found.push(...inner);
    }
    return found;
  };
  try {
    for (const item of listed) {
      if (item.kind === "self") {
        selfAt = out.length;
        continue;
      }
      const lead = via ?? item.span;
      if (item.kind === "config") {
        const name = item.absolute || group === "" ? item.name : `${group}/${item.name}`;
        const target = configFile(c.project, c.root, name);
        if (target && chain.includes(target.path)) noteCycle(c, chain, target.path, lead);
        if (!target || chain.includes(target.path)) return undefined;
        const dir = path.posix.dirname(name);
        const itsGroup = dir === "." ? "" : dir;
        const keys = packageFor(target, undefined, { group: itsGroup === "" ? [] : itsGroup.split("/"), name: path.posix.basename(name), here: pkg });
        const inner = keys && parts(c, target, keys, itsGroup, lead, [...chain, target.path]);
        if (!inner) return undefined;
        c.links.set(target.path, lead);
        out.push(...inner);
        continue;
      }
      const at = groupPath(item);
      if (isHydraGroup(at)) continue;
      if (item.override) {
        if (c.overrides.get(at) === item) pending.push({ index: out.length, item, lead });
        continue;
      }
      // An override from this list or one above picks the option.
      const chosen = c.overrides.get(at);
      if (chosen) c.consumed.add(chosen);
      const inner = select(item, at, (chosen ?? item).options, lead);
      if (!inner) return undefined;
      out.push(...inner);
    }
    // An override no selection took selects its option where it is written (a config judged as a primary).
    for (const { index, item, lead } of pending.reverse()) {
      if (c.consumed.has(item)) continue;
      const inner = select(item, groupPath(item), item.options, lead);
      if (!inner) return undefined;
      out.splice(index, 0, ...inner);
      if (selfAt >= index) selfAt += inner.length;
    }
  } finally {
    for (const key of added) c.overrides.delete(key);
  }
  const mine = placed(pkg, own);
  if (selfAt < 0) out.push(mine);
  else out.splice(selfAt, 0, mine);
  return out;
}

/**
 * The folder group paths start from for a host: its own folder for a primary; for a group option with a
 * `# @package` header (an experiment config judged as a primary), the nearest folder above it where the first
 * absolute selection of its list exists.
 */
function configRoot(project: ProjectContext, file: ProjectFile, root: MappingValue): string | undefined {
  const dir = path.dirname(file.path);
  if (packageHeader(file.text) === undefined) return dir;
  const list = entryOf(root, "defaults");
  const first = list && items(list.value)?.find((i): i is Item & { kind: "group" } => i.kind === "group" && i.absolute && i.options.length > 0 && !isHydraGroup(i.group));
  if (!first) return undefined;
  let at = path.dirname(dir);
  for (let up = 0; up < 3; up++, at = path.dirname(at)) {
    if (configFile(project, at, `${first.group}/${first.options[0]}`)) return at;
  }
  return undefined;
}

/** Composes a config as a primary; undefined when a part cannot be read (then it is judged alone). */
function compose(project: ProjectContext, file: ProjectFile, root: MappingValue, links: Map<string, Span>, cycles: Composition["cycles"] = []): MappingValue | undefined {
  const configDir = configRoot(project, file, root);
  if (!configDir) return undefined;
  const header = packageHeader(file.text);
  // A group option judged as a primary (an experiment config) keeps its group: its relative selections start there.
  const group = path.relative(configDir, path.dirname(file.path)).split(path.sep).join("/");
  const context = { group: group === "" ? [] : group.split("/"), name: path.basename(file.path).replace(/\.ya?ml$/, ""), here: [] };
  const pkg = header === undefined ? [] : packageKeys(header, context, []);
  if (!pkg) return undefined;
  const c: Composition = { project, host: file.path, root: configDir, links, overrides: new Map(), consumed: new Set(), cycles };
  const found = parts(c, file, pkg, group, undefined, [file.path]);
  if (!found || links.size === 0) return undefined;
  const composed = found.reduce((merged, part) => mergeConfig(merged, part));
  return resolveInterpolations(composed, file.path, true);
}

/**
 * The config a Hydra app receives for a primary config file: composed with its defaults list, or the file itself
 * when it has none, `${...}` resolved; undefined when a part cannot be read. `links` gains each other file read,
 * with the place in the primary that leads there.
 */
export function composedConfig(project: ProjectContext, file: ProjectFile, links: Map<string, Span>): MappingValue | undefined {
  const root = file.analyzed.configRoots?.[0];
  if (!isMapping(root)) return undefined;
  if (!entryOf(root, "defaults")) return resolveInterpolations(root, file.path, true);
  return compose(project, file, root, links);
}

/** Judges each Hydra primary config composed with the group options its defaults list selects. */
export const hydraJoiner: ProjectJoiner = {
  name: "hydra-defaults",
  join(project) {
    for (const file of project.files) {
      const root = file.analyzed.configRoots?.[0];
      if (!/\.ya?ml$/i.test(file.path) || !isMapping(root) || !entryOf(root, "defaults")) continue;
      const links = new Map<string, Span>();
      const cycles: Composition["cycles"] = [];
      const composed = compose(project, file, root, links, cycles);
      // Hydra refuses such a config; the file itself is valid YAML, so this is a warning at the selection, not a parse failure.
      for (const cycle of cycles) file.analyzed.syntaxErrors.push({ span: cycle.span, message: cycle.message, severity: "warning" });
      if (!composed) continue;
      const facts = file.analyzed.facts;
      const found = recognizeConfig(composed, { filePath: file.path, firstId: facts.optimizers.length });
      // Sites the primary builds on its own are judged in the composition, where group options may complete them.
      const dropped = new Set(facts.optimizers.filter((s) => s.dialect === "hydra").map((s) => s.id));
      facts.optimizers = [...facts.optimizers.filter((s) => s.dialect !== "hydra"), ...found.optimizers.filter((s) => s.dialect === "hydra")];
      const hydraIds = new Set(facts.optimizers.filter((s) => s.dialect === "hydra").map((s) => s.id));
      replaceModelFacts(facts, dropped, { ...modelFactsFor(found, hydraIds), freezes: found.freezes });
      const fileLinks = (file.analyzed.links ??= new Map());
      for (const [other, span] of links) fileLinks.set(other, span);
    }
  },
};
