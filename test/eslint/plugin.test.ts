/** The ESLint plugin with the real `eslint` package: the CLI with --fix, a formatter, and the Node API. */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintText } from "../../src/default-linter.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ESLINT_BIN = path.join(ROOT, "node_modules/eslint/bin/eslint.js");
const FIXTURES = path.join(ROOT, "fixtures/server");
const DEFAULTS = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

let dir: string;

/** A scratch project that installs optim-lint as a package (a link to this checkout, which exports dist/). */
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-eslint-"));
  mkdirSync(path.join(dir, "node_modules"));
  symlinkSync(ROOT, path.join(dir, "node_modules/optim-lint"), "dir");
  writeFileSync(path.join(dir, "package.json"), '{ "type": "module" }\n');
  writeFileSync(
    path.join(dir, "eslint.config.js"),
    'import optimLint from "optim-lint/eslint";\n\nexport default [optimLint.configs.recommended];\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Copies a fixture into the project under a name. */
function place(fixture: string, name = fixture): string {
  const file = path.join(dir, name);
  copyFileSync(path.join(FIXTURES, fixture), file);
  return file;
}

function eslint(args: string[]) {
  return spawnSync(process.execPath, [ESLINT_BIN, ...args], { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

describe("eslint CLI", () => {
  it("reports the findings as optim-lint/<rule> problems through the json formatter, with suggestions", () => {
    const file = place("mixed.py", "report.py");
    const run = eslint(["-c", "eslint.config.js", "-f", "json", "report.py"]);
    expect(run.status, run.stderr).toBe(1);
    const [result] = JSON.parse(run.stdout);
    expect(result.filePath).toBe(file);
    const ours = lintText(readFileSync(file, "utf8"), { filePath: file, rules: DEFAULTS }).messages;
    expect(result.messages.map((m: { ruleId: string; line: number; column: number; endLine: number; endColumn: number; severity: number }) => [m.ruleId, m.line, m.column, m.endLine, m.endColumn, m.severity])).toEqual(
      ours.map((m) => [`optim-lint/${m.ruleId}`, m.line, m.column, m.endLine, m.endColumn, m.severity]),
    );
    const lr = result.messages.find((m: { ruleId: string }) => m.ruleId === "optim-lint/lr-out-of-range");
    expect(lr.suggestions).toEqual([{ desc: expect.stringMatching(/^Set lr=0\.001/), fix: ours[1].suggestions![0].fix }]);
    expect(result.fixableWarningCount).toBe(1);
  });

  it("applies the safe fixes on .py files with --fix, as optim-lint --fix does", () => {
    const file = place("sgd.py", "fix-sgd.py");
    const before = readFileSync(file, "utf8");
    const run = eslint(["-c", "eslint.config.js", "fix-sgd.py", "--fix"]);
    expect(run.error).toBeUndefined();
    const after = readFileSync(file, "utf8");
    expect(after).not.toBe(before);
    expect(after).toBe(lintText(before, { filePath: file, rules: DEFAULTS, fix: true }).output);
  });

  it("leaves an unsafe fix (Adam to AdamW) out of --fix and offers it as a suggestion", () => {
    const file = place("train.py", "fix-train.py");
    const before = readFileSync(file, "utf8");
    const run = eslint(["-c", "eslint.config.js", "-f", "json", "fix-train.py", "--fix"]);
    expect(readFileSync(file, "utf8")).toBe(before);
    const [result] = JSON.parse(run.stdout);
    const adam = result.messages.find((m: { ruleId: string }) => m.ruleId === "optim-lint/adam-weight-decay");
    expect(adam.fix).toBeUndefined();
    const unsafe = lintText(before, { filePath: file, rules: DEFAULTS, fix: true, unsafeFixes: true }).output!;
    expect(adam.suggestions[0].desc).toMatch(/unsafe fix/);
    const { range, text } = adam.suggestions[0].fix as { range: [number, number]; text: string };
    expect(before.slice(0, range[0]) + text + before.slice(range[1])).toBe(unsafe);
  });

  it("reports a file that does not parse as a fatal parsing error and honors noqa", () => {
    writeFileSync(path.join(dir, "broken.py"), "def f(:\n    pass\n");
    writeFileSync(path.join(dir, "quiet.py"), readFileSync(path.join(FIXTURES, "sgd.py"), "utf8").replace("momentum=0.9)", "momentum=0.9)  # noqa: OPT002"));
    const run = eslint(["-c", "eslint.config.js", "-f", "json", "broken.py", "quiet.py"]);
    const [broken, quiet] = JSON.parse(run.stdout);
    expect(broken.messages).toEqual([expect.objectContaining({ fatal: true, ruleId: null, line: 1, message: expect.stringMatching(/^Parsing error: /) })]);
    expect(quiet.messages).toEqual([]);
  });
});

describe("notices that come from no rule", () => {
  it("reports a statement the parser skipped as optim-lint/notices, beside the findings, and a noqa silences it", () => {
    const gap = "import torch\n\nx = 1, *[2]\nmodel = torch.nn.Linear(2, 2)\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n";
    writeFileSync(path.join(dir, "gap.py"), gap);
    writeFileSync(path.join(dir, "gap-quiet.py"), gap.replace("x = 1, *[2]", "x = 1, *[2]  # noqa"));
    const run = eslint(["-c", "eslint.config.js", "-f", "json", "gap.py", "gap-quiet.py"]);
    const results: { filePath: string; messages: { ruleId: string; message: string }[]; errorCount: number }[] = JSON.parse(run.stdout);
    const loud = results.find((r) => r.filePath.endsWith("gap.py"))!;
    const quiet = results.find((r) => r.filePath.endsWith("gap-quiet.py"))!;
    const ours = lintText(gap, { filePath: path.join(dir, "gap.py"), rules: DEFAULTS }).messages;
    const notice = ours.find((m) => m.ruleId === null)!;
    expect(notice.message).toMatch(/tree-sitter/);
    expect(loud.messages.map((m) => m as unknown as { ruleId: string; line: number; column: number; severity: number }).map((m) => [m.ruleId, m.line, m.column, m.severity])).toEqual([
      ["optim-lint/notices", 3, 1, 1],
      ...ours.filter((m) => m.ruleId !== null).map((m) => [`optim-lint/${m.ruleId}`, m.line, m.column, m.severity]),
    ]);
    expect(loud.messages[0].message).toBe(notice.message);
    expect(loud.errorCount).toBe(ours.filter((m) => m.severity === 2).length);
    expect(quiet.messages.map((m) => m.ruleId)).not.toContain("optim-lint/notices");
    expect(quiet.messages.length).toBe(loud.messages.length - 1);
  });
});

describe("ESLint Node API", () => {
  it("lints files and text, takes rule options and severities from the config, and feeds a formatter", async () => {
    const file = place("mixed.py", "api.py");
    const api = new ESLint({ cwd: dir });
    const [result] = await api.lintFiles(["api.py"]);
    expect(result.messages.map((m) => [m.ruleId, m.severity])).toEqual([
      ["optim-lint/sgd-missing-nesterov", 1],
      ["optim-lint/lr-out-of-range", 2],
    ]);

    const formatter = await api.loadFormatter("stylish");
    const text = await formatter.format([result]);
    expect(text).toContain("optim-lint/lr-out-of-range");
    expect(text).toContain(file);

    // A config of one's own: a rule turned off, and options for another (validated by the rule's schema).
    const plugin = (await import("optim-lint/eslint" as string)).default;
    const custom = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [
        plugin.configs.recommended,
        { files: ["**/*.py"], rules: { "optim-lint/sgd-missing-nesterov": "off", "optim-lint/lr-out-of-range": ["warn", { factor: 100_000 }] } },
      ],
    });
    const [quiet] = await custom.lintText(readFileSync(file, "utf8"), { filePath: file });
    expect(quiet.messages).toEqual([]);
    const [strict] = await custom.lintText(readFileSync(file, "utf8").replace("lr=10.0", "lr=1e6"), { filePath: file });
    expect(strict.messages.map((m) => [m.ruleId, m.severity])).toEqual([["optim-lint/lr-out-of-range", 1]]);

    const wrong = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommended, { files: ["**/*.py"], rules: { "optim-lint/lr-out-of-range": ["warn", { factr: 2 }] } }],
    });
    await expect(wrong.lintText("x = 1\n", { filePath: file })).rejects.toThrow(/lr-out-of-range/);
  });

  it("fixes through the API with output the same as optim-lint --fix", async () => {
    const file = place("sgd.py", "api-fix.py");
    const api = new ESLint({ cwd: dir, fix: true });
    const results = await api.lintFiles(["api-fix.py"]);
    const before = readFileSync(file, "utf8");
    expect(results[0].output).toBe(lintText(before, { filePath: file, rules: DEFAULTS, fix: true }).output);
    await ESLint.outputFixes(results);
    expect(readFileSync(file, "utf8")).toBe(results[0].output);
  });
});
