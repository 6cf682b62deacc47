/** Tree-sitter helpers the Python edits share: one parser, node lookup by span, line layout. */
import type Parser from "tree-sitter";
import type { Span } from "../../core/facts.js";

export type SyntaxNode = Parser.SyntaxNode;

/** One module node object per tree, so that what the edits compute per module can be kept on it. */
const roots = new WeakMap<Parser.Tree, SyntaxNode>();

/** The module node of a tree, the same object each time. */
export function moduleOf(tree: Parser.Tree): SyntaxNode {
  let root = roots.get(tree);
  if (!root) roots.set(tree, (root = tree.rootNode));
  return root;
}

/** A per-module memo: `compute(root)` once for each module node. */
export function perModule<T>(compute: (root: SyntaxNode) => T): (root: SyntaxNode) => T {
  const memo = new WeakMap<SyntaxNode, T>();
  return (root) => {
    let value = memo.get(root);
    if (value === undefined) memo.set(root, (value = compute(root)));
    return value;
  };
}

/** The span a node covers. */
export function spanOf(node: SyntaxNode): Span {
  return { start: node.startIndex, end: node.endIndex };
}

/** The outermost node of one of `types` covering exactly `span`, if any. */
export function nodeAt(root: SyntaxNode, span: Span, types: readonly string[]): SyntaxNode | undefined {
  let node: SyntaxNode | null = root.descendantForIndex(span.start, span.end);
  let found: SyntaxNode | undefined;
  while (node && node.startIndex === span.start && node.endIndex === span.end) {
    if (types.includes(node.type)) found = node;
    node = node.parent;
  }
  return found;
}

/** The line ending the file already uses, so added lines match it. */
export function lineEnding(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** Offset where the line holding `offset` starts. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf("\n", offset - 1) + 1;
}

/** The whitespace before `offset` on its line, or undefined when other text precedes it there. */
export function leadingIndent(text: string, offset: number): string | undefined {
  const before = text.slice(lineStart(text, offset), offset);
  return /^[ \t]*$/.test(before) ? before : undefined;
}

/** Offset just past the line break that ends the line holding `offset` (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}

/** Named children that are code, not comments. */
export function codeChildren(node: SyntaxNode): SyntaxNode[] {
  return node.namedChildren.filter((child) => child.type !== "comment");
}

/** The nearest ancestor of one of `types`. */
export function ancestorOf(node: SyntaxNode, types: readonly string[]): SyntaxNode | undefined {
  for (let up = node.parent; up; up = up.parent) if (types.includes(up.type)) return up;
  return undefined;
}

