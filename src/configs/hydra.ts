/**
 * Hydra composition across files: a primary config's defaults list selects config group options
 * (`defaults: [optimizer: sgd]` reads `optimizer/sgd.yaml` beside it), which are placed under their group's
 * key and merged with the primary's own content (after them, as Hydra does unless `_self_` says otherwise).
 * The composed config is judged, so a primary that only overrides `optimizer.lr` is judged with the optimizer
 * its group option builds. Interpolations (`${...}`) stay unknown.
 */
import path from "node:path";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { ProjectContext, ProjectJoiner } from "../core/types.js";
import { fromFile, mergeConfig } from "./bases.js";
import { entryOf, isMapping, recognizeConfig, replaceModelFacts, type MappingValue } from "./recognize.js";

/** One selection of the defaults list: a group and its option, or the primary's own content. */
type Selection = { group: string; option: string; span: Span } | { self: true };

/** The selections of a defaults list, in order; undefined when an item is not a plain group selection. */
function selections(list: ResolvedValue): Selection[] | undefined {
  if (list.value.kind !== "sequence") return undefined;
  const out: Selection[] = [];
  for (const item of list.value.items) {
    if (item.value.kind === "string" && item.value.value === "_self_") out.push({ self: true });
    else if (isMapping(item) && item.value.kind === "mapping" && item.value.entries.length === 1) {
      const [entry] = item.value.entries;
      const option = entry.value.value;
      // `override`, packages (`group@pkg`), optional groups and lists of options are not composed here.
      if (option.kind !== "string" || /[@\s]/.test(entry.key) || entry.key.startsWith("optional ")) return undefined;
      out.push({ group: entry.key.replace(/^\//, ""), option: option.value, span: entry.span });
    } else {
      // A plain config name (`base_config`) and any other form are not composed here.
      return undefined;
    }
  }
  return out;
}

/** A tree placed under a dotted group path (`model/optim` → `{model: {optim: tree}}`). */
function placed(group: string, tree: MappingValue): MappingValue {
  let value: MappingValue = tree;
  for (const key of group.split("/").reverse()) {
    const entry: MappingEntry = { key, keySpan: tree.span, value, span: tree.span };
    value = { value: { kind: "mapping", entries: [entry] }, span: tree.span, dependsOn: [] };
  }
  return value;
}

/** The primary's content without its defaults list. */
function ownContent(root: MappingValue): MappingValue {
  if (root.value.kind !== "mapping") return root;
  return { ...root, value: { ...root.value, entries: root.value.entries.filter((e) => e.key !== "defaults") } };
}

/** Composes a primary config; undefined when an option cannot be read (then the primary is judged alone). */
function compose(project: ProjectContext, filePath: string, root: MappingValue, links: Map<string, Span>): MappingValue | undefined {
  const list = entryOf(root, "defaults");
  const chosen = list && selections(list.value);
  if (!chosen || !chosen.some((s) => "group" in s)) return undefined;
  const dir = path.dirname(filePath);
  const parts: MappingValue[] = [];
  let selfAt = -1;
  for (const selection of chosen) {
    if (!("group" in selection)) {
      selfAt = parts.length;
      continue;
    }
    const target = path.join(dir, selection.group, `${selection.option}.yaml`);
    const file = project.file(target) ?? project.file(target.replace(/\.yaml$/, ".yml"));
    const optionRoot = file?.analyzed.configRoots?.[0];
    if (!file || !isMapping(optionRoot)) return undefined;
    links.set(file.path, selection.span);
    const shown = path.relative(dir, file.path);
    parts.push(placed(selection.group, fromFile(optionRoot, file.path, `from config group option ${shown}`, true)));
  }
  const own = ownContent(root);
  if (selfAt < 0) parts.push(own);
  else parts.splice(selfAt, 0, own);
  return parts.reduce((merged, part) => mergeConfig(merged, part));
}

/** Judges each Hydra primary config composed with the group options its defaults list selects. */
export const hydraJoiner: ProjectJoiner = {
  name: "hydra-defaults",
  join(project) {
    for (const file of project.files) {
      const root = file.analyzed.configRoots?.[0];
      if (!isMapping(root) || !entryOf(root, "defaults")) continue;
      const links = new Map<string, Span>();
      const composed = compose(project, file.path, root, links);
      if (!composed) continue;
      const facts = file.analyzed.facts;
      const found = recognizeConfig(composed, { filePath: file.path, firstId: facts.optimizers.length });
      // Sites the primary builds on its own are judged in the composition, where group options may complete them.
      const dropped = new Set(facts.optimizers.filter((s) => s.dialect === "hydra").map((s) => s.id));
      facts.optimizers = [...facts.optimizers.filter((s) => s.dialect !== "hydra"), ...found.optimizers.filter((s) => s.dialect === "hydra")];
      const hydraIds = new Set(facts.optimizers.filter((s) => s.dialect === "hydra").map((s) => s.id));
      const tied = <T extends { sites?: string[] }>(list: T[]): T[] => list.filter((f) => f.sites?.some((id) => hydraIds.has(id)));
      replaceModelFacts(facts, dropped, { kinds: tied(found.kinds), precision: tied(found.precision) });
      const fileLinks = (file.analyzed.links ??= new Map());
      for (const [other, span] of links) fileLinks.set(other, span);
    }
  },
};
