/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import { emptyFacts, type BatchFacts, type OptimizerSite, type ResolvedValue } from "../core/facts.js";
import type { AnalyzedFile, FactKind, FactWords } from "../core/types.js";
import type { TrainingFacts } from "../core/facts.js";
import { factsOnDemand } from "../core/pending-facts.js";
import { extractFacts, joinMayChange, probeConstruction, scanCalls } from "./facts.js";
import { addModelFacts } from "../configs/recognize.js";
import { withModelFacts } from "./models.js";
import { CONFIG_WORD_LIST, withConfigFacts } from "./configs.js";
import { OPTIMIZER_CLASS_NAMES } from "./names.js";
import { blankComments, collectSyntaxErrors, isIntact, maskGrammarGaps, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile, type FileIndex } from "./scope.js";
import { manualAdamUpdates, mayHoldUncorrectedUpdate, UPDATE_NEEDS } from "./manual-adam.js";
import { Resolver } from "./values.js";
import { stripBom } from "../core/source-text.js";
import { maskIPython } from "../notebook/magics.js";
import { lineHasTemplateTag } from "../configs/data-files.js";

/** Words of data-parallel setup (evidence the distributed facts are built from). */
const DISTRIBUTED_WORDS = ["DistributedDataParallel", "DistributedSampler", "FullyShardedDataParallel", "init_process_group", "init_distributed", "world_size", "WORLD_SIZE", "LOCAL_RANK"];

/**
 * A hand-written Adam-style update needs a square root, and what the collector reads its moments from; the rule
 * reports only one with two moments, in a file that corrects neither (`mayHoldUncorrectedUpdate`).
 */
const MANUAL_ADAM_WORDS: FactWords = { fragments: ["sqrt"], also: UPDATE_NEEDS, check: mayHoldUncorrectedUpdate };
const MANUAL_ADAM = (text: string) => /sqrt/.test(text) && /\b1(?:\.0*)?\s*-\s*[A-Za-z_]/.test(text);

/**
 * Words without which a Python text yields no optimizer construction: every optimizer class name of the knowledge
 * table (last segments of its paths and aliases) and the words of the config code `configs.ts` reads.
 */
/**
 * Optimizer sites come from optimizer names, config code, and Hydra `instantiate` calls (joined with their config by
 * `instantiate.ts`, which reads only a file that `mentionsInstantiate`): the word alone, which docstrings use in
 * prose ("the pipeline class to instantiate"), lets a text pass only beside such a call.
 */
const OPTIMIZER_WORDS: FactWords = {
  words: [...OPTIMIZER_CLASS_NAMES, ...CONFIG_WORD_LIST, "instantiate"],
  check: (text) => !/\binstantiate\b/.test(text) || mentionsInstantiate(text) || OPTIMIZER_OR_CONFIG_WORD.test(text),
};

/** The words of `OPTIMIZER_WORDS` but `instantiate`. */
const OPTIMIZER_OR_CONFIG_WORD = new RegExp(`\\b(?:${[...OPTIMIZER_CLASS_NAMES, ...CONFIG_WORD_LIST].join("|")})\\b`);

/** Whether a text may call Hydra's instantiate (the Hydra joiner reads no other file). */
export function mentionsInstantiate(text: string): boolean {
  return /\bhydra\b/.test(text) && /\b(?:instantiate|call)\s*\(/.test(text);
}

/** Words without which fact extraction does not run at all: a file without them has empty facts. */
const ANALYZED_WORDS: FactWords = { words: [...OPTIMIZER_CLASS_NAMES, ...DISTRIBUTED_WORDS, ...CONFIG_WORD_LIST] };

/**
 * What the Python collectors need, per kind of fact (`LanguageAdapter.factWords`): optimizer sites come only from
 * optimizer names and config code; every other kind only from a file that passed the extraction gate.
 */
export const PYTHON_FACT_WORDS: Record<FactKind, FactWords> = {
  optimizers: OPTIMIZER_WORDS,
  distributed: ANALYZED_WORDS,
  schedulers: ANALYZED_WORDS,
  lrWrites: ANALYZED_WORDS,
  modelHints: ANALYZED_WORDS,
  checkpoints: ANALYZED_WORDS,
  testCode: ANALYZED_WORDS,
  precision: ANALYZED_WORDS,
  resume: ANALYZED_WORDS,
  batch: ANALYZED_WORDS,
  loops: ANALYZED_WORDS,
  manualAdam: MANUAL_ADAM_WORDS,
  exclusive: OPTIMIZER_WORDS,
};

/** The extraction gate, as one expression (hand-written Adam updates pass their own test). */
const RELEVANT_WORDS = new RegExp(`\\b(?:${ANALYZED_WORDS.words!.join("|")})\\b`);

/** A file's indexed tree, as fact extraction read it (statements tree-sitter wrongly rejects masked). */
export interface PythonIndex {
  index: FileIndex;
  /** The text the index was built from (masked statements blanked, same length as the file). */
  text: string;
}

/**
 * Files whose constructions the project pass may judge again, per call site, with the index fact extraction built
 * (held weakly: a large run lets the collector free it, and the project pass indexes the text again).
 */
const KEPT = new WeakMap<AnalyzedFile, WeakRef<PythonIndex>>();

/** Whether a file has Python optimizer constructions the project pass may judge again. */
export function hasConstructions(file: AnalyzedFile): boolean {
  return KEPT.has(file);
}

/**
 * Files with constructions (`hasConstructions`) that the call-site joiner would leave as they are: each one, resolved
 * alone as the joiner first does (`probeConstruction`), reads neither its function's parameters nor a project module.
 */
const SETTLED = new WeakSet<AnalyzedFile>();

/** Whether the call-site joiner may change what a file's constructions say (it then indexes the file again if its index was freed). */
export function mayJudgeAgain(file: AnalyzedFile): boolean {
  return KEPT.has(file) && !SETTLED.has(file);
}

/** The index of a file with Python optimizer constructions: the one fact extraction built while it lives, else built again. */
export function keptIndex(file: AnalyzedFile): PythonIndex | undefined {
  const kept = KEPT.get(file);
  if (!kept) return undefined;
  // Built again, it is not kept: what a WeakRef made or read in one synchronous run of the project pass holds stays alive to its end.
  // A tree the language server parsed again after an edit may have taken this index's statements (parser.ts `isIntact`).
  const index = kept.deref();
  return index && isIntact(index.index.module.node) ? index : indexPython(file.text);
}

/** A kept index that is not there: the index is built again when asked (see `keepUnindexed`). */
const NOT_BUILT = { deref: () => undefined } as unknown as WeakRef<PythonIndex>;

/**
 * Marks a summary made without an index as one with constructions the project pass may judge again (the language
 * server's reuse after an edit inside a comment, reuse.ts): `keptIndex` indexes its text when asked.
 */
export function keepUnindexed(file: AnalyzedFile): void {
  KEPT.set(file, NOT_BUILT);
}

/** The index fact extraction built for a file, while it lives and still holds its nodes. */
export function builtIndex(file: AnalyzedFile): PythonIndex | undefined {
  const index = KEPT.get(file)?.deref();
  return index && isIntact(index.index.module.node) ? index : undefined;
}

/**
 * Gives `to` the index `index`, made from the index of `from` whose nodes were moved to `to`'s text (the language
 * server's reuse after an edit inside a comment, reuse.ts): `from`'s index is built again when asked.
 */
export function handOverIndex(from: AnalyzedFile, to: AnalyzedFile, index: PythonIndex): void {
  retireIndex(from);
  KEPT.set(to, new WeakRef(index));
}

/**
 * Gives `to`, the analysis of `from` moved past an edit inside a comment (reuse.ts), `from`'s verdict that the
 * call-site joiner would leave its constructions as they are: their probes read the same tokens (comments blanked),
 * so they read the same parameters and modules, and the joiner need not probe them again on every keystroke.
 */
export function carrySettled(from: AnalyzedFile, to: AnalyzedFile): void {
  if (SETTLED.has(from)) SETTLED.add(to);
}

/** Forgets the index of a file whose nodes were moved to a later text (reuse.ts): it is built again when asked. */
export function retireIndex(file: AnalyzedFile): void {
  const old = KEPT.get(file)?.deref();
  if (KEPT.has(file)) KEPT.set(file, NOT_BUILT);
  if (old && recentIndexes.get(file.text) === old) {
    recentIndexes.delete(file.text);
    recentIndexChars -= file.text.length;
  }
}

/**
 * Lets a copy of a summary (the language server gives each run one, see src/server/workspace.ts) stand for the
 * original: the joiner finds the original's kept index through it.
 */
export function shareKeptIndex(original: AnalyzedFile, copy: AnalyzedFile): void {
  const kept = KEPT.get(original);
  if (kept) KEPT.set(copy, kept);
  if (SETTLED.has(original)) SETTLED.add(copy);
}

/**
 * The indexes fact extraction built last, by the text of their file (BOM stripped), held strongly within a budget of
 * characters: in a small run (a pre-commit hook) the project pass reads the calls of a given file from the index its
 * analysis built, instead of copying and indexing its tree again. A text over the budget is not kept.
 */
const RECENT_INDEX_CHARS = 1 << 16;
const recentIndexes = new Map<string, PythonIndex>();
let recentIndexChars = 0;

function rememberIndex(text: string, index: PythonIndex): void {
  if (text.length > RECENT_INDEX_CHARS) return;
  if (recentIndexes.delete(text)) recentIndexChars -= text.length;
  recentIndexes.set(text, index);
  recentIndexChars += text.length;
  for (const oldest of recentIndexes.keys()) {
    if (recentIndexChars <= RECENT_INDEX_CHARS) break;
    recentIndexes.delete(oldest);
    recentIndexChars -= oldest.length;
  }
}

/** Parses and indexes a Python text for resolution (for files the project pass reads for their calls or values). */
export function indexPython(source: string): PythonIndex {
  const text = stripBom(source);
  // Remembered under the text as written (`analyzeIndexed`), which a Databricks export's masked view is not.
  const recent = recentIndexes.get(text);
  // The language server's copy of a later tree may have taken over this index's statements (parser.ts `isIntact`).
  if (recent && isIntact(recent.index.module.node)) return recent;
  const view = pythonView(text);
  const tree = parseTree(view);
  const plain = blankComments(view);
  const masked = maskGrammarGaps(plain, collectSyntaxErrors(tree, view));
  const analyzed = masked ?? plain;
  return { index: indexFile(toPyTree(masked === undefined ? tree : parseTree(masked)), analyzed), text: analyzed };
}

/** The first line Databricks writes in a notebook exported as a Python source file. */
const DATABRICKS_SOURCE = /^# Databricks notebook source[ \t]*(?:\r?\n|$)/;

/** Whether a text is a Databricks notebook exported as Python source, whose cells run as IPython runs them. */
export function isDatabricksSource(text: string): boolean {
  return DATABRICKS_SOURCE.test(text);
}

/**
 * The text the Python parser reads: a Databricks notebook export keeps IPython lines of its cells as written
 * (`!deepspeed ...` with its continuation lines, `%pip install`), which Databricks runs and Python would reject, so
 * they are masked as a notebook cell's are (same length: every offset still names the file's own text).
 */
export function pythonView(text: string): string {
  return isDatabricksSource(text) ? maskIPython(text).python : text;
}

/**
 * Parse once, report syntax errors and comments, and extract facts when the file mentions a framework. The facts of a
 * file without an optimizer construction or a hand-written update are made on first read (`factsOnDemand`).
 */
export function analyzePython(source: string, filePath = "<text>"): AnalyzedFile {
  return analyzeSource(source, filePath, true);
}

function analyzeSource(source: string, filePath: string, onDemand: boolean): AnalyzedFile {
  const text = stripBom(source);
  const view = pythonView(text);
  const tree = parseTree(view);
  const errors = collectSyntaxErrors(tree, view);
  const syntaxErrors = errors.map(({ masks: _masks, ...error }) => error);
  const template = templateNotice(text, filePath, syntaxErrors);
  if (template) return { text, facts: emptyFacts(), syntaxErrors: [template], comments: scanComments(text) };
  if (!RELEVANT_WORDS.test(text) && !MANUAL_ADAM(text)) return { text, facts: emptyFacts(), syntaxErrors, comments: scanComments(text) };
  // Comments are blanked (same length, their `#` kept, so no word can match that did not before): no fact depends on
  // what a comment says, which the language server's reuse after an edit inside a comment relies on (src/python/reuse.ts).
  const plain = blankComments(view);
  if (plain !== text && !RELEVANT_WORDS.test(plain) && !MANUAL_ADAM(plain)) return { text, facts: emptyFacts(), syntaxErrors, comments: scanComments(text) };
  // Statements tree-sitter wrongly rejects are masked (same length) so that the code after them reads as written.
  const masked = maskGrammarGaps(plain, errors);
  const analyzed = masked ?? plain;
  const index = { index: indexFile(toPyTree(masked === undefined ? tree : parseTree(masked)), analyzed), text: analyzed };
  // Made again on demand from the same text and path, in full: the same facts the analysis would have made now.
  const again = onDemand ? () => analyzeSource(source, filePath, false).facts : undefined;
  return analyzeIndexed(text, index, filePath, syntaxErrors, undefined, again);
}

/**
 * The file's facts. The calls are scanned once (`scanCalls`); when they build no optimizer, the config code is read
 * first, on empty facts. If it builds none either and the file holds no hand-written update, no rule can report from
 * the facts and only a joiner that places a construction in the file reads them: with `again`, they are made on first
 * read (`factsOnDemand`), the config code's roots and DeepSpeed arguments, which joiners read, being given as a full
 * analysis gives them. Otherwise what the config code gave is added to the calls' facts (`addConfigFacts`), so it is
 * read once.
 */
function factsOf(resolver: Resolver, configRoots: ResolvedValue[], trainerArguments: ResolvedValue[], again?: () => TrainingFacts): TrainingFacts {
  const scan = scanCalls(resolver);
  if (scan.optimizers.length > 0) return withModelFacts(resolver, withConfigFacts(resolver, extractFacts(resolver, scan), configRoots, trainerArguments));
  const config = withConfigFacts(resolver, emptyFacts(), configRoots, trainerArguments);
  const manual = manualAdamUpdates(resolver);
  if (again && config.optimizers.length === 0 && manual.length === 0) return factsOnDemand(again);
  return withModelFacts(resolver, addConfigFacts(extractFacts(resolver, scan, manual), config));
}

/**
 * Adds to `facts` what `withConfigFacts` gave on empty facts (`config`), as `withConfigFacts` run on `facts` would have
 * added it, in the same order: `facts` holds no construction, so the config sites' ids are the same. This follows
 * configs.ts's `add` (constructions and schedulers appended, model facts, the batch's keys a key does not have yet, in
 * the order they were found, loops appended) and its lr scaling (appended, then sorted by start: a stable sort, so one
 * sort at the end orders as one after each append did). test/python/config-facts-once.test.ts checks the result
 * against running it again.
 */
function addConfigFacts(facts: TrainingFacts, config: TrainingFacts): TrainingFacts {
  facts.optimizers.push(...config.optimizers);
  facts.schedulers.push(...config.schedulers);
  addModelFacts(facts, { kinds: config.modelHints.kinds ?? [], precision: config.precision ?? [], freezes: config.modelHints.freezesParameters });
  if (config.batch) {
    const batch = (facts.batch ??= {});
    for (const key of Object.keys(config.batch) as (keyof BatchFacts)[]) if (!batch[key] && config.batch[key]) Object.assign(batch, { [key]: config.batch[key] });
  }
  if (config.loops && config.loops.length > 0) facts.loops = [...(facts.loops ?? []), ...config.loops];
  const scaled = config.distributed.lrScaledByWorldSize;
  if (scaled.length > 0) {
    facts.distributed.lrScaledByWorldSize.push(...scaled);
    facts.distributed.lrScaledByWorldSize.sort((a, b) => a.start - b.start);
  }
  return facts;
}

/** A folder named as a cookiecutter or copier template names it (`{{cookiecutter.project_slug}}/train.py`). */
const TEMPLATE_FOLDER = /(?:^|[\\/])[^\\/]*\{\{[^\\/]*\}\}[^\\/]*[\\/]/;

/**
 * The one notice for a Jinja or cookiecutter template, which is not Python until it is rendered: a file under a
 * folder whose name holds `{{ ... }}`, or one whose fatal syntax errors all sit on lines holding template tags
 * (`{% if cookiecutter.use_wandb %}`, `lr = {{ lr }}` is valid Python and no sign). It is analyzed no further and the
 * notice is not fatal: a template does not fail a run, and its rendered file is what can be linted.
 */
function templateNotice(text: string, filePath: string, errors: AnalyzedFile["syntaxErrors"]): AnalyzedFile["syntaxErrors"][number] | undefined {
  const underTemplate = TEMPLATE_FOLDER.test(filePath);
  const fatal = errors.filter((e) => e.severity === undefined);
  if (!underTemplate && fatal.length === 0) return undefined;
  const lineEnd = /[\r\n]/g;
  const lineText = (offset: number): string => {
    lineEnd.lastIndex = offset;
    const end = lineEnd.exec(text);
    return text.slice(Math.max(text.lastIndexOf("\n", offset - 1), text.lastIndexOf("\r", offset - 1)) + 1, end ? end.index : text.length);
  };
  if (!underTemplate && !fatal.every((e) => lineHasTemplateTag(lineText(e.span.start), "#"))) return undefined;
  const tag = /\{\{|\{%/.exec(text);
  const span = underTemplate || !tag ? { start: 0, end: 0 } : { start: tag.index, end: tag.index + 2 };
  const why = underTemplate ? "its folder is named as a template's" : "its syntax errors sit on template tags";
  return { span, message: `Not analyzed: this file looks like a Jinja or cookiecutter template (${why}), not Python; lint the rendered file.`, severity: "info" };
}

/** Whether fact extraction runs on a text (comments blanked): it names a framework word, or has a hand-written Adam update. */
export function passesExtractionGate(plain: string): boolean {
  return RELEVANT_WORDS.test(plain) || MANUAL_ADAM(plain);
}

/**
 * The summary of a text from its index: built by `analyzePython`, or moved from the previous text's by the language
 * server after an edit inside a number (reuse.ts).
 */
export function analyzeIndexed(
  text: string,
  { index: fileIndex, text: analyzed }: PythonIndex,
  filePath: string,
  syntaxErrors: AnalyzedFile["syntaxErrors"],
  comments: AnalyzedFile["comments"] = scanComments(text),
  again?: () => TrainingFacts,
): AnalyzedFile {
  const resolver = new Resolver(fileIndex, analyzed, filePath);
  const configRoots: ResolvedValue[] = [];
  const trainerArguments: ResolvedValue[] = [];
  const facts = factsOf(resolver, configRoots, trainerArguments, again);
  const result: AnalyzedFile = { text, facts, syntaxErrors, comments, ...(configRoots.length > 0 ? { configRoots } : {}), ...(trainerArguments.length > 0 ? { trainerArguments } : {}) };
  const index = { index: resolver.index, text: analyzed };
  rememberIndex(text, index);
  const constructions = facts.optimizers.filter((site) => site.dialect === undefined);
  if (constructions.length > 0) {
    KEPT.set(result, new WeakRef(index));
    // Probed here, while the index lives: a file the joiner would leave as it is need not be indexed again for it.
    const joinable = (site: OptimizerSite): boolean => {
      const probed = probeConstruction(fileIndex, analyzed, filePath, site);
      return probed !== undefined && joinMayChange(probed);
    };
    if (!constructions.some(joinable)) SETTLED.add(result);
  }
  return result;
}

export { emptyFacts };
