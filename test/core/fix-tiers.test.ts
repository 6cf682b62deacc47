/**
 * Fix applicability (Ruff's tiers), priority on messages and the engine's one-problem-one-report rule, on real
 * rules and real text.
 */
import { describe, expect, it } from "vitest";
import { byPriority, type LintMessage, type RuleSetting } from "../../src/core/results.js";
import { lintText } from "../../src/default-linter.js";
import { RULES } from "../../rules/index.js";
import type { Rule } from "../../src/core/types.js";

const all: RuleSetting[] = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
const codes = (messages: { code?: string }[]) => messages.map((m) => m.code);

/** Adam with coupled decay (an unsafe fix) and swapped betas (a safe fix) on one line each. */
const MIXED = [
  "import torch",
  "",
  "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)",
  "head = torch.optim.AdamW(head.parameters(), lr=1e-3, betas=(0.999, 0.9))",
  "",
].join("\n");

describe("fix applicability", () => {
  it("marks each fix safe or unsafe and counts only the fixes --fix applies", () => {
    const result = lintText(MIXED, { filePath: "train.py", rules: all });
    const byCode = Object.fromEntries(result.messages.map((m) => [m.code, m]));
    expect(byCode.OPT001.fix?.applicability).toBe("unsafe");
    expect(byCode.OPT009.fix?.applicability).toBe("safe");
    expect(result.fixableErrorCount).toBe(1);
    expect(result.hiddenFixCount).toBe(1);
    expect(result.unsafeFixes).toBeUndefined();
  });

  it("with unsafe fixes on, counts both and hides none", () => {
    const result = lintText(MIXED, { filePath: "train.py", rules: all, unsafeFixes: true });
    expect(result.fixableErrorCount).toBe(2);
    expect(result.hiddenFixCount).toBeUndefined();
    expect(result.unsafeFixes).toBe(true);
  });

  it("--fix applies the safe fix only and leaves the unsafe one reported with its fix", () => {
    const result = lintText(MIXED, { filePath: "train.py", rules: all, fix: true });
    expect(result.output).toContain("betas=(0.9, 0.999)");
    expect(result.output).toContain("torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)");
    expect(codes(result.messages)).toEqual(["OPT001"]);
    expect(result.messages[0].fix?.applicability).toBe("unsafe");
    expect(result.hiddenFixCount).toBe(1);
  });

  it("--fix --unsafe-fixes applies both, and a second run changes nothing", () => {
    const result = lintText(MIXED, { filePath: "train.py", rules: all, fix: true, unsafeFixes: true });
    expect(result.output).toContain("torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)");
    expect(result.output).toContain("betas=(0.9, 0.999)");
    expect(lintText(result.output!, { filePath: "train.py", rules: all, fix: true, unsafeFixes: true }).output).toBeUndefined();
  });

  it("a run with only unsafe fixes leaves the file alone without --unsafe-fixes", () => {
    const text = "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)\n";
    expect(lintText(text, { filePath: "train.py", rules: all, fix: true }).output).toBeUndefined();
  });

  it("every fix a rule reports on its bad example carries an applicability", () => {
    for (const rule of RULES) {
      for (const m of lintText(rule.meta.docs.badExample, { filePath: "example.py", rules: [{ rule, severity: "error", options: {} }] }).messages) {
        if (m.fix) expect(["safe", "unsafe"]).toContain(m.fix.applicability);
      }
    }
  });
});

describe("priority", () => {
  it("carries each rule's priority on its messages", () => {
    const result = lintText(MIXED, { filePath: "train.py", rules: all });
    for (const m of result.messages) expect(m.priority).toBe(RULES.find((r) => r.meta.code === m.code)!.meta.priority);
  });

  it("orders by the debugging order, then by position", () => {
    const at = (line: number, priority: LintMessage["priority"], code: string): LintMessage => ({ ruleId: code, code, severity: 1, message: "", line, column: 1, priority });
    const messages = [at(1, "optimizer-choice", "A"), at(9, "learning-rate", "B"), at(3, "numerical-stability", "C"), at(2, "learning-rate", "D")];
    const parse: LintMessage = { ruleId: null, severity: 2, fatal: true, message: "Parsing error", line: 20, column: 1 };
    expect(codes([...messages, parse].sort(byPriority))).toEqual([undefined, "D", "B", "C", "A"]);
  });
});

describe("one problem, one report", () => {
  it("does not advise Nesterov on a momentum OPT009 declares invalid", () => {
    const text = "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=1.2)\n";
    const result = lintText(text, { filePath: "train.py", rules: all });
    expect(codes(result.messages)).toEqual(["OPT009"]);
    // Without OPT009 nothing declares the value invalid, and OPT002 judges it as it stands.
    const alone = lintText(text, { filePath: "train.py", rules: all.filter((s) => s.rule.meta.code !== "OPT009") });
    expect(codes(alone.messages)).toEqual(["OPT002"]);
  });

  it("keeps other rules' findings on the same construction that read other values", () => {
    const text = "import torch\n\noptimizer = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4, eps=-1e-8)\n";
    expect(codes(lintText(text, { filePath: "train.py", rules: all }).messages).sort()).toEqual(["OPT001", "OPT009"]);
  });

  it("drops any rule's finding that reads an invalid value, and keeps the declaring rule's own findings", () => {
    const judge = (code: string, reads: string[], invalidates: string[] = []): Rule => ({
      meta: { ...RULES[0].meta, code, name: `judge-${code.toLowerCase()}`, fixable: false, hasSuggestions: false },
      defaultOptions: {},
      check(ctx) {
        for (const site of ctx.facts.optimizers) {
          ctx.report({
            span: site.span,
            message: `${code} on ${site.canonical}`,
            reads: reads.map((name) => ({ site: site.id, name })),
            invalidates: invalidates.map((name) => ({ site: site.id, name })),
          });
        }
      },
    });
    const rules: RuleSetting[] = [
      { rule: judge("OPT901", ["lr"], ["lr"]), severity: "error", options: {} },
      { rule: judge("OPT902", ["lr"]), severity: "warning", options: {} },
      { rule: judge("OPT903", ["momentum"]), severity: "warning", options: {} },
      { rule: judge("OPT904", ["lr"], ["lr"]), severity: "warning", options: {} },
    ];
    const text = "import torch\n\noptimizer = torch.optim.SGD(model.parameters(), lr=-1.0)\n";
    // OPT902 reads the invalid lr: dropped. OPT903 reads another value: kept. Two rules that both declare it invalid both stay.
    expect(codes(lintText(text, { filePath: "train.py", rules }).messages)).toEqual(["OPT901", "OPT903", "OPT904"]);
  });
});
