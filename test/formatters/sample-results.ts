/** Hand-written results covering every message kind the formatters render. */
import { summarize, type FileResult, type LintMessage } from "../../src/core/results.js";

/** A result with counts computed from its messages, as the engine computes them. */
export function resultOf(filePath: string, messages: LintMessage[], extra: Partial<FileResult> = {}): FileResult {
  return { ...summarize(filePath, messages, [], extra.unsafeFixes), ...extra };
}

const adamDecay: LintMessage = {
  ruleId: "adam-weight-decay",
  code: "OPT001",
  severity: 2,
  message: "Adam with weight_decay adds L2 to the gradient instead of decaying weights; use AdamW.",
  messageId: "coupledDecay",
  line: 12,
  column: 13,
  endLine: 12,
  endColumn: 29,
  fix: { range: [311, 315], text: "AdamW", applicability: "unsafe" },
  priority: "optimizer-choice",
  docsUrl: "https://example.test/rules/adam-weight-decay.md",
};

const nesterov: LintMessage = {
  ruleId: "sgd-missing-nesterov",
  code: "OPT002",
  severity: 1,
  message: "SGD with momentum 0.9 without nesterov=True",
  line: 104,
  column: 7,
  endLine: 104,
  endColumn: 60,
  fix: { range: [2900, 2900], text: ", nesterov=True", applicability: "safe" },
  priority: "optimizer-choice",
  docsUrl: "https://example.test/rules/sgd-missing-nesterov.md",
};

const lrInfo: LintMessage = {
  ruleId: "lr-out-of-range",
  code: "OPT003",
  severity: 1,
  level: "info",
  message: "Learning rate 0.5 is high for SGD.",
  line: 3,
  column: 1,
  priority: "learning-rate",
  suggestions: [{ desc: "Use lr=0.1", fix: { range: [40, 43], text: "0.1" } }],
  docsUrl: "https://example.test/rules/lr-out-of-range.md",
};

const parseError: LintMessage = { ruleId: null, severity: 2, fatal: true, message: "Parsing error: unexpected indent", line: 7, column: 5 };

/** Two files with problems around a clean one: errors, warnings, an info and a fatal parse error. */
export const MIXED: FileResult[] = [
  resultOf("/project/train.py", [adamDecay, nesterov], { source: "…" }),
  resultOf("/project/clean.py", []),
  resultOf("/project/pkg/broken.py", [parseError]),
  resultOf("/project/pkg/sched.py", [lrInfo]),
];

/** Only a warning: the summary takes the warning color and no error count. */
export const WARNINGS_ONLY: FileResult[] = [resultOf("/project/train.py", [nesterov])];

/** Nothing found. */
export const CLEAN: FileResult[] = [resultOf("/project/clean.py", [])];

/** A notebook finding: the position in the JSON text, and the cell, line and column in the cell's source. */
export const NOTEBOOK: FileResult[] = [
  resultOf("/project/nb/train.ipynb", [{ ...adamDecay, line: 41, column: 18, endLine: 41, endColumn: 22, cell: { index: 3, line: 2, column: 7 } }]),
];
