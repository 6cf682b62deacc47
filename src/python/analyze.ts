/** Analysis of one Python file: syntax errors, comments and, when the file can matter, training facts. */
import type { TrainingFacts } from "../core/facts.js";
import type { AnalyzedFile } from "../core/types.js";
import { extractFacts } from "./facts.js";
import { CONFIG_WORDS, withConfigFacts } from "./configs.js";
import { OPTIMIZER_CLASS_NAMES } from "./names.js";
import { collectSyntaxErrors, parseTree, scanComments, toPyTree } from "./parser.js";
import { indexFile } from "./scope.js";
import { Resolver } from "./values.js";

/** Words without which a file has neither an optimizer construction nor data-parallel setup: such files skip fact extraction. */
const RELEVANT_WORDS = new RegExp(
  `\\b(?:${[...OPTIMIZER_CLASS_NAMES].join("|")})\\b|DistributedDataParallel|DistributedSampler|FullyShardedDataParallel|init_process_group|init_distributed|world_size|WORLD_SIZE|LOCAL_RANK`,
);

/** Facts of a file that has no training code. */
export function emptyFacts(): TrainingFacts {
  return {
    optimizers: [],
    distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] },
    schedulers: [],
    lrWrites: [],
    modelHints: { freezesParameters: [] },
  };
}

/** Parse once, report syntax errors and comments, and extract facts when the file mentions a framework. */
export function analyzePython(source: string, filePath = "<text>"): AnalyzedFile {
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  const tree = parseTree(text);
  const syntaxErrors = collectSyntaxErrors(tree, text);
  const relevant = RELEVANT_WORDS.test(text) || CONFIG_WORDS.test(text);
  const resolver = relevant ? new Resolver(indexFile(toPyTree(tree), text), text, filePath) : undefined;
  const facts = resolver ? withConfigFacts(resolver, extractFacts(resolver)) : emptyFacts();
  return { text, facts, syntaxErrors, comments: scanComments(text) };
}
