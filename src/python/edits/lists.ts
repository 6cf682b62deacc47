/** Edits to comma-separated lists (call arguments, import lists) and whole statements, in the file's own layout. */
import type { TextEdit } from "../../core/types.js";
import { codeChildren, leadingIndent, lineEnding, lineStart, nextLineStart, type SyntaxNode } from "./syntax.js";

/** Whether only spaces and tabs lie between two offsets, i.e. they are on the same line. */
function sameLine(text: string, from: number, to: number): boolean {
  return !/[\r\n]/.test(text.slice(from, to));
}

/**
 * Edits that add `item` after the last of `items` in a parenthesized or plain list: inline as `, item`, or on its
 * own line with the previous item's indentation when the list puts items on their own lines (keeping a trailing comma).
 */
export function appendItem(text: string, container: SyntaxNode, items: SyntaxNode[], item: string): TextEdit[] {
  const open = container.children.find((child) => child.type === "(" || child.type === "{");
  const last = items.at(-1);
  if (!last) {
    const at = open ? open.endIndex : container.endIndex;
    return [{ span: { start: at, end: at }, text: item }];
  }
  const comma = container.children.find((child) => child.type === "," && child.startIndex >= last.endIndex);
  const indent = leadingIndent(text, last.startIndex);
  if (!open || open.startIndex > last.startIndex || indent === undefined) {
    return [{ span: { start: last.endIndex, end: last.endIndex }, text: `, ${item}` }];
  }
  const anchor = comma ? comma.endIndex : last.endIndex;
  const comment = container.children.find(
    (child) => child.type === "comment" && child.startIndex >= anchor && sameLine(text, anchor, child.startIndex),
  );
  const at = comment ? comment.endIndex - (text[comment.endIndex - 1] === "\r" ? 1 : 0) : anchor;
  const line = `${lineEnding(text)}${indent}${item}`;
  if (comma) return [{ span: { start: at, end: at }, text: `${line},` }];
  if (at === last.endIndex) return [{ span: { start: at, end: at }, text: `,${line}` }];
  return [
    { span: { start: last.endIndex, end: last.endIndex }, text: "," },
    { span: { start: at, end: at }, text: line },
  ];
}

/** The edit that removes one of several list items together with the comma that separates it from a neighbour. */
export function removeItem(items: SyntaxNode[], item: SyntaxNode): TextEdit {
  const index = items.findIndex((other) => other.startIndex === item.startIndex);
  const span =
    index < items.length - 1
      ? { start: item.startIndex, end: items[index + 1].startIndex }
      : { start: items[index - 1].endIndex, end: item.endIndex };
  return { span, text: "" };
}

/** The edit that deletes a statement with its line (`pass` when it is alone in its block), or why it cannot. */
export function removeStatement(text: string, statement: SyntaxNode): TextEdit | string {
  const parent = statement.parent;
  if (parent?.type === "block" && codeChildren(parent).length === 1) {
    return { span: { start: statement.startIndex, end: statement.endIndex }, text: "pass" };
  }
  const end = nextLineStart(text, statement.endIndex);
  const rest = text.slice(statement.endIndex, end);
  if (leadingIndent(text, statement.startIndex) === undefined || !/^[ \t]*(#[^\n]*)?\n?$/.test(rest.replace(/\r(?=\n|$)/, ""))) {
    return `\`${statement.text}\` shares its line with other statements, so it cannot be removed cleanly`;
  }
  return { span: { start: lineStart(text, statement.startIndex), end }, text: "" };
}
