/** Configuration files, rule selection and per-file settings, on the fixture projects under fixtures/cli. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { ConfigFinder, parseConfig } from "../../src/config/load.js";
import { globMatcher } from "../../src/config/globs.js";
import { SettingsResolver, type CliRuleOverrides } from "../../src/config/resolve.js";
import { matchSelector, selectedRuleNames } from "../../src/config/selection.js";
import { nearest } from "../../src/config/errors.js";
import type { Rule } from "../../src/core/types.js";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/cli");
const NO_CLI: CliRuleOverrides = { selection: {}, rules: new Map() };

/** A minimal rule for selection tests. */
function fakeRule(code: string, name: string, defaultOptions: Record<string, unknown> = {}): Rule<unknown> {
  return {
    meta: {
      code,
      name,
      type: "problem",
      defaultSeverity: "warning",
      priority: "gradient",
      fixable: false,
      hasSuggestions: false,
      docs: { summary: "", whatItDoes: "", whyBad: "", badExample: "", goodExample: "" },
    },
    defaultOptions,
    check: () => undefined,
  };
}

const FAKE = [fakeRule("OPT001", "alpha"), fakeRule("OPT002", "beta"), fakeRule("OPT011", "gamma", { factor: 10, names: ["x"] }), fakeRule("OPT101", "delta")];

/** Names of the enabled fake rules after the layers. */
const enabled = (...layers: Parameters<typeof selectedRuleNames>[1]) => [...selectedRuleNames(FAKE, layers)].sort();

describe("rule selection", () => {
  it("matches codes, names, prefixes and ALL", () => {
    expect(matchSelector("OPT001", FAKE)?.rules.map((r) => r.meta.name)).toEqual(["alpha"]);
    expect(matchSelector("opt001", FAKE)?.rules.map((r) => r.meta.name)).toEqual(["alpha"]);
    expect(matchSelector("beta", FAKE)?.rules.map((r) => r.meta.name)).toEqual(["beta"]);
    expect(matchSelector("OPT0", FAKE)?.rules.map((r) => r.meta.name)).toEqual(["alpha", "beta", "gamma"]);
    expect(matchSelector("ALL", FAKE)?.rules).toHaveLength(4);
    expect(matchSelector("OPT9", FAKE)).toBeUndefined();
    expect(matchSelector("alph", FAKE)).toBeUndefined();
  });

  it("select replaces, extend-select adds, ignore removes", () => {
    expect(enabled()).toEqual(["alpha", "beta", "delta", "gamma"]);
    expect(enabled({ select: ["OPT0"] })).toEqual(["alpha", "beta", "gamma"]);
    expect(enabled({ select: ["OPT0"], ignore: ["beta"] })).toEqual(["alpha", "gamma"]);
    expect(enabled({ select: ["alpha"] }, { extendSelect: ["OPT101"] })).toEqual(["alpha", "delta"]);
  });

  it("a later select (the command line) starts afresh", () => {
    expect(enabled({ select: ["alpha"], ignore: ["beta"] }, { select: ["OPT0"] })).toEqual(["alpha", "beta", "gamma"]);
  });

  it("the more specific selector wins within a layer, whatever the order", () => {
    expect(enabled({ select: ["OPT001"], ignore: ["OPT0"] })).toEqual(["alpha"]);
    expect(enabled({ select: ["OPT0"], ignore: ["OPT001"] })).toEqual(["beta", "gamma"]);
  });
});

describe("configuration files", () => {
  const parse = (text: string, file = "/p/pyproject.toml") => parseConfig(text, file, RULES, "pyproject.toml");

  it("skips a pyproject.toml without [tool.optim-lint]", () => {
    expect(parse('[project]\nname = "x"\n')).toBeUndefined();
  });

  it("reads every key", () => {
    const config = parse(
      [
        "[tool.optim-lint]",
        'select = ["OPT0"]',
        'extend-select = ["OPT001"]',
        'ignore = ["OPT004"]',
        'exclude = ["build"]',
        "include-tests = true",
        "unsafe-fixes = true",
        '[tool.optim-lint.per-file-ignores]\n"tests/*" = ["OPT001"]',
        '[tool.optim-lint.rules]\nOPT002 = "error"\n"lr-out-of-range" = { severity = "warning", factor = 20 }',
      ].join("\n"),
    )!;
    expect(config.selection).toEqual({ select: ["OPT0"], extendSelect: ["OPT001"], ignore: ["OPT004"] });
    expect(config.exclude).toEqual(["build"]);
    expect(config.perFileIgnores).toEqual([{ pattern: "tests/*", selectors: ["OPT001"] }]);
    expect(config.rules.get("sgd-missing-nesterov")).toEqual({ severity: "error", options: {} });
    expect(config.rules.get("lr-out-of-range")).toEqual({ severity: "warning", options: { factor: 20 } });
    expect(config.dir).toBe("/p");
    expect(config).toMatchObject({ includeTests: true, unsafeFixes: true });
    expect(() => parse('[tool.optim-lint]\nunsafe-fixes = "yes"\n')).toThrow('"unsafe-fixes" in pyproject.toml must be a boolean, got string');
  });

  it("reads optim-lint.toml without the prefix", () => {
    const config = parseConfig('select = ["OPT001"]\n[rules]\nOPT001 = "warn"\n', "/p/optim-lint.toml", RULES)!;
    expect(config.selection.select).toEqual(["OPT001"]);
    expect(config.rules.get("adam-weight-decay")?.severity).toBe("warning");
  });

  it("names the closest rule for an unknown one", () => {
    expect(() => parse('[tool.optim-lint.rules]\nadam-weight-decy = "error"\n')).toThrow(
      'Unknown rule "adam-weight-decy" in pyproject.toml; did you mean "adam-weight-decay"?',
    );
    expect(() => parse('[tool.optim-lint]\nselect = ["OPT00l"]\n')).toThrow(/Unknown rule "OPT00l" in pyproject.toml; did you mean "OPT00\d"\?/);
  });

  it("names the closest key, severity and option", () => {
    expect(() => parse('[tool.optim-lint]\nselet = ["OPT001"]\n')).toThrow('Unknown key "selet" in pyproject.toml; did you mean "select"?');
    expect(() => parse('[tool.optim-lint.rules]\nOPT001 = "eror"\n')).toThrow(/Invalid severity "eror".*did you mean "error"\?/);
    expect(() => parse('[tool.optim-lint.rules]\nOPT003 = { facter = 3 }\n')).toThrow(
      /Unknown option "facter" for rule "lr-out-of-range" in pyproject.toml.*did you mean "factor"\?/,
    );
  });

  it("rejects option values of the wrong type and malformed lists", () => {
    expect(() => parse('[tool.optim-lint.rules]\nOPT003 = { factor = "20" }\n')).toThrow(/Option "factor" of rule "lr-out-of-range".*must be number, got string/);
    expect(() => parse('[tool.optim-lint]\nselect = "OPT001"\n')).toThrow(/"select" in pyproject.toml must be an array of strings/);
    expect(() => parse("[tool.optim-lint\n")).toThrow(/Invalid TOML in pyproject.toml/);
  });

  it("suggests only plausible names", () => {
    expect(nearest("zzzzzzzzzzzz", ["select", "ignore"])).toBeUndefined();
    expect(nearest("ignor", ["select", "ignore"])).toBe("ignore");
  });
});

describe("finding the nearest configuration", () => {
  const finder = new ConfigFinder(RULES, FIXTURES);

  it("uses the nearest pyproject.toml with optim-lint settings", () => {
    expect(finder.forFile(path.join(FIXTURES, "layered/tests/test_train.py"))?.file).toBe(path.join(FIXTURES, "layered/pyproject.toml"));
  });

  it("skips a pyproject.toml without [tool.optim-lint] on the way up", () => {
    expect(finder.forFile(path.join(FIXTURES, "layered/legacy/old.py"))?.file).toBe(path.join(FIXTURES, "layered/pyproject.toml"));
  });

  it("prefers optim-lint.toml over pyproject.toml in the same folder", () => {
    expect(finder.forFile(path.join(FIXTURES, "layered/sub/train.py"))?.file).toBe(path.join(FIXTURES, "layered/sub/optim-lint.toml"));
  });

  it("finds nothing above a project without configuration", () => {
    expect(finder.forFile(path.join(FIXTURES, "basic/train.py"))).toBeUndefined();
  });

  it("reports an invalid configuration when it is reached", () => {
    expect(() => finder.forFile(path.join(FIXTURES, "bad-config/train.py"))).toThrow(/Unknown rule "adam-weight-decy".*did you mean "adam-weight-decay"\?/);
  });
});

describe("per-file rule settings", () => {
  const finder = new ConfigFinder(RULES, FIXTURES);
  /** `CODE:severity` for each rule run on a fixture file. */
  const settings = (file: string, cli: CliRuleOverrides = NO_CLI, errorsOnly = false) => {
    const absolute = path.join(FIXTURES, file);
    return new SettingsResolver({ rules: RULES, cli, errorsOnly })
      .settingsFor(absolute, finder.forFile(absolute))
      .map((s) => `${s.rule.meta.code}:${s.severity}`);
  };

  it("runs every rule at its default severity without configuration", () => {
    expect(settings("basic/train.py")).toEqual(RULES.map((r) => `${r.meta.code}:${r.meta.defaultSeverity}`));
  });

  it("applies select and severities from pyproject.toml", () => {
    expect(settings("layered/train.py")).toEqual(["OPT001:error", "OPT002:error"]);
  });

  it("applies per-file-ignores relative to the configuration's folder", () => {
    expect(settings("layered/tests/test_train.py")).toEqual(["OPT002:error"]);
  });

  it("applies optim-lint.toml in a subfolder", () => {
    expect(settings("layered/sub/train.py")).toEqual(["OPT001:warning"]);
  });

  it("lets command-line flags beat configuration", () => {
    const cli: CliRuleOverrides = {
      selection: { extendSelect: ["OPT003"] },
      rules: new Map([
        ["sgd-missing-nesterov", { severity: "off" as const, options: {} }],
        ["lr-out-of-range", { severity: "info" as const, options: { factor: 3 } }],
      ]),
    };
    expect(settings("layered/train.py", cli)).toEqual(["OPT001:error", "OPT003:info"]);
    const absolute = path.join(FIXTURES, "layered/train.py");
    const lr = new SettingsResolver({ rules: RULES, cli }).settingsFor(absolute, finder.forFile(absolute)).find((s) => s.rule.meta.code === "OPT003");
    expect(lr?.options).toEqual({ factor: 3, ranges: {} });
  });

  it("keeps only error-level rules for --quiet", () => {
    expect(settings("layered/sub/train.py", NO_CLI, true)).toEqual([]);
    expect(settings("layered/train.py", NO_CLI, true)).toEqual(["OPT001:error", "OPT002:error"]);
  });
});

describe("globs", () => {
  const matches = globMatcher("/p", ["legacy", "*_pb2.py", "src/gen/**", "./docs/"]);

  it("matches names at any depth, anchored paths and folders' contents", () => {
    expect(matches("/p/legacy/old.py")).toBe(true);
    expect(matches("/p/a/legacy/old.py")).toBe(true);
    expect(matches("/p/x/model_pb2.py")).toBe(true);
    expect(matches("/p/src/gen/a/b.py")).toBe(true);
    expect(matches("/p/docs/conf.py")).toBe(true);
    expect(matches("/p/a/src/gen/b.py")).toBe(false);
    expect(matches("/p/train.py")).toBe(false);
    expect(matches("/elsewhere/legacy/old.py")).toBe(false);
  });
});
