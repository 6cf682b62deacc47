/**
 * The server's project model: per-file summaries reused by content hash, each open document's tree re-parsed
 * incrementally, and an edit in one file refreshing the findings of the open documents that read it.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { WorkspaceLinter } from "../../src/server/workspace.js";
import { startClient, uriOf, type TestClient } from "./lsp-client.js";

const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures");
const TRAIN = readFileSync(path.join(FIXTURES, "server/train.py"), "utf8");

let dir: string;
let client: TestClient | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-project-"));
  cpSync(path.join(FIXTURES, "projects/mmengine-base/configs"), dir, { recursive: true });
});
afterEach(async () => {
  await client?.close();
  client = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEFAULTS = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

/** Messages as `line:column code message`, comparable across runs. */
const shown = (messages: { line: number; column: number; code?: string; message: string }[]) => messages.map((m) => `${m.line}:${m.column} ${m.code ?? "-"} ${m.message}`);

describe("workspace linter", () => {
  it("re-parses a document incrementally after each change and finds what a fresh lint finds", () => {
    const linter = new WorkspaceLinter(dir);
    const filePath = path.join(dir, "train.py");
    const uri = uriOf(filePath);
    const texts = [
      TRAIN,
      TRAIN.replace(", weight_decay=args.wd", ""),
      TRAIN.replace("Adam(", "Adam(\n"),
      TRAIN.replace("Adam(", "Adam(("),
      TRAIN,
    ];
    for (const text of texts) {
      const outcome = linter.lint(uri, filePath, text);
      expect(shown(outcome.result!.messages)).toEqual(shown(lintText(text, { filePath, rules: DEFAULTS }).messages));
    }
    expect(linter.reparses).toBe(texts.length - 1);
  });

  it("keeps file summaries by content: linting again after an unrelated change analyzes nothing new", () => {
    const linter = new WorkspaceLinter(dir);
    const child = path.join(dir, "retinanet_lr.py");
    const text = readFileSync(child, "utf8");
    linter.lint(uriOf(child), child, text);
    expect(linter.fileAnalyses).toBe(2); // the child and its _base_, read from disk
    linter.changed();
    linter.lint(uriOf(child), child, text);
    expect(linter.analyses).toBe(2);
    expect(linter.fileAnalyses).toBe(2);
  });
});

describe("findings across files in the editor", () => {
  it("re-publishes a child config when its open _base_ is edited, and uses the edited text, not the disk", async () => {
    client = await startClient(dir);
    const child = path.join(dir, "retinanet_lr.py");
    const base = path.join(dir, "_base_/schedules/sgd_1x.py");
    const childUri = uriOf(child);
    const baseUri = uriOf(base);
    const first = client.nextDiagnostics(childUri);
    client.open(child, readFileSync(child, "utf8"));
    expect((await first).map((d) => d.code)).toEqual(["OPT002", "OPT003"]);

    const baseText = readFileSync(base, "utf8");
    const baseOpened = client.nextDiagnostics(baseUri);
    client.open(base, baseText);
    expect((await baseOpened).map((d) => d.code)).toEqual(["OPT002"]);

    // Momentum gone from the base: the child inherits none, so its Nesterov finding goes too.
    const refreshed = client.nextDiagnostics(childUri, (d) => !d.some((x) => x.code === "OPT002"));
    const at = baseText.indexOf(", momentum=0.9");
    const document = TextDocument.create(baseUri, "python", 2, baseText);
    void client.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: baseUri, version: 3 },
      contentChanges: [{ range: { start: document.positionAt(at), end: document.positionAt(at + ", momentum=0.9".length) }, text: "" }],
    });
    expect((await refreshed).map((d) => d.code)).toEqual(["OPT003"]);
  });
});
