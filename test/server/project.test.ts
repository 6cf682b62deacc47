/**
 * The server's project model: per-file summaries reused by content hash, each open document's tree re-parsed
 * incrementally, and an edit in one file refreshing the findings of the open documents that read it.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../../rules/index.js";
import { lintProject, lintText } from "../../src/default-linter.js";
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

describe("findings across Python files in the editor", () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(path.join(os.tmpdir(), "optim-lint-calls-"));
    cpSync(path.join(FIXTURES, "projects/method-call"), project, { recursive: true });
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it("keeps the call-site judgements of a construction in another module, run after run", () => {
    const linter = new WorkspaceLinter(project);
    const model = path.join(project, "model.py");
    const train = path.join(project, "train.py");
    const open = [model, train].map((filePath) => ({ uri: uriOf(filePath), filePath, text: readFileSync(filePath, "utf8") }));
    linter.openDocuments = () => open;
    const fresh = lintProject(
      open.map((d) => ({ filePath: d.filePath, text: d.text, rules: DEFAULTS })),
      { host: { read: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined), exists: existsSync } },
    );
    // The model's finding comes from train.py's call; linting again from kept summaries gives it once, not twice.
    linter.lint(uriOf(train), train, open[1].text);
    for (let run = 0; run < 3; run++) {
      linter.changed();
      expect(shown(linter.lint(uriOf(model), model, open[0].text).result!.messages)).toEqual(shown(fresh[0].messages));
    }
    expect(shown(fresh[0].messages).map((m) => m.split(" ").slice(0, 2).join(" "))).toEqual(["49:65 OPT009"]);
    // The runs left the kept summary of model.py as its analysis made it: with train.py closed (and its file on disk
    // not linted with it), nothing passes the construction any value again.
    open.pop();
    linter.forget(uriOf(train));
    const alone = new WorkspaceLinter(project);
    alone.openDocuments = () => open;
    const expected = shown(alone.lint(uriOf(model), model, open[0].text).result!.messages);
    linter.changed();
    expect(shown(linter.lint(uriOf(model), model, open[0].text).result!.messages)).toEqual(expected);
  });

  it("re-publishes model.py when an edit in train.py changes what its call passes", async () => {
    client = await startClient(project);
    const model = path.join(project, "model.py");
    const train = path.join(project, "train.py");
    const modelUri = uriOf(model);
    const trainUri = uriOf(train);
    const modelOpened = client.nextDiagnostics(modelUri);
    client.open(model, readFileSync(model, "utf8"));
    // Alone, the construction reads parameters nobody passes: nothing is known, nothing is found.
    expect(await modelOpened).toEqual([]);

    // Opening the caller judges the construction with what train.py passes, and the finding shows in model.py.
    const judged = client.nextDiagnostics(modelUri, (d) => d.length > 0);
    const trainText = readFileSync(train, "utf8");
    client.open(train, trainText);
    const found = await judged;
    expect(found.map((d) => d.code)).toEqual(["OPT009"]);
    expect(found[0].message).toContain("passed to configure_optimizers() at train.py:19");

    // betas un-swapped in train.py: the finding it caused in model.py goes.
    const cleared = client.nextDiagnostics(modelUri, (d) => d.length === 0);
    const at = trainText.indexOf("beta2 = 0.9 ") + "beta2 = 0.9".length;
    const document = TextDocument.create(trainUri, "python", 2, trainText);
    void client.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: trainUri, version: 3 },
      contentChanges: [{ range: { start: document.positionAt(at), end: document.positionAt(at) }, text: "99" }],
    });
    expect(await cleared).toEqual([]);
  });
});
