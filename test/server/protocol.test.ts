/** The language server over stdio, driven at the protocol level by a JSON-RPC client. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeAction, Diagnostic, Hover, TextEdit } from "vscode-languageserver/node";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { startClient, uriOf, type TestClient } from "./lsp-client.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures");
const TRAIN = readFileSync(path.join(FIXTURES, "server/train.py"), "utf8");
const MIXED = readFileSync(path.join(FIXTURES, "server/mixed.py"), "utf8");

let dir: string;
let client: TestClient | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-lsp-"));
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  rmSync(path.join(dir, "optim-lint.toml"), { force: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Applies LSP edits to a text. */
function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create("file:///x.py", "python", 1, text), edits);
}

function editsOf(action: CodeAction, uri: string): TextEdit[] {
  return action.edit!.changes![uri];
}

/** What the CLI's fix loop makes of a text under the default settings. */
function cliFix(text: string, filePath: string): string {
  const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  return lintText(text, { filePath, rules, fix: true }).output ?? text;
}

describe("push diagnostics", () => {
  it("publishes findings on open with code, doc link and origin notes, and clears them once the text is fixed", async () => {
    client = await startClient(dir);
    const file = path.join(dir, "train.py");
    const uri = uriOf(file);
    const first = client.nextDiagnostics(uri);
    client.open(file, TRAIN);
    const [diagnostic, ...rest] = await first;
    expect(rest).toEqual([]);
    expect(diagnostic).toMatchObject({
      code: "OPT001",
      source: "optim-lint",
      severity: 1,
      codeDescription: { href: expect.stringMatching(/adam-weight-decay\.md$/) },
      range: { start: { line: 9, character: 12 } },
      relatedInformation: [{ location: { uri, range: { start: { line: 5, character: 0 } } }, message: expect.stringContaining("argparse default") }],
    });

    // An incremental change that drops the decay: the next push is empty.
    const cleared = client.nextDiagnostics(uri);
    const decay = ", weight_decay=args.wd";
    const at = TRAIN.indexOf(decay);
    const document = TextDocument.create(uri, "python", 1, TRAIN);
    void client.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: document.positionAt(at), end: document.positionAt(at + decay.length) }, text: "" }],
    });
    expect(await cleared).toEqual([]);
  });

  it("reports severity from the configuration, reloads it when it changes, and shows a broken one", async () => {
    client = await startClient(dir, { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } });
    const file = path.join(dir, "mixed.py");
    const uri = uriOf(file);
    const first = client.nextDiagnostics(uri);
    client.open(file, MIXED);
    expect((await first).map((d) => [d.code, d.severity])).toEqual([
      ["OPT002", 2],
      ["OPT003", 1],
    ]);

    const configUri = uriOf(path.join(dir, "optim-lint.toml"));
    const notify = () => client!.connection.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: configUri, type: 1 }] });
    writeFileSync(path.join(dir, "optim-lint.toml"), '[rules]\nsgd-missing-nesterov = "info"\nlr-out-of-range = "off"\n');
    let next = client.nextDiagnostics(uri);
    await notify();
    expect((await next).map((d) => [d.code, d.severity])).toEqual([["OPT002", 3]]);

    writeFileSync(path.join(dir, "optim-lint.toml"), "[rules\n");
    next = client.nextDiagnostics(uri);
    await notify();
    const [broken] = await next;
    expect(broken.message).toMatch(/configuration error.*Invalid TOML/);
  });
});

describe("pull diagnostics", () => {
  it("answers textDocument/diagnostic and pushes nothing when the client pulls", async () => {
    client = await startClient(dir, { textDocument: { diagnostic: {} } });
    const file = path.join(dir, "train.py");
    const uri = client.open(file, TRAIN);
    const report = (await client.connection.sendRequest("textDocument/diagnostic", { textDocument: { uri } })) as { kind: string; items: Diagnostic[] };
    expect(report.kind).toBe("full");
    expect(report.items.map((d) => d.code)).toEqual(["OPT001"]);
    expect(client.pushed.size).toBe(0);
  });
});

describe("code actions and hover", () => {
  it("offers the safe fix, each suggestion as unsafe, a per-line disable, and fix-all as the CLI's --fix", async () => {
    client = await startClient(dir);
    const file = path.join(dir, "mixed.py");
    const uri = uriOf(file);
    const opened = client.nextDiagnostics(uri);
    client.open(file, MIXED);
    const diagnostics = await opened;
    const whole = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };
    const actions = (await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: whole,
      context: { diagnostics },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    expect(titles).toEqual([
      "Fix OPT002 (sgd-missing-nesterov): safe fix",
      "Disable OPT002 for this line",
      expect.stringMatching(/^Set lr=0\.001.*\(OPT003 suggestion, unsafe/),
      "Disable OPT003 for this line",
      "optim-lint: fix all safe problems",
    ]);
    expect(actions[0]).toMatchObject({ kind: "quickfix", isPreferred: true, diagnostics: [{ code: "OPT002" }] });

    const fixed = apply(MIXED, editsOf(actions[0], uri));
    expect(fixed).toContain("momentum=0.9, nesterov=True)");
    expect(apply(MIXED, editsOf(actions[1], uri)).split("\n")[3]).toMatch(/momentum=0\.9\) {2}# noqa: OPT002$/);
    expect(apply(MIXED, editsOf(actions[2], uri))).toContain("Adam(model.parameters(), lr=0.001)");
    expect(actions[4].kind).toBe("source.fixAll.optim-lint");
    expect(apply(MIXED, editsOf(actions[4], uri))).toBe(cliFix(MIXED, file));

    // A client asking only for fix-all actions gets only that one.
    const only = (await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: whole,
      context: { diagnostics: [], only: ["source.fixAll"] },
    })) as CodeAction[];
    expect(only.map((a) => a.kind)).toEqual(["source.fixAll.optim-lint"]);
  });

  it("adds a code to a noqa list already on the line", async () => {
    client = await startClient(dir);
    const file = path.join(dir, "noqa.py");
    const text = MIXED.replace("momentum=0.9)", "momentum=0.9)  # noqa: OPT001");
    const uri = uriOf(file);
    const opened = client.nextDiagnostics(uri);
    client.open(file, text);
    await opened;
    const actions = (await client.connection.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: { start: { line: 3, character: 10 }, end: { line: 3, character: 10 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    const disable = actions.find((a) => a.title === "Disable OPT002 for this line")!;
    const after = apply(text, editsOf(disable, uri));
    expect(after.split("\n")[3]).toMatch(/# noqa: OPT001, OPT002$/);
    const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
    expect(lintText(after, { filePath: file, rules }).messages.map((m) => m.code)).toEqual(["OPT003"]);
  });

  it("shows the rule's documentation on hover over a finding and nothing elsewhere", async () => {
    client = await startClient(dir);
    const file = path.join(dir, "train.py");
    const uri = uriOf(file);
    const opened = client.nextDiagnostics(uri);
    client.open(file, TRAIN);
    await opened;
    const hover = (await client.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 9, character: 30 } })) as Hover;
    const value = (hover.contents as { kind: string; value: string }).value;
    expect(value).toMatch(/^# adam-weight-decay \(OPT001\)/);
    expect(value).toContain("## Why is this bad?");
    expect(await client.connection.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 1 } })).toBeNull();
  });
});

describe("bad input", () => {
  it("answers a failing request with an error, logs it, and keeps serving", async () => {
    client = await startClient(dir);
    const missing = uriOf(path.join(dir, "never-opened.py"));
    await expect(client.connection.sendRequest("textDocument/hover", { textDocument: { uri: missing }, position: { line: 0, character: 0 } })).rejects.toThrow(
      /hover failed: the document .* is not open/,
    );
    await expect(client.connection.sendRequest("textDocument/codeAction", { textDocument: { uri: missing } })).rejects.toThrow(/codeAction failed/);
    expect(client.logs.join("\n")).toMatch(/textDocument\/hover failed/);

    // Junk and a half-written file get diagnostics, not a crash.
    const junk = path.join(dir, "junk.py");
    const junkUri = uriOf(junk);
    const junkDiagnostics = client.nextDiagnostics(junkUri);
    client.open(junk, "\u0000\uFFFF def (((:\n\tclass\n" + "[".repeat(5000));
    expect((await junkDiagnostics).some((d) => d.severity === 1)).toBe(true);

    const file = path.join(dir, "train.py");
    const uri = uriOf(file);
    const later = client.nextDiagnostics(uri);
    client.open(file, TRAIN);
    expect((await later).map((d) => d.code)).toEqual(["OPT001"]);
    expect(client.child.exitCode).toBeNull();
  });

  it("lints a notebook opened as a JSON document", async () => {
    client = await startClient(dir);
    const file = path.join(dir, "train_adam.ipynb");
    copyFileSync(path.join(FIXTURES, "notebook/train_adam.ipynb"), file);
    const text = readFileSync(file, "utf8");
    const uri = uriOf(file);
    const opened = client.nextDiagnostics(uri);
    client.open(file, text, "json");
    const diagnostics = await opened;
    expect(diagnostics.map((d) => d.code)).toContain("OPT001");
    const document = TextDocument.create(uri, "json", 1, text);
    const line = document.getText(diagnostics[0].range);
    expect(line).toMatch(/Adam/);
  });
});
