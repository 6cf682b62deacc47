/**
 * LSP 3.17 notebook document sync: a notebook's cells arrive as separate documents; findings, fixes, per-line
 * disables and hovers come back in the cell they are about, in the cell's own lines and columns.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, Diagnostic, Hover, TextEdit } from "vscode-languageserver/node";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { startClient, uriOf, type TestClient } from "./lsp-client.js";

let dir: string;
let client: TestClient | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-notebook-"));
});
afterEach(async () => {
  await client?.close();
  client = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SETUP = "import torch\n\nmodel = torch.nn.Linear(4, 2)\n";
const OPTIMIZER = "# the optimizer\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\nprint(opt)";
const DEFAULTS = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create("file:///cell.py", "python", 1, text), edits);
}

describe("notebook document sync", () => {
  it("shows findings in their cell, fixes them there, and clears them after the cell changes", async () => {
    client = await startClient(dir);
    const notebookUri = uriOf(path.join(dir, "train.ipynb"));
    const cell = (n: number) => `${notebookUri.replace(/^file:/, "vscode-notebook-cell:")}#cell${n}`;
    const [markdown, setup, optimizer] = [cell(1), cell(2), cell(3)];
    const pushed = client.nextDiagnostics(optimizer, (d) => d.length > 0);
    const setupPushed = client.nextDiagnostics(setup);
    void client.connection.sendNotification("notebookDocument/didOpen", {
      notebookDocument: {
        uri: notebookUri,
        notebookType: "jupyter-notebook",
        version: 1,
        cells: [
          { kind: 1, document: markdown },
          { kind: 2, document: setup },
          { kind: 2, document: optimizer },
        ],
      },
      cellTextDocuments: [
        { uri: markdown, languageId: "markdown", version: 1, text: "# Training\nAdam with weight_decay=0.01 here is prose, not code." },
        { uri: setup, languageId: "python", version: 1, text: SETUP },
        { uri: optimizer, languageId: "python", version: 1, text: OPTIMIZER },
      ],
    });
    const diagnostics: Diagnostic[] = await pushed;
    expect(await setupPushed).toEqual([]);

    // The same code as one Python file: the finding's place, shifted by the cells above, is the cell's place.
    const script = `${SETUP}\n${OPTIMIZER}`;
    const shift = SETUP.split("\n").length;
    const expected = lintText(script, { filePath: path.join(dir, "train.py"), rules: DEFAULTS }).messages;
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])).toEqual(
      expected.map((m) => [m.code, m.line - 1 - shift, m.column - 1, m.endLine! - 1 - shift, m.endColumn! - 1]),
    );
    expect(diagnostics[0].code).toBe("OPT001");

    const hover: Hover = await client.connection.sendRequest("textDocument/hover", { textDocument: { uri: optimizer }, position: diagnostics[0].range.start });
    expect((hover.contents as { value: string }).value).toContain("OPT001");

    const actions: CodeAction[] = await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri: optimizer },
      range: diagnostics[0].range,
      context: { diagnostics: [diagnostics[0]] },
    });
    const titles = actions.map((a) => a.title);
    expect(titles).toContain("Disable OPT001 for this line");
    const disable = actions.find((a) => a.title === "Disable OPT001 for this line")!;
    expect(apply(OPTIMIZER, disable.edit!.changes![optimizer])).toBe(OPTIMIZER.replace("weight_decay=0.01)", "weight_decay=0.01)  # noqa: OPT001"));

    // Each fix and suggestion edits this cell only, as the script's own fix edits the script.
    const scriptFinding = expected.find((m) => m.code === "OPT001")!;
    const scriptFixes = [...(scriptFinding.fix ? [scriptFinding.fix] : []), ...(scriptFinding.suggestions ?? []).map((s) => s.fix)];
    const cellFixes = actions.filter((a) => !a.title.startsWith("Disable"));
    expect(cellFixes.length).toBe(scriptFixes.length);
    expect(cellFixes.length).toBeGreaterThan(0);
    cellFixes.forEach((action, i) => {
      expect(Object.keys(action.edit!.changes!)).toEqual([optimizer]);
      const fixedScript = script.slice(0, scriptFixes[i].range[0]) + scriptFixes[i].text + script.slice(scriptFixes[i].range[1]);
      expect(`${SETUP}\n${apply(OPTIMIZER, action.edit!.changes![optimizer])}`).toBe(fixedScript);
    });

    // The user applies the first one: the cell's text changes and its findings go.
    const fixed = apply(OPTIMIZER, cellFixes[0].edit!.changes![optimizer]);
    const remaining = lintText(`${SETUP}\n${fixed}`, { filePath: path.join(dir, "train.py"), rules: DEFAULTS }).messages.map((m) => m.code);
    const cleared = client.nextDiagnostics(optimizer, (d) => d.length === remaining.length);
    void client.connection.sendNotification("notebookDocument/didChange", {
      notebookDocument: { uri: notebookUri, version: 2 },
      change: { cells: { textContent: [{ document: { uri: optimizer, version: 2 }, changes: [{ text: fixed }] }] } },
    });
    expect((await cleared).map((d) => d.code)).toEqual(remaining);
    expect(remaining).not.toContain("OPT001");
  });

  it("shows a %%writefile script's findings in its cell, apart from the kernel's names, and fixes them there", async () => {
    client = await startClient(dir);
    const notebookUri = uriOf(path.join(dir, "launch.ipynb"));
    const cell = (n: number) => `${notebookUri.replace(/^file:/, "vscode-notebook-cell:")}#cell${n}`;
    const [kernel, written] = [cell(1), cell(2)];
    // The kernel's `model` is not the script's: the script builds its own, and the finding comes from its code alone.
    const body = `${SETUP}\n${OPTIMIZER}`;
    const source = `%%writefile train.py\n${body}`;
    const pushed = client.nextDiagnostics(written, (d) => d.length > 0);
    void client.connection.sendNotification("notebookDocument/didOpen", {
      notebookDocument: { uri: notebookUri, notebookType: "jupyter-notebook", version: 1, cells: [{ kind: 2, document: kernel }, { kind: 2, document: written }] },
      cellTextDocuments: [
        { uri: kernel, languageId: "python", version: 1, text: "import torch\nmodel = torch.nn.Linear(4, 2)" },
        { uri: written, languageId: "python", version: 1, text: source },
      ],
    });
    const diagnostics: Diagnostic[] = await pushed;
    // The script as a file of its own: its places, one line down for the magic line, are the cell's places.
    const expected = lintText(body, { filePath: path.join(dir, "train.py"), rules: DEFAULTS }).messages;
    expect(diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])).toEqual(
      expected.map((m) => [m.code, m.line, m.column - 1, m.endLine!, m.endColumn! - 1]),
    );
    const adam = diagnostics.find((d) => d.code === "OPT001")!;
    const actions: CodeAction[] = await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri: written },
      range: adam.range,
      context: { diagnostics: [adam] },
    });
    const rename = actions.find((a) => a.title.startsWith("Fix OPT001"))!;
    expect(Object.keys(rename.edit!.changes!)).toEqual([written]);
    expect(apply(source, rename.edit!.changes![written])).toBe(source.replace("optim.Adam(", "optim.AdamW("));
  });

  it("judges a function's construction by the call in a later cell, and fixes it in the function's cell", async () => {
    client = await startClient(dir);
    const notebookUri = uriOf(path.join(dir, "course.ipynb"));
    const cell = (n: number) => `${notebookUri.replace(/^file:/, "vscode-notebook-cell:")}#cell${n}`;
    const [config, trainer, call] = [cell(1), cell(2), cell(3)];
    const TRAINER = "import torch\n\ndef trainer(model, config):\n    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=config['weight_decay'])";
    const pushed = client.nextDiagnostics(trainer, (d) => d.length > 0);
    void client.connection.sendNotification("notebookDocument/didOpen", {
      notebookDocument: { uri: notebookUri, notebookType: "jupyter-notebook", version: 1, cells: [config, trainer, call].map((document) => ({ kind: 2, document })) },
      cellTextDocuments: [
        { uri: config, languageId: "python", version: 1, text: "config = {'weight_decay': 1e-4}" },
        { uri: trainer, languageId: "python", version: 1, text: TRAINER },
        { uri: call, languageId: "python", version: 1, text: "model = torch.nn.Linear(4, 2)\noptimizer = trainer(model, config)" },
      ],
    });
    const adam = (await pushed).find((d) => d.code === "OPT001")!;
    expect(adam.message).toContain("weight_decay=1e-4 (dict entry 'weight_decay' of config, passed to trainer() at cell 3, line 2)");
    expect([adam.range.start.line, adam.range.start.character]).toEqual([3, 11]);
    // The value's note is in the cell that sets it.
    expect(adam.relatedInformation?.map((r) => [r.location.uri, r.location.range.start.line, r.location.range.start.character])).toEqual([[config, 0, 10]]);
    const actions: CodeAction[] = await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri: trainer },
      range: adam.range,
      context: { diagnostics: [adam] },
    });
    const rename = actions.find((a) => a.title.startsWith("Fix OPT001"))!;
    expect(Object.keys(rename.edit!.changes!)).toEqual([trainer]);
    expect(apply(TRAINER, rename.edit!.changes![trainer])).toBe(TRAINER.replace("optim.Adam(", "optim.AdamW("));
  });
});
