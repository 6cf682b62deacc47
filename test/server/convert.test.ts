/** Code actions from lint results: each fix shows its tier (safe or unsafe), straight from the engine's messages. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { quickFixes } from "../../src/server/convert.js";

const DEFAULTS = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const TRAIN = readFileSync(path.resolve(import.meta.dirname, "../../fixtures/server/train.py"), "utf8");

describe("quick fixes", () => {
  it("titles an unsafe fix as unsafe and does not make it the preferred action", () => {
    const result = lintText(TRAIN, { filePath: "/p/train.py", rules: DEFAULTS });
    const document = TextDocument.create("file:///p/train.py", "python", 1, TRAIN);
    const whole = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };
    const [fix] = quickFixes(result, document, [], whole, false);
    expect(fix.title).toBe("Fix OPT001 (adam-weight-decay): unsafe fix, changes training dynamics (re-tune after)");
    expect(fix.isPreferred).toBeUndefined();
    const edited = TextDocument.applyEdits(document, fix.edit!.changes![document.uri]);
    expect(edited).toBe(lintText(TRAIN, { filePath: "/p/train.py", rules: DEFAULTS, fix: true, unsafeFixes: true }).output);
  });

  it("titles a safe fix as safe and prefers it", () => {
    const text = "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n";
    const result = lintText(text, { filePath: "/p/sgd.py", rules: DEFAULTS });
    const document = TextDocument.create("file:///p/sgd.py", "python", 1, text);
    const [fix] = quickFixes(result, document, [], { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, false);
    expect(fix).toMatchObject({ title: "Fix OPT002 (sgd-missing-nesterov): safe fix", isPreferred: true });
  });
});
