/**
 * The language server's reuse of a Python file's previous analysis after an edit inside one comment.
 *
 * Fact extraction reads the text with each comment's content blanked (`blankComments`, analyze.ts), and a change that
 * stays inside one comment and adds or removes no line break leaves every token outside that comment as it was: the
 * syntax tree is the same but for the offsets after the change, and the blanked text differs only in how many blanks
 * stand for that comment. The analysis of the new text is then the previous one with those offsets moved, which costs
 * a walk over the facts instead of an index, a fact extraction and the model facts.
 *
 * The analysis is exact under that move because it compares offsets only with each other and reads texts by their
 * content, where a run of blanks of another length reads the same to every test the collectors make (words, `\s*`).
 * Two guards keep the cases where it could not be: a fact whose text quotes a comment's place (a string holding `#`
 * followed by a blank, a line end or nothing) and an offset strictly inside the changed comment refuse the reuse, as
 * do syntax errors (the error recovery may read a comment's neighbourhood differently).
 */
import type Parser from "tree-sitter";
import type { Span } from "../core/facts.js";
import type { AnalyzedFile } from "../core/types.js";
import type { FileIndex } from "./scope.js";
import { analyzeIndexed, builtIndex, carrySettled, handOverIndex, hasConstructions, keepUnindexed, passesExtractionGate, retireIndex, type PythonIndex } from "./analyze.js";
import { Flows } from "./flows.js";
import { handOverCallsByName } from "./training.js";
import { handOverNameRefs, handOverParserCalls } from "./values.js";
import { blankComments, moveCopy, scanComments, textChange, type PyNode } from "./parser.js";

/** How many analyses were answered by moving the previous one (the bench and the tests read it). */
export const commentEditReuse = { reused: 0, refused: 0, indexesMoved: 0 };

/** A marker thrown when a value cannot be moved exactly; the caller analyzes the text instead. */
const REFUSED = Symbol("refused");

/** A text a fact may have copied from around a comment: `#` then a blank, a line end or nothing. */
const QUOTES_COMMENT = /#(?:[ \t\r\n]|$)/;

/**
 * The analysis of `after` made from `previous`, the analysis of the text before (`previous.text`), when the change
 * between them lies inside one comment of `tree` (the tree of `after`); undefined when it does not, or when the move
 * could not be exact.
 */
export function analysisAfterCommentEdit(previous: AnalyzedFile, after: string, tree: Parser.Tree): AnalyzedFile | undefined {
  const before = previous.text;
  const change = textChange(before, after);
  if (!change || previous.syntaxErrors.length > 0 || tree.rootNode.hasError) return undefined;
  const { startIndex, oldEndIndex, newEndIndex } = change;
  if (/[\r\n]/.test(before.slice(startIndex, oldEndIndex)) || /[\r\n]/.test(after.slice(startIndex, newEndIndex))) return undefined;
  const comment = tree.rootNode.descendantForIndex(startIndex, newEndIndex);
  // Strictly after the `#`: the comment's start, and whether it is one, are as they were.
  if (comment.type !== "comment" || comment.startIndex >= startIndex || newEndIndex > comment.endIndex) return undefined;
  const commentStart = comment.startIndex;
  const shift = newEndIndex - oldEndIndex;
  const oldCommentEnd = comment.endIndex - shift;
  // The blanking's lexical scan must see the comment that tree-sitter sees (what it reads as a string is not blanked),
  // before and after the change (the scan reaches the comment in the same state: the text before it is the same).
  if (!/^#[ \r]*$/.test(blankComments(after).slice(commentStart, comment.endIndex))) return undefined;
  if (!/^#[ \r]*$/.test(blankComments(before).slice(commentStart, oldCommentEnd))) return undefined;
  // Offsets up to the comment's start stay; offsets from its old end on move; none may fall inside it.
  const move = (offset: number): number => {
    if (offset <= commentStart) return offset;
    if (offset >= oldCommentEnd) return offset + shift;
    throw REFUSED;
  };
  try {
    const facts = moved(previous.facts, move) as AnalyzedFile["facts"];
    const result: AnalyzedFile = { text: after, facts, syntaxErrors: [], comments: scanComments(after) };
    if (previous.configRoots) result.configRoots = moved(previous.configRoots, move) as AnalyzedFile["configRoots"];
    if (previous.trainerArguments) result.trainerArguments = moved(previous.trainerArguments, move) as AnalyzedFile["trainerArguments"];
    if (previous.references) result.references = moved(previous.references, move) as AnalyzedFile["references"];
    // No node or binding has an offset inside a comment: those up to its start stay, the others move.
    const moveNode = (offset: number): number => (offset <= commentStart ? offset : offset + shift);
    if (hasConstructions(previous) && !moveIndex(previous, result, tree, commentStart, moveNode)) keepUnindexed(result);
    carrySettled(previous, result);
    commentEditReuse.reused++;
    return result;
  } catch (error) {
    if (error !== REFUSED) throw error;
    commentEditReuse.refused++;
    return undefined;
  }
}

/**
 * Moves the index fact extraction built for `previous` to `result`'s text, so that the call-site joiner need not index
 * the document again: its nodes are the copy of the tree `tree` was parsed from, moved in place (`moveCopy`), and
 * its bindings' offsets move with them. `previous` gets its index built again if it is asked for it (an undo).
 */
function moveIndex(previous: AnalyzedFile, result: AnalyzedFile, tree: Parser.Tree, before: number, move: (offset: number) => number): boolean {
  const kept = builtIndex(previous);
  const index = kept && movedIndex(kept, tree, before, move, blankComments(result.text));
  if (!index) return false;
  handOverIndex(previous, result, index);
  commentEditReuse.indexesMoved++;
  return true;
}

/**
 * The index `kept` moved to the text `text` (comments blanked) of `tree`, when its nodes are the copy of the tree
 * `tree` was parsed from: the nodes from `before` on and the bindings' offsets are moved in place by `move`.
 */
function movedIndex(kept: PythonIndex, tree: Parser.Tree, before: number, move: (offset: number) => number, text: string): PythonIndex | undefined {
  if (!moveCopy(tree, kept.index.module.node, before, move)) return undefined;
  const old = kept.index;
  for (const scope of [old.module, ...old.scopes.values()]) {
    for (const bindings of scope.bindings.values()) for (const binding of bindings) binding.pos = move(binding.pos);
  }
  // New lists and a new index object: what is kept per index or per list (texts read from calls) is read again, but
  // for what reads only the tree's shape and its identifiers, which no edit inside a number or a comment changes
  const index: FileIndex = {
    ...old,
    text,
    calls: [...old.calls],
    subscripts: [...old.subscripts],
    assignments: [...old.assignments],
    binaryDivisions: [...old.binaryDivisions],
    binaryProducts: [...old.binaryProducts],
    namedValues: [...old.namedValues],
    inComparisons: [...old.inComparisons],
  };
  // and what is found by identifiers alone: the flows of control, the argparse calls, the calls by callee name, the
  // references read from names and imports.
  Flows.handOver(old, index);
  handOverParserCalls(old, index);
  handOverNameRefs(old, index);
  handOverCallsByName(old.calls, index.calls);
  return { text, index };
}

/** Number tokens: typing a digit into one keeps the syntax tree as it was but for the offsets after it. */
const NUMBER_TYPES = new Set(["integer", "float"]);

/**
 * The analysis of `after` when the change from `previous.text` stays inside one number token of `tree` (the tree of
 * `after`) that keeps its type, as in typing a digit: the facts are extracted again, since they read numbers, but
 * from the previous analysis's index moved to the new text instead of a new copy of the tree and a new index. The
 * index reads no number's text but in the receivers of item writes (`x[0]["lr"] = ...`): with a digit in one of them
 * the text is analyzed instead. Undefined when that does not apply.
 */
export function analysisAfterNumberEdit(previous: AnalyzedFile, after: string, tree: Parser.Tree, filePath: string): AnalyzedFile | undefined {
  const change = textChange(previous.text, after);
  if (!change || previous.syntaxErrors.length > 0 || tree.rootNode.hasError) return undefined;
  const { startIndex, oldEndIndex, newEndIndex } = change;
  const token = tree.rootNode.descendantForIndex(startIndex, newEndIndex);
  if (!NUMBER_TYPES.has(token.type) || token.startIndex > startIndex || newEndIndex > token.endIndex) return undefined;
  const kept = builtIndex(previous);
  if (!kept || [...kept.index.mutatedItems.keys()].some((receiver) => /\d/.test(receiver))) return undefined;
  const shift = newEndIndex - oldEndIndex;
  const tokenStart = token.startIndex;
  // The token as the previous copy has it: the same start and type, its end before the change.
  const old = leafAt(kept.index.module.node, tokenStart);
  if (old?.type !== token.type || old.end !== token.endIndex - shift) return undefined;
  const spliced = splicedBlanks(previous, kept.text, after, change, tokenStart);
  const plain = spliced ?? blankComments(after);
  if (!passesExtractionGate(plain)) return undefined;
  // No node has an offset inside the token: those up to its start stay, the others move.
  const index = movedIndex(kept, tree, tokenStart, (offset) => (offset <= tokenStart ? offset : offset + shift), plain);
  if (!index) return undefined;
  retireIndex(previous);
  numberEditReuse.indexesMoved++;
  if (spliced !== undefined) numberEditReuse.blanksSpliced++;
  // The comments are those of the text before: the same texts on the same lines (the edit adds no line break).
  return analyzeIndexed(after, index, filePath, [], spliced === undefined ? undefined : previous.comments);
}

/** Characters that change the state of the lexical scan that finds comments (parser.ts `forEachComment`). */
const SCAN_STATE = /[#'"\\\r\n]/;

/**
 * The text after an edit inside a number token with comments blanked, made from `plain`, the text before with comments
 * blanked, instead of scanning the whole text again; undefined when that is not exact. It is when neither the removed
 * nor the typed characters change the scan's state (no `#`, quote, backslash or line break) and the token's first
 * character was not blanked (the scan did not read the token as part of a comment, which runs from a `#` to the end
 * of its line): the scan then passes the same states everywhere, so only the changed characters differ.
 */
function splicedBlanks(previous: AnalyzedFile, plain: string, after: string, change: { startIndex: number; oldEndIndex: number; newEndIndex: number }, tokenStart: number): string | undefined {
  const { startIndex, oldEndIndex, newEndIndex } = change;
  if (plain.length !== previous.text.length || plain[tokenStart] !== previous.text[tokenStart]) return undefined;
  const typed = after.slice(startIndex, newEndIndex);
  if (SCAN_STATE.test(typed) || SCAN_STATE.test(previous.text.slice(startIndex, oldEndIndex))) return undefined;
  return plain.slice(0, startIndex) + typed + plain.slice(oldEndIndex);
}

/** How many analyses after a number edit read the moved index (the tests read it). */
export const numberEditReuse = { indexesMoved: 0, blanksSpliced: 0 };

/** The leaf of a copied tree that starts at `offset`, if any. */
function leafAt(root: PyNode, offset: number): PyNode | undefined {
  let node = root;
  for (;;) {
    const child = node.children.find((c) => c.start <= offset && offset < c.end);
    if (!child) return undefined;
    if (child.children.length === 0) return child.start === offset ? child : undefined;
    node = child;
  }
}

/** Whether a value is a span of this file's text: numeric `start` and `end`, and no `file`. */
function isOwnSpan(value: Record<string, unknown>): value is Span & Record<string, unknown> {
  return typeof value.start === "number" && typeof value.end === "number" && value.file === undefined;
}

/**
 * A copy of a fact structure with every span of this file moved (lists, plain objects and maps copied; anything else
 * shared, as the facts never hold anything else that offsets live in). Throws REFUSED for a text quoting a comment.
 */
function moved(value: unknown, move: (offset: number) => number): unknown {
  if (typeof value === "string") {
    if (QUOTES_COMMENT.test(value)) throw REFUSED;
    return value;
  }
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => moved(item, move));
  if (value instanceof Map) return new Map([...value].map(([key, item]) => [moved(key, move), moved(item, move)]));
  if (value instanceof Set) return new Set([...value].map((item) => moved(item, move)));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) out[key] = moved(record[key], move);
  if (isOwnSpan(record)) {
    out.start = move(record.start);
    out.end = move(record.end);
  }
  return out;
}
