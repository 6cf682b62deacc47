/**
 * A notebook's kernel as one module for the call-site join: a construction that reads its function's parameters is
 * judged by the calls of that function in the notebook's cells, and its finding, value notes and fix land in the
 * cells they are about. A `%%writefile` cell's script is a module of its own, never joined with the kernel's calls.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lintProject, lintText } from "../../src/default-linter.js";
import { RULES } from "../../rules/index.js";
import { notebookAdapter } from "../../src/notebook/adapter.js";

const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "rules", "adam-weight-decay");

/** A notebook text of code cells in Jupyter's layout (sources as lists of lines). */
function notebook(...sources: string[]): string {
  const cells = sources.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) }));
  return JSON.stringify({ cells, metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" } }, nbformat: 4, nbformat_minor: 5 }, null, 1);
}

const lint = (text: string, filePath = "course.ipynb", fix = false) => lintText(text, { filePath, rules, fix, unsafeFixes: fix });
const adam = (text: string) => lint(text).messages.filter((m) => m.code === "OPT001");

/** The cell place (1-based, as users count) of a 1-based line and column of a notebook text. */
function cellOf(text: string, line: number, column: number): { index: number; line: number; column: number } | undefined {
  const file = notebookAdapter.analyze(text, "course.ipynb");
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf("\n", at) + 1;
  return notebookAdapter.cellAt!(file, at + column - 1);
}

const CONFIG = "config = {'learning_rate': 1e-5, 'weight_decay': 1e-5}";
const TRAINER = "import torch\n\ndef trainer(model, config):\n    optimizer = torch.optim.Adam(model.parameters(), lr=config['learning_rate'], weight_decay=config['weight_decay'])\n    return optimizer";
const CALL = "model = torch.nn.Linear(4, 1)\ntrainer(model, config)";

describe("call sites joined within a notebook's kernel", () => {
  it("says what the same code says as one Python file, with the call placed by cell and line", () => {
    const [cell] = adam(notebook(CONFIG, TRAINER, CALL));
    const [script] = lintText([CONFIG, TRAINER, CALL].join("\n"), { filePath: "course.py", rules }).messages.filter((m) => m.code === "OPT001");
    expect(script.message).toContain("passed to trainer() at line 8");
    expect(cell.message).toBe(script.message.replace("at line 8", "at cell 3, line 2"));
    expect(cell.cell).toEqual({ index: 2, line: 4, column: 17 });
  });

  it("puts the value's note in the cell that sets it", () => {
    const text = notebook(CONFIG, TRAINER, CALL);
    const [finding] = adam(text);
    expect(finding.related?.map((r) => cellOf(text, r.line, r.column))).toEqual([{ index: 1, line: 1, column: 34 }]);
  });

  it("leaves the construction unjudged when a call passes a value it cannot resolve", () => {
    expect(adam(notebook("import json\nconfig = json.load(open('config.json'))", TRAINER, CALL))).toEqual([]);
  });

  it("fixes the construction in its cell, leaves the notebook valid JSON, and a second --fix changes nothing", () => {
    const text = readFileSync(join(fixtures, "invalid-call-site-cells.ipynb"), "utf8");
    const fixed = lint(text, "invalid-call-site-cells.ipynb", true).output!;
    expect(fixed).toBe(readFileSync(join(fixtures, "invalid-call-site-cells.fixed.ipynb"), "utf8"));
    expect(() => JSON.parse(fixed) as unknown).not.toThrow();
    expect(lint(fixed, "invalid-call-site-cells.ipynb", true).output ?? fixed).toBe(fixed);
  });

  it("does not join a %%writefile script's function with the kernel's calls, in either direction", () => {
    // The script defines the trainer: the kernel's call runs a function of the kernel (or none), not the script's.
    expect(adam(notebook(CONFIG, `%%writefile train.py\n${TRAINER}`, CALL))).toEqual([]);
    // The kernel defines it: the script's call cannot see the kernel's function.
    expect(adam(notebook(TRAINER, `%%writefile run.py\n${CONFIG}\n${CALL.replace("model = torch", "import torch\nmodel = torch")}`))).toEqual([]);
  });

  it("joins the same two cells when the calling cell is the kernel's, not a %%writefile script", () => {
    // The counterparts of the two layouts above: only the %%writefile magic keeps them from being judged.
    expect(adam(notebook(CONFIG, TRAINER, CALL))).toHaveLength(1);
    expect(adam(notebook(TRAINER, `${CONFIG}\n${CALL}`))).toHaveLength(1);
  });

  it("reads a value the kernel imports from a project module in that module, where its note points", () => {
    const text = notebook("import torch\nfrom settings import WD\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.Adam(model.parameters(), weight_decay=WD)");
    const results = lintProject([
      { filePath: "proj/settings.py", text: "WD = 0.1\n", rules },
      { filePath: "proj/run.ipynb", text, rules },
    ]);
    const [finding] = results.find((r) => r.filePath === "proj/run.ipynb")!.messages.filter((m) => m.code === "OPT001");
    expect(finding.message).toContain("weight_decay=0.1 (constant WD)");
    expect(finding.cell).toEqual({ index: 1, line: 4, column: 7 });
    expect(finding.related?.map((r) => [r.filePath, r.line, r.column])).toEqual([["proj/settings.py", 1, 1]]);
  });

  it("fixes a construction judged through a project module's value in its cell, in the cell's own line", () => {
    const source = "import torch\nfrom settings import WD\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.Adam(model.parameters(), weight_decay=WD)";
    const inputs = (text: string) => [
      { filePath: "proj/settings.py", text: "WD = 0.1\n", rules },
      { filePath: "proj/run.ipynb", text, rules },
    ];
    const fixedOf = (text: string) => lintProject(inputs(text), { fix: true, unsafeFixes: true }).find((r) => r.filePath === "proj/run.ipynb")!.output;
    const fixed = fixedOf(notebook(source))!;
    expect(fixed).toBe(notebook(source.replace("optim.Adam(", "optim.AdamW(")));
    expect(fixedOf(fixed) ?? fixed).toBe(fixed);
  });
});
