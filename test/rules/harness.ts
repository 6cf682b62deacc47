/** Shared by the rule tests: where fixtures live, how a rule is run alone, and the golden form of messages. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FileResult, type LintMessage } from "../../src/core/results.js";
import { lintText } from "../../src/default-linter.js";
import type { Rule } from "../../src/core/types.js";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const UPDATE_GOLDENS = process.env.UPDATE_GOLDENS === "1";

/** The languages fixtures are written in, by file extension. */
const FIXTURE_FILE = /^(valid|invalid)[\w-]*\.(py|ya?ml|json|ipynb)$/;

/**
 * One fixture file of a rule: `valid*.{py,yaml,yml,json,ipynb}` must stay silent, `invalid*.*` has goldens beside it.
 * Names with a dot before the extension (`.fixed.py`, `.expected.json`, `.options.json`) are goldens and options.
 */
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
  /** Path of the rule options for this fixture (`<name>.options.json`, used when it exists). */
  optionsPath: string;
  language: "python" | "yaml" | "json" | "notebook";
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
  const fixtures: Fixture[] = readdirSync(dir)
    .filter((f) => FIXTURE_FILE.test(f))
    .sort()
    .map((f) => {
      const ext = f.slice(f.lastIndexOf(".") + 1);
      const base = f.slice(0, -(ext.length + 1));
      const at = (name: string) => join("fixtures", "rules", rule.meta.name, name);
      return {
        rule,
        kind: f.startsWith("invalid") ? "invalid" : "valid",
        path: at(f),
        expectedPath: at(`${base}.expected.json`),
        fixedPath: at(`${base}.fixed.${ext}`),
        optionsPath: at(`${base}.options.json`),
        language: ext === "py" ? "python" : ext === "json" ? "json" : ext === "ipynb" ? "notebook" : "yaml",
      };
    });
  // `invalid.py` and `invalid.yaml` would share `invalid.expected.json`: name them apart.
  const goldens = fixtures.map((f) => f.expectedPath);
  const shared = goldens.find((g, i) => goldens.indexOf(g) !== i);
  if (shared) throw new Error(`two fixtures share the golden ${shared}: give them different names`);
  return fixtures;
}

/** The rule options of a fixture: its `<name>.options.json`, or none. */
export function optionsOf(fixture: Fixture): Record<string, unknown> {
  return exists(fixture.optionsPath) ? (JSON.parse(read(fixture.optionsPath)) as Record<string, unknown>) : {};
}

/**
 * Runs one rule alone, at its default severity, with the given options (default: the rule's own). With `fix`, unsafe
 * fixes are applied too (`--fix --unsafe-fixes`): the goldens pin every edit a rule makes, whatever its tier.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function lintWith(rule: Rule<any>, text: string, filePath: string, fix = false, options: Record<string, unknown> = {}): FileResult {
  return lintText(text, { filePath, rules: [{ rule, severity: rule.meta.defaultSeverity, options }], fix, unsafeFixes: fix });
}

/** `optim-lint-gap: CODE reason` in a comment (`#` or `//`): the rule should report this line but does not yet. */
const GAP = /(?:#|\/\/)\s*optim-lint-gap:\s*(OPT\d+)\b\s*(.*)$/;

/** The 1-based lines a fixture marks as known gaps of a rule, with the reason given. */
export function gapLines(text: string, code: string): { line: number; reason: string }[] {
  return text.split(/\r\n|\r|\n/).flatMap((line, i) => {
    const m = GAP.exec(line);
    return m && m[1] === code ? [{ line: i + 1, reason: m[2].trim() }] : [];
  });
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

/**
 * The lines a suggestion leaves where it edits: the text from the start of the first changed line to the end
 * of the last, after applying the suggestion to `text`.
 */
function suggestionOutput(text: string, fix: { range: [number, number]; text: string }): string {
  const out = text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
  const start = Math.max(out.lastIndexOf("\n", fix.range[0] - 1), out.lastIndexOf("\r", fix.range[0] - 1)) + 1;
  const endAt = /[\r\n]/.exec(out.slice(fix.range[0] + fix.text.length));
  return out.slice(start, endAt ? fix.range[0] + fix.text.length + endAt.index : out.length);
}

/** The parts of a message a golden pins down; with the linted text, each suggestion's resulting lines too. */
export function goldenOf(m: LintMessage, text?: string) {
  return {
    ruleId: m.ruleId,
    code: m.code ?? null,
    severity: m.severity,
    message: m.message,
    // In a notebook, the cell and the line and column in it, as every format shows them.
    ...(m.cell ? { cell: m.cell } : {}),
    line: m.line,
    column: m.column,
    endLine: m.endLine ?? null,
    endColumn: m.endColumn ?? null,
    related: (m.related ?? []).map((r) => ({ line: r.line, column: r.column, message: r.message })),
    /** The fix's tier (`safe`: applied by --fix; `unsafe`: only with --unsafe-fixes), or false without a fix. */
    fix: m.fix?.applicability ?? false,
    suggestions: (m.suggestions ?? []).map((s) => ({
      desc: s.desc,
      fix: s.fix !== undefined,
      ...(text !== undefined ? { output: suggestionOutput(text, s.fix) } : {}),
    })),
    settingsChange: m.settingsChange ?? null,
  };
}
