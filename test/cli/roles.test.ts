/** Test code by path and by definition, include-tests, and the summaries that count what was left out. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildOnce, copyFixture, runCli } from "./run-cli.js";

interface JsonMessage {
  ruleId: string | null;
  code?: string;
  line: number;
}
interface JsonResult {
  filePath: string;
  messages: JsonMessage[];
}

/** `relative path:line code` for every finding, sorted. */
function findings(results: JsonResult[], root: string): string[] {
  return results
    .flatMap((r) => r.messages.filter((m) => m.ruleId).map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.code}`))
    .sort();
}

const TRAINING_FINDINGS = [
  "scripts/resume_conditional.py:10 OPT002",
  "scripts/resume_conditional.py:10 OPT003",
  "scripts/sampler_elsewhere.py:17 OPT004",
  "src/pkg/trainer.py:9 OPT002",
  "train.py:4 OPT003",
];

beforeAll(() => buildOnce());

describe("test code", () => {
  it("leaves out findings in test files and test definitions, and keeps the same optimizer in train.py", () => {
    const root = copyFixture("roles");
    const run = runCli(root, ["--format", "json", "."]);
    expect(findings(JSON.parse(run.stdout) as JsonResult[], root)).toEqual(TRAINING_FINDINGS);
    expect(run.status).toBe(1);
  });

  it("reports test code too with --include-tests", () => {
    const root = copyFixture("roles");
    const all = findings(JSON.parse(runCli(root, ["--format", "json", "--include-tests", "."]).stdout) as JsonResult[], root);
    expect(all).toEqual(
      [
        ...TRAINING_FINDINGS,
        "conftest.py:7 OPT001",
        "conftest.py:7 OPT003",
        "src/pkg/trainer.py:13 OPT003",
        "src/pkg/trainer.py:18 OPT003",
        "src/pkg/trainer.py:26 OPT003",
        "tests/test_parity.py:11 OPT004",
        "tests/test_train.py:7 OPT003",
        "tests/unit/helpers.py:5 OPT002",
      ].sort(),
    );
  });

  it("reports test code too with include-tests = true in [tool.optim-lint]", () => {
    const root = copyFixture("roles");
    writeFileSync(path.join(root, "pyproject.toml"), "[tool.optim-lint]\ninclude-tests = true\n");
    const all = findings(JSON.parse(runCli(root, ["--format", "json", "."]).stdout) as JsonResult[], root);
    expect(all).toContain("tests/test_train.py:7 OPT003");
    expect(all).toContain("src/pkg/trainer.py:13 OPT003");
  });

  it("rejects an include-tests setting that is not a boolean", () => {
    const root = copyFixture("roles");
    writeFileSync(path.join(root, "optim-lint.toml"), 'include-tests = "yes"\n');
    const run = runCli(root, ["."]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('"include-tests" in optim-lint.toml must be a boolean, got string');
  });

  it("says in json-with-metadata and --statistics how much was treated as tests", () => {
    const root = copyFixture("roles");
    const meta = JSON.parse(runCli(root, ["--format", "json-with-metadata", "."]).stdout) as { metadata: { testCode: unknown } };
    expect(meta.metadata.testCode).toEqual({ included: false, files: 4, hiddenFindings: 3 });
    const stats = runCli(root, ["--statistics", "."]).stdout;
    expect(stats).toContain("4 files treated as tests, 3 findings in test code elsewhere not reported (--include-tests reports them)");
    const included = JSON.parse(runCli(root, ["--format", "json-with-metadata", "--include-tests", "."]).stdout) as { metadata: { testCode: unknown } };
    expect(included.metadata.testCode).toEqual({ included: true, files: 0, hiddenFindings: 0 });
  });

  it("judges paths from the linted folder, so a checkout under a folder named test is not all tests", () => {
    const root = copyFixture("roles");
    const parent = path.dirname(root);
    const run = runCli(parent, ["--format", "json", path.join(root, "train.py")]);
    expect(findings(JSON.parse(run.stdout) as JsonResult[], root)).toEqual(["train.py:4 OPT003"]);
  });
});
