/** Flag parsing and the `--rule` syntax. */
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { parseArgs } from "../../src/cli/args.js";
import { parseRuleFlag } from "../../src/cli/rule-flag.js";

describe("flags", () => {
  it("reads values in both forms, lists and aliases", () => {
    const options = parseArgs(["--output-format=json", "-o", "r.json", "--select", "OPT001, OPT002", "--select=OPT3", "--max-warnings", "3", "src", "-"]);
    expect(options).toMatchObject({ format: "json", outputFile: "r.json", select: ["OPT001", "OPT002", "OPT3"], maxWarnings: 3, paths: ["src", "-"] });
    expect(parseArgs(["-f", "compact", "--no-color"])).toMatchObject({ format: "compact", color: false });
    expect(parseArgs(["--", "--weird.py"]).paths).toEqual(["--weird.py"]);
  });

  it("reads the fix tier and sort flags", () => {
    expect(parseArgs([]).unsafeFixes).toBeUndefined();
    expect(parseArgs(["--fix", "--unsafe-fixes"])).toMatchObject({ fix: true, unsafeFixes: true });
    expect(parseArgs(["--unsafe-fixes", "--no-unsafe-fixes"]).unsafeFixes).toBe(false);
    expect(parseArgs([]).sort).toBe("position");
    expect(parseArgs(["--sort", "priority"]).sort).toBe("priority");
    expect(() => parseArgs(["--sort=priorty"])).toThrow('--sort expects one of position, priority, got "priorty"; did you mean "priority"?');
    expect(() => parseArgs(["--unsafe-fixes=yes"])).toThrow("The --unsafe-fixes flag takes no value");
  });

  it("names the closest flag for an unknown one", () => {
    expect(() => parseArgs(["--max-warning", "1"])).toThrow('Unknown option "--max-warning"; did you mean "--max-warnings"?');
    expect(() => parseArgs(["--quite"])).toThrow('did you mean "--quiet"?');
  });

  it("rejects malformed values", () => {
    expect(() => parseArgs(["--max-warnings", "many"])).toThrow(/--max-warnings expects an integer/);
    expect(() => parseArgs(["--format"])).toThrow(/needs a value/);
    expect(() => parseArgs(["--fix=yes"])).toThrow(/takes no value/);
  });
});

describe("--rule", () => {
  it("takes a severity, an ESLint-style array or an object with options", () => {
    expect(parseRuleFlag("OPT002: error", RULES)).toEqual(["sgd-missing-nesterov", { severity: "error", options: {} }]);
    expect(parseRuleFlag('lr-out-of-range: ["warn", {"factor": 20}]', RULES)).toEqual(["lr-out-of-range", { severity: "warning", options: { factor: 20 } }]);
    expect(parseRuleFlag('OPT003: {"severity": "info", "factor": 5}', RULES)).toEqual(["lr-out-of-range", { severity: "info", options: { factor: 5 } }]);
  });

  it("names the closest rule, severity or option", () => {
    expect(() => parseRuleFlag("adam-weight-decy: off", RULES)).toThrow('Unknown rule "adam-weight-decy" in --rule; did you mean "adam-weight-decay"?');
    expect(() => parseRuleFlag("OPT001: eror", RULES)).toThrow(/did you mean "error"\?/);
    expect(() => parseRuleFlag('OPT003: {"factr": 2}', RULES)).toThrow(/did you mean "factor"\?/);
    expect(() => parseRuleFlag("OPT001", RULES)).toThrow(/expects "<rule>: <severity>"/);
  });
});
