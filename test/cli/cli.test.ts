/** End to end: the built `optim-lint` binary on temp copies of the fixture projects in fixtures/cli. */
import { readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FileResult } from "../../src/core/results.js";
import { stylish } from "../../src/formatters/stylish.js";
import { buildOnce, copyFixture, runCli } from "./run-cli.js";

const made: string[] = [];

/** A temp copy of a fixture project, removed after the tests. */
function project(name: string): string {
  const dir = copyFixture(name);
  made.push(path.dirname(dir));
  return dir;
}

interface JsonResult {
  filePath: string;
  messages: { ruleId: string | null; code?: string; severity: number; message: string; fatal?: boolean; fix?: { applicability?: string } }[];
  suppressedMessages: { code?: string; suppressions: unknown[] }[];
  errorCount: number;
  warningCount: number;
  output?: string;
  source?: string;
}

/** Results keyed by path relative to the project, each as `CODE:severity` strings. */
function findings(stdout: string, root: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of JSON.parse(stdout) as JsonResult[]) {
    out[path.relative(root, r.filePath) || r.filePath] = r.messages.map((m) => `${m.code ?? (m.fatal ? "fatal" : "none")}:${m.severity}`);
  }
  return out;
}

const TRAIN = readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "../../fixtures/cli/basic/train.py"), "utf8");

beforeAll(() => buildOnce());
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("linting a project", () => {
  it("prints ESLint's stylish report, honors .gitignore and suppression comments, exits 1 on errors", async () => {
    const root = project("basic");
    const run = runCli(root, []);
    expect(run.status).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("");
    // Paths relative to the working folder, as Ruff prints them (JSON keeps them absolute).
    expect(lines[1]).toBe("train.py");
    expect(lines[2]).toMatch(/^ {2}7:13 {2}error {4}\S.* {2}OPT001 adam-weight-decay$/);
    expect(lines[3]).toMatch(/^ {2}8:12 {2}warning {2}\S.* {2}OPT002 sgd-missing-nesterov$/);
    expect(lines.slice(4)).toEqual([
      "",
      "\u2716 2 problems (1 error, 1 warning)",
      "  0 errors and 1 warning potentially fixable with the `--fix` option.",
      "  1 more fixable with `--fix --unsafe-fixes` (unsafe: the fix changes training dynamics, so review it and re-tune).",
      "Fix first (optimizer choice): OPT001 adam-weight-decay at train.py:7:13, OPT002 sgd-missing-nesterov at train.py:8:12",
      "",
      "",
    ]);
    const json = JSON.parse(runCli(root, ["-f", "json"]).stdout) as FileResult[];
    expect(run.stdout).toBe(`${await stylish(json, { cwd: root, rulesMeta: {} })}\n`);
  });

  it("emits every ESLint result key in JSON, with suppressed messages", () => {
    const root = project("basic");
    const run = runCli(root, ["--format", "json"]);
    expect(run.status).toBe(1);
    const results = JSON.parse(run.stdout) as JsonResult[];
    expect(findings(run.stdout, root)).toEqual({ "clean.py": [], "pkg/suppressed.py": [], "train.py": ["OPT001:2", "OPT002:1"] });
    for (const result of results) {
      for (const key of ["filePath", "messages", "suppressedMessages", "errorCount", "fatalErrorCount", "warningCount", "fixableErrorCount", "fixableWarningCount", "usedDeprecatedRules"]) {
        expect(result).toHaveProperty(key);
      }
    }
    const suppressed = results.find((r) => r.filePath.endsWith("suppressed.py"))!;
    expect(suppressed.suppressedMessages.map((m) => m.code).sort()).toEqual(["OPT001", "OPT002"]);
    expect(results.find((r) => r.filePath.endsWith("train.py"))!.source).toBe(TRAIN);
  });

  it("prints the compact and json-with-metadata formats", () => {
    const root = project("basic");
    const compact = runCli(root, ["-f", "compact", "train.py"]);
    expect(compact.status).toBe(1);
    const file = "train.py";
    const lines = compact.stdout.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${file}: line 7, col 13, Error - \\S.* \\(OPT001 adam-weight-decay\\)$`));
    expect(lines[1]).toMatch(new RegExp(`^${file}: line 8, col 12, Warning - \\S.* \\(OPT002 sgd-missing-nesterov\\)$`));
    expect(lines[1]).toMatch(/Warning - \[\*\] /);
    expect(lines.slice(2)).toEqual(["", "2 problems (1 fixable with `--fix`, 1 more with `--fix --unsafe-fixes`)", "Fix first (optimizer choice): OPT001 adam-weight-decay at train.py:7:13, OPT002 sgd-missing-nesterov at train.py:8:12", ""]);
    const meta = JSON.parse(runCli(root, ["--output-format=json-with-metadata", "train.py"]).stdout);
    expect(meta.metadata.cwd).toBe(root);
    expect(Object.keys(meta.metadata.rulesMeta).sort()).toEqual(["adam-weight-decay", "sgd-missing-nesterov"]);
    expect(meta.metadata.rulesMeta["adam-weight-decay"]).toMatchObject({ type: "problem", fixable: "code", docs: { url: expect.stringContaining("adam-weight-decay") } });
  });

  it("--sort priority puts the learning rate first within a file; the default stays by position", () => {
    const root = project("basic");
    writeFileSync(path.join(root, "sorted.py"), "import torch\n\nopt = torch.optim.SGD(params, lr=0.1, momentum=0.9)\nadam = torch.optim.Adam(params, lr=5.0)\n");
    const order = (args: string[]) => (JSON.parse(runCli(root, ["-f", "json", ...args, "sorted.py"]).stdout) as JsonResult[])[0].messages.map((m) => m.code);
    expect(order([])).toEqual(["OPT002", "OPT003"]);
    expect(order(["--sort", "priority"])).toEqual(["OPT003", "OPT002"]);
    const stylishText = runCli(root, ["--sort", "priority", "sorted.py"]).stdout;
    expect(stylishText).toMatch(/^ {2}4:\d+ .*OPT003 lr-out-of-range\n {2}3:\d+ .*OPT002 sgd-missing-nesterov$/m);
    expect(stylishText).toContain("Fix first (learning rate): OPT003 lr-out-of-range at sorted.py:4:");
  });

  it("writes the report to --output-file", () => {
    const root = project("basic");
    const run = runCli(root, ["-f", "json", "-o", "out/report.json", "train.py"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(Object.keys(findings(readFileSync(path.join(root, "out/report.json"), "utf8"), root))).toEqual(["train.py"]);
  });

  it("prints Ruff-style statistics", () => {
    const root = project("basic");
    const run = runCli(root, ["--statistics"]);
    expect(run.status).toBe(1);
    // Adam to AdamW is an unsafe fix: fixable only once unsafe fixes are on.
    expect(run.stdout).toBe("1\tOPT001\t[ ] adam-weight-decay\n1\tOPT002\t[*] sgd-missing-nesterov\n");
    expect(runCli(root, ["--statistics", "--unsafe-fixes"]).stdout).toBe("1\tOPT001\t[*] adam-weight-decay\n1\tOPT002\t[*] sgd-missing-nesterov\n");
  });

  it("exits 0 on a clean file and prints nothing", () => {
    const run = runCli(project("basic"), ["clean.py"]);
    expect(run).toMatchObject({ status: 0, stdout: "" });
  });
});

describe("selecting rules and exit codes", () => {
  it("--select and --ignore narrow the rules; warnings alone exit 0", () => {
    const root = project("basic");
    expect(findings(runCli(root, ["-f", "json", "--select", "OPT002", "train.py"]).stdout, root)).toEqual({ "train.py": ["OPT002:1"] });
    expect(runCli(root, ["--select", "OPT002", "train.py"]).status).toBe(0);
    expect(runCli(root, ["--ignore", "adam-weight-decay", "train.py"]).status).toBe(0);
    expect(findings(runCli(root, ["-f", "json", "--select", "OPT0", "--ignore", "OPT002", "train.py"]).stdout, root)).toEqual({ "train.py": ["OPT001:2"] });
    expect(findings(runCli(root, ["-f", "json", "--select", "OPT002", "--extend-select", "OPT001", "train.py"]).stdout, root)).toEqual({
      "train.py": ["OPT001:2", "OPT002:1"],
    });
  });

  it("--rule changes a severity", () => {
    const root = project("basic");
    const run = runCli(root, ["-f", "json", "--rule", "OPT001: warning", "--rule", "sgd-missing-nesterov: off", "train.py"]);
    expect(run.status).toBe(0);
    expect(findings(run.stdout, root)).toEqual({ "train.py": ["OPT001:1"] });
  });

  it("--max-warnings turns too many warnings into exit 1", () => {
    const root = project("basic");
    const run = runCli(root, ["--select", "OPT002", "--max-warnings", "0", "train.py"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("too many warnings (maximum: 0)");
    expect(runCli(root, ["--select", "OPT002", "--max-warnings", "1", "train.py"]).status).toBe(0);
  });

  it("--quiet reports errors only", () => {
    const root = project("basic");
    const run = runCli(root, ["-f", "json", "--quiet", "train.py"]);
    expect(run.status).toBe(1);
    expect(findings(run.stdout, root)).toEqual({ "train.py": ["OPT001:2"] });
    expect(runCli(root, ["--quiet", "--select", "OPT002", "train.py"])).toMatchObject({ status: 0, stdout: "" });
    expect(runCli(root, ["--quiet", "--select", "OPT002", "--max-warnings", "0", "train.py"]).status).toBe(1);
  });

  it("--exit-zero exits 0 despite errors", () => {
    expect(runCli(project("basic"), ["--exit-zero", "train.py"]).status).toBe(0);
  });
});

describe("configuration", () => {
  it("applies pyproject.toml, per-file-ignores, excludes and a nested optim-lint.toml", () => {
    const root = project("layered");
    const run = runCli(root, ["-f", "json"]);
    expect(run.status).toBe(1);
    expect(findings(run.stdout, root)).toEqual({
      "sub/train.py": ["OPT001:1"],
      "tests/test_train.py": ["OPT002:2"],
      "train.py": ["OPT001:2", "OPT002:2"],
    });
  });

  it("lets --config apply one file everywhere and flags beat it", () => {
    const root = project("layered");
    const run = runCli(root, ["-f", "json", "--config", "sub/optim-lint.toml", "--rule", "OPT001: error", "train.py", "sub/train.py"]);
    expect(findings(run.stdout, root)).toEqual({ "train.py": ["OPT001:2"], "sub/train.py": ["OPT001:2"] });
  });

  it("exits 2 naming the closest rule for an unknown rule in pyproject.toml", () => {
    const run = runCli(project("bad-config"), []);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Unknown rule "adam-weight-decy" in pyproject.toml; did you mean "adam-weight-decay"?');
    expect(run.stdout).toBe("");
  });

  it("exits 2 for unknown rules, severities and flags on the command line", () => {
    const root = project("basic");
    const select = runCli(root, ["--select", "adam-weight-decy"]);
    expect(select.status).toBe(2);
    expect(select.stderr).toContain('did you mean "adam-weight-decay"?');
    const rule = runCli(root, ["--rule", "OPT002: eror"]);
    expect(rule.status).toBe(2);
    expect(rule.stderr).toContain('did you mean "error"?');
    const flag = runCli(root, ["--fixx"]);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain('Unknown option "--fixx"; did you mean "--fix"?');
    const format = runCli(root, ["-f", "jsn"]);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('did you mean "json"?');
  });
});

describe("stdin", () => {
  it("lints stdin under --stdin-filename, with that path's configuration", () => {
    const root = project("layered");
    const run = runCli(root, ["-f", "json", "--stdin", "--stdin-filename", "tests/test_new.py"], { input: TRAIN });
    expect(run.status).toBe(1);
    expect(findings(run.stdout, root)).toEqual({ "tests/test_new.py": ["OPT002:2"] });
    const implied = runCli(root, ["-f", "json", "--stdin-filename", "legacy/new.py", "--force-exclude"], { input: TRAIN });
    expect(implied).toMatchObject({ status: 0, stdout: "[]\n" });
  });

  it("takes '-' as stdin and names it <text> without a filename", () => {
    const run = runCli(project("basic"), ["-f", "json", "-"], { input: TRAIN });
    expect(JSON.parse(run.stdout).map((r: JsonResult) => r.filePath)).toEqual(["<text>"]);
    expect(run.status).toBe(1);
  });

  it("prints the fixed text for --fix on stdin, and gives it as output with --fix-dry-run", () => {
    const root = project("basic");
    const safe = runCli(root, ["--stdin", "--fix"], { input: TRAIN });
    expect(safe.stdout).toContain("torch.optim.Adam(");
    expect(safe.stdout).toContain("nesterov=True");
    const fixed = runCli(root, ["--stdin", "--fix", "--unsafe-fixes"], { input: TRAIN });
    expect(fixed.stdout).toContain("torch.optim.AdamW(");
    expect(fixed.stdout).toContain("nesterov=True");
    const dry = runCli(root, ["-f", "json", "--stdin", "--fix-dry-run", "--unsafe-fixes"], { input: TRAIN });
    const [result] = JSON.parse(dry.stdout) as JsonResult[];
    expect(result.output).toContain("torch.optim.AdamW(");
    expect(result.output).toContain("nesterov=True");
  });
});

describe("fixing", () => {
  it("--fix applies safe fixes only and leaves the unsafe one reported", () => {
    const root = project("basic");
    const run = runCli(root, ["--fix", "-f", "json"]);
    expect(run.status).toBe(1);
    const fixed = readFileSync(path.join(root, "train.py"), "utf8");
    expect(fixed).toContain("torch.optim.Adam(params, lr=1e-3, weight_decay=0.01)");
    expect(fixed).toContain("nesterov=True");
    const [train] = (JSON.parse(run.stdout) as JsonResult[]).filter((r) => r.filePath.endsWith("train.py"));
    expect(train.messages.map((m) => [m.code, m.fix?.applicability])).toEqual([["OPT001", "unsafe"]]);
    expect(train).toMatchObject({ fixableErrorCount: 0, hiddenFixCount: 1 });
  });

  it("unsafe-fixes = true in configuration lets --fix apply unsafe fixes; --no-unsafe-fixes overrides it", () => {
    const root = project("basic");
    writeFileSync(path.join(root, "optim-lint.toml"), "unsafe-fixes = true\n");
    expect(runCli(root, ["--fix", "--no-unsafe-fixes", "train.py"]).status).toBe(1);
    expect(readFileSync(path.join(root, "train.py"), "utf8")).toContain("torch.optim.Adam(");
    expect(runCli(root, ["--fix", "train.py"]).status).toBe(0);
    expect(readFileSync(path.join(root, "train.py"), "utf8")).toContain("torch.optim.AdamW(params");
  });

  it("--fix --unsafe-fixes writes the fixed files, and a second run changes nothing", () => {
    const root = project("basic");
    const first = runCli(root, ["--fix", "--unsafe-fixes"]);
    expect(first.status).toBe(0);
    const fixed = readFileSync(path.join(root, "train.py"), "utf8");
    expect(fixed).toContain("torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)");
    expect(fixed).toContain("nesterov=True");
    expect(readFileSync(path.join(root, "generated/gen.py"), "utf8")).toContain("torch.optim.Adam(");
    const second = runCli(root, ["--fix", "--unsafe-fixes"]);
    expect(second.status).toBe(0);
    // Left: the AdamW now decays every trainable parameter (OPT005), a finding with suggestions only, no fix.
    expect([...second.stdout.matchAll(/OPT\d+/g)].map((m) => m[0]).filter((c, i, all) => all.indexOf(c) === i)).toEqual(["OPT005"]);
    expect(readFileSync(path.join(root, "train.py"), "utf8")).toBe(fixed);
  });

  it("--fix keeps a BOM and CRLF line endings", () => {
    const root = project("basic");
    const file = path.join(root, "train.py");
    writeFileSync(file, "\uFEFF" + TRAIN.replace(/\n/g, "\r\n"));
    expect(runCli(root, ["--fix", "--unsafe-fixes", "train.py"]).status).toBe(0);
    const fixed = readFileSync(file, "utf8");
    expect(fixed.startsWith("\uFEFF")).toBe(true);
    expect(fixed).toContain("AdamW");
    expect(fixed.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("--fix-dry-run writes nothing and shows output in JSON", () => {
    const root = project("basic");
    const run = runCli(root, ["-f", "json", "--fix-dry-run", "--unsafe-fixes", "train.py"]);
    expect(run.status).toBe(0);
    const [result] = JSON.parse(run.stdout) as JsonResult[];
    expect(result.output).toContain("AdamW");
    expect(result.source).toBeUndefined();
    expect(readFileSync(path.join(root, "train.py"), "utf8")).toBe(TRAIN);
  });

  it("--diff prints a unified diff, writes nothing, exits 1 when there is a diff and 0 otherwise", () => {
    const root = project("basic");
    expect(runCli(root, ["--diff"]).stdout).not.toContain("AdamW");
    const run = runCli(root, ["--diff", "--unsafe-fixes"]);
    expect(run.status).toBe(1);
    expect(run.stdout.startsWith("--- train.py\n+++ train.py\n@@ ")).toBe(true);
    expect(run.stdout).toContain("-optimizer = torch.optim.Adam(params, lr=1e-3, weight_decay=0.01)");
    expect(run.stdout).toContain("+optimizer = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)");
    expect(readFileSync(path.join(root, "train.py"), "utf8")).toBe(TRAIN);
    expect(runCli(root, ["--diff", "clean.py"]).status).toBe(0);
  });
});

describe("files that cannot be linted", () => {
  it("reports binary, non-UTF-8 and syntax-error files and still lints the good one", () => {
    const root = project("broken");
    writeFileSync(path.join(root, "weights.py"), Buffer.from([0x80, 0x02, 0x00, 0x00, 0x71, 0x00]));
    writeFileSync(path.join(root, "latin1.py"), Buffer.from("# caf\xe9\nimport torch\n", "latin1"));
    const run = runCli(root, ["-f", "json"]);
    expect(run.status).toBe(1);
    const results = JSON.parse(run.stdout) as JsonResult[];
    const byName = Object.fromEntries(results.map((r) => [path.basename(r.filePath), r]));
    expect(byName["weights.py"].messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2, message: expect.stringContaining("binary") });
    expect(byName["latin1.py"].messages[0]).toMatchObject({ ruleId: null, fatal: true, message: expect.stringContaining("UTF-8") });
    expect(byName["syntax_error.py"].messages.some((m) => m.fatal && m.ruleId === null)).toBe(true);
    expect(byName["good.py"].messages.map((m) => m.code)).toEqual(["OPT001", "OPT002"]);
  });

  it("exits 2 with a clear message for a path that does not exist", () => {
    const run = runCli(project("basic"), ["train.py", "nope.py"]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("No such file or folder: nope.py");
  });

  it("does not hang on a symlink loop", () => {
    const root = project("basic");
    symlinkSync(root, path.join(root, "pkg", "loop"));
    symlinkSync(path.join(root, "pkg"), path.join(root, "pkg", "self"));
    const run = runCli(root, ["-f", "json"]);
    expect(run.status).toBe(1);
    expect(Object.keys(findings(run.stdout, root)).sort()).toEqual(["clean.py", "pkg/suppressed.py", "train.py"]);
  });
});

describe("help and version", () => {
  it("prints help and the version", () => {
    const root = project("basic");
    expect(runCli(root, ["--help"])).toMatchObject({ status: 0, stdout: expect.stringContaining("--max-warnings") });
    expect(runCli(root, ["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
