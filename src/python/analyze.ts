/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import { emptyFacts, type ResolvedValue } from "../core/facts.js";
import type { AnalyzedFile, FactKind, FactWords } from "../core/types.js";
import { extractFacts } from "./facts.js";
import { CONFIG_WORD_LIST, withConfigFacts } from "./configs.js";
import { OPTIMIZER_CLASS_NAMES } from "./names.js";
import { collectSyntaxErrors, maskGrammarGaps, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile } from "./scope.js";
import { Resolver } from "./values.js";
import { stripBom } from "../core/source-text.js";

/** Words of data-parallel setup (evidence the distributed facts are built from). */
const DISTRIBUTED_WORDS = ["DistributedDataParallel", "DistributedSampler", "FullyShardedDataParallel", "init_process_group", "init_distributed", "world_size", "WORLD_SIZE", "LOCAL_RANK"];

/**
 * Words without which a Python text yields no optimizer construction: every optimizer class name of the knowledge
 * table (last segments of its paths and aliases) and the words of the config code `configs.ts` reads.
 */
const OPTIMIZER_WORDS: FactWords = { words: [...OPTIMIZER_CLASS_NAMES, ...CONFIG_WORD_LIST] };

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
};

/** The extraction gate, as one expression. */
const RELEVANT_WORDS = new RegExp(`\\b(?:${ANALYZED_WORDS.words!.join("|")})\\b`);

/** Parse once, report syntax errors and comments, and extract facts when the file mentions a framework. */
export function analyzePython(source: string, filePath = "<text>"): AnalyzedFile {
  const text = stripBom(source);
  const tree = parseTree(text);
  const errors = collectSyntaxErrors(tree, text);
  const syntaxErrors = errors.map(({ masks: _masks, ...error }) => error);
  if (!RELEVANT_WORDS.test(text)) return { text, facts: emptyFacts(), syntaxErrors, comments: scanComments(text) };
  // Statements tree-sitter wrongly rejects are masked (same length) so that the code after them reads as written.
  const masked = maskGrammarGaps(text, errors);
  const analyzed = masked ?? text;
  const resolver = new Resolver(indexFile(toPyTree(masked === undefined ? tree : parseTree(masked)), analyzed), analyzed, filePath);
  const configRoots: ResolvedValue[] = [];
  const facts = withConfigFacts(resolver, extractFacts(resolver), configRoots);
  return { text, facts, syntaxErrors, comments: scanComments(text), ...(configRoots.length > 0 ? { configRoots } : {}) };
}

export { emptyFacts };
