/**
 * Golden tests: each rule runs alone on its fixtures (Python, YAML and JSON), with the options in
 * `<name>.options.json` when there is one. `valid*` must produce no message; `invalid*` must produce exactly
 * the diagnostics in `<name>.expected.json` (each suggestion with the lines it leaves) and, with `--fix`,
 * exactly `<name>.fixed.<ext>` (which exists only when fixing changes the file). A line with an
 * `optim-lint-gap: OPT00N reason` comment is one the rule should report but does not yet; the test checks
 * that it still does not, so the list of gaps stays true. `UPDATE_GOLDENS=1` rewrites the goldens: review the diff.
 */
import { unlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { ROOT, UPDATE_GOLDENS, exists, fixturesOf, gapLines, goldenOf, lintWith, optionsOf, read, write } from "./harness.js";

const KNOWN_GAP = /^# known-gap: /m;

describe.each(RULES.map((rule) => [rule.meta.name, rule] as const))("%s", (_name, rule) => {
  const fixtures = fixturesOf(rule);

  it("has valid and invalid fixtures", () => {
    expect(fixtures.some((f) => f.kind === "valid")).toBe(true);
    expect(fixtures.some((f) => f.kind === "invalid")).toBe(true);
  });

  for (const fixture of fixtures.filter((f) => f.kind === "valid")) {
    const text = read(fixture.path);
    // A `# known-gap:` line marks a case the analysis does not handle yet: the test passes while the rule
    // still fires there and fails once the gap is closed, as a reminder to drop the marker.
    const silent = KNOWN_GAP.test(text) ? it.fails : it;
    silent(`stays silent on ${fixture.path}`, () => {
      const result = lintWith(rule, text, fixture.path, false, optionsOf(fixture));
      expect(result.messages.map((m) => goldenOf(m))).toEqual([]);
    });
  }

  for (const fixture of fixtures) {
    const text = read(fixture.path);
    const gaps = gapLines(text, rule.meta.code);
    if (gaps.length === 0) continue;
    it(`still misses the known gaps in ${fixture.path}`, () => {
      const lines = new Set(lintWith(rule, text, fixture.path, false, optionsOf(fixture)).messages.map((m) => m.line));
      for (const gap of gaps) expect(lines.has(gap.line), `line ${gap.line} is reported now: drop its optim-lint-gap marker (${gap.reason})`).toBe(false);
    });
  }

  for (const fixture of fixtures.filter((f) => f.kind === "invalid")) {
    const text = read(fixture.path);
    const options = optionsOf(fixture);

    it(`reports ${fixture.path} as in its golden`, () => {
      const result = lintWith(rule, text, fixture.path, false, options);
      // A fixture may hold only known gaps; otherwise it must be reported.
      if (gapLines(text, rule.meta.code).length === 0) expect(result.messages.length).toBeGreaterThan(0);
      for (const m of result.messages) expect(m.ruleId).toBe(rule.meta.name);
      const actual = `${JSON.stringify(result.messages.map((m) => goldenOf(m, text)), null, 2)}\n`;
      if (UPDATE_GOLDENS) write(fixture.expectedPath, actual);
      expect(actual).toBe(read(fixture.expectedPath));
    });

    it(`fixes ${fixture.path} as in its golden`, () => {
      const { output } = lintWith(rule, text, fixture.path, true, options);
      if (UPDATE_GOLDENS) {
        if (output !== undefined) write(fixture.fixedPath, output);
        else if (exists(fixture.fixedPath)) unlinkSync(join(ROOT, fixture.fixedPath));
      }
      if (output === undefined) expect(exists(fixture.fixedPath)).toBe(false);
      else expect(output).toBe(read(fixture.fixedPath));
    });
  }
});
