/**
 * Weight decay on an RL network: weight-decay-in-rl (OPT014) declares the value invalid, so the engine's
 * one-report-per-problem step drops the other decay rules' findings on it. With OPT014 off, those rules judge
 * the same decay as they would anywhere else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";
import { ROOT } from "./harness.js";

const path = "fixtures/rules/weight-decay-in-rl/invalid.py";
const text = readFileSync(join(ROOT, path), "utf8");
const DECAY_RULES = ["OPT001", "OPT005", "OPT014"];

function decayFindings(off: string[]): [string | undefined, number][] {
  const rules = RULES.filter((r) => !off.includes(r.meta.code)).map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  return lintText(text, { filePath: path, rules })
    .messages.filter((m) => DECAY_RULES.includes(m.code ?? ""))
    .map((m) => [m.code, m.line]);
}

describe("weight decay on an RL network", () => {
  it("is reported once, by weight-decay-in-rl, when every rule runs", () => {
    expect(decayFindings([])).toEqual([["OPT014", 18], ["OPT014", 19], ["OPT014", 20]]);
  });

  it("is judged by adam-weight-decay and weight-decay-on-bias-norm when weight-decay-in-rl is off", () => {
    expect(decayFindings(["OPT014"])).toEqual([["OPT001", 18], ["OPT005", 19]]);
  });
});
