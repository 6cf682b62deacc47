/**
 * A Jupyter notebook (nbformat 4) read with source positions: its code cells joined into one Python view,
 * and exact offset maps between that view and the notebook's JSON text.
 */
import type { Span } from "../core/facts.js";
import { JsonSyntaxError, member, parseJson, rawOffset, stringValue, type JsonNode, type JsonString } from "./json.js";
import { blank, maskIPython, type MaskedCell } from "./magics.js";

/** One code cell: where its source lives in the file and where its text sits in the Python view. */
export interface CodeCell {
  /** Index of the cell in the notebook's `cells` (markdown and raw cells count). */
  index: number;
  /** The JSON strings whose concatenation is the cell's source: one for a string source, one per list item otherwise. */
  pieces: JsonString[];
  /** True when `source` is a list of strings. */
  isList: boolean;
  /** The source array or string node. */
  sourceNode: JsonNode;
  /** The decoded cell source. */
  source: string;
  /** Offset of the cell's first character in the Python view; the cell ends at `viewStart + source.length`. */
  viewStart: number;
  /** Offset in the decoded source where each piece starts. */
  pieceStarts: number[];
}

/** A notebook's Python view and how to get from its offsets to the file's and back. */
export interface NotebookView {
  /** Code cells in notebook order, joined with `\n` and with IPython lines masked, as Python text. */
  python: string;
  cells: CodeCell[];
  /** The original text of the IPython lines masked in the view (they may still name Python objects). */
  hidden: string[];
  /** For each code cell, whether it starts with a `%%` cell magic. */
  cellMagics: boolean[];
  /** True when the file has no non-ASCII character (inserted text is then escaped to stay ASCII). */
  asciiOnly: boolean;
  /** The Python files the notebook's `%%writefile` cells write, each a program of its own (see `WrittenUnit`). */
  units: WrittenUnit[];
}

/**
 * One version of a Python file written by `%%writefile` cells: the cell that writes it and the `-a` cells that append
 * to it after, in notebook order (a later cell without `-a` starts a new version). Its `python` is as long as the
 * notebook's view, with every other cell blank, so its offsets are the view's.
 */
export interface WrittenUnit {
  /** PATH as the first cell writes it. */
  path: string;
  /** False when PATH is expanded from kernel values: the unit then holds its one cell. */
  known: boolean;
  cells: CodeCell[];
  python: string;
}

/** Why a text cannot be read as a notebook, and the offset to point at. */
export interface NotebookError {
  message: string;
  offset: number;
}

/** Reads a notebook's code cells, or says why the text is not a notebook this adapter understands. */
export function readNotebook(text: string): NotebookView | NotebookError {
  let root: JsonNode;
  try {
    root = parseJson(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { message: `invalid JSON: ${error.message}`, offset: error.offset };
    throw error;
  }
  const cellsNode = member(root, "cells");
  if (root.kind !== "object" || cellsNode?.kind !== "array") {
    return { message: "not a Jupyter notebook in nbformat 4 (no \"cells\" list)", offset: root.start };
  }
  const cells: CodeCell[] = [];
  // The notebook's own language is its kernel's.
  const pythonKernel = isPython(root, ["metadata", "language_info", "name"], ["metadata", "kernelspec", "language"]);
  let viewStart = 0;
  for (let index = 0; index < cellsNode.items.length; index++) {
    const cell = cellsNode.items[index];
    if (stringValue(member(cell, "cell_type")) !== "code") continue;
    const sourceNode = member(cell, "source");
    const pieces = sourcePieces(sourceNode);
    if (!sourceNode || !pieces) return { message: `cell ${index + 1} has no source string or list of strings`, offset: cell.start };
    // VS Code saves the language of a cell whose language differs from the notebook's (a shell script, plain text,
    // SQL); the editor shows and runs such a cell in that language, and its notebook sync tells our server the same.
    if (!pythonKernel || !isPython(cell, ["metadata", "vscode", "languageId"])) continue;
    const pieceStarts: number[] = [];
    let source = "";
    for (const piece of pieces) {
      pieceStarts.push(source.length);
      source += piece.value;
    }
    cells.push({ index, pieces, isList: sourceNode.kind === "array", sourceNode, source, viewStart, pieceStarts });
    viewStart += source.length + 1;
  }
  const masked = cells.map((c) => maskIPython(c.source));
  const python = masked.map((m) => m.python).join("\n");
  return {
    python,
    units: writtenUnits(cells, masked, python),
    cells,
    hidden: masked.flatMap((m) => m.hidden),
    cellMagics: masked.map((m) => m.cellMagic),
    asciiOnly: !/[^\p{ASCII}]/u.test(text),
  };
}

/** The Python files `%%writefile` cells write, as units of the view's length. */
function writtenUnits(cells: CodeCell[], masked: MaskedCell[], python: string): WrittenUnit[] {
  const units: WrittenUnit[] = [];
  const current = new Map<string, WrittenUnit>();
  const blankView = blank(python);
  cells.forEach((cell, i) => {
    const written = masked[i].written;
    if (!written) return;
    // `./train.py` and `train.py` name one file.
    const key = written.path.replace(/^(?:\.\/)+/, "");
    const earlier = written.known && written.append ? current.get(key) : undefined;
    const unit = earlier ?? { path: written.path, known: written.known, cells: [], python: blankView };
    unit.cells.push(cell);
    unit.python = unit.python.slice(0, cell.viewStart) + written.body + unit.python.slice(cell.viewStart + written.body.length);
    if (!earlier) units.push(unit);
    if (written.known) current.set(key, unit);
  });
  return units;
}

/**
 * Whether a notebook or a cell holds Python: the first language it declares at one of `paths` (keys from the node
 * down) is Python, or it declares none.
 */
function isPython(node: JsonNode, ...paths: string[][]): boolean {
  for (const keys of paths) {
    const language = stringValue(keys.reduce<JsonNode | undefined>((at, key) => member(at, key), node));
    if (language !== undefined) return language.toLowerCase() === "python";
  }
  return true;
}

/** The strings of a `source` value, or undefined when it is neither a string nor a list of strings. */
function sourcePieces(node: JsonNode | undefined): JsonString[] | undefined {
  if (node?.kind === "string") return [node];
  if (node?.kind !== "array") return undefined;
  const pieces: JsonString[] = [];
  for (const item of node.items) {
    if (item.kind !== "string") return undefined;
    pieces.push(item);
  }
  return pieces;
}

/** The code cell whose text or trailing separator holds a view offset. */
export function cellAtView(view: NotebookView, offset: number): CodeCell | undefined {
  if (view.cells.length === 0) return undefined;
  return view.cells[lastAtMost(view.cells.length - 1, (i) => view.cells[i].viewStart, offset)];
}

/** The largest index in [0, last] whose value is at most `x` (0 when there is none), for values that ascend with the index. */
function lastAtMost(last: number, valueAt: (index: number) => number, x: number): number {
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valueAt(mid) <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The end of a cell's text in the view (where its `\n` separator sits). */
export function cellViewEnd(cell: CodeCell): number {
  return cell.viewStart + cell.source.length;
}

/**
 * The file offset of position `k` of a cell's decoded source. At a boundary between two list items, `prefer`
 * picks the start of the later item (`"start"`) or the end of the earlier one (`"end"`).
 */
export function fileOffsetInCell(cell: CodeCell, k: number, prefer: "start" | "end"): number {
  if (cell.pieces.length === 0) return cell.sourceNode.start + 1;
  let i = pieceIndex(cell, k);
  if (prefer === "end" && i > 0 && k === cell.pieceStarts[i]) i--;
  const piece = cell.pieces[i];
  return rawOffset(piece, Math.min(k - cell.pieceStarts[i], piece.value.length));
}

/** The index of the last piece that starts at or before position `k` of the cell's source. */
function pieceIndex(cell: CodeCell, k: number): number {
  return lastAtMost(cell.pieces.length - 1, (i) => cell.pieceStarts[i], k);
}

/** Maps a span of the Python view to the file; a span that crosses a cell boundary is cut at its first cell's end. */
export function viewSpanToFile(view: NotebookView, span: Span): Span {
  let cell = cellAtView(view, span.start);
  if (!cell) return { start: 0, end: 0 };
  let start = span.start;
  if (start === cellViewEnd(cell) && span.end > start) {
    const next = view.cells[view.cells.indexOf(cell) + 1];
    if (next) {
      cell = next;
      start = next.viewStart;
    }
  }
  const end = Math.max(start, Math.min(span.end, cellViewEnd(cell)));
  const fileStart = fileOffsetInCell(cell, start - cell.viewStart, "start");
  const fileEnd = end === start ? fileStart : fileOffsetInCell(cell, end - cell.viewStart, "end");
  return { start: fileStart, end: Math.max(fileStart, fileEnd) };
}

/** Where a file offset sits in the view: the cell and the position in its source, or undefined outside code cells. */
export function fileOffsetToCell(view: NotebookView, offset: number): { cell: CodeCell; k: number } | undefined {
  if (view.cells.length === 0) return undefined;
  // Cells, and the pieces of a cell, come in file order and do not overlap: only the last that starts before the
  // offset can hold it.
  const cell = view.cells[lastAtMost(view.cells.length - 1, (c) => view.cells[c].sourceNode.start, offset)];
  if (cell.pieces.length === 0) return undefined;
  const i = lastAtMost(cell.pieces.length - 1, (p) => cell.pieces[p].start, offset);
  const piece = cell.pieces[i];
  if (offset <= piece.start || offset >= piece.end) return undefined;
  return { cell, k: cell.pieceStarts[i] + lastAtMost(piece.value.length, (k) => rawOffset(piece, k), offset) };
}

/** Maps a file offset back to the Python view (offsets outside code cells map to undefined). */
export function fileOffsetToView(view: NotebookView, offset: number): number | undefined {
  const found = fileOffsetToCell(view, offset);
  return found ? found.cell.viewStart + found.k : undefined;
}
