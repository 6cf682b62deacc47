/** Rule options change what is reported: lr-out-of-range's factor and per-family ranges. */
import { describe, expect, it } from "vitest";
import { lintText } from "../../src/default-linter.js";
import { lrOutOfRange } from "../../rules/lr-out-of-range.js";

const code = "import torch\n\nmodel = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2))\nadam = torch.optim.Adam(model.parameters(), lr=0.1)\nsgd = torch.optim.SGD(model.parameters(), lr=5e-5)\n";
const lint = (options: Record<string, unknown>) =>
  lintText(code, { filePath: "t.py", rules: [{ rule: lrOutOfRange, severity: "error", options }] }).messages.map((m) => m.line);

describe("lr-out-of-range options", () => {
  it("reports both rates with the built-in ranges", () => {
    expect(lint({})).toEqual([4, 5]);
  });

  it("takes a larger factor", () => {
    expect(lint({ factor: 40 })).toEqual([]);
  });

  it("takes per-family bounds over the knowledge table's", () => {
    expect(lint({ ranges: { adam: { high: 0.05 } } })).toEqual([5]);
    expect(lint({ ranges: { sgd: { low: 1e-4 } } })).toEqual([4]);
  });

  it("suggests the configured starting value", () => {
    const result = lintText(code, { filePath: "t.py", rules: [{ rule: lrOutOfRange, severity: "error", options: { ranges: { adam: { suggested: 3e-4 } } } }] });
    expect(result.messages[0].suggestions?.[0].desc).toContain("lr=3e-4");
  });
});
