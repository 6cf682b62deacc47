/**
 * The notebook adapter end to end: findings on code cells at exact positions in the .ipynb text, fixes that
 * keep the JSON intact, refusals, and the cell/line lookup.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Span } from "../../src/core/facts.js";

import { lintProject, lintText } from "../../src/default-linter.js";
import { RULES } from "../../rules/index.js";
import { analyzeNotebook, cellLocation, notebookAdapter } from "../../src/notebook/adapter.js";
import { viewSpanToFile } from "../../src/notebook/notebook.js";
import { factsPending } from "../../src/core/pending-facts.js";
import { mapFactSpans } from "../../src/core/spans.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "notebook");
const read = (name: string) => readFileSync(join(dir, name), "utf8");
const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
/** Lints a fixture notebook; `fix` applies unsafe fixes too (Adam to AdamW), since these tests are about the edits. */
const lint = (name: string, fix = false) => lintText(read(name), { filePath: `fixtures/notebook/${name}`, rules, fix, unsafeFixes: fix });

/** The file offset of a 1-based line and column, as messages give them. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf("\n", at) + 1;
  return at + column - 1;
}

/** The text a message points at. */
function pointedAt(text: string, m: { line: number; column: number; endLine?: number; endColumn?: number }): string {
  return text.slice(offsetOf(text, m.line, m.column), offsetOf(text, m.endLine!, m.endColumn!));
}

/** The code cells' sources of a notebook text, decoded. */
function codeSources(text: string): string[] {
  const cells = JSON.parse(text).cells as { cell_type: string; source: string | string[] }[];
  return cells.filter((c) => c.cell_type === "code").map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
}

const slice = (text: string, span: Span) => text.slice(span.start, span.end);

describe("facts at positions in the notebook file", () => {
  it("reads only code cells: markdown, outputs and a %%bash cell that mention Adam are ignored", () => {
    const file = analyzeNotebook(read("train_adam.ipynb"));
    expect(file.syntaxErrors).toEqual([]);
    expect(file.facts.optimizers.map((s) => s.canonical)).toEqual(["torch.optim.Adam", "torch.optim.SGD", "torch.optim.SGD"]);
  });

  it("maps spans after non-ASCII text and escaped quotes to the exact characters of the JSON string", () => {
    const text = read("train_adam.ipynb");
    const [adam, probe] = analyzeNotebook(text).facts.optimizers;
    expect(slice(text, adam.span)).toBe("Adam(model.parameters(), lr=1e-3, weight_decay=0.01)");
    expect(slice(text, adam.nameSpan)).toBe("Adam");
    expect(slice(text, adam.args.get("weight_decay")!.span)).toBe("weight_decay=0.01");
    expect(slice(text, adam.args.get("weight_decay")!.value.literalSpan!)).toBe("0.01");
    expect(slice(text, adam.args.get("lr")!.value.span)).toBe("1e-3");
    expect(text.slice(adam.span.start - 21, adam.span.start)).toBe(String.raw`\\\\n\"; optimizer = `);
    // The probe lives in a %%capture cell whose Python body is analyzed.
    expect(slice(text, probe.args.get("momentum")!.span)).toBe("momentum=0.9");
  });

  it("maps spans through \\u escapes of an ASCII-only notebook with string sources", () => {
    const text = read("ascii_escaped.ipynb");
    const [adam, sgd] = analyzeNotebook(text).facts.optimizers;
    expect(slice(text, adam.span)).toBe("optim.Adam(net.parameters(), weight_decay=1e-4)");
    expect(slice(text, sgd.args.get("lr")!.span)).toBe("lr=0.05");
    expect(text.slice(adam.span.start - 18, adam.span.start)).toBe('\\"vu\\\\\\"\\"\\nopt = ');
  });

  it("gives the cell and the line and column inside it", () => {
    const text = read("train_adam.ipynb");
    const file = analyzeNotebook(text);
    const [adam, probe, ema] = file.facts.optimizers;
    const adamLine = JSON.parse(text).cells[3].source[0] as string;
    expect(cellLocation(file, adam.span.start)).toEqual({ cell: 3, line: 0, column: adamLine.indexOf("Adam(") });
    expect(cellLocation(file, probe.span.start)).toEqual({ cell: 4, line: 2, column: 8 });
    expect(cellLocation(file, ema.span.start)).toEqual({ cell: 5, line: 1, column: 6 });
    expect(cellLocation(file, text.indexOf("this markdown cell"))).toBeUndefined();
  });

  it("skips code cells VS Code marks as another language (a shell script, pasted output) and still reads a cell marked Python", () => {
    const result = lint("vscode_cell_languages.ipynb");
    expect(result.messages.map((m) => [m.code, m.cell?.index, m.cell?.line])).toEqual([["OPT001", 5, 1]]);
    expect(analyzeNotebook(read("vscode_cell_languages.ipynb")).notebook!.view.cells.map((c) => c.index)).toEqual([0, 4]);
  });

  it("ignores a notebook whose kernel is not Python", () => {
    expect(lint("r_kernel.ipynb").messages).toEqual([]);
  });
});

describe("messages", () => {
  it("points findings at the Python code inside the JSON, and honors # noqa on a list-of-lines source", () => {
    const text = read("train_adam.ipynb");
    const result = lint("train_adam.ipynb");
    expect(result.messages.map((m) => [m.code, pointedAt(text, m)])).toEqual([
      ["OPT001", "Adam(model.parameters(), lr=1e-3, weight_decay=0.01)"],
      ["OPT002", "SGD(model.parameters(), lr=0.1, momentum=0.9)"],
    ]);
    expect(result.suppressedMessages.map((m) => [m.code, pointedAt(text, m)])).toEqual([["OPT002", "SGD(model.parameters(), lr=0.01, momentum=0.5)"]]);
  });

  it("applies disable-next-line to the next line of a list-of-lines cell only", () => {
    const source = ["import torch\n", "m = torch.nn.Linear(2, 2)\n", "# optim-lint: disable-next-line=OPT001\n", "a = torch.optim.Adam(m.parameters(), weight_decay=0.1)\n", "b = torch.optim.Adam(m.parameters(), weight_decay=0.1)"];
    const text = JSON.stringify({ cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const result = lintText(text, { filePath: "inline.ipynb", rules });
    expect(result.messages.map((m) => [m.code, pointedAt(text, m).slice(0, 1)])).toEqual([["OPT001", "t"]]);
    expect(text.split("\n")[result.messages[0].line - 1]).toContain('"b = torch.optim.Adam(');
    expect(result.suppressedMessages.map((m) => m.code)).toEqual(["OPT001"]);
  });

  it("reports invalid JSON as one fatal error at the offending character", () => {
    const text = read("ascii_escaped.ipynb").replace('"cell_type": "code",', '"cell_type": "code",,');
    const result = lintText(text, { filePath: "broken.ipynb", rules });
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]).toMatchObject({ fatal: true, severity: 2 });
    expect(result.messages[0].message).toMatch(/^Parsing error: invalid JSON/);
    expect(text.slice(offsetOf(text, result.messages[0].line, result.messages[0].column))).toMatch(/^,\n/);
    expect(notebookAdapter.parses(text)).toBe(false);
  });

  it("maps a cell's syntax error into the cell as one non-fatal warning, still reports the other cells, and does not fix", () => {
    const text = read("syntax_error.ipynb");
    const result = lint("syntax_error.ipynb", true);
    expect(result.messages.filter((m) => m.fatal)).toEqual([]);
    const notices = result.messages.filter((m) => m.ruleId === null);
    expect(notices.map((m) => [m.severity, m.message])).toEqual([
      [1, "Syntax error: '(' was never closed (cell 2, line 2); this cell was skipped and the other cells analyzed"],
    ]);
    expect(text.slice(offsetOf(text, notices[0].line, notices[0].column))).toMatch(/^\(\\n"\n/);
    expect(result.messages.map((m) => m.code)).toContain("OPT001");
    expect(result.output).toBeUndefined();
    expect(notebookAdapter.parses(text)).toBe(false);
  });

  it("blames only the cell that leaves a bracket open, not the later cells the joined text's parse stumbles on", () => {
    // A doc-generated notebook cut a call short at the end of a cell; each later cell parses on its own, as IPython compiles it.
    const cells = [
      "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(",
      'inputs = processor(data[0]["audio"]["array"], rate=rate, return_tensors="pt")',
      "import torch\nmodel = AutoModel.from_pretrained(\"tuned\")\nwith torch.no_grad():\n    logits = model(**inputs).logits",
      "optimizer = torch.optim.Adam(model.parameters(), lr=0.5)",
    ];
    const notebook = { cells: cells.map((source) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source })), metadata: {}, nbformat: 4, nbformat_minor: 5 };
    const result = lintText(JSON.stringify(notebook, null, 1), { filePath: "cut_short.ipynb", rules });
    expect(result.messages.filter((m) => m.ruleId === null).map((m) => m.message)).toEqual([
      "Syntax error: '(' was never closed (cell 1, line 2); this cell was skipped and the other cells analyzed",
    ]);
    expect(result.messages.map((m) => m.code)).toContain("OPT003");
  });

  it("gives a cell with exercise placeholders one message, however many errors it has, and analyzes the cells after it", () => {
    const result = lint("exercise_placeholders.ipynb", false);
    const notices = result.messages.filter((m) => m.ruleId === null);
    expect(notices.map((m) => m.message)).toEqual(["Syntax error: unexpected '?' (cell 3, line 2); this cell was skipped and the other cells analyzed"]);
    expect(notices[0]).toMatchObject({ severity: 1 });
    // Placed in its cell as findings are, so stylish prints `cell 3:2:…` rather than the JSON line.
    expect(notices[0].cell).toMatchObject({ index: 3, line: 2 });
    expect(notices[0].fatal).toBeUndefined();
    expect(result.messages.map((m) => m.code)).toContain("OPT003");
    expect(result.fatalErrorCount).toBe(0);
  });
});

describe("--fix", () => {
  it("renames Adam and adds nesterov in list-of-lines cells, changing only those characters", () => {
    const text = read("train_adam.ipynb");
    const output = lint("train_adam.ipynb", true).output!;
    const expected = text
      .replace('"from torch.optim import Adam, SGD"', '"from torch.optim import AdamW, SGD"')
      .replace("optimizer = Adam(", "optimizer = AdamW(")
      .replace("lr=0.1, momentum=0.9)", "lr=0.1, momentum=0.9, nesterov=True)");
    expect(output).toBe(expected);
    const sources = codeSources(output);
    expect(sources.some((s) => s.includes("optimizer = AdamW(model.parameters()"))).toBe(true);
    expect(JSON.parse(output).cells[0]).toEqual(JSON.parse(text).cells[0]);
    expect(notebookAdapter.parses(output)).toBe(true);
    expect(lintText(output, { filePath: "train_adam.ipynb", rules, fix: true, unsafeFixes: true }).output).toBeUndefined();
  });

  it("keeps an ASCII-only notebook ASCII and its \\u escapes as written", () => {
    const text = read("ascii_escaped.ipynb");
    const output = lint("ascii_escaped.ipynb", true).output!;
    expect(output).toBe(text.replace("optim.Adam(", "optim.AdamW(").replace("momentum=0.9)", "momentum=0.9, nesterov=True)"));
    expect(codeSources(output)[1]).toContain("opt = optim.AdamW(net.parameters(), weight_decay=1e-4)");
    expect(lintText(output, { filePath: "ascii_escaped.ipynb", rules, fix: true, unsafeFixes: true }).output).toBeUndefined();
  });

  it("swaps betas where the tuple is defined, in another cell, through the file-to-view mapping of the value", () => {
    const cells = [["import torch\n", "BETAS = (0.999, 0.9)  # \"fast\" first"], ["m = torch.nn.Linear(2, 2)\n", "opt = torch.optim.AdamW(m.parameters(), betas=BETAS)"]];
    const text = JSON.stringify({ cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })), metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
    const output = lintText(text, { filePath: "betas.ipynb", rules, fix: true }).output!;
    expect(output).toBe(text.replace("(0.999, 0.9)", "(0.9, 0.999)"));
  });

  it("refuses a rename that would drop a name an IPython help line still uses", () => {
    const result = lint("help_line.ipynb", true);
    expect(result.output).toBeUndefined();
    const adam = result.messages.find((m) => m.code === "OPT001")!;
    expect(adam.fix).toBeUndefined();
    expect(adam.message).toContain("(Not fixed automatically: an IPython magic, shell or help line of the notebook still names Adam.)");
  });

  it("encodes a suggestion's quotes as JSON escapes inside the cell's string", () => {
    const text = read("decay_groups.ipynb");
    const finding = lint("decay_groups.ipynb").messages.find((m) => m.code === "OPT005")!;
    const { range, text: replacement } = finding.suggestions![0].fix;
    const applied = text.slice(0, range[0]) + replacement + text.slice(range[1]);
    expect(notebookAdapter.parses(applied)).toBe(true);
    expect(codeSources(applied)[2]).toBe(
      "# one group for every parameter, biases and LayerNorm weights included\n" +
        'optimizer = optim.AdamW([{"params": [p for p in model.parameters() if p.ndim >= 2]}, ' +
        '{"params": [p for p in model.parameters() if p.ndim < 2], "weight_decay": 0.0}], lr=1e-3, weight_decay=0.05)',
    );
  });
});

describe("%%writefile cells: the Python files a notebook writes, each a module of its own", () => {
  /** A notebook text of code cells, in Jupyter's layout (sources as lists of lines). */
  const notebook = (...sources: string[]) =>
    JSON.stringify(
      {
        cells: sources.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) })),
        metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    );
  const lintNotebook = (text: string, fix = false) => lintText(text, { filePath: "run.ipynb", rules, fix, unsafeFixes: fix });
  const adamCells = (text: string) => lintNotebook(text).messages.filter((m) => m.code === "OPT001").map((m) => m.cell);
  const ADAM = "opt = torch.optim.Adam(torch.nn.Linear(2, 2).parameters(), weight_decay=WD)";

  it("joins the cells that append to one path in order, and starts a new file at a cell without -a", () => {
    const file = analyzeNotebook(
      notebook("%%writefile train.py\nimport torch\nWD = 0.1", "%%writefile -a ./train.py\nx = 1", "%%writefile other.py\ny = 2", "%%writefile train.py\nz = 3", "%%writefile -a {d}/train.py\nw = 4"),
    );
    const units = file.notebook!.view.units;
    expect(units.map((u) => [u.path, u.known, u.cells.map((c) => c.index + 1)])).toEqual([
      ["train.py", true, [1, 2]],
      ["other.py", true, [3]],
      ["train.py", true, [4]],
      ["{d}/train.py", false, [5]],
    ]);
    // Each unit is as long as the view, its cells at their places and every other cell blank.
    expect(units[0].python.length).toBe(file.notebook!.view.python.length);
    expect(units[0].python.replace(/\s+/g, " ").trim()).toBe("import torch WD = 0.1 x = 1");
  });

  it("keeps the facts of a kernel and of a written file that build no optimizer pending, moved into the file text when read", () => {
    const text = notebook(
      "import torch\nfrom torch.utils.data.distributed import DistributedSampler\nsampler = DistributedSampler(data)\nsched = torch.optim.lr_scheduler.StepLR(opt, step_size=10)\n!python train.py",
      "%%writefile train.py\nimport torch\nfrom torch.utils.data.distributed import DistributedSampler\nsampler = DistributedSampler(data)\ntorch.save(model.state_dict(), 'ckpt.pt')",
    );
    const file = analyzeNotebook(text);
    const [unit] = file.units!;
    // Neither program can be reported on, so neither is analyzed a second time by the analysis alone.
    expect([factsPending(file.facts), factsPending(unit.facts)]).toEqual([true, true]);
    const { view, python, units } = file.notebook!;
    const toFile = (span: Span) => viewSpanToFile(view, span);
    expect(slice(text, file.facts.schedulers[0].span)).toContain("StepLR(");
    expect(slice(text, unit.facts.checkpoints![0].span)).toContain("torch.save(");
    expect([factsPending(file.facts), factsPending(unit.facts)]).toEqual([false, false]);
    expect(file.facts).toEqual(mapFactSpans(python.facts, toFile));
    expect(unit.facts).toEqual(mapFactSpans(units[0].python.facts, toFile));
  });

  it("reads a value an appending cell uses from the cell that wrote the file first", () => {
    expect(adamCells(notebook("%%writefile train.py\nimport torch\nWD = 0.1", "%%writefile -a train.py\n" + ADAM))).toEqual([{ index: 2, line: 2, column: 7 }]);
  });

  it("does not see the kernel's names in a written file, nor the file's names in the kernel", () => {
    // The same construction fires when the script defines WD itself: the silence below is the scope, not the rule.
    expect(adamCells(notebook("import torch", "%%writefile train.py\nimport torch\nWD = 0.1\n" + ADAM))).toHaveLength(1);
    expect(adamCells(notebook("import torch\nWD = 0.1", "%%writefile train.py\nimport torch\n" + ADAM))).toEqual([]);
    expect(adamCells(notebook("%%writefile train.py\nimport torch\nWD = 0.1", "import torch\n" + ADAM))).toEqual([]);
    // A file written again without -a loses what the earlier version defined.
    expect(adamCells(notebook("%%writefile train.py\nimport torch\nWD = 0.1", "%%writefile train.py\nimport torch", "%%writefile -a train.py\n" + ADAM))).toEqual([]);
  });

  it("leaves out a written file that does not parse, and every other file's and the kernel's findings stay", () => {
    const text = notebook("import torch\n" + ADAM.replace("WD", "0.1"), "%%writefile broken.py\ndef f(:\n" + ADAM, "%%writefile ok.py\nimport torch\n" + ADAM.replace("WD", "0.2"));
    const result = lintNotebook(text);
    expect(result.messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
    expect(result.messages.filter((m) => m.code === "OPT001").map((m) => m.cell!.index)).toEqual([1, 3]);
  });

  it("fixes a written file and the kernel in one run, keeps the notebook valid JSON, and a second run changes nothing", () => {
    const text = notebook("import torch\n" + ADAM.replace("WD", "0.1"), "%%writefile train.py\nimport torch\n" + ADAM.replace("WD", "0.2"));
    const output = lintNotebook(text, true).output!;
    expect(codeSources(output)).toEqual(codeSources(text).map((source) => source.replace("Adam(", "AdamW(")));
    expect(notebookAdapter.parses(output)).toBe(true);
    expect(lintNotebook(output, true).output).toBeUndefined();
  });

  it("honours a per-line disable in a written file", () => {
    const text = notebook("%%writefile train.py\nimport torch\n" + ADAM.replace("WD", "0.1") + "  # optim-lint: disable=OPT001");
    const result = lintNotebook(text);
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => [m.code, m.cell])).toEqual([["OPT001", { index: 1, line: 3, column: 7 }]]);
  });

  it("leaves out findings in a written test file and in a written file's test functions, unless tests are included", () => {
    const text = notebook(
      "%%writefile tests/test_optim.py\nimport torch\n" + ADAM.replace("WD", "0.1"),
      "%%writefile train.py\nimport torch\ndef test_step():\n    " + ADAM.replace("WD", "0.2") + "\n" + ADAM.replace("WD", "0.3"),
    );
    const cells = (hideTestCode: boolean) => lintProject([{ filePath: "run.ipynb", text, rules, hideTestCode }])[0].messages.filter((m) => m.code === "OPT001").map((m) => `${m.cell!.index}:${m.cell!.line}`);
    expect(cells(true)).toEqual(["2:5"]);
    expect(cells(false)).toEqual(["1:3", "2:4", "2:5"]);
  });
});
