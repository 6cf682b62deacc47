/** Text and JSON reports, built from lint results that carry settings changes. */
import { describe, expect, it } from "vitest";
import type { FileResult, LintMessage } from "../../src/core/results.js";
import { CAVEAT, formatChange, formatLoss, formatText, toJson } from "../../src/simulate/report.js";
import { simulateResults, unsimulatedFindings } from "../../src/simulate/simulate.js";

/** A lint message as the engine builds it, with only the fields the simulation reads filled in. */
function message(ruleId: string, line: number, settingsChange?: LintMessage["settingsChange"]): LintMessage {
  return { ruleId, code: "OPT002", severity: 1, message: "SGD momentum without Nesterov", line, column: 13, settingsChange };
}

/** A file result holding the given messages. */
function fileResult(filePath: string, messages: LintMessage[]): FileResult {
  return {
    filePath, messages, suppressedMessages: [], errorCount: 0, fatalErrorCount: 0, warningCount: messages.length, infoCount: 0,
    fixableErrorCount: 0, fixableWarningCount: 0, source: "import torch\n", usedDeprecatedRules: [],
  };
}

const NESTEROV_CHANGE = {
  before: { optimizer: "SGD", options: { lr: 0.1, momentum: 0.9, nesterov: false, dampening: 0 } },
  after: { optimizer: "SGD", options: { lr: 0.1, momentum: 0.9, nesterov: true, dampening: 0 } },
};

const RESULTS = [
  fileResult("/repo/train.py", [message("sgd-missing-nesterov", 12, NESTEROV_CHANGE), message("sgd-missing-nesterov", 30)]),
  fileResult("/repo/clean.py", []),
];

describe("JSON report", () => {
  const simulations = simulateResults(RESULTS, () => undefined);
  const json = JSON.parse(JSON.stringify(toJson(simulations)));

  it("has one result per finding with a settings change, in the documented shape", () => {
    expect(Object.keys(json)).toEqual(["results"]);
    expect(json.results).toHaveLength(1);
    const [result] = json.results;
    expect(Object.keys(result)).toEqual(["filePath", "ruleId", "line", "before", "after", "problems"]);
    expect(result).toMatchObject({ filePath: "/repo/train.py", ruleId: "sgd-missing-nesterov", line: 12, before: NESTEROV_CHANGE.before, after: NESTEROV_CHANGE.after });
    expect(result.problems.map((p: { name: string }) => p.name)).toEqual(["ill-conditioned-quadratic", "rosenbrock"]);
    for (const problem of result.problems) {
      expect(Object.keys(problem)).toEqual(["name", "before", "after"]);
      for (const side of [problem.before, problem.after]) {
        expect(Object.keys(side)).toEqual(["finalLoss", "bestLoss", "diverged", "stepsToTarget"]);
        expect(typeof side.finalLoss).toBe("number");
        expect(typeof side.diverged).toBe("boolean");
      }
    }
  });

  it("carries the simulated numbers (Nesterov reaches the quadratic's target sooner)", () => {
    const quadratic = json.results[0].problems[0];
    expect(quadratic.after.stepsToTarget).toBeLessThan(quadratic.before.stepsToTarget);
  });

  it("adds shrinkage and weight norm for decay rules, and writes non-finite numbers as null", () => {
    const decay = simulateResults(
      [fileResult("/repo/a.py", [{ ...message("adam-weight-decay", 3), settingsChange: { before: { optimizer: "Adam", options: { lr: 1e-3, weight_decay: 0.01 } }, after: { optimizer: "AdamW", options: { lr: 1e-3, weight_decay: 0.01 } } } }])],
      () => undefined,
    );
    const diverging = simulateResults(
      [fileResult("/repo/b.py", [message("sgd-missing-nesterov", 4, { before: { optimizer: "SGD", options: { lr: 3, momentum: 0.9 } }, after: { optimizer: "SGD", options: { lr: 3, momentum: 0.9, nesterov: true } } })])],
      () => undefined,
    );
    const regression = toJson(decay).results[0] as { problems: { before: Record<string, unknown> }[] };
    expect(Object.keys(regression.problems[0].before)).toEqual(["finalLoss", "bestLoss", "diverged", "stepsToTarget", "shrinkage", "weightNorm"]);
    const text = JSON.stringify(toJson(diverging));
    const parsed = JSON.parse(text).results[0].problems[0].before;
    expect(parsed.diverged).toBe(true);
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});

describe("text report", () => {
  const text = formatText(simulateResults(RESULTS, () => undefined));

  it("opens with the caveat and shows the finding, both settings and a row per problem", () => {
    expect(text.slice(0, text.indexOf("\n\n")).replace(/\n/g, " ")).toBe(CAVEAT);
    expect(text).toContain("/repo/train.py:12:13  sgd-missing-nesterov (OPT002)");
    expect(text).toContain("before  SGD(lr=0.1, nesterov=False, momentum=0.9)");
    expect(text).toContain("after   SGD(lr=0.1, nesterov=True, momentum=0.9)");
    expect(text).toMatch(/^ {2}ill-conditioned-quadratic +\S+ +\S+ +\S+ +\S+ +\d+ +\d+$/m);
    expect(text).toMatch(/^ {2}rosenbrock /m);
    expect(text).toContain("What each problem shows:");
  });

  it("says so when nothing can be simulated", () => {
    expect(formatText([])).toBe("No finding with a settings change to simulate.\n");
  });

  it("lists the findings it could not simulate", () => {
    const unsimulated = unsimulatedFindings(RESULTS);
    expect(unsimulated).toEqual([{ filePath: "/repo/train.py", ruleId: "sgd-missing-nesterov", line: 30 }]);
    expect(formatText(simulateResults(RESULTS, () => undefined), unsimulated)).toMatch(/\nNot simulated \(the finding carries no change of optimizer settings\):\n {2}\/repo\/train\.py:30 {2}sgd-missing-nesterov\n$/);
  });

  it("shows the learning rate, what changed and the active settings, not every default", () => {
    const change = formatChange({ optimizer: "Adam", options: { lr: 0.001, weight_decay: 0.01, decoupled_weight_decay: false, amsgrad: false, eps: 1e-8 } }, { optimizer: "AdamW", options: { lr: 0.001, weight_decay: 0.01, amsgrad: false, eps: 1e-8 } });
    expect(change).toEqual({ before: "Adam(lr=0.001, weight_decay=0.01)", after: "AdamW(lr=0.001, weight_decay=0.01)" });
  });
});

describe("formatLoss", () => {
  it("uses three significant digits and exponents for very small or large values", () => {
    expect(formatLoss(0.0215)).toBe("0.0215");
    expect(formatLoss(0.495)).toBe("0.495");
    expect(formatLoss(5.81e-25)).toBe("5.81e-25");
    expect(formatLoss(210000)).toBe("2.10e+5");
    expect(formatLoss(null)).toBe("—");
    expect(formatLoss(0)).toBe("0");
  });
});
