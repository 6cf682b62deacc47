/** Shared by the rule tests: where fixtures live, how a rule is run alone, and the golden form of messages. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FileResult, type LintMessage } from "../../src/core/results.js";
import { lintText } from "../../src/default-linter.js";
import type { Rule } from "../../src/core/types.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const UPDATE_GOLDENS = process.env.UPDATE_GOLDENS === "1";

/** One fixture file of a rule: `valid*.py` must stay silent, `invalid*.py` has goldens beside it. */
export interface Fixture {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rule: Rule<any>;
  kind: "valid" | "invalid";
  /** Path relative to the repository root, as messages and goldens name it. */
  path: string;
  /** Path of the golden diagnostics (invalid fixtures only). */
  expectedPath: string;
  /** Path of the golden `--fix` output (present on disk only when fixing changes the file). */
  fixedPath: string;
}

/** The fixture directory of a rule. */
export function fixtureDir(ruleName: string): string {
  return join(ROOT, "fixtures", "rules", ruleName);
}

/** Every fixture of a rule, sorted by file name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fixturesOf(rule: Rule<any>): Fixture[] {
  const dir = fixtureDir(rule.meta.name);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^(valid|invalid)[\w-]*\.py$/.test(f) && !f.endsWith(".fixed.py"))
    .sort()
    .map((f) => {
      const base = f.slice(0, -".py".length);
      return {
        rule,
        kind: f.startsWith("invalid") ? "invalid" : "valid",
        path: join("fixtures", "rules", rule.meta.name, f),
        expectedPath: join("fixtures", "rules", rule.meta.name, `${base}.expected.json`),
        fixedPath: join("fixtures", "rules", rule.meta.name, `${base}.fixed.py`),
      };
    });
}

/** Runs one rule alone, at its default severity and options. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lintWith(rule: Rule<any>, text: string, filePath: string, fix = false): FileResult {
  return lintText(text, { filePath, rules: [{ rule, severity: rule.meta.defaultSeverity, options: {} }], fix });
}

/** Reads a file under the repository root. */
export function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** Writes a file under the repository root. */
export function write(path: string, text: string): void {
  writeFileSync(join(ROOT, path), text);
}

/** Whether a file under the repository root exists. */
export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** The parts of a message a golden pins down. */
export function goldenOf(m: LintMessage) {
  return {
    ruleId: m.ruleId,
    code: m.code ?? null,
    severity: m.severity,
    message: m.message,
    line: m.line,
    column: m.column,
    endLine: m.endLine ?? null,
    endColumn: m.endColumn ?? null,
    related: (m.related ?? []).map((r) => ({ line: r.line, message: r.message })),
    fix: m.fix !== undefined,
    suggestions: (m.suggestions ?? []).map((s) => ({ desc: s.desc, fix: s.fix !== undefined })),
    settingsChange: m.settingsChange ?? null,
  };
}
