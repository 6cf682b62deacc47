/**
 * File offsets of a notebook moved into its cells: `fileOffsetToCell` answers, for every offset of a notebook's text,
 * what a plain walk over every cell and piece answers (inside a piece's quotes: its cell and the decoded position
 * there; anywhere else: nothing).
 */
import { describe, expect, it } from "vitest";
import { rawOffset } from "../../src/notebook/json.js";
import { fileOffsetToCell, fileOffsetToView, readNotebook, type NotebookView } from "../../src/notebook/notebook.js";

/** The cell index and decoded position of an offset, found by trying each piece of each cell in turn. */
function walked(view: NotebookView, offset: number): { index: number; k: number } | undefined {
  for (const cell of view.cells) {
    for (let i = 0; i < cell.pieces.length; i++) {
      const piece = cell.pieces[i];
      if (offset <= piece.start || offset >= piece.end) continue;
      let k = 0;
      while (k < piece.value.length && rawOffset(piece, k + 1) <= offset) k++;
      return { index: cell.index, k: cell.pieceStarts[i] + k };
    }
  }
  return undefined;
}

const sources: unknown[] = [
  ["import torch\n", 'x = "caf\u00e9 \\"q\\""\n', "y = 1"],
  "print('one string source')\n# \ud83d\ude00 tab\there",
  [],
  ["%%time\n", "z = [1,\n", "     2]"],
  "",
  ["a\r\n", "b = \"\\\\\""],
];
const cells = sources.flatMap((source, i) => [
  { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source },
  ...(i % 2 === 0 ? [{ cell_type: "markdown", metadata: {}, source: ["# notes in between\n", "x = 'not code'"] }] : []),
]);
const notebookJson = { cells, metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } }, nbformat: 4, nbformat_minor: 5 };

describe("fileOffsetToCell", () => {
  for (const [layout, text] of [
    ["indented, with escapes written out", JSON.stringify(notebookJson, null, 1)],
    ["on one line, with non-ASCII characters escaped", JSON.stringify(notebookJson).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)],
  ] as const) {
    it(`places every offset of a notebook ${layout} as a walk over all cells and pieces does`, () => {
      const view = readNotebook(text) as NotebookView;
      expect(view.cells.map((c) => c.index)).toEqual([0, 2, 3, 5, 6, 8]);
      let inside = 0;
      for (let offset = -1; offset <= text.length + 1; offset++) {
        const expected = walked(view, offset);
        const found = fileOffsetToCell(view, offset);
        expect(found && { index: found.cell.index, k: found.k }, `offset ${offset}`).toEqual(expected);
        if (expected) inside++;
        const cell = expected && view.cells.find((c) => c.index === expected.index);
        expect(fileOffsetToView(view, offset)).toBe(cell && cell.viewStart + expected.k);
      }
      // Every decoded unit of every piece was found (the markdown cells' text and the JSON around it were not).
      expect(inside).toBeGreaterThan(view.cells.reduce((n, c) => n + c.source.length, 0));
    });
  }
});
