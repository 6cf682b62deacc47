/**
 * What the YAML and JSON adapters share: facts from document trees through the one recognizer, the cheap
 * test that decides whether a walked file is worth parsing, and fix requests on config sites turned into
 * text edits through each syntax's own rendering and insertion.
 */
import type { MappingEntry, ResolvedValue, Span, TrainingFacts } from "../core/facts.js";
import type { AnalyzedFile, FactWords, FixRequest, LiteralValue, TextEdit } from "../core/types.js";
import { applyTextEdits } from "../core/text-edits.js";
import { emptyFacts } from "../python/analyze.js";
import { OPTIMIZER_CLASS_NAMES } from "../python/names.js";
import { configTraining, mergeBatch } from "./training.js";
import { addModelFacts, argumentMapping, entryOf, recognizeConfig, type ConfigSiteData, type MappingValue } from "./recognize.js";

/** Files found by walking a folder that are larger than this are skipped unread (datasets, annotations, lockfiles). */
export const CONFIG_WALK_SIZE_LIMIT = 1024 * 1024;

/**
 * Words without which a config file sets no optimizer or learning rate: optimizer-ish keys of every dialect
 * (`_target_`, `class_path`, `optimizer`, `optim`, `lr`, `learning_rate`) and every optimizer class name. They are
 * the YAML and JSON adapters' `factWords` for optimizer sites (the prefilter) and their `mayMatter` for walked files.
 */
export const CONFIG_FACT_WORDS: FactWords = {
  words: ["lr", ...OPTIMIZER_CLASS_NAMES],
  fragments: ["optim", "_target_", "class_path", "learning_rate"],
  ignoreCase: true,
};

const CONFIG_WORDS = new RegExp(`${CONFIG_FACT_WORDS.fragments!.join("|")}|\\b(?:${CONFIG_FACT_WORDS.words!.join("|")})\\b`, "i");

/** Whether a config text found by walking may hold training settings (a prefilter; a false "yes" only costs a parse). */
export function configMayMatter(text: string): boolean {
  return CONFIG_WORDS.test(text);
}

/** The facts of a file's documents: each document root goes through the recognizer, numbering sites on from the last. */
export function configFacts(roots: ResolvedValue[], filePath: string): TrainingFacts {
  const facts = emptyFacts();
  for (const root of roots) {
    const found = recognizeConfig(root, { filePath, firstId: facts.optimizers.length });
    facts.optimizers.push(...found.optimizers);
    facts.schedulers.push(...found.schedulers);
    addModelFacts(facts, found);
    const training = configTraining(root);
    mergeBatch((facts.batch ??= {}), training.batch);
    if (training.loops.length > 0) facts.loops = [...(facts.loops ?? []), ...training.loops];
  }
  return facts;
}

/** How one config syntax writes values and new keys. */
export interface ConfigSyntax {
  /** A value as this syntax writes it; `like` is the source text of the scalar it replaces (to keep its quoting). */
  render(value: LiteralValue, like?: string): string | string[];
  /** The edit that adds `key: value` (value already rendered) to a mapping, or why it cannot. */
  addEntry(text: string, mapping: MappingValue, own: MappingEntry[], key: string, value: string): TextEdit | string;
  parses(text: string): boolean;
}

/** Whether a span lies inside another (same file). */
function within(inner: Span, outer: Span): boolean {
  return inner.file === outer.file && inner.start >= outer.start && inner.end <= outer.end;
}

/** Entries written in the mapping itself (not merged in from an anchor elsewhere). */
export function ownEntries(mapping: MappingValue): MappingEntry[] {
  return mapping.value.kind === "mapping" ? mapping.value.entries.filter((e) => within(e.span, mapping.span)) : [];
}

/** The line ending a text uses. */
export function lineEnding(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** The rendered value, or the reason it cannot be written. */
function rendered(syntax: ConfigSyntax, value: LiteralValue, like?: string): { text: string } | { reason: string } {
  const out = syntax.render(value, like);
  return typeof out === "string" ? { text: out } : { reason: out[0] };
}

function setArgument(text: string, syntax: ConfigSyntax, data: ConfigSiteData, name: string, value: LiteralValue): TextEdit[] | string {
  // The arguments' own mapping (`init_args`, DeepSpeed `params`) does not exist yet: a key beside the name would mean something else.
  const args = argumentMapping(data, name);
  if ("missing" in args) return `the construction has no \`${args.missing}\` mapping to add ${name} to`;
  const key = data.keyFor(name);
  const entry = entryOf(args, key);
  const own = ownEntries(args);
  if (entry && own.includes(entry)) {
    // A value read from elsewhere in this file (`!ref <lr>`, `${lr}`) is edited where it is written, so that every
    // reader of it agrees; one from another file or with no single literal is replaced where it is read.
    const written = entry.value.literalSpan;
    const span = written && written.file === undefined ? written : entry.value.span;
    const out = rendered(syntax, value, text.slice(span.start, span.end));
    if ("reason" in out) return out.reason;
    // An empty YAML value (`key:`) gets a space after the colon.
    return [{ span, text: span.start === span.end ? ` ${out.text}` : out.text }];
  }
  const out = rendered(syntax, value);
  if ("reason" in out) return out.reason;
  const edit = syntax.addEntry(text, args, own, key, out.text);
  return typeof edit === "string" ? edit : [edit];
}

/**
 * Swaps the items of a two-item sequence written in this file: one literal (`betas: [0.999, 0.9]`), or two values
 * written apart under their own keys (HF's `adam_beta1` and `adam_beta2`).
 */
function swapItems(text: string, value: ResolvedValue): TextEdit[] | string {
  if (value.value.kind !== "sequence") return "the value is not a sequence";
  const items = value.value.items;
  // Written apart: each item is its own literal inside the span of the reading (not copied in through an alias).
  const apart = !value.literalSpan && items.every((item) => item.literalSpan && within(item.literalSpan, item.span) && within(item.span, value.span) && item.span.file === undefined);
  if ((!value.literalSpan || value.literalSpan.file !== undefined) && !apart) {
    return "the value is not a sequence written in this file";
  }
  if (items.length !== 2 || items.some((item) => !item.literalSpan || item.value.kind === "mapping" || item.value.kind === "sequence")) {
    return "the sequence does not have exactly two plain items";
  }
  const [a, b] = items.map((item) => item.span);
  if (a.start < b.end && b.start < a.end) return "the two items overlap";
  return [
    { span: a, text: text.slice(b.start, b.end) },
    { span: b, text: text.slice(a.start, a.end) },
  ];
}

function editsFor(file: AnalyzedFile, syntax: ConfigSyntax, request: FixRequest): TextEdit[] | string {
  if (request.kind === "swap-sequence-items") return swapItems(file.text, request.value);
  if (request.kind === "correct-adam-update" || request.kind === "restore-optimizer-state" || request.kind === "save-optimizer-state" || request.kind === "add-lr-scheduler") {
    return "a config file holds no training code to edit";
  }
  const site = file.facts.optimizers.find((s) => s.id === request.site);
  if (!site) return `no optimizer construction with id ${request.site} in this file`;
  const data = site.adapterData as ConfigSiteData | undefined;
  if (!data) return "the optimizer was not read from a config mapping";
  switch (request.kind) {
    case "rename-optimizer": {
      const name = data.nameFor(request.to);
      if (name === undefined) return `this config dialect has no name for ${request.to}`;
      const span = site.nameSpan;
      const out = rendered(syntax, name, file.text.slice(span.start, span.end));
      return "reason" in out ? out.reason : [{ span, text: out.text }];
    }
    case "set-argument":
      return setArgument(file.text, syntax, data, request.name, request.value);
    case "split-decay-groups":
      return "a config file does not list parameter groups";
    case "scale-by-world-size":
      return "a config file cannot compute with the number of workers";
  }
}

/** Text edits for a request on a config file: no-ops dropped, overlaps and edits that break the file refused. */
export function configEdits(file: AnalyzedFile, syntax: ConfigSyntax, request: FixRequest): TextEdit[] | string {
  const edits = editsFor(file, syntax, request);
  if (typeof edits === "string") return edits;
  const changes = edits
    .filter((edit) => file.text.slice(edit.span.start, edit.span.end) !== edit.text)
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  for (let i = 1; i < changes.length; i++) {
    if (changes[i].span.start < changes[i - 1].span.end) return "the edits overlap";
  }
  if (changes.length > 0 && file.syntaxErrors.length === 0 && !syntax.parses(applyTextEdits(file.text, changes))) {
    return "the edit would leave a file that does not parse";
  }
  return changes;
}
