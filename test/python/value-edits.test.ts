/** Value edits go where the value is defined: the argparse default or the constant, not over `args.lr` at the call (issue 8, item 5). */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import type { LintMessage } from "../../src/core/results.js";

/** The messages of one rule on a text, with its default settings. */
function messages(text: string, ruleName: string): LintMessage[] {
  const rule = RULES.find((r) => r.meta.name === ruleName)!;
  return lintText(text, { filePath: "train.py", rules: [{ rule, severity: "error", options: {} }] }).messages;
}

/** The text after applying a fix. */
function applied(text: string, fix: { range: [number, number]; text: string }): string {
  return text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}

const HEAD = "import argparse\nimport torch\n\nmodel = torch.nn.Linear(4, 2)\n";

describe("the lr suggestion", () => {
  it("changes the argparse default, so --lr keeps working", () => {
    const text = `${HEAD}parser = argparse.ArgumentParser()\nparser.add_argument("--lr", type=float, default=0.5)\nargs = parser.parse_args()\nopt = torch.optim.Adam(model.parameters(), lr=args.lr)\n`;
    const [finding] = messages(text, "lr-out-of-range");
    expect(finding.suggestions?.length).toBe(1);
    const after = applied(text, finding.suggestions![0].fix);
    expect(after).toContain("opt = torch.optim.Adam(model.parameters(), lr=args.lr)\n");
    expect(after).toMatch(/parser\.add_argument\("--lr", type=float, default=0\.\d+\)/);
    expect(after).not.toContain("default=0.5");
  });

  it("changes the constant, which stays in use", () => {
    const text = `${HEAD}LR = 0.5\nopt = torch.optim.Adam(model.parameters(), lr=LR)\n`;
    const [finding] = messages(text, "lr-out-of-range");
    const after = applied(text, finding.suggestions![0].fix);
    expect(after).toContain("lr=LR)");
    expect(after).not.toContain("LR = 0.5");
    expect(after).toMatch(/\nLR = 0\.\d+\n/);
  });

  it("still edits a literal written at the call", () => {
    const text = `${HEAD}opt = torch.optim.Adam(model.parameters(), lr=0.5)\n`;
    const [finding] = messages(text, "lr-out-of-range");
    expect(applied(text, finding.suggestions![0].fix)).toMatch(/Adam\(model\.parameters\(\), lr=0\.\d+\)/);
  });
});

describe("a flag with no literal default", () => {
  it("is not overwritten at the call (the option would be silently ignored)", () => {
    const text = `${HEAD}parser = argparse.ArgumentParser()\nparser.add_argument("--decoupled", action="store_true")\nargs = parser.parse_args()\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01, decoupled_weight_decay=args.decoupled)\n`;
    for (const message of messages(text, "adam-weight-decay")) {
      for (const fix of [message.fix, ...(message.suggestions ?? []).map((s) => s.fix)]) {
        if (fix) expect(applied(text, fix)).toContain("decoupled_weight_decay=args.decoupled");
      }
    }
  });
});
