/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import { emptyFacts, type ResolvedValue } from "../core/facts.js";
import type { AnalyzedFile } from "../core/types.js";
import { extractFacts } from "./facts.js";
import { CONFIG_WORDS, withConfigFacts } from "./configs.js";
import { OPTIMIZER_CLASS_NAMES } from "./names.js";
import { collectSyntaxErrors, maskGrammarGaps, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile } from "./scope.js";
import { Resolver } from "./values.js";
import { stripBom } from "../core/source-text.js";

/** Words without which a file has neither an optimizer construction nor data-parallel setup: such files skip fact extraction. */
const RELEVANT_WORDS = new RegExp(
  `\\b(?:${[...OPTIMIZER_CLASS_NAMES].join("|")})\\b|DistributedDataParallel|DistributedSampler|FullyShardedDataParallel|init_process_group|init_distributed|world_size|WORLD_SIZE|LOCAL_RANK`,
);

/** A hand-written Adam-style update needs a square root and a `(1 - beta)` factor. */
const MANUAL_ADAM_WORDS = { test: (text: string) => /sqrt/.test(text) && /\b1(?:\.0*)?\s*-\s*[A-Za-z_]/.test(text) };

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
  const facts = withConfigFacts(resolver, extractFacts(resolver), configRoots);
  return { text, facts, syntaxErrors, comments: scanComments(text), ...(configRoots.length > 0 ? { configRoots } : {}) };
}

export { emptyFacts };
