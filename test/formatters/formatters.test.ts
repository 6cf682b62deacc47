/** Golden outputs of the built-in formatters; set UPDATE_GOLDEN=1 to rewrite them, then review the diff. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { palette, wantsColor, visibleLength } from "../../src/formatters/color.js";
import { FORMATTERS, loadFormatter } from "../../src/formatters/index.js";
import type { FormatterContext } from "../../src/formatters/types.js";
import { formatStatistics, statisticsRows } from "../../src/formatters/statistics.js";
import { fixFirst, ruleLabel } from "../../src/formatters/stylish.js";
import type { FileResult, LintMessage } from "../../src/core/results.js";
import { CLEAN, MIXED, NOTEBOOK, WARNINGS_ONLY, resultOf } from "./sample-results.js";

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), "golden");

/** Compares text with a golden file (or writes it when updating); a missing golden fails instead of being created. */
function expectGolden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, actual);
  expect(existsSync(file), `missing golden ${name}: run with UPDATE_GOLDEN=1 and review it`).toBe(true);
  expect(actual).toBe(readFileSync(file, "utf8"));
}

const context: FormatterContext = {
  cwd: "/project",
  rulesMeta: {
    "adam-weight-decay": {
      type: "problem",
      docs: { description: "Adam with weight decay.", url: "https://example.test/rules/adam-weight-decay.md", recommended: true },
      fixable: "code",
      messages: {},
    },
  },
};

describe("stylish", () => {
  it("lays out files, aligned rows and the summary like ESLint", async () => {
    expectGolden("stylish-mixed.txt", await FORMATTERS.stylish(MIXED, context));
  });

  it("colors only when asked", async () => {
    const colored = await FORMATTERS.stylish(MIXED, { ...context, color: true });
    expect(colored).toContain("\u001b[31m");
    expectGolden("stylish-mixed-color.txt", colored);
  });

  it("uses ESLint's exact summary for warnings only", async () => {
    expectGolden("stylish-warnings.txt", await FORMATTERS.stylish(WARNINGS_ONLY, context));
  });

  it("prints nothing when nothing was found", async () => {
    expect(await FORMATTERS.stylish(CLEAN, context)).toBe("");
  });

  it("matches ESLint's own stylish formatter byte for byte (without info messages)", async () => {
    const require = createRequire(import.meta.url);
    require("chalk").level = 0;
    const eslintDir = path.dirname(require.resolve("eslint/package.json"));
    const eslintStylish = require(path.join(eslintDir, "lib/cli-engine/formatters/stylish.js")) as (results: FileResult[]) => string;
    // Paths relative to the working folder, as optim-lint prints them (Ruff's choice; ESLint prints absolute ones).
    const labelled = (results: FileResult[]) =>
      results.map((r) => ({ ...r, filePath: path.relative(context.cwd, r.filePath), messages: r.messages.map((m) => ({ ...m, ruleId: ruleLabel(m) || null })) }));
    // optim-lint adds two lines after ESLint's summary: fixes left for --unsafe-fixes, and what to fix first.
    const eslintPart = (text: string) => text.replace(/^ {2}\d+ more fixable with `--fix --unsafe-fixes`.*\n/m, "").replace(/^Fix first \(.*\n/m, "");
    for (const results of [MIXED.filter((r) => r.infoCount === 0), WARNINGS_ONLY]) {
      expect(eslintPart(await FORMATTERS.stylish(results, context))).toBe(eslintStylish(labelled(results)));
    }
  });
});

describe("paths and notebook cells", () => {
  it("stylish and compact print paths relative to the working folder; outside it they stay absolute", async () => {
    const stylishText = await FORMATTERS.stylish(MIXED, context);
    expect(stylishText).toContain("\npkg/broken.py\n");
    expect(stylishText).not.toContain("/project/");
    expect(await FORMATTERS.compact(MIXED, context)).toMatch(/^train\.py: line 12, col 13, Error/);
    expect(await FORMATTERS.compact(MIXED, { ...context, cwd: "/elsewhere" })).toMatch(/^\/project\/train\.py: line 12/);
    expect(JSON.parse(await FORMATTERS.json(MIXED, context))[0].filePath).toBe("/project/train.py");
  });

  it("every format says the cell of a notebook finding", async () => {
    expect(await FORMATTERS.stylish(NOTEBOOK, context)).toMatch(/^nb\/train\.ipynb\n {2}cell 3:2:7 {2}error/m);
    expect(await FORMATTERS.compact(NOTEBOOK, context)).toMatch(/^nb\/train\.ipynb: cell 3, line 2, col 7, Error - /);
    expect(await FORMATTERS.github(NOTEBOOK, context)).toMatch(/line=41,.*\(cell 3, line 2\)\n$/);
    const sarif = JSON.parse(await FORMATTERS.sarif(NOTEBOOK, context));
    const result = sarif.runs[0].results[0];
    expect(result.properties).toEqual({ cell: 3, cellLine: 2, cellColumn: 7, priority: "optimizer-choice", fixApplicability: "unsafe" });
    expect(result.message.text).toMatch(/\(cell 3, line 2\)$/);
    expect(result.locations[0].physicalLocation.region.startLine).toBe(41);
    expect(JSON.parse(await FORMATTERS.json(NOTEBOOK, context))[0].messages[0].cell).toEqual({ index: 3, line: 2, column: 7 });
  });
});

describe("compact", () => {
  it("prints one line per message and the count", async () => {
    expectGolden("compact-mixed.txt", await FORMATTERS.compact(MIXED, context));
  });

  it("prints nothing when nothing was found", async () => {
    expect(await FORMATTERS.compact(CLEAN, context)).toBe("");
  });
});

describe("json", () => {
  it("is the results array, every key kept", async () => {
    const text = await FORMATTERS.json(MIXED, context);
    expectGolden("json-mixed.json", text);
    expect(JSON.parse(text)).toEqual(MIXED);
  });

  it("json-with-metadata wraps results with cwd and rulesMeta", async () => {
    const text = await FORMATTERS["json-with-metadata"](MIXED, context);
    expectGolden("json-with-metadata-mixed.json", text);
    const parsed = JSON.parse(text);
    expect(parsed.results).toEqual(MIXED);
    expect(parsed.metadata).toEqual({ cwd: "/project", rulesMeta: context.rulesMeta });
  });
});

describe("statistics", () => {
  it("counts by rule, marks fixable rules, most frequent first", () => {
    const rows = statisticsRows([...MIXED, ...WARNINGS_ONLY]);
    expect(rows.map((r) => [r.count, r.code, r.name, r.fixable_count])).toEqual([
      [2, "OPT002", "sgd-missing-nesterov", 2],
      [1, "", "fatal-error", 0],
      // OPT001's fix is unsafe: not fixable by --fix alone.
      [1, "OPT001", "adam-weight-decay", 0],
      [1, "OPT003", "lr-out-of-range", 0],
    ]);
    expectGolden("statistics.txt", formatStatistics(rows));
  });
});

describe("loading formatters", () => {
  it("suggests the closest built-in for a misspelled name", async () => {
    await expect(loadFormatter("stylsh", "/nonexistent-dir")).rejects.toThrow(/Unknown format "stylsh".*did you mean "stylish"/);
  });

  it("loads an ESLint formatter module by path", async () => {
    const file = path.join(GOLDEN, "..", "count-formatter.mjs");
    const formatter = await loadFormatter(file, "/");
    expect(await formatter(MIXED, context)).toBe("4 files");
  });
});

describe("colors", () => {
  it("FORCE_COLOR beats NO_COLOR, NO_COLOR beats a terminal", () => {
    expect(wantsColor({ FORCE_COLOR: "1", NO_COLOR: "1" }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: "0" }, true)).toBe(false);
    expect(wantsColor({ NO_COLOR: "1" }, true)).toBe(false);
    expect(wantsColor({ NO_COLOR: "" }, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
  });

  it("measures text without escape codes", () => {
    expect(visibleLength(palette(true).red("error"))).toBe(5);
    expect(palette(false).red("error")).toBe("error");
  });
});

describe("github", () => {
  it("prints one workflow command per finding, errors first, escaped, columns only on single-line spans", async () => {
    const out = await FORMATTERS.github(MIXED, context);
    expectGolden("github-mixed.txt", out);
    const lines = out.trim().split("\n");
    const firstWarning = lines.findIndex((l) => l.startsWith("::warning"));
    expect(lines.slice(firstWarning).every((l) => !l.startsWith("::error"))).toBe(true);
    for (const line of lines) {
      const props = line.slice(line.indexOf(" ") + 1, line.indexOf("::", 2));
      const fields = Object.fromEntries(props.split(",").map((p) => p.split("=")));
      if (fields.line !== fields.endLine) expect(fields.col).toBeUndefined();
    }
  });

  it("sends no columns for a finding that spans several lines", async () => {
    const multi = { ...MIXED[0].messages[0], line: 3, endLine: 6, column: 5, endColumn: 2 };
    const out = await FORMATTERS.github([{ ...MIXED[0], filePath: "/project/t.py", messages: [multi] }], context);
    expect(out).toContain("::error file=t.py,line=3,endLine=6,title=optim-lint (OPT001)::t.py:3:5: OPT001 ");
  });

  it("escapes %, newlines, colons and commas", async () => {
    const out = await FORMATTERS.github(
      [{ ...MIXED[0], filePath: "/project/a,b:c.py", messages: [{ ...MIXED[0].messages[0], message: "100% sure\nsecond line" }] }],
      context,
    );
    expect(out).toContain("file=a%2Cb%3Ac.py,");
    expect(out).toContain("100%25 sure%0Asecond line");
  });
});

describe("sarif", () => {
  it("writes SARIF 2.1.0 with rules, levels, UTF-16 columns and a location for every result", async () => {
    const out = await FORMATTERS.sarif(MIXED, { ...context, version: "0.0.0-test" });
    expectGolden("sarif-mixed.json", out);
    const log = JSON.parse(out);
    expect(log.version).toBe("2.1.0");
    const run = log.runs[0];
    expect(run.columnKind).toBe("utf16CodeUnits");
    expect(run.tool.driver.version).toBe("0.0.0-test");
    const messages = MIXED.flatMap((r) => r.messages);
    expect(run.results).toHaveLength(messages.length);
    for (const result of run.results) expect(result.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    for (const result of run.results.filter((r: { ruleId?: string }) => r.ruleId)) {
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
  });
});

describe("fix tiers and priority in the human formats", () => {
  const finding = (code: string, line: number, priority: LintMessage["priority"], severity: 1 | 2, fix?: LintMessage["fix"]): LintMessage => ({
    ruleId: `rule-${code.toLowerCase()}`,
    code,
    severity,
    message: `finding ${code}`,
    line,
    column: 5,
    priority,
    ...(fix ? { fix } : {}),
  });

  it("names the findings at the earliest step of the debugging order, errors first, then says how many more", () => {
    const results = [
      resultOf("/project/a.py", [finding("OPT001", 1, "optimizer-choice", 2), finding("OPT003", 7, "learning-rate", 1), finding("OPT004", 9, "learning-rate", 1)]),
      resultOf("/project/b.py", [finding("OPT003", 2, "learning-rate", 2), finding("OPT004", 3, "learning-rate", 1), finding("OPT009", 4, "numerical-stability", 2)]),
    ];
    expect(fixFirst(results, "/project")).toBe(
      "Fix first (learning rate): OPT003 rule-opt003 at b.py:2:5, OPT003 rule-opt003 at a.py:7:5, OPT004 rule-opt004 at a.py:9:5 and 1 more",
    );
    expect(fixFirst([resultOf("/project/c.py", [{ ruleId: null, severity: 2, fatal: true, message: "Parsing error", line: 1, column: 1 }])], "/project")).toBeUndefined();
  });

  it("counts unsafe fixes apart, and as fixable once unsafe fixes are on", async () => {
    const unsafe = finding("OPT001", 3, "optimizer-choice", 2, { range: [0, 4], text: "AdamW", applicability: "unsafe" });
    const off = await FORMATTERS.stylish([resultOf("/project/a.py", [unsafe])], context);
    expect(off).not.toContain("potentially fixable with the `--fix` option");
    expect(off).toContain("  1 more fixable with `--fix --unsafe-fixes`");
    const on = await FORMATTERS.stylish([resultOf("/project/a.py", [unsafe], { unsafeFixes: true })], context);
    expect(on).toContain("  1 error and 0 warnings potentially fixable with the `--fix` option.\n");
    expect(on).not.toContain("--unsafe-fixes");
    expect(await FORMATTERS.compact([resultOf("/project/a.py", [unsafe], { unsafeFixes: true })], context)).toContain("Error - [*] finding OPT001");
    expect(await FORMATTERS.compact([resultOf("/project/a.py", [unsafe])], context)).toContain("1 problem (1 more with `--fix --unsafe-fixes`)");
  });

  it("SARIF proposes only the fixes --fix would apply", async () => {
    const unsafe = finding("OPT001", 3, "optimizer-choice", 2, { range: [0, 4], text: "AdamW", applicability: "unsafe" });
    const parse = async (results: FileResult[]) => JSON.parse(await FORMATTERS.sarif(results, context)).runs[0].results[0];
    expect((await parse([resultOf("/project/a.py", [unsafe])])).fixes).toBeUndefined();
    const withFix = await parse([resultOf("/project/a.py", [unsafe], { unsafeFixes: true, source: "\uFEFFAdam(...)" })]);
    expect(withFix.fixes[0].artifactChanges[0].replacements[0]).toEqual({ deletedRegion: { charOffset: 1, charLength: 4 }, insertedContent: { text: "AdamW" } });
  });
});
