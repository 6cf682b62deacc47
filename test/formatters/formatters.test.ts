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
import { ruleLabel } from "../../src/formatters/stylish.js";
import type { FileResult } from "../../src/core/results.js";
import { CLEAN, MIXED, NOTEBOOK, WARNINGS_ONLY } from "./sample-results.js";

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
    for (const results of [MIXED.filter((r) => r.infoCount === 0), WARNINGS_ONLY]) {
      expect(await FORMATTERS.stylish(results, context)).toBe(eslintStylish(labelled(results)));
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
    expect(result.properties).toEqual({ cell: 3, cellLine: 2, cellColumn: 7 });
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
      [1, "OPT001", "adam-weight-decay", 1],
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
