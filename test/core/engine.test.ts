import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RuleSetting } from "../../src/core/results.js";
import { lintText } from "../../src/default-linter.js";
import { mergeEdits } from "../../src/core/text-edits.js";
import { RULES } from "../../rules/index.js";
import { pythonAdapter } from "../../src/python/adapter.js";
import type { Rule } from "../../src/core/types.js";

const dir = join(import.meta.dirname, "..", "..", "fixtures", "engine");
const read = (name: string) => readFileSync(join(dir, name), "utf8");
const all: RuleSetting[] = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const codes = (messages: { code?: string }[]) => messages.map((m) => m.code);

describe("fix passes", () => {
  it("applies overlapping fixes over several passes until stable, and a second run changes nothing", () => {
    const text = read("multi-fix.py");
    const first = lintText(text, { filePath: "multi-fix.py", rules: all, fix: true, unsafeFixes: true });
    const output = first.output!;
    expect(output).toBeDefined();
    expect(output).toContain("from torch.optim import SGD, AdamW\n");
    expect(output).toContain("backbone_opt = AdamW(model.parameters()");
    expect(output).toContain("head_opt = AdamW(head.parameters(), lr=1e-3, betas=(0.9, 0.999)");
    expect(output).toContain("momentum=0.9, nesterov=True)");
    expect(pythonAdapter.parses(output)).toBe(true);
    // Only the suggestion-level finding on decay over all parameters remains (AdamW over model.parameters()).
    expect(first.messages.every((m) => !m.fix)).toBe(true);
    const second = lintText(output, { filePath: "multi-fix.py", rules: all, fix: true, unsafeFixes: true });
    expect(second.output).toBeUndefined();
  });

  it("keeps a BOM and CRLF line endings", () => {
    const text = read("bom-crlf.py");
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const result = lintText(text, { filePath: "bom-crlf.py", rules: all, fix: true });
    const output = result.output!;
    expect(output.charCodeAt(0)).toBe(0xfeff);
    expect(output).toContain("    momentum=0.9,\r\n    nesterov=True,\r\n)");
    expect(output.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("reports positions after the BOM like ESLint (offsets exclude it)", () => {
    const text = read("bom-crlf.py");
    const result = lintText(text, { filePath: "bom-crlf.py", rules: all });
    const nesterov = result.messages.find((m) => m.code === "OPT002")!;
    expect(nesterov.line).toBe(5);
    const body = text.slice(1);
    expect(body.slice(0, nesterov.fix!.range[0]).endsWith("momentum=0.9,")).toBe(true);
  });

  it("does not fix a file that does not parse", () => {
    const result = lintText(read("syntax-error.py"), { filePath: "syntax-error.py", rules: all, fix: true });
    expect(result.output).toBeUndefined();
  });
});

describe("reporting", () => {
  it("honors suppression directives and keeps what they silenced", () => {
    const result = lintText(read("suppressed.py"), { filePath: "suppressed.py", rules: all });
    const adam = result.messages.filter((m) => m.code === "OPT001");
    expect(adam.map((m) => m.line)).toEqual([9]);
    expect(result.suppressedMessages.filter((m) => m.code === "OPT001").map((m) => m.line)).toEqual([5, 6, 8]);
    expect(result.suppressedMessages[0].suppressions).toEqual([{ kind: "directive", justification: "" }]);
  });

  it("reports syntax errors as fatal and still runs the rules on what parsed", () => {
    const result = lintText(read("syntax-error.py"), { filePath: "syntax-error.py", rules: all });
    expect(result.fatalErrorCount).toBeGreaterThan(0);
    expect(result.messages.find((m) => m.fatal)!.message).toMatch(/^Parsing error/);
    expect(codes(result.messages)).toContain("OPT001");
  });

  it("isolates a crashing rule: its failure is reported, the other rules still report", () => {
    const crashing: Rule = {
      meta: { ...RULES[0].meta, code: "OPT999", name: "crashing-rule" },
      defaultOptions: {},
      check() {
        throw new Error("boom");
      },
    };
    const result = lintText(read("suppressed.py"), {
      filePath: "suppressed.py",
      rules: [{ rule: crashing, severity: "error", options: {} }, ...all],
    });
    expect(result.messages.some((m) => m.message.includes("Internal error in rule OPT999 (crashing-rule): boom"))).toBe(true);
    expect(codes(result.messages)).toContain("OPT001");
  });

  it("maps info severity to ESLint severity 1 without counting it as a warning", () => {
    const rules = all.map((s) => ({ ...s, severity: "info" as const }));
    const result = lintText(read("suppressed.py"), { filePath: "suppressed.py", rules });
    expect(result.infoCount).toBe(1);
    expect(result.warningCount).toBe(0);
    expect(result.messages.find((m) => m.code === "OPT001")).toMatchObject({ severity: 1, level: "info" });
  });
});

describe("mergeEdits", () => {
  it("merges non-overlapping edits into one ESLint range and refuses overlaps", () => {
    const text = "abcdefgh";
    expect(mergeEdits(text, [{ span: { start: 5, end: 6 }, text: "F" }, { span: { start: 1, end: 2 }, text: "B" }])).toEqual({ range: [1, 6], text: "BcdeF" });
    expect(mergeEdits(text, [{ span: { start: 1, end: 4 }, text: "x" }, { span: { start: 3, end: 5 }, text: "y" }])).toBeUndefined();
  });
});
