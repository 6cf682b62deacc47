import { describe, expect, it } from "vitest";
import type { TextEdit } from "../../src/core/types.js";
import { notebookEdits } from "../../src/notebook/edits.js";
import { applyTextEdits as applyEdits } from "../../src/core/text-edits.js";
import { readNotebook, viewSpanToFile, type NotebookView } from "../../src/notebook/notebook.js";

/** A notebook in Jupyter's own layout; a cell given as an array keeps that list, a string stays a string source. */
function notebook(cells: (string | string[])[]): string {
  const json = { cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })), metadata: {}, nbformat: 4, nbformat_minor: 5 };
  return `${JSON.stringify(json, null, 1)}\n`;
}

function viewOf(text: string): NotebookView {
  const view = readNotebook(text);
  if ("message" in view) throw new Error(view.message);
  return view;
}

/** Carries view edits into the file and returns the new file text (or the refusal). */
function edit(text: string, make: (python: string) => TextEdit[]): string {
  const view = viewOf(text);
  const edits = notebookEdits(text, view, make(view.python));
  return typeof edits === "string" ? edits : applyEdits(text, edits);
}

const insertAt = (python: string, before: string, text: string): TextEdit => {
  const at = python.indexOf(before);
  return { span: { start: at, end: at }, text };
};

describe("edits carried into the notebook JSON", () => {
  const cells = [["import torch\n", "from torch.optim import Adam\n", "model = torch.nn.Linear(2, 2)"], ["opt = Adam(model.parameters())"]];

  it("splits list items at an inserted line break, so every item stays one line", () => {
    const text = notebook(cells);
    const out = edit(text, (py) => [insertAt(py, "from torch.optim", "from torch.optim import AdamW\n")]);
    expect(JSON.parse(out).cells[0].source).toEqual(["import torch\n", "from torch.optim import AdamW\n", "from torch.optim import Adam\n", "model = torch.nn.Linear(2, 2)"]);
    expect(out.replace('    "from torch.optim import AdamW\\n",\n', "")).toBe(text);
  });

  it("appends a line to a one-item list with the list's indentation", () => {
    const text = notebook(cells);
    const out = edit(text, (py) => [{ span: { start: py.length, end: py.length }, text: "\nopt.zero_grad()" }]);
    expect(JSON.parse(out).cells[1].source).toEqual(["opt = Adam(model.parameters())\n", "opt.zero_grad()"]);
    expect(out).toContain('   "source": [\n    "opt = Adam(model.parameters())\\n",\n    "opt.zero_grad()"\n   ]');
  });

  it("deletes a whole line by dropping its list item", () => {
    const text = notebook(cells);
    const out = edit(text, (py) => {
      const start = py.indexOf("from torch.optim");
      return [{ span: { start, end: py.indexOf("model =") }, text: "" }];
    });
    expect(JSON.parse(out).cells[0].source).toEqual(["import torch\n", "model = torch.nn.Linear(2, 2)"]);
  });

  it("escapes a line break, quotes and backslashes inside a string source", () => {
    const text = notebook(["import torch", 'x = "a"']);
    const out = edit(text, (py) => [insertAt(py, "x =", 'print("\\\\ done")\n')]);
    expect(JSON.parse(out).cells[1].source).toBe('print("\\\\ done")\nx = "a"');
    expect(out).toContain(String.raw`"source": "print(\"\\\\ done\")\nx = \"a\""`);
  });

  it("refuses an edit that crosses a cell boundary", () => {
    const text = notebook(cells);
    const out = edit(text, (py) => [{ span: { start: py.indexOf("Linear(2, 2)"), end: py.indexOf("(model.parameters") }, text: "X" }]);
    expect(out).toBe("the edit would cross a notebook cell boundary");
  });

  it("refuses an edit into a code cell whose source is an empty list", () => {
    const text = notebook([[], ["import torch"]]);
    expect(edit(text, () => [{ span: { start: 0, end: 0 }, text: "import os\n" }])).toBe("the edit falls in a code cell whose source is an empty list");
  });

  it("refuses an edit that would put code before a cell magic", () => {
    const text = notebook([["%%capture log\n", "import torch"]]);
    expect(edit(text, () => [{ span: { start: 0, end: 0 }, text: "import os\n" }])).toBe("the edit would touch an IPython magic or shell line of the notebook");
  });

  it("cuts a span that crosses cells at the end of its first cell", () => {
    const text = notebook(cells);
    const view = viewOf(text);
    const span = viewSpanToFile(view, { start: view.python.indexOf("model ="), end: view.python.length });
    expect(text.slice(span.start, span.end)).toBe("model = torch.nn.Linear(2, 2)");
  });
});
