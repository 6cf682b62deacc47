/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import type { TrainingFacts } from "../core/facts.js";
import type { AnalyzedFile } from "../core/types.js";
import { OPTIMIZER_MODULE_ROOTS } from "../knowledge/optimizers.js";
import { extractFacts } from "./facts.js";
import { collectSyntaxErrors, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile } from "./scope.js";
import { Resolver } from "./values.js";

/**
 * Tokens without which a file cannot construct a known optimizer (every one lives under a framework
 * module) or read the world size; a file with none of them skips fact extraction.
 */
const RELEVANT_TOKENS = new RegExp([...OPTIMIZER_MODULE_ROOTS, "world_size", "WORLD_SIZE", "LOCAL_RANK"].join("|"));

/** Facts of a file that has no training code. */
export function emptyFacts(): TrainingFacts {
  return { optimizers: [], distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] } };
}

/** Parse once, report syntax errors and comments, and extract facts when the file mentions a framework. */
export function analyzePython(source: string): AnalyzedFile {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const tree = parseTree(text);
  const syntaxErrors = collectSyntaxErrors(tree, text);
  const facts = RELEVANT_TOKENS.test(text) ? extractFacts(new Resolver(indexFile(toPyTree(tree), text), text)) : emptyFacts();
  return { text, facts, syntaxErrors, comments: scanComments(text) };
}
