/**
 * Parsing Python with tree-sitter, and a plain-object copy of the syntax tree that the semantic layer
 * walks freely (native node objects are costly to create; the native tree is dropped after one walk).
 */
import type Parser from "tree-sitter";
import type { Span } from "../core/facts.js";
import type { SourceComment } from "../core/types.js";
import { requireTreeSitter } from "./tree-sitter-load.js";

/** One syntax node: its grammar type, UTF-16 range, field name in its parent and children (comments and a string's quotes and text left out). */
export interface PyNode {
  type: string;
  start: number;
  end: number;
  field: string | undefined;
  named: boolean;
  parent: PyNode | null;
  children: PyNode[];
}

/** The grammar as the binding gives it, with its node types (tree-sitter's node-types.json). */
type Grammar = Omit<Parser.Language, "nodeTypeInfo"> & { nodeTypeInfo?: NodeTypeInfo[]; nodeSubclasses?: unknown };

/**
 * tree-sitter and its Python grammar, loaded on the first parse: a run in which no file passes the prefilter (and
 * `--version`) never loads the native addons.
 */
type Binding = { Parser: typeof Parser & { SyntaxNode: unknown }; grammar: Grammar };
let loaded: Binding | undefined;
function treeSitter(): Binding {
  if (!loaded) {
    const binding = requireTreeSitter();
    loaded = { Parser: binding.Parser as typeof Parser & { SyntaxNode: unknown }, grammar: binding.grammar as Grammar };
  }
  return loaded;
}

let sharedParser: Parser | undefined;

/** The one parser instance all files share. */
function parser(): Parser {
  if (!sharedParser) {
    const { Parser, grammar } = treeSitter();
    // The binding would otherwise build, on first use, a JavaScript class per node type (one `new Function` each) for
    // typed field getters (`node.nameNode`) this code never reads; plain nodes read every property natively.
    grammar.nodeSubclasses ??= new Proxy([], { get: (target, key) => (typeof key === "string" && /^\d+$/.test(key) ? Parser.SyntaxNode : Reflect.get(target, key)) });
    sharedParser = new Parser();
    sharedParser.setLanguage(grammar as Parser.Language);
  }
  return sharedParser;
}

/**
 * Parse a file's text into a native tree-sitter tree. The trees of the last few texts are kept, so that the fix
 * edits reuse the tree the analysis parsed, and the language server's incrementally parsed tree is the analysis's.
 * Callers must not `edit` a tree they got here without `forgetTree` first.
 */
export function parseTree(text: string): Parser.Tree {
  let tree = recent.get(text);
  if (tree) {
    recent.delete(text);
  } else {
    tree = parse(text);
  }
  rememberTree(text, tree);
  return tree;
}

/**
 * Parse `text`; with `oldTree` (already `edit`ed to match the text) the parse is incremental and reuses the
 * unchanged parts of the old tree.
 */
export function parse(text: string, oldTree?: Parser.Tree): Parser.Tree {
  return parser().parse(text, oldTree ?? null, { bufferSize: PARSE_BUFFER });
}

/** Characters handed to tree-sitter per read: most files in one read (each read is a call into JS). */
const PARSE_BUFFER = 1 << 17;

/** The trees of recently parsed texts, newest last. */
const recent = new Map<string, Parser.Tree>();
const RECENT_MAX = 4;

/** Offers a tree for its exact text, so that parseTree of that text takes it instead of parsing again. */
export function rememberTree(text: string, tree: Parser.Tree): void {
  recent.delete(text);
  recent.set(text, tree);
  while (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
}

/** Stops offering a tree (before the caller edits it). */
export function forgetTree(tree: Parser.Tree): void {
  for (const [text, kept] of recent) if (kept === tree) recent.delete(text);
}

/** A distinct tree for the same text, which the caller may edit: an incremental parse with no change, cheap. */
export function copyTree(tree: Parser.Tree, text: string): Parser.Tree {
  return parse(text, tree);
}

/** Characters compared at once while looking for the shared start and end of two texts. */
const CHANGE_BLOCK = 256;

/**
 * Describes the change from `before` to `after` (their common start and end kept) as a tree-sitter edit, or undefined
 * when the texts are equal. Offsets and columns are UTF-16 units, as the node binding counts them.
 */
export function textChange(before: string, after: string): Parser.Edit | undefined {
  if (before === after) return undefined;
  const limit = Math.min(before.length, after.length);
  // The shared ends are found a block at a time (comparing two slices is one native comparison), then to the character.
  let start = 0;
  while (start + CHANGE_BLOCK <= limit && before.slice(start, start + CHANGE_BLOCK) === after.slice(start, start + CHANGE_BLOCK)) start += CHANGE_BLOCK;
  while (start < limit && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  while (tail + CHANGE_BLOCK <= limit - start && before.slice(before.length - tail - CHANGE_BLOCK, before.length - tail) === after.slice(after.length - tail - CHANGE_BLOCK, after.length - tail)) {
    tail += CHANGE_BLOCK;
  }
  while (tail < limit - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const startPosition = pointAt(before, start);
  return {
    startIndex: start,
    oldEndIndex: before.length - tail,
    newEndIndex: after.length - tail,
    startPosition,
    oldEndPosition: pointAt(before, before.length - tail, start, startPosition),
    newEndPosition: pointAt(after, after.length - tail, start, startPosition),
  };
}

/** The row and column of an offset, counted on from a known point before it. */
function pointAt(text: string, offset: number, from = 0, at: Parser.Point = { row: 0, column: 0 }): Parser.Point {
  let row = at.row;
  let lineStart = from - at.column;
  for (let nl = text.indexOf("\n", from); nl !== -1 && nl < offset; nl = text.indexOf("\n", nl + 1)) {
    row++;
    lineStart = nl + 1;
  }
  return { row, column: offset - lineStart };
}

/**
 * A tree for `after`, parsed incrementally from `tree`, the tree of `before`, which this edits in place: it must be
 * the caller's own (a copyTree, or a parseTree result after forgetTree).
 */
export function reparse(tree: Parser.Tree, before: string, after: string): Parser.Tree {
  const change = textChange(before, after);
  if (!change) return tree;
  forgetTree(tree);
  const oldErrors = tracked.has(tree) ? statementsWithErrors(tree) : [];
  tree.edit(change);
  const next = parse(after, tree);
  if (tracked.has(tree)) {
    tracked.add(next);
    const base = copies.get(tree);
    if (base) derivations.set(next, { base, change, changed: next.getChangedRanges(tree), oldErrors });
  }
  return next;
}

/**
 * Trees whose copies (`toPyTree`) are kept while the tree lives, so that the copy of a tree parsed again from one of
 * them (`reparse`) is made from it: the language server's document trees.
 */
const tracked = new WeakSet<Parser.Tree>();
const copies = new WeakMap<Parser.Tree, PyNode>();

/** How a tree was parsed again from a tracked tree: the old tree's copy, the edit, and where the syntax changed. */
interface Derivation {
  base: PyNode;
  change: Parser.Edit;
  changed: Parser.Range[];
  /** Start offsets of the old tree's top-level statements that held a syntax error. */
  oldErrors: number[];
}

/** Start offsets of the top-level statements of a tree that hold a syntax error (none when the tree has none). */
function statementsWithErrors(tree: Parser.Tree): number[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  const out: number[] = [];
  for (const child of root.children) if (child.hasError) out.push(child.startIndex);
  return out;
}
const derivations = new WeakMap<Parser.Tree, Derivation>();

/**
 * Keeps the copies of this tree and of every tree `reparse` makes from it, so that after an edit only the top-level
 * statements the edit or the re-parse touched are read from the native tree again (see `toPyTree`).
 */
export function trackTree(tree: Parser.Tree): void {
  tracked.add(tree);
}

/** Whether the text parses without any error or missing node, apart from statements tree-sitter's grammar wrongly rejects. */
export function parsesCleanly(text: string, tree: Parser.Tree = parseTree(text)): boolean {
  if (!tree.rootNode.hasError) return joinedAssignments(tree, text).length === 0;
  return collectSyntaxErrors(tree, text).every((e) => e.severity !== undefined);
}

/** A syntax error; `severity` is set on a notice that is not fatal because the rest of the text was analyzed. */
export interface SyntaxErrorFact {
  span: Span;
  message: string;
  severity?: "warning" | "info";
  /** For a statement tree-sitter wrongly rejects: the value and annotation regions to mask before analyzing the rest. */
  masks?: Span[];
}

/**
 * The text with the regions of wrongly rejected statements masked, same length, so tree-sitter reads the rest of the
 * file as written: each region becomes `(_)` padded with spaces (newlines kept), an unknown value.
 */
export function maskGrammarGaps(text: string, errors: readonly SyntaxErrorFact[]): string | undefined {
  const masks = errors.flatMap((e) => e.masks ?? []).sort((a, b) => a.start - b.start);
  if (masks.length === 0) return undefined;
  let out = "";
  let cursor = 0;
  for (const m of masks) {
    if (m.start < cursor || m.end - m.start < 3) continue;
    const inner = text.slice(m.start + 2, m.end - 1).replace(/[^\n]/g, " ");
    out += `${text.slice(cursor, m.start)}(_${inner})`;
    cursor = m.end;
  }
  return out + text.slice(cursor);
}

/** Grammar facts per numeric node type and field id, read from the cursor once and reused (native reads are the cost). */
const typeNames: string[] = [];
const typeIsNamed: boolean[] = [];
const typeIsLeaf: boolean[] = [];
const typeIsIdentifier: boolean[] = [];
const typeStartsWithChild: boolean[] = [];
/** Types of a string literal's own pieces (`STRING_PARTS`), left out of the copy below a `string`. */
const typeIsStringPart: boolean[] = [];

/**
 * The pieces of a string literal that the copy leaves out: its quotes with their prefix and the text between its
 * interpolations. No analysis reads them (a string's value is read from its text, `stringBody`; `isPlainString` asks
 * only for `interpolation` children, which are kept), and they were one node in seven of the corpus's copies (a
 * string is four nodes with them, and `string_content` was stepped into for escape sequences).
 */
const STRING_PARTS = new Set(["string_start", "string_content", "string_end"]);

/**
 * Node types whose grammar rule begins with a visible node (a field, a string's start), never with a hidden token
 * (`string_content` may begin with hidden text before its first `escape_sequence`): their first child starts where
 * they do.
 */
const STARTS_WITH_CHILD = new Set(["call", "attribute", "subscript", "assignment", "augmented_assignment", "keyword_argument", "binary_operator", "comparison_operator", "boolean_operator", "expression_statement", "pair", "string"]);
const fieldNames: (string | undefined)[] = [];

/** The grammar's description of one node type (tree-sitter's node-types.json). */
interface NodeTypeInfo {
  type: string;
  named: boolean;
  fields?: Record<string, { types?: { type: string; named: boolean }[] }>;
  children?: unknown;
  subtypes?: unknown;
}

/** What the copy needs to know of the grammar's node types, read once. */
interface NodeTypeFacts {
  /**
   * Named node types with nothing to copy below them: tokens (`identifier`, `integer`) and nodes whose only children
   * are keywords outside any field (`pass_statement`). The walk does not step into them.
   */
  leaves: ReadonlySet<string>;
  /** Node types that may give their children a field name; a child of any other known type has none, unread. */
  withFields: ReadonlySet<string>;
  /**
   * Per node type with fields, the anonymous types (operators, keywords) that may fill one of them: an anonymous child of
   * any other type has no field, unread (the `.` of an attribute, the `=` of a keyword argument: a ninth of the copy's
   * reads of the native tree). A parent the grammar does not know (`ERROR`) has no entry: every child's field is read.
   */
  anonymousInFields: ReadonlyMap<string, ReadonlySet<string>>;
  known: ReadonlySet<string>;
}

let nodeTypeFacts: NodeTypeFacts | undefined;
function nodeTypes(): NodeTypeFacts {
  if (!nodeTypeFacts) {
    const info = treeSitter().grammar.nodeTypeInfo ?? [];
    nodeTypeFacts = {
      leaves: new Set(info.filter((t) => t.named && Object.keys(t.fields ?? {}).length === 0 && t.children === undefined && t.subtypes === undefined).map((t) => t.type)),
      withFields: new Set(info.filter((t) => Object.keys(t.fields ?? {}).length > 0).map((t) => t.type)),
      anonymousInFields: new Map(
        info
          .filter((t) => Object.keys(t.fields ?? {}).length > 0)
          .map((t) => [t.type, new Set(Object.values(t.fields!).flatMap((field) => (field.types ?? []).filter((f) => !f.named).map((f) => f.type)))]),
      ),
      known: new Set(info.map((t) => t.type)),
    };
  }
  return nodeTypeFacts;
}

/** Whether a parent's children may have fields: the grammar says so, or does not know the type (`ERROR`). */
function mayHaveFields(types: NodeTypeFacts, type: string): boolean {
  return types.withFields.size === 0 || types.withFields.has(type) || !types.known.has(type);
}

/** The children of every leaf: one shared array, frozen so that nothing can add to it. */
const NO_CHILDREN: PyNode[] = Object.freeze([]) as unknown as PyNode[];

/**
 * Copy the native tree into plain objects in one cursor walk. Comments are left out, and so are a string's own
 * pieces (`STRING_PARTS`; its interpolations are kept) and punctuation and keywords unless they fill a field (the
 * operator of `a + b`, the `in` of a comparison).
 * Each native read is a call across the addon boundary, so the walk reads as little as it can: the type of every node,
 * the field only of a child that may have one (`anonymousInFields`), the range only of nodes it keeps, and it never
 * steps into a leaf.
 *
 * A tree `reparse` made from a tracked tree whose copy is kept is copied from that copy: each top-level statement the
 * edit did not touch, whose syntax did not change (tree-sitter's changed ranges) and that has the same type and
 * range (moved by the edit's length when after it) is taken over from the old copy, its offsets moved in place, and
 * only the others are read natively. The old copy is then no longer whole (`isIntact`): the analysis of the old text
 * must not read it again (`keptIndex` in analyze.ts parses that text again).
 */
export function toPyTree(tree: Parser.Tree): PyNode {
  let kept = copies.get(tree);
  if (kept && consumed.has(kept)) {
    copies.delete(tree);
    kept = undefined;
  }
  const derived = derivations.get(tree);
  derivations.delete(tree);
  const root = kept ? cloneNode(kept, null, 0) : derived && !consumed.has(derived.base) ? copyIncrementally(tree, derived) : copyWhole(tree);
  if (tracked.has(tree) && !kept) copies.set(tree, root);
  return root;
}

/**
 * Copies whose untouched top-level statements were moved into the copy of a tree parsed again from theirs (see
 * `copyIncrementally`): they no longer hold those statements, and whoever kept one must read the tree again.
 */
const consumed = new WeakSet<PyNode>();

/** Whether a copy still holds all of its nodes (false once `copyIncrementally` moved them into a later copy). */
export function isIntact(root: PyNode): boolean {
  return !consumed.has(root);
}

/** The module node of a native tree, with the cursor on it. */
function moduleNode(cursor: Parser.TreeCursor): PyNode {
  return { type: "module", start: cursor.startIndex, end: cursor.endIndex, field: undefined, named: true, parent: null, children: [] };
}

function copyWhole(tree: Parser.Tree): PyNode {
  const cursor = tree.walk();
  const root = moduleNode(cursor);
  copyBelow(cursor, root, nodeTypes(), cleanText(tree));
  return root;
}

/**
 * The text of a tree without syntax errors, which lets the copy compute offsets instead of asking for them (see
 * `copyBelow`); undefined for a tree with an error or missing node, whose offsets are all read from the tree.
 */
function cleanText(tree: Parser.Tree): string | undefined {
  const input = (tree as { input?: unknown }).input;
  return typeof input === "string" && !tree.rootNode.hasError ? input : undefined;
}

/**
 * The end of the identifier that starts at `start`: the run of ASCII word characters there, or -1 when a character
 * beyond ASCII follows (Python identifiers may hold letters of any script; then the tree is asked).
 */
function identifierEnd(text: string, start: number): number {
  let end = start;
  for (;;) {
    const c = text.charCodeAt(end);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) end++;
    else return c >= 128 || end === start ? -1 : end;
  }
}

/** The type name of the cursor's node, with its grammar facts read once per numeric type. */
function cursorType(cursor: Parser.TreeCursor, types: NodeTypeFacts): number {
  const typeId = cursor.nodeTypeId;
  if (typeNames[typeId] === undefined) {
    typeNames[typeId] = cursor.nodeType;
    typeIsNamed[typeId] = cursor.nodeIsNamed;
    typeIsLeaf[typeId] = types.leaves.has(typeNames[typeId]);
    typeIsIdentifier[typeId] = typeNames[typeId] === "identifier";
    typeStartsWithChild[typeId] = STARTS_WITH_CHILD.has(typeNames[typeId]);
    typeIsStringPart[typeId] = STRING_PARTS.has(typeNames[typeId]);
  }
  return typeId;
}

/**
 * The children copied so far of the nodes the walk is inside, each node's after its parent's: a node's array is cut
 * from here once all of its children are known (`copyBelow`), with no room to spare.
 */
const pending: PyNode[] = [];

/**
 * Copies what is below the cursor's node into `top` (the copy of that node, with no children yet); the cursor ends on
 * that node again.
 * With the `text` of a tree without errors, two offsets are computed rather than read: the first child of some node types
 * starts where its parent does (`STARTS_WITH_CHILD`), and an identifier ends with its run of word
 * characters (tree-sitter's lexer takes the longest).
 * Each node's children array is made once its children are all copied, with their number as its length: an array
 * grown by `push` from empty keeps room for 16 (most nodes have one to three children), which was a third of what the
 * copy allocated.
 */
function copyBelow(cursor: Parser.TreeCursor, top: PyNode, types: NodeTypeFacts, text: string | undefined): void {
  if (!cursor.gotoFirstChild()) return;
  let parent = top;
  let fields = mayHaveFields(types, top.type);
  let anonymousFields = types.anonymousInFields.get(top.type);
  let first = true;
  // Only the first child's start is computed, when the parent's type says it starts there (set on the way down).
  let parentTypeId = -1;
  // `pending` from `from` on holds the children of `parent` copied so far; `froms` the starts of the nodes above it.
  let used = 0;
  let from = 0;
  const froms: number[] = [];
  for (;;) {
    const typeId = cursorType(cursor, types);
    const type = typeNames[typeId];
    const named = typeIsNamed[typeId];
    const fieldId = fields && (named || anonymousFields === undefined || anonymousFields.has(type)) ? cursor.currentFieldId : 0;
    if ((named || fieldId) && type !== "comment" && !(typeIsStringPart[typeId] && parent.type === "string")) {
      if (fieldId && fieldNames[fieldId] === undefined) fieldNames[fieldId] = cursor.currentFieldName;
      const leaf = !named || typeIsLeaf[typeId];
      const start = first && text !== undefined && typeStartsWithChild[parentTypeId] ? parent.start : cursor.startIndex;
      let end = text !== undefined && typeIsIdentifier[typeId] ? identifierEnd(text, start) : -1;
      if (end < 0) end = cursor.endIndex;
      const node: PyNode = { type, start, end, field: fieldId ? fieldNames[fieldId] : undefined, named, parent, children: NO_CHILDREN };
      pending[used++] = node;
      if (!leaf) {
        if (cursor.gotoFirstChild()) {
          froms.push(from);
          from = used;
          parent = node;
          parentTypeId = typeId;
          fields = mayHaveFields(types, type);
          anonymousFields = types.anonymousInFields.get(type);
          first = true;
          continue;
        }
        node.children = [];
      }
    }
    first = false;
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      // A node with nothing kept below it (a string without interpolations) shares the empty array of leaves.
      parent.children = used === from ? NO_CHILDREN : pending.slice(from, used);
      used = from;
      if (parent === top) {
        // Nothing is held after the walk: the copy is the caller's.
        pending.length = 0;
        return;
      }
      from = froms.pop()!;
      parent = parent.parent!;
      fields = mayHaveFields(types, parent.type);
      anonymousFields = types.anonymousInFields.get(parent.type);
    }
  }
}

/** Moves the offsets of a node and everything below it by `shift`, in place. */
function shiftNode(node: PyNode, shift: number): void {
  node.start += shift;
  node.end += shift;
  const children = node.children;
  for (let i = 0; i < children.length; i++) shiftNode(children[i], shift);
}

/** A copy of a node and everything below it, its offsets moved by `shift`. */
function cloneNode(node: PyNode, parent: PyNode | null, shift: number): PyNode {
  const copy: PyNode = { type: node.type, start: node.start + shift, end: node.end + shift, field: node.field, named: node.named, parent, children: node.children === NO_CHILDREN ? NO_CHILDREN : [] };
  for (const child of node.children) copy.children.push(cloneNode(child, copy, shift));
  return copy;
}

/**
 * Makes `root`, the copy of the tree that the tracked `tree` was parsed again from (`reparse`), the copy of `tree`,
 * for an edit that changed no syntax (inside a comment): its offsets are moved in place by `move` (nodes wholly before
 * the edit are not visited). False, and nothing changed, when `root` is not that copy or was taken over already.
 */
export function moveCopy(tree: Parser.Tree, root: PyNode, before: number, move: (offset: number) => number): boolean {
  const derived = derivations.get(tree);
  if (!derived || derived.base !== root || consumed.has(root) || copies.has(tree)) return false;
  derivations.delete(tree);
  const visit = (node: PyNode): void => {
    if (node.end <= before) return;
    node.start = move(node.start);
    node.end = move(node.end);
    const children = node.children;
    for (let i = 0; i < children.length; i++) visit(children[i]);
  };
  visit(root);
  copies.set(tree, root);
  return true;
}

/** Top-level statements copied after edits: moved from the previous copy (`cloned`), or read from the native tree (tests and the bench read them). */
export const incrementalCopies = { cloned: 0, read: 0 };

/** The copy of a tree parsed again after an edit, from the copy of the tree before it (see `toPyTree`). */
function copyIncrementally(tree: Parser.Tree, { base, change, changed, oldErrors }: Derivation): PyNode {
  const types = nodeTypes();
  // Top-level nodes carry no field in the copy only when the module's children cannot have one.
  if (mayHaveFields(types, "module")) return copyWhole(tree);
  const cursor = tree.walk();
  const root = moduleNode(cursor);
  if (!cursor.gotoFirstChild()) return root;
  const text = cleanText(tree);
  const shift = change.newEndIndex - change.oldEndIndex;
  const before = base.children;
  // The old copy's untouched statements move into this one: the old copy is no longer whole.
  consumed.add(base);
  let next = 0;
  do {
    const typeId = cursorType(cursor, types);
    const type = typeNames[typeId];
    if (!typeIsNamed[typeId] || type === "comment") continue;
    const start = cursor.startIndex;
    const end = cursor.endIndex;
    // Untouched: wholly before the edit or wholly after it, and outside every range whose syntax changed.
    // A statement holding a syntax error, before or after the edit, is always read again: around errors tree-sitter's
    // changed ranges can miss a statement whose structure the re-parse settled differently.
    const untouched =
      (end < change.startIndex || start > change.newEndIndex) && !changed.some((r) => r.startIndex <= end && start <= r.endIndex) && !cursor.currentNode.hasError;
    let reused: PyNode | undefined;
    if (untouched) {
      const moved = start > change.newEndIndex ? shift : 0;
      while (next < before.length && before[next].start < start - moved) next++;
      const old = before[next];
      if (old && old.start === start - moved && old.end === end - moved && old.type === type && !oldErrors.includes(old.start)) {
        reused = old;
        next++;
        if (moved !== 0) shiftNode(reused, moved);
        reused.parent = root;
      }
    }
    if (reused) {
      root.children.push(reused);
      incrementalCopies.cloned++;
      continue;
    }
    incrementalCopies.read++;
    const leaf = typeIsLeaf[typeId];
    const node: PyNode = { type, start, end, field: undefined, named: true, parent: root, children: leaf ? NO_CHILDREN : [] };
    root.children.push(node);
    if (!leaf) copyBelow(cursor, node, types, text);
  } while (cursor.gotoNextSibling());
  return root;
}

const COMMENT_OR_STRING = /[#'"]/g;

/** Calls `visit` with the range of each comment (from its `#` to its line's end), found by a lexical scan that skips string literals. */
function forEachComment(text: string, visit: (at: number, end: number) => void): void {
  COMMENT_OR_STRING.lastIndex = 0;
  for (let match = COMMENT_OR_STRING.exec(text); match; match = COMMENT_OR_STRING.exec(text)) {
    const at = match.index;
    if (text[at] !== "#") {
      COMMENT_OR_STRING.lastIndex = stringEnd(text, at);
      continue;
    }
    const eol = text.indexOf("\n", at);
    const end = eol < 0 ? text.length : eol;
    visit(at, end);
    COMMENT_OR_STRING.lastIndex = end;
  }
}

/** Every comment with its 0-based line, found by a lexical scan that skips string literals. */
export function scanComments(text: string): SourceComment[] {
  const comments: SourceComment[] = [];
  let line = 0;
  let counted = 0;
  forEachComment(text, (at, end) => {
    for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < at; nl = text.indexOf("\n", nl + 1)) {
      line++;
      counted = nl + 1;
    }
    comments.push({ line, text: text.slice(at, end).replace(/\r$/, ""), ownLine: text.slice(counted, at).trim() === "" });
  });
  return comments;
}

/**
 * The text with each comment's content (what follows its `#`) blanked, same length, line breaks kept: what the fact
 * extraction reads, so that no fact depends on what a comment says and an edit inside a comment only moves the
 * offsets after it (the language server reuses the previous analysis then, src/python/reuse.ts). The same lexical
 * scan as `scanComments`; the text itself when it has no comment.
 */
export function blankComments(text: string): string {
  let out = "";
  let cursor = 0;
  forEachComment(text, (at, end) => {
    out += text.slice(cursor, at + 1) + text.slice(at + 1, end).replace(/[^\r]/g, " ");
    cursor = end;
  });
  return cursor === 0 ? text : out + text.slice(cursor);
}

/** The offset just past the string literal whose opening quote is at `quoteAt` (a prefix such as `rb` needs no care). */
function stringEnd(text: string, quoteAt: number): number {
  const quote = text[quoteAt];
  const triple = quote.repeat(3);
  if (text.startsWith(triple, quoteAt)) {
    for (let at = text.indexOf(triple, quoteAt + 3); at >= 0; at = text.indexOf(triple, at + 1)) {
      if (!escapedAt(text, at)) return at + 3;
    }
    return text.length;
  }
  for (let i = quoteAt + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\") i++;
    else if (ch === quote) return i + 1;
    else if (ch === "\n") return i;
  }
  return text.length;
}

/** Whether the character at `at` is escaped by an odd run of backslashes. */
function escapedAt(text: string, at: number): boolean {
  let n = 0;
  while (at - n - 1 >= 0 && text[at - n - 1] === "\\") n++;
  return n % 2 === 1;
}

/**
 * Syntax errors: each outermost ERROR node and each MISSING node, with a short message. An ERROR in a statement
 * that is valid Python tree-sitter's grammar does not accept (`x = a, *b`, `v = *(a), 1`, `x: A[int] or int = 1`)
 * becomes an info notice: the rest of the file, which tree-sitter recovers, is analyzed.
 */
export function collectSyntaxErrors(tree: Parser.Tree, text: string): SyntaxErrorFact[] {
  const errors: SyntaxErrorFact[] = joinedAssignments(tree, text);
  if (!tree.rootNode.hasError) return errors;
  const pending: Parser.SyntaxNode[] = [tree.rootNode];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.isMissing) {
      errors.push({ span: { start: node.startIndex, end: node.endIndex }, message: `Syntax error: missing ${node.type}` });
    } else if (node.type === "ERROR") {
      // Two errors in one statement (two annotations of a header) find the same gaps: each is noted once.
      const gaps = grammarGaps(node, text);
      if (gaps.length > 0) errors.push(...gaps.filter((g) => !errors.some((e) => e.severity && e.span.start === g.span.start && e.span.end === g.span.end)));
      else errors.push(errorAt(node, text));
    } else {
      for (let i = node.childCount - 1; i >= 0; i--) {
        const child = node.child(i)!;
        if (child.hasError || child.isMissing) pending.push(child);
      }
    }
  }
  // A newline tree-sitter found missing inside a statement that is valid Python once rewritten is part of that gap.
  const gaps = errors.filter((e) => e.severity);
  const missingInGap = (e: SyntaxErrorFact): boolean => !e.severity && e.span.start === e.span.end && gaps.some((g) => g.span.start <= e.span.start && e.span.end <= g.span.end);
  return errors.filter((e) => !missingInGap(e)).sort((a, b) => a.span.start - b.span.start);
}

/** An `=` (or `+=`, ...) that ends its line: no backslash, only spaces or a comment after it. */
const LINE_ENDS_AFTER_EQUALS = /=[ \t]*(?:#[^\n]*)?\r?\n/g;

/**
 * Assignments whose value starts on a later line with no backslash or bracket to carry the statement there
 * (`lr = ` left blank in an exercise notebook). CPython rejects them, but tree-sitter-python's scanner emits no
 * newline where a value is still expected, so it joins the next line's statement into a chained assignment
 * (`lr = n_layers = 500`) without an ERROR node. Each is a fatal error whose value is masked, so that nothing is
 * read from the misjoined lines.
 */
function joinedAssignments(tree: Parser.Tree, text: string): SyntaxErrorFact[] {
  const errors: SyntaxErrorFact[] = [];
  let maskedUntil = -1;
  LINE_ENDS_AFTER_EQUALS.lastIndex = 0;
  for (let match = LINE_ENDS_AFTER_EQUALS.exec(text); match; match = LINE_ENDS_AFTER_EQUALS.exec(text)) {
    if (match.index < maskedUntil) continue;
    const token = tree.rootNode.descendantForIndex(match.index, match.index + 1);
    const statement = token.parent;
    if (!token.type.endsWith("=") || token.startIndex > match.index || token.endIndex !== match.index + 1) continue;
    if (!statement || (statement.type !== "assignment" && statement.type !== "augmented_assignment")) continue;
    const right = statement.childForFieldName("right");
    if (!right || right.startIndex < token.endIndex) continue;
    errors.push({
      span: { start: token.startIndex, end: token.endIndex },
      message: `Syntax error: nothing follows '${token.type}' on its line`,
      masks: [{ start: right.startIndex, end: statement.endIndex }],
    });
    maskedUntil = statement.endIndex;
  }
  return errors;
}

const CLOSING: Record<string, string> = { "(": ")", "[": "]", "{": "}" };
/** Tokens that assign (`=`, `+=`, `:=`, ...), not comparisons. */
const ASSIGNMENT_OPERATOR = /^(?:[-+*/%@&|^:]|\/\/|\*\*|<<|>>)?=$/;

/** Whether an odd number of unescaped quotes of one kind precede a position on its line (a string left open there). */
function afterOpenQuote(text: string, at: number): boolean {
  const line = text.slice(text.lastIndexOf("\n", at - 1) + 1, at).replace(/\\./g, "");
  return (line.split('"').length - 1) % 2 === 1 || (line.split("'").length - 1) % 2 === 1;
}

/** An ERROR node as CPython would word it: an invalid character, a bracket never closed, or the first unexpected token. */
function errorAt(node: Parser.SyntaxNode, text: string): { span: Span; message: string } {
  const tokens: Parser.SyntaxNode[] = [];
  collectTokens(node, tokens);
  // A character Python never reads outside a string or a comment (tree-sitter leaves it as an ERROR leaf of its own):
  // named as CPython's tokenizer names it, since the token before it is not at fault. A full-width form typed with a
  // CJK input method ('，', '：', '（') gets its ASCII counterpart.
  const stray = tokens.find((t) => t.type === "ERROR" && t.childCount === 0 && (text.codePointAt(t.startIndex) ?? 0) > 0x7f && !afterOpenQuote(text, t.startIndex));
  if (stray) {
    const code = text.codePointAt(stray.startIndex)!;
    const char = String.fromCodePoint(code);
    const ascii = code >= 0xff01 && code <= 0xff5e ? `; type the ASCII '${String.fromCharCode(code - 0xfee0)}' instead` : "";
    return {
      span: { start: stray.startIndex, end: stray.startIndex + char.length },
      message: `Syntax error: invalid character '${char}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})${ascii}`,
    };
  }
  const open: Parser.SyntaxNode[] = [];
  for (const token of tokens) {
    if (token.type in CLOSING) open.push(token);
    else if (open.length > 0 && CLOSING[open[open.length - 1].type] === token.type) open.pop();
  }
  if (open.length > 0) {
    const bracket = open[open.length - 1];
    return { span: { start: bracket.startIndex, end: bracket.endIndex }, message: `Syntax error: '${bracket.type}' was never closed` };
  }
  // An assignment on the error's first line left without a value (`x = ` or `x = # your code here`, which tree-sitter
  // cannot join to a next line at the end of a cell): the error is its operator, as CPython reports it.
  const firstLineEnd = text.indexOf("\n", node.startIndex);
  const operator = tokens.find((t) => ASSIGNMENT_OPERATOR.test(t.type) && (firstLineEnd < 0 || t.startIndex < firstLineEnd));
  if (operator && /^[ \t]*(?:#[^\n]*)?(?:\r?\n|$)/.test(text.slice(operator.endIndex))) {
    return { span: { start: operator.startIndex, end: operator.endIndex }, message: `Syntax error: nothing follows '${operator.type}' on its line` };
  }
  const first = tokens[0];
  const token = first ? text.slice(first.startIndex, first.endIndex).split("\n")[0].slice(0, 40) : "";
  return {
    span: { start: node.startIndex, end: node.endIndex },
    message: token ? `Syntax error: unexpected '${token}'` : "Syntax error: unexpected end of input",
  };
}

/**
 * Python statements that tree-sitter-python rejects but CPython accepts are of a few known shapes: a starred item in
 * the unparenthesized tuple of an assignment's value, and an annotation that is more than a simple type expression.
 * Both are checked by the same parser after a rewrite that keeps Python's verdict (parenthesizing the value or the
 * annotation): when the rewritten statement parses and the original does not, the grammar, not the code, is at fault.
 */
function grammarGaps(error: Parser.SyntaxNode, text: string): SyntaxErrorFact[] {
  const header = enclosingHeader(error);
  if (header) return headerGaps(header, text);
  let stmt = error;
  while (stmt.parent && stmt.parent.type !== "module" && stmt.parent.type !== "block") stmt = stmt.parent;
  let start = stmt.startIndex;
  let lineStart = text.lastIndexOf("\n", start - 1) + 1;
  // tree-sitter may end a statement early and leave the rest of its line beside it as an ERROR
  // (`x: A[int] if c else B = 1`): the statement then starts with the sibling that begins its line.
  for (let prev = stmt.previousSibling; prev && text.slice(lineStart, start).trim() !== ""; prev = prev.previousSibling) {
    start = prev.startIndex;
    lineStart = text.lastIndexOf("\n", start - 1) + 1;
  }
  const indent = text.slice(lineStart, start);
  if (indent.trim() !== "") return [];
  const source = text.slice(lineStart, stmt.endIndex);
  let rewritten = "";
  let offset = lineStart;
  const gaps: SyntaxErrorFact[] = [];
  for (const line of logicalLines(source)) {
    const fixed = parsesCleanlyAlone(line) ? undefined : parenthesized(line);
    if (fixed) {
      const start = offset + line.length - line.trimStart().length;
      gaps.push({
        span: { start, end: offset + line.trimEnd().length },
        message: SKIPPED,
        severity: "info",
        masks: fixed.regions.map((r) => ({ start: offset + r.start, end: offset + r.end })),
      });
    }
    rewritten += fixed?.text ?? line;
    offset += line.length;
  }
  if (gaps.length === 0 || parser().parse(indent ? `if 1:\n${rewritten}` : rewritten).rootNode.hasError) return [];
  return gaps;
}

const SKIPPED = "This statement is valid Python that the parser optim-lint uses (tree-sitter) does not accept; it was skipped and the rest of the file analyzed";

/** The function definition whose header (from `def` to the colon before its body) holds the error, if any. */
function enclosingHeader(error: Parser.SyntaxNode): Parser.SyntaxNode | undefined {
  for (let node: Parser.SyntaxNode | null = error.parent; node; node = node.parent) {
    if (node.type === "block" || node.type === "module") return undefined;
    if (node.type === "function_definition") {
      const body = node.childForFieldName("body");
      return body && error.endIndex <= body.startIndex ? node : undefined;
    }
  }
  return undefined;
}

/**
 * A function header the grammar rejects because of its annotations: tree-sitter's `type` does not take every
 * expression Python allows there (`t: Tuple[int, int] or int = (1, 1)`, `-> A[int] or B`). Each parameter and the
 * return annotation that does not parse alone but parses in parentheses is a gap; when the header with those
 * annotations parenthesized parses and as written does not, they are masked. Otherwise nothing is (a real error).
 */
function headerGaps(fn: Parser.SyntaxNode, text: string): SyntaxErrorFact[] {
  const params = fn.childForFieldName("parameters");
  const body = fn.childForFieldName("body");
  if (!params || !body || params.type !== "parameters") return [];
  const colon = headerColon(text, params.endIndex, body.startIndex);
  if (colon < 0) return [];
  const regions: Span[] = [];
  for (const param of parameterTexts(text, params.startIndex + 1, params.endIndex - 1)) {
    const { assigns, colon: at } = topLevelOperators(param.text);
    if (at < 0 || (assigns.length > 0 && assigns[0].start < at)) continue;
    const end = assigns.length > 0 ? assigns[0].start : param.text.length;
    const inParam = trimmedSpan(param.text, at + 1, end);
    const region = { start: param.start + inParam.start, end: param.start + inParam.end };
    const annotation = param.text.slice(inParam.start, inParam.end);
    if (region.end > region.start && annotationGap((a) => `def _(x: ${a}): pass\n`, annotation)) regions.push(region);
  }
  const arrow = text.slice(params.endIndex, colon).indexOf("->");
  if (arrow >= 0) {
    const region = trimmedSpan(text, params.endIndex + arrow + 2, colon);
    const annotation = text.slice(region.start, region.end);
    if (region.end > region.start && annotationGap((a) => `def _() -> ${a}: pass\n`, annotation)) regions.push(region);
  }
  if (regions.length === 0) return [];
  const header = text.slice(fn.startIndex, colon + 1);
  let rewritten = "";
  let cursor = fn.startIndex;
  for (const r of regions) {
    rewritten += `${text.slice(cursor, r.start)}(${text.slice(r.start, r.end)})`;
    cursor = r.end;
  }
  rewritten += text.slice(cursor, colon + 1);
  if (parsesCleanlyAlone(`${header} pass\n`) || !parsesCleanlyAlone(`${rewritten} pass\n`)) return [];
  const message = `${regions.length === 1 ? "An annotation" : "Annotations"} of this function ${regions.length === 1 ? "is" : "are"} valid Python that the parser optim-lint uses (tree-sitter) does not accept; ${regions.length === 1 ? "it was" : "they were"} skipped and the rest of the file analyzed`;
  return [{ span: { start: fn.startIndex, end: colon + 1 }, message, severity: "info", masks: regions }];
}

/** Whether an annotation the grammar rejects where it stands parses there once parenthesized. */
function annotationGap(wrap: (annotation: string) => string, annotation: string): boolean {
  return !parsesCleanlyAlone(wrap(annotation)) && parsesCleanlyAlone(wrap(`(${annotation})`));
}

/** The offset of the colon ending a function header: the last top-level `:` between the parameters and the body. */
function headerColon(text: string, from: number, to: number): number {
  let colon = -1;
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') i = stringEnd(text, i) - 1;
    else if (ch === "#") {
      const eol = text.indexOf("\n", i);
      i = (eol < 0 ? text.length : eol) - 1;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === ":" && depth === 0 && text[i + 1] !== "=") colon = i;
  }
  return colon;
}

/** The parameters between two offsets, cut at top-level commas, each with its start (comments blanked out). */
function parameterTexts(text: string, from: number, to: number): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  const comments: Span[] = [];
  const blanked = (start: number, end: number): { text: string; start: number } => {
    let body = text.slice(start, end);
    for (const c of comments) if (c.start >= start && c.end <= end) body = body.slice(0, c.start - start) + " ".repeat(c.end - c.start) + body.slice(c.end - start);
    return { text: body, start };
  };
  let start = from;
  let depth = 0;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') i = stringEnd(text, i) - 1;
    else if (ch === "#") {
      const eol = text.indexOf("\n", i);
      const end = eol < 0 ? to : Math.min(eol, to);
      comments.push({ start: i, end });
      i = end - 1;
    } else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    else if (ch === "," && depth === 0) {
      out.push(blanked(start, i));
      start = i + 1;
    }
  }
  out.push(blanked(start, to));
  return out;
}

/** A span with the white space at both ends left out. */
function trimmedSpan(text: string, start: number, end: number): Span {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

/** Whether one logical line, dedented, parses on its own. */
function parsesCleanlyAlone(line: string): boolean {
  return !parser().parse(line.trimStart()).rootNode.hasError;
}

/**
 * The line with its assigned value (after the last top-level `=` or augmented operator) and its annotation (between
 * a top-level `:` and the first `=`) in parentheses, with where those regions are in the line; undefined when it is
 * not an assignment.
 */
function parenthesized(line: string): { text: string; regions: Span[] } | undefined {
  const { assigns, colon, codeEnd } = topLevelOperators(line);
  const body = line.slice(0, codeEnd).replace(/\s+$/, "");
  if (assigns.length === 0 && colon < 0) return undefined;
  const regions: Span[] = [];
  const trimmed = (start: number, end: number): Span => {
    while (start < end && /\s/.test(body[start])) start++;
    while (end > start && /\s/.test(body[end - 1])) end--;
    return { start, end };
  };
  if (colon >= 0 && (assigns.length === 0 || colon < assigns[0].start)) regions.push(trimmed(colon + 1, assigns.length > 0 ? assigns[0].start : body.length));
  if (assigns.length > 0) regions.push(trimmed(assigns[assigns.length - 1].end, body.length));
  if (regions.some((r) => r.start === r.end)) return undefined;
  let text = "";
  let cursor = 0;
  for (const r of regions) {
    text += `${body.slice(cursor, r.start)}(${body.slice(r.start, r.end)})`;
    cursor = r.end;
  }
  return { text: text + line.slice(cursor), regions };
}

const AUGMENTED = /^(?:\/\/|\*\*|>>|<<|[-+*/%@&|^])=/;

/** Top-level `=` and augmented assignment operators of a statement, and its first top-level `:` (-1 when none). */
function topLevelOperators(line: string): { assigns: { start: number; end: number }[]; colon: number; codeEnd: number } {
  const assigns: { start: number; end: number }[] = [];
  let colon = -1;
  let depth = 0;
  let codeEnd = line.length;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      i = stringEnd(line, i) - 1;
      continue;
    }
    if (ch === "#" && depth === 0) {
      codeEnd = i;
      break;
    }
    if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth--;
    if (depth !== 0) continue;
    const aug = AUGMENTED.exec(line.slice(i, i + 3));
    if (aug) {
      assigns.push({ start: i, end: i + aug[0].length });
      i += aug[0].length - 1;
    } else if (ch === "=" && line[i + 1] !== "=" && !"=!<>:".includes(line[i - 1] ?? "")) {
      assigns.push({ start: i, end: i + 1 });
    } else if (ch === "=" && line[i + 1] === "=") {
      i++;
    } else if (ch === ":" && colon < 0 && line[i + 1] !== "=") {
      colon = i;
    }
  }
  return { assigns, colon, codeEnd };
}

/** A text cut into logical lines (brackets, strings and backslashes continue a line), each with its newline. */
function logicalLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"') i = stringEnd(text, i) - 1;
    else if (ch === "#") {
      const eol = text.indexOf("\n", i);
      i = (eol < 0 ? text.length : eol) - 1;
    } else if (ch === "\\") i++;
    else if ("([{".includes(ch)) depth++;
    else if (")]}".includes(ch)) depth = Math.max(0, depth - 1);
    else if (ch === "\n" && depth === 0) {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** The leaf tokens under a node, in order. */
function collectTokens(node: Parser.SyntaxNode, out: Parser.SyntaxNode[]): void {
  if (node.childCount === 0) {
    if (node.type !== "comment") out.push(node);
    return;
  }
  for (const child of node.children) collectTokens(child, out);
}

/** The source text of a node. */
export function textOf(node: PyNode, text: string): string {
  return text.slice(node.start, node.end);
}

/** The first child with the given field name. */
export function fieldChild(node: PyNode, field: string): PyNode | undefined {
  // An indexed loop: the hottest function of the analysis, and `for...of` over both kinds of children arrays (leaves
  // share one frozen array) costs about twice as much.
  const children = node.children;
  for (let i = 0; i < children.length; i++) if (children[i].field === field) return children[i];
  return undefined;
}

/** Named children (no punctuation or keywords). */
export function namedChildren(node: PyNode): PyNode[] {
  return node.children.filter((c) => c.named);
}

/** The span of a node. */
export function spanOf(node: PyNode): Span {
  return { start: node.start, end: node.end };
}

/** Whether `inner` lies within `outer` (or is it). */
export function contains(outer: Pick<PyNode, "start" | "end">, inner: Pick<PyNode, "start" | "end">): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}
