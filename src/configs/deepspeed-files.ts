/**
 * The DeepSpeed config file an HF Trainer names: `TrainingArguments(deepspeed="ds_config.json")`, or `deepspeed:` in a
 * TrainingArguments or axolotl YAML/JSON file. Alone, a file cannot see what the config holds, so its optimizer is
 * unknown (trainer-args.ts). When the path names a JSON file of the project, this joiner reads it in place of the path
 * and recognizes the arguments again: without an `optimizer` section the Trainer's `optim` stands; with one, DeepSpeed
 * builds that optimizer, with "auto" params filled from the arguments. A `scheduler` section replaces the Trainer's
 * schedule by DeepSpeed's.
 *
 * HF opens the path from the folder the run starts in. That folder is not known: the path is looked up from the
 * naming file's folder, then from each folder above it, and the nearest file wins. A path that names no JSON file
 * there (a YAML config, a path built at run time, a file outside the project) leaves the optimizer unknown.
 */
import path from "node:path";
import type { MappingEntry, ResolvedValue, Span } from "../core/facts.js";
import type { ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { mapValueSpans } from "../core/spans.js";
import { addModelFacts, entryOf, isMapping, recognizeConfig, type MappingValue } from "./recognize.js";
import { configSchedulers } from "./schedulers.js";

/** TrainingArguments call mappings of Python files (their recognition needs the `hf` dialect, which a tree does not show). */
const TRAINER_CALLS = new WeakSet<ResolvedValue>();

/** Marks a Python call's keyword mapping as TrainingArguments, kept among the file's config roots for this joiner. */
export function rememberTrainerArguments(mapping: ResolvedValue): void {
  TRAINER_CALLS.add(mapping);
}

/** Whether a mapping names its DeepSpeed config by a path (a non-empty string). */
export function namesDeepSpeedFile(mapping: ResolvedValue): boolean {
  const value = isMapping(mapping) ? entryOf(mapping, "deepspeed")?.value.value : undefined;
  return value?.kind === "string" && /\.json$/i.test(value.value);
}

/** How many folders above the naming file are searched. */
const MAX_UP = 6;

export const deepSpeedFileJoiner: ProjectJoiner = {
  name: "deepspeed-files",
  join(project) {
    if (!project.readsFiles) return;
    for (const file of project.files) {
      for (const root of file.analyzed.configRoots ?? []) {
        if (!isMapping(root) || !namesDeepSpeedFile(root)) continue;
        const python = TRAINER_CALLS.has(root);
        if (file.adapter.name === "python" ? !python : root !== file.analyzed.configRoots![0]) continue;
        join(project, file, root, python);
      }
    }
  },
};

/** Recognizes a Trainer mapping again with the DeepSpeed file it names read in place of the path. */
function join(project: ProjectContext, file: ProjectFile, root: MappingValue, python: boolean): void {
  const entry = entryOf(root, "deepspeed")!;
  const written = (entry.value.value as { value: string }).value;
  const config = findConfig(project, file.path, written);
  const tree = config?.analyzed.configRoots?.[0];
  if (!config || !isMapping(tree)) return;
  // The config's values keep their places in its file; the mapping itself stands where the path is written.
  const moved = mapValueSpans(tree, (s) => (s.file === undefined ? { ...s, file: config.path } : s)) as MappingValue;
  const replaced: MappingEntry = { ...entry, value: { ...moved, span: entry.value.span } };
  const entries = (root.value as { entries: MappingEntry[] }).entries.map((e) => (e === entry ? replaced : e));
  const merged: MappingValue = { ...root, value: { ...root.value, kind: "mapping", entries } };
  const facts = file.analyzed.facts;
  const found = recognizeConfig(merged, { filePath: file.path, firstId: facts.optimizers.length, ...(python ? { dialect: "hf" as const } : {}) });
  // Only the Trainer's construction is new: everything else in the tree was recognized with the file.
  const added = found.optimizers.filter((s) => s.span.start === root.span.start && s.span.end === root.span.end && s.span.file === undefined);
  if (added.length === 0) return;
  facts.optimizers.push(...added);
  // A `scheduler` section makes DeepSpeed drive the rate in place of the Trainer's schedule (its "auto" values come
  // from the same warm-up keys, which are no longer the schedule's own).
  if (isMapping(entryOf(moved, "scheduler")?.value)) {
    const inRoot = (s: Span): boolean => s.file === undefined && s.start >= root.span.start && s.end <= root.span.end;
    facts.schedulers = [...facts.schedulers.filter((s) => !inRoot(s.span)), ...configSchedulers(moved, undefined)];
  }
  const ids = new Set(added.map((s) => s.id));
  const tied = <T extends { sites?: string[] }>(list: T[]): T[] => list.filter((f) => f.sites?.some((id) => ids.has(id)));
  addModelFacts(facts, { kinds: tied(found.kinds), precision: tied(found.precision) });
  (file.analyzed.links ??= new Map()).set(config.path, entry.span);
}

/** The JSON file a written path names, from the naming file's folder up (nearest first). */
function findConfig(project: ProjectContext, from: string, written: string): ProjectFile | undefined {
  if (path.isAbsolute(written)) return project.exists(written) ? project.file(written) : undefined;
  let dir = path.dirname(from);
  for (let up = 0; up <= MAX_UP; up++) {
    const candidate = path.join(dir, written);
    if (project.exists(candidate)) return project.file(candidate);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}
