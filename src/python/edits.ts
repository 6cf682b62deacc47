/**
 * Turns fix requests on Python facts into text edits on the file, keeping its formatting, quotes, comments,
 * line endings and import style. Anything that cannot be done safely comes back as a reason string.
 */
import type { Span } from "../core/facts.js";
import type { AnalyzedFile, FixRequest, TextEdit } from "../core/types.js";
import { scaleByWorldSize, setArgument } from "./edits/arguments.js";
import { addLrScheduler, correctAdamUpdate, restoreOptimizerState, saveOptimizerState } from "./edits/training.js";
import { splitDecayGroups, swapSequenceItems } from "./edits/groups.js";
import { renameOptimizer } from "./edits/rename.js";
import { mappingEdits, swapSeparateItems } from "./edits/mapping.js";
import { configSiteData } from "../configs/recognize.js";
import type Parser from "tree-sitter";
import { moduleOf, nodeAt, type SyntaxNode } from "./edits/syntax.js";
import { copyTree, parse, parsesCleanly, parseTree } from "./parser.js";
import { applyTextEdits } from "../core/text-edits.js";

/**
 * Whether the file with `changes` made still parses cleanly, at the least cost that keeps the answer exact: a name or
 * number swapped for one of its kind needs no parse; changes inside one top-level statement need a parse of that
 * statement alone; other changes need an incremental re-parse. For that, a scratch copy of the file's tree is edited to
 * the candidate (each change a tree edit) and parsed again, reusing what the changes left alone; the next candidate
 * first reverts the previous one's changes the same way. The fix loop still parses the whole fixed text before it
 * writes a file.
 */
function candidateParses(file: AnalyzedFile, changes: TextEdit[]): boolean {
  const root = moduleOf(treeOf(file));
  if (changes.every((change) => sameKindOfToken(root, change))) return true;
  const statement = enclosingStatement(root, file.text, changes);
  if (statement) {
    const slice = applyTextEdits(
      file.text.slice(statement.start, statement.end),
      changes.map((c) => ({ span: { start: c.span.start - statement.start, end: c.span.end - statement.start }, text: c.text })),
    );
    return statementParses(slice);
  }
  let scratch = scratchTrees.get(file);
  if (!scratch) scratchTrees.set(file, (scratch = { tree: copyTree(treeOf(file), file.text), text: file.text, applied: [], verdicts: new Map() }));
  // A fix and a suggestion often make the same change: it is checked once.
  const key = JSON.stringify(changes.map((c) => [c.span.start, c.span.end, c.text]));
  let verdict = scratch.verdicts.get(key);
  if (verdict === undefined) scratch.verdicts.set(key, (verdict = reparsesCleanly(file, scratch, changes)));
  return verdict;
}

function reparsesCleanly(file: AnalyzedFile, scratch: Scratch, changes: TextEdit[]): boolean {
  const candidate = applyTextEdits(file.text, changes);
  if (candidate === scratch.text) return parsesCleanly(candidate, scratch.tree);
  for (const edit of treeEdits(scratch.text, inverse(file.text, scratch.applied))) scratch.tree.edit(edit);
  for (const edit of treeEdits(file.text, changes)) scratch.tree.edit(edit);
  scratch.tree = parse(candidate, scratch.tree);
  scratch.text = candidate;
  scratch.applied = changes;
  return parsesCleanly(candidate, scratch.tree);
}

/**
 * Whether a statement's text parses on its own, remembered for the last few hundred statements of up to a few
 * thousand characters: the language server offers the same fixes on every keystroke, most of them in statements the
 * keystroke left alone.
 */
function statementParses(text: string): boolean {
  let verdict = statementVerdicts.get(text);
  if (verdict === undefined) {
    statementChecks.parsed++;
    verdict = parsesCleanly(text, parse(text));
    if (text.length <= KEPT_STATEMENT_CHARS) {
      statementVerdicts.set(text, verdict);
      if (statementVerdicts.size > KEPT_STATEMENTS) statementVerdicts.delete(statementVerdicts.keys().next().value!);
    }
  }
  return verdict;
}
const statementVerdicts = new Map<string, boolean>();
const KEPT_STATEMENTS = 256;
const KEPT_STATEMENT_CHARS = 4096;
/** How many statements were parsed to check a fix (the tests read it). */
export const statementChecks = { parsed: 0 };

/**
 * The top-level statement that holds every change strictly inside it, when it has whole lines of its own (it starts a
 * line and only a comment follows it there). A file that parsed is a sequence of such statements, each read from a
 * fresh line at column 0 with no bracket or string left open, so the file with the changes parses exactly when that
 * statement's new text parses on its own: a parse of one statement instead of the file.
 */
export function enclosingStatement(root: SyntaxNode, text: string, changes: TextEdit[]): Span | undefined {
  const first = changes[0].span.start;
  const last = changes[changes.length - 1].span.end;
  let node: SyntaxNode | null = root.descendantForIndex(first, first);
  while (node?.parent && node.parent.parent) node = node.parent;
  if (!node?.parent || node.type === "comment" || node.type === "ERROR") return undefined;
  const { startIndex: start, endIndex: end } = node;
  if (!(start < first && last < end)) return undefined;
  if (start > 0 && text[start - 1] !== "\n") return undefined;
  if (!/^[ \t]*(?:#[^\n]*)?(?:\n|$)/.test(text.slice(end, text.indexOf("\n", end) + 1 || text.length))) return undefined;
  return { start, end };
}

/** Words that are not plain names in some statements (soft keywords, Python 2 statements tree-sitter still reads). */
const NOT_PLAIN_NAMES = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "case", "class", "continue", "def", "del", "elif",
  "else", "except", "exec", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "match", "nonlocal", "not",
  "or", "pass", "print", "raise", "return", "try", "type", "while", "with", "yield", "_",
]);
/** A Python name; made on first use, since a pattern with Unicode property classes is costly to make (every CLI start made it). */
let plainName: RegExp | undefined;
const DECIMAL = /^(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?$/;

/**
 * Whether a change replaces one whole name or number token with another of the same kind (`Adam` with `AdamW`,
 * `0.1` with `1e-05`): the tokens the parser sees keep their kinds, so a file that parsed still parses.
 */
export function sameKindOfToken(root: SyntaxNode, change: TextEdit): boolean {
  const { start, end } = change.span;
  if (start === end) return false;
  const token = root.descendantForIndex(start, end);
  if (token.startIndex !== start || token.endIndex !== end || token.childCount > 0) return false;
  if (token.type === "identifier") return (plainName ??= /^[\p{L}_][\p{L}\p{N}_]*$/u).test(change.text) && !NOT_PLAIN_NAMES.has(change.text);
  if (token.type === "integer" || token.type === "float") return DECIMAL.test(change.text);
  return false;
}

/** Each analyzed file's scratch tree, the text it now stands for, and the changes from the file's text to it. */
const scratchTrees = new WeakMap<AnalyzedFile, Scratch>();

interface Scratch {
  tree: Parser.Tree;
  text: string;
  applied: TextEdit[];
  /** Whether each set of changes checked so far parses. */
  verdicts: Map<string, boolean>;
}

/** The changes that turn `text` with `changes` (sorted, apart) made back into `text`, in the changed text's offsets. */
function inverse(text: string, changes: readonly TextEdit[]): TextEdit[] {
  let shift = 0;
  return changes.map((change) => {
    const start = change.span.start + shift;
    shift += change.text.length - (change.span.end - change.span.start);
    return { span: { start, end: start + change.text.length }, text: text.slice(change.span.start, change.span.end) };
  });
}

/**
 * Tree-sitter edits for changes (sorted, apart) to `text`, in the order to apply them: the last change first, so that
 * each one's offsets and rows in `text` still hold when it is applied.
 */
function treeEdits(text: string, changes: readonly TextEdit[]): Parser.Edit[] {
  return [...changes].reverse().map(({ span, text: inserted }) => {
    const startPosition = pointAt(text, span.start);
    return {
      startIndex: span.start,
      oldEndIndex: span.end,
      newEndIndex: span.start + inserted.length,
      startPosition,
      oldEndPosition: pointAt(text, span.end),
      newEndPosition: advance(startPosition, inserted),
    };
  });
}

/** The row and column (UTF-16 units, as the node binding counts) of an offset. */
function pointAt(text: string, offset: number): Parser.Point {
  return advance({ row: 0, column: 0 }, text.slice(0, offset));
}

/** The point reached after writing `inserted` at a point. */
function advance(at: Parser.Point, inserted: string): Parser.Point {
  const lastBreak = inserted.lastIndexOf("\n");
  if (lastBreak === -1) return { row: at.row, column: at.column + inserted.length };
  let rows = 0;
  for (let nl = inserted.indexOf("\n"); nl !== -1; nl = inserted.indexOf("\n", nl + 1)) rows++;
  return { row: at.row + rows, column: inserted.length - lastBreak - 1 };
}

/** Edits in file order without no-ops, or why they cannot be applied together. */
function settle(file: AnalyzedFile, edits: TextEdit[] | string, parsedCleanly: boolean): TextEdit[] | string {
  const text = file.text;
  if (typeof edits === "string") return edits;
  const changes = edits
    .filter((edit) => text.slice(edit.span.start, edit.span.end) !== edit.text)
    .sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  for (let i = 1; i < changes.length; i++) {
    if (changes[i].span.start < changes[i - 1].span.end) return "the edits overlap";
  }
  if (changes.length > 0 && parsedCleanly && !candidateParses(file, changes)) {
    return "the edit would leave a file that does not parse";
  }
  return changes;
}

/** The edits for one request on a tree of the file. */
function editsFor(file: AnalyzedFile, root: SyntaxNode, request: FixRequest): TextEdit[] | string {
  if (request.kind === "swap-sequence-items") return swapSeparateItems(file.text, request.value) ?? swapSequenceItems(root, request.value);
  if (request.kind === "correct-adam-update") return correctAdamUpdate(file, request.update);
  if (request.kind === "restore-optimizer-state") return restoreOptimizerState(file.text, root, file.facts, request.load, request.site);
  if (request.kind === "save-optimizer-state") return saveOptimizerState(file.text, root, file.facts, request.save, request.site);
  if (request.kind === "add-lr-scheduler") return addLrScheduler(file.text, root, file.facts, request.site, request.loop, request.per);
  const site = file.facts.optimizers.find((s) => s.id === request.site);
  if (!site) return `no optimizer construction with id ${request.site} in this file`;
  const config = configSiteData(site);
  if (config) return mappingEdits(file.text, root, site, config, request);
  const call = nodeAt(root, site.span, ["call"]);
  if (!call || call.hasError) return "the optimizer construction is not a well-formed call";
  switch (request.kind) {
    case "rename-optimizer":
      return renameOptimizer(file.text, root, call, site, request.to);
    case "set-argument":
      return setArgument(file.text, root, call, site, request.name, request.value, request.atCall);
    case "split-decay-groups":
      return splitDecayGroups(file.text, root, site);
    case "scale-by-world-size":
      return scaleByWorldSize(file.text, root, call, site, request.name);
  }
}

/** The tree of each analyzed file, shared by all the requests on it: the analysis's own when still kept (parseTree). */
const trees = new WeakMap<AnalyzedFile, Parser.Tree>();

function treeOf(file: AnalyzedFile): Parser.Tree {
  let tree = trees.get(file);
  if (!tree) trees.set(file, (tree = parseTree(file.text)));
  return tree;
}

/** Text edits that carry out `request` on `file.text`, or a reason why that cannot be done safely. */
export function pythonEdits(file: AnalyzedFile, request: FixRequest): TextEdit[] | string {
  const root = moduleOf(treeOf(file));
  return settle(file, editsFor(file, root, request), !root.hasError);
}
