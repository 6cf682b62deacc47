/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import { emptyFacts, type ResolvedValue } from "../core/facts.js";
import type { AnalyzedFile } from "../core/types.js";
import { extractFacts } from "./facts.js";
import { withModelFacts } from "./models.js";
import { CONFIG_WORDS, withConfigFacts } from "./configs.js";
import { OPTIMIZER_CLASS_NAMES } from "./names.js";
import { collectSyntaxErrors, maskGrammarGaps, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile, type FileIndex } from "./scope.js";
import { Resolver } from "./values.js";
import { stripBom } from "../core/source-text.js";

/** Words without which a file has neither an optimizer construction nor data-parallel setup: such files skip fact extraction. */
const RELEVANT_WORDS = new RegExp(
  `\\b(?:${[...OPTIMIZER_CLASS_NAMES].join("|")})\\b|DistributedDataParallel|DistributedSampler|FullyShardedDataParallel|init_process_group|init_distributed|world_size|WORLD_SIZE|LOCAL_RANK`,
);

/** A hand-written Adam-style update needs a square root and a `(1 - beta)` factor. */
const MANUAL_ADAM_WORDS = { test: (text: string) => /sqrt/.test(text) && /\b1(?:\.0*)?\s*-\s*[A-Za-z_]/.test(text) };

/** A file's indexed tree, as fact extraction read it (statements tree-sitter wrongly rejects masked). */
export interface PythonIndex {
  index: FileIndex;
  /** The text the index was built from (masked statements blanked, same length as the file). */
  text: string;
}

/** The index of files whose constructions the project pass may judge again, per call site (kept while their summary lives). */
const KEPT = new WeakMap<AnalyzedFile, PythonIndex>();

/** The index fact extraction built for a file, when it has Python optimizer constructions. */
export function keptIndex(file: AnalyzedFile): PythonIndex | undefined {
  return KEPT.get(file);
}

/** Parses and indexes a Python text for resolution (for files the project pass reads for their calls or values). */
export function indexPython(source: string): PythonIndex {
  const text = stripBom(source);
  const tree = parseTree(text);
  const masked = maskGrammarGaps(text, collectSyntaxErrors(tree, text));
  const analyzed = masked ?? text;
  return { index: indexFile(toPyTree(masked === undefined ? tree : parseTree(masked)), analyzed), text: analyzed };
}

/** Parse once, report syntax errors and comments, and extract facts when the file mentions a framework. */
export function analyzePython(source: string, filePath = "<text>"): AnalyzedFile {
  const text = stripBom(source);
  const tree = parseTree(text);
  const errors = collectSyntaxErrors(tree, text);
  const syntaxErrors = errors.map(({ masks: _masks, ...error }) => error);
  if (!RELEVANT_WORDS.test(text) && !CONFIG_WORDS.test(text) && !MANUAL_ADAM_WORDS.test(text)) return { text, facts: emptyFacts(), syntaxErrors, comments: scanComments(text) };
  // Statements tree-sitter wrongly rejects are masked (same length) so that the code after them reads as written.
  const masked = maskGrammarGaps(text, errors);
  const analyzed = masked ?? text;
  const resolver = new Resolver(indexFile(toPyTree(masked === undefined ? tree : parseTree(masked)), analyzed), analyzed, filePath);
  const configRoots: ResolvedValue[] = [];
  const facts = withModelFacts(resolver, withConfigFacts(resolver, extractFacts(resolver), configRoots));
  const result: AnalyzedFile = { text, facts, syntaxErrors, comments: scanComments(text), ...(configRoots.length > 0 ? { configRoots } : {}) };
  if (facts.optimizers.some((site) => site.dialect === undefined)) KEPT.set(result, { index: resolver.index, text: analyzed });
  return result;
}

export { emptyFacts };
