/**
 * Parsing Python with tree-sitter, and a plain-object copy of the syntax tree that the semantic layer
 * walks freely (native node objects are costly to create; the native tree is dropped after one walk).
 */
import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import type { Span } from "../core/facts.js";
import type { SourceComment } from "../core/types.js";

/** One syntax node: its grammar type, UTF-16 range, field name in its parent and children (comments left out). */
export interface PyNode {
  type: string;
  start: number;
  end: number;
  field: string | undefined;
  named: boolean;
  parent: PyNode | null;
  children: PyNode[];
}

let sharedParser: Parser | undefined;

/** The one parser instance all files share. */
function parser(): Parser {
  if (!sharedParser) {
    sharedParser = new Parser();
    sharedParser.setLanguage(Python as unknown as Parser.Language);
  }
  return sharedParser;
}

/** Parse a file's text into a native tree-sitter tree. */
export function parseTree(text: string): Parser.Tree {
  return parser().parse(text);
}

/** Whether the text parses without any error or missing node. */
export function parsesCleanly(text: string): boolean {
  return !parseTree(text).rootNode.hasError;
}

/** Grammar facts per numeric node type and field id, read from the cursor once and reused (native reads are the cost). */
const typeNames: string[] = [];
const typeIsNamed: boolean[] = [];
const fieldNames: (string | undefined)[] = [];

/**
 * Copy the native tree into plain objects in one cursor walk. Comments are left out, and so are
 * punctuation and keywords unless they fill a field (the operator of `a + b`, the `in` of a comparison).
 */
export function toPyTree(tree: Parser.Tree): PyNode {
  const cursor = tree.walk();
  const root: PyNode = { type: "module", start: cursor.startIndex, end: cursor.endIndex, field: undefined, named: true, parent: null, children: [] };
  let parent = root;
  if (!cursor.gotoFirstChild()) return root;
  for (;;) {
    const node = nodeAtCursor(cursor, parent);
    if (node) {
      parent.children.push(node);
      if (node.named && cursor.gotoFirstChild()) {
        parent = node;
        continue;
      }
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || !parent.parent) return root;
      parent = parent.parent;
    }
  }
}

/** The cursor's node as a plain object, or undefined for a comment or a token that fills no field. */
function nodeAtCursor(cursor: Parser.TreeCursor, parent: PyNode): PyNode | undefined {
  const typeId = cursor.nodeTypeId;
  let type = typeNames[typeId];
  if (type === undefined) {
    type = typeNames[typeId] = cursor.nodeType;
    typeIsNamed[typeId] = cursor.nodeIsNamed;
  }
  const fieldId = cursor.currentFieldId;
  if (fieldId && fieldNames[fieldId] === undefined) fieldNames[fieldId] = cursor.currentFieldName;
  const named = typeIsNamed[typeId];
  if ((!named && !fieldId) || type === "comment") return undefined;
  return { type, start: cursor.startIndex, end: cursor.endIndex, field: fieldId ? fieldNames[fieldId] : undefined, named, parent, children: [] };
}

const COMMENT_OR_STRING = /[#'"]/g;

/** Every comment with its 0-based line, found by a lexical scan that skips string literals. */
export function scanComments(text: string): SourceComment[] {
  const comments: SourceComment[] = [];
  let line = 0;
  let counted = 0;
  COMMENT_OR_STRING.lastIndex = 0;
  for (let match = COMMENT_OR_STRING.exec(text); match; match = COMMENT_OR_STRING.exec(text)) {
    const at = match.index;
    if (text[at] !== "#") {
      COMMENT_OR_STRING.lastIndex = stringEnd(text, at);
      continue;
    }
    for (let nl = text.indexOf("\n", counted); nl >= 0 && nl < at; nl = text.indexOf("\n", nl + 1)) {
      line++;
      counted = nl + 1;
    }
    const eol = text.indexOf("\n", at);
    const end = eol < 0 ? text.length : eol;
    comments.push({ line, text: text.slice(at, end).replace(/\r$/, ""), ownLine: text.slice(counted, at).trim() === "" });
    COMMENT_OR_STRING.lastIndex = end;
  }
  return comments;
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

/** Syntax errors: each outermost ERROR node and each MISSING node, with a short message. */
export function collectSyntaxErrors(tree: Parser.Tree, text: string): { span: Span; message: string }[] {
  const errors: { span: Span; message: string }[] = [];
  if (!tree.rootNode.hasError) return errors;
  const pending: Parser.SyntaxNode[] = [tree.rootNode];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.isMissing) {
      errors.push({ span: { start: node.startIndex, end: node.endIndex }, message: `Syntax error: missing ${node.type}` });
    } else if (node.type === "ERROR") {
      errors.push(errorAt(node, text));
    } else {
      for (let i = node.childCount - 1; i >= 0; i--) {
        const child = node.child(i)!;
        if (child.hasError || child.isMissing) pending.push(child);
      }
    }
  }
  return errors.sort((a, b) => a.span.start - b.span.start);
}

const CLOSING: Record<string, string> = { "(": ")", "[": "]", "{": "}" };

/** An ERROR node as CPython would word it: a bracket never closed, or the first unexpected token. */
function errorAt(node: Parser.SyntaxNode, text: string): { span: Span; message: string } {
  const tokens: Parser.SyntaxNode[] = [];
  collectTokens(node, tokens);
  const open: Parser.SyntaxNode[] = [];
  for (const token of tokens) {
    if (token.type in CLOSING) open.push(token);
    else if (open.length > 0 && CLOSING[open[open.length - 1].type] === token.type) open.pop();
  }
  if (open.length > 0) {
    const bracket = open[open.length - 1];
    return { span: { start: bracket.startIndex, end: bracket.endIndex }, message: `Syntax error: '${bracket.type}' was never closed` };
  }
  const first = tokens[0];
  const token = first ? text.slice(first.startIndex, first.endIndex).split("\n")[0].slice(0, 40) : "";
  return {
    span: { start: node.startIndex, end: node.endIndex },
    message: token ? `Syntax error: unexpected '${token}'` : "Syntax error: unexpected end of input",
  };
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
  for (const child of node.children) if (child.field === field) return child;
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
export function contains(outer: PyNode, inner: PyNode): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}
