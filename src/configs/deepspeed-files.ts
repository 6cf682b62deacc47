/**
 * The DeepSpeed config file an HF Trainer names: `TrainingArguments(deepspeed="ds_config.json")`, or `deepspeed:` in a
 * TrainingArguments or axolotl YAML/JSON file. Alone, a file cannot see what the config holds, so its optimizer is
 * unknown (trainer-args.ts). When the path names a JSON file of the project, this joiner reads it in place of the path
 * and recognizes the arguments again: without an `optimizer` section the Trainer's `optim` stands; with one, DeepSpeed
 * builds that optimizer, with "auto" params filled from the arguments. A `scheduler` section replaces the Trainer's
 * schedule by DeepSpeed's (as it does for a config written in place, schedulers.ts).
 *
 * HF opens the path from the folder the run starts in. That folder is not known: the path is looked up from the
 * naming file's folder and each folder above it up to the project's root (the nearest folder with a project marker,
 * else the topmost folder of the run's files), and used only when exactly one of those folders holds it. A path that
 * names no such single JSON file (a YAML config, a path built at run time, a file outside the project, two files that
 * may differ) leaves the optimizer unknown.
 */
import path from "node:path";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { mapValueSpans, sameSpan } from "../core/spans.js";
import { ROOT_MARKERS } from "../python/modules.js";
import { addModelFacts, entryOf, isMapping, modelFactsFor, recognizeConfig, type MappingValue } from "./recognize.js";

/** Whether a mapping names its DeepSpeed config by the path of a JSON file. */
export function namesDeepSpeedFile(mapping: ResolvedValue): boolean {
  const value = isMapping(mapping) ? entryOf(mapping, "deepspeed")?.value.value : undefined;
  return value?.kind === "string" && /\.json$/i.test(value.value);
}

/** How many folders above the naming file a project marker is looked for. */
const MAX_UP = 16;

export const deepSpeedFileJoiner: ProjectJoiner = {
  name: "deepspeed-files",
  join(project) {
    if (!project.readsFiles) return;
    for (const file of project.files) {
      const python = file.adapter.name === "python";
      // A Python file's TrainingArguments calls; a config file's whole tree (the first root).
      const roots = python ? (file.analyzed.trainerArguments ?? []) : (file.analyzed.configRoots?.slice(0, 1) ?? []);
      for (const root of roots) if (isMapping(root) && namesDeepSpeedFile(root)) join(project, file, root, python);
    }
  },
};

/** Recognizes a Trainer mapping again with the DeepSpeed file it names read in place of the path. */
function join(project: ProjectContext, file: ProjectFile, root: MappingValue, python: boolean): void {
  const entry = entryOf(root, "deepspeed")!;
  const written = (entry.value.value as { value: string }).value;
  const found = findConfigs(project, file.path, written);
  // Each file the lookup found decides the answer: a change to one of them lints this file again.
  const links = (file.analyzed.links ??= new Map());
  for (const candidate of found) links.set(candidate, entry.span);
  const config = found.length === 1 ? project.file(found[0]) : undefined;
  const tree = config?.analyzed.configRoots?.[0];
  if (!config || !isMapping(tree)) return;
  // The config's values keep their places in its file; the mapping itself stands where the path is written.
  const moved = mapValueSpans(tree, (s) => (s.file === undefined ? { ...s, file: config.path } : s)) as MappingValue;
  const replaced: MappingEntry = { ...entry, value: { ...moved, span: entry.value.span } };
  const entries = (root.value as { entries: MappingEntry[] }).entries.map((e) => (e === entry ? replaced : e));
  const merged: MappingValue = { ...root, value: { ...root.value, kind: "mapping", entries } };
  const facts = file.analyzed.facts;
  const recognized = recognizeConfig(merged, { filePath: file.path, firstId: facts.optimizers.length, ...(python ? { dialect: "hf" as const } : {}) });
  // Only the Trainer's construction is new: everything else in the tree was recognized with the file.
  const added = recognized.optimizers.filter((s) => sameSpan(s.span, root.span));
  if (added.length === 0) return;
  facts.optimizers.push(...added);
  // A `scheduler` section makes DeepSpeed drive the rate in place of the Trainer's schedule (its "auto" values come
  // from the same warm-up keys, which are no longer the schedule's own): the merged tree's schedules replace the root's.
  if (isMapping(entryOf(moved, "scheduler")?.value)) {
    const inRoot = (s: Span): boolean => s.file === undefined && s.start >= root.span.start && s.end <= root.span.end;
    facts.schedulers = [...facts.schedulers.filter((s) => !inRoot(s.span)), ...recognized.schedulers];
  }
  addModelFacts(facts, modelFactsFor(recognized, new Set(added.map((s) => s.id))));
}

/**
 * The files a written path may name: the absolute path itself, or the path from the naming file's folder and from
 * each folder above it up to the project's root (`projectTop`).
 */
function findConfigs(project: ProjectContext, from: string, written: string): string[] {
  if (path.isAbsolute(written)) return project.exists(written) ? [written] : [];
  const top = projectTop(project, path.dirname(from));
  const found: string[] = [];
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, written);
    if (project.exists(candidate)) found.push(candidate);
    if (dir === top || path.dirname(dir) === dir) break;
  }
  return found;
}

/**
 * The topmost folder a path is looked up in: the nearest folder at or above `dir` with a project marker (the same in
 * the editor, which lints one file, as on the command line), else the folder that holds all of the run's files.
 */
function projectTop(project: ProjectContext, dir: string): string {
  let current = dir;
  for (let up = 0; up <= MAX_UP; up++) {
    if (ROOT_MARKERS.some((marker) => project.exists(path.join(current, marker)))) return current;
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  return [...project.files.map((f) => f.path), ...project.runFiles].map((p) => path.dirname(p)).reduce(commonFolder, dir);
}

/** The deepest folder that holds both folders. */
function commonFolder(a: string, b: string): string {
  while (a !== b && !b.startsWith(a.endsWith(path.sep) ? a : a + path.sep)) {
    const parent = path.dirname(a);
    if (parent === a) return a;
    a = parent;
  }
  return a;
}
