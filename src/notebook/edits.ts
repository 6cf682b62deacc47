/**
 * Python edits on a notebook's view carried into its JSON text: each replacement is re-encoded as JSON
 * string content, and a line break inserted into a list-of-lines source splits the list item.
 */
import type { TextEdit } from "../core/types.js";
import { encodeJsonContent } from "./json.js";
import { blank } from "./magics.js";
import { cellAtView, cellViewEnd, fileOffsetInCell, readNotebook, type CodeCell, type NotebookView, type WrittenUnit } from "./notebook.js";
import { applyTextEdits } from "../core/text-edits.js";

/**
 * Edits of the notebook file that make the same change as `viewEdits` make to its Python view (or, with `unit`, to
 * that written file's text, `view.units[unit]`), or why that cannot be done. The result is checked: re-reading the
 * edited file must give exactly the edited view or file, and every other part as it was.
 */
export function notebookEdits(fileText: string, view: NotebookView, viewEdits: TextEdit[], unit?: number): TextEdit[] | string {
  // The kernel's magic and shell lines reach the kernel's names only; a written file is a module of its own.
  const stillUsed = unit === undefined ? removedNames(view.python, viewEdits).find((name) => view.hidden.some((line) => new RegExp(`\\b${name}\\b`).test(line))) : undefined;
  if (stillUsed) return `an IPython magic, shell or help line of the notebook still names ${stillUsed}`;
  const fileEdits: TextEdit[] = [];
  for (const edit of viewEdits) {
    const converted = fileEdit(fileText, view, edit);
    if (typeof converted === "string") return converted;
    fileEdits.push(converted);
  }
  const edited = readNotebook(applyTextEdits(fileText, fileEdits));
  if ("message" in edited || edited.cellMagics.join() !== view.cellMagics.join() || !sameUnits(edited, view, viewEdits, unit)) {
    return "the edit would touch an IPython magic or shell line of the notebook";
  }
  return fileEdits;
}

/** Whether the re-read notebook holds exactly the edited kernel view or written file, and every other one unchanged. */
function sameUnits(edited: NotebookView, view: NotebookView, viewEdits: TextEdit[], unit: number | undefined): boolean {
  // A written file's cells are blank in the kernel's view: an edit of one leaves blanks of its new length there.
  const kernelEdits = unit === undefined ? viewEdits : viewEdits.map((e) => ({ ...e, text: blank(e.text) }));
  if (edited.python !== applyTextEdits(view.python, kernelEdits) || edited.units.length !== view.units.length) return false;
  const sources = (u: WrittenUnit) => u.cells.map((c) => c.source);
  return edited.units.every((u, i) => {
    const before = view.units[i];
    if (u.path !== before.path || u.known !== before.known || u.cells.length !== before.cells.length) return false;
    return i === unit ? u.python === applyTextEdits(before.python, viewEdits) : sources(u).join("\0") === sources(before).join("\0");
  });
}

/** Identifiers that the edits take out of the text (in a replaced part, and in no replacement). */
function removedNames(text: string, edits: TextEdit[]): string[] {
  const words = (s: string) => s.match(/[A-Za-z_]\w*/g) ?? [];
  const added = new Set(edits.flatMap((e) => words(e.text)));
  const removed = edits.flatMap((e) => words(text.slice(e.span.start, e.span.end)));
  return [...new Set(removed)].filter((w) => !added.has(w));
}

/** One view edit as an edit of the file, or why it cannot be made. */
function fileEdit(fileText: string, view: NotebookView, edit: TextEdit): TextEdit | string {
  const cell = cellAtView(view, edit.span.start);
  if (!cell || edit.span.end > cellViewEnd(cell)) return "the edit would cross a notebook cell boundary";
  if (cell.pieces.length === 0) return "the edit falls in a code cell whose source is an empty list";
  const from = edit.span.start - cell.viewStart;
  const to = edit.span.end - cell.viewStart;
  // At a boundary between list items, both ends take the later item, so line breaks in the new text
  // become the item boundaries and items keep ending with their line's `\n`.
  const start = fileOffsetInCell(cell, from, "start");
  const end = from === to ? start : fileOffsetInCell(cell, to, "start");
  return { span: { start, end }, text: encodeSource(edit.text, cell, fileText, view.asciiOnly) };
}

/** New source text as JSON string content: in a list source, each line break closes the item and opens the next. */
function encodeSource(text: string, cell: CodeCell, fileText: string, asciiOnly: boolean): string {
  if (!cell.isList) return encodeJsonContent(text, asciiOnly);
  const between = `\\n"${itemSeparator(cell, fileText)}"`;
  return text
    .split("\n")
    .map((line) => encodeJsonContent(line, asciiOnly))
    .join(between);
}

/** What separates two items of the cell's source list in this file (`,\n    ` in Jupyter's own layout). */
function itemSeparator(cell: CodeCell, fileText: string): string {
  const [first, second] = cell.pieces;
  if (second) return fileText.slice(first.end, second.start);
  const lineStart = fileText.lastIndexOf("\n", first.start - 1) + 1;
  const indent = fileText.slice(lineStart, first.start);
  if (/^[ \t]*$/.test(indent)) {
    const lineBreak = fileText[lineStart - 2] === "\r" ? "\r\n" : "\n";
    return `,${lineBreak}${indent}`;
  }
  return ", ";
}
