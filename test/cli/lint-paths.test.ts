/** The in-process API the simulator reuses: walk, configure and lint without writing. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { FIXTURES } from "./run-cli.js";

const LAYERED = path.join(FIXTURES, "layered");

/** `file: CODE:severity...` for each result. */
const summary = (results: Awaited<ReturnType<typeof lintPaths>>) =>
  Object.fromEntries(results.map((r) => [path.relative(LAYERED, r.filePath), r.messages.map((m) => `${m.code}:${m.severity}`)]));

describe("lintPaths", () => {
  it("walks and applies the nearest configuration", async () => {
    expect(summary(await lintPaths(["."], { cwd: LAYERED }))).toEqual({
      "sub/train.py": ["OPT001:1"],
      "tests/test_train.py": ["OPT002:2"],
      "train.py": ["OPT001:2", "OPT002:2"],
    });
  });

  it("uses an explicit configuration file for every path", async () => {
    // That file does not include tests, so the test file is parsed but not judged.
    expect(summary(await lintPaths(["train.py", "tests"], { cwd: LAYERED, configPath: "sub/optim-lint.toml" }))).toEqual({
      "train.py": ["OPT001:1"],
      "tests/test_train.py": [],
    });
  });

  it("returns fixed text as output and writes nothing", async () => {
    const before = readFileSync(path.join(LAYERED, "train.py"), "utf8");
    const [result] = await lintPaths(["train.py"], { cwd: LAYERED, fix: true, unsafeFixes: true });
    expect(result.output).toContain("torch.optim.AdamW(");
    expect(result.messages).toEqual([]);
    expect(readFileSync(path.join(LAYERED, "train.py"), "utf8")).toBe(before);
  });

  it("rejects missing paths and a configuration file without optim-lint settings", async () => {
    await expect(lintPaths(["nope.py"], { cwd: LAYERED })).rejects.toThrow("No such file or folder: nope.py");
    await expect(lintPaths(["."], { cwd: LAYERED, configPath: "legacy/pyproject.toml" })).rejects.toThrow(/has no \[tool.optim-lint\] table/);
  });
});
