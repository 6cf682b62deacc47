/**
 * The pre-commit hook, run by real pre-commit: it installs optim-lint from this repository's committed
 * HEAD (as users' pre-commit does from a tag), runs it with --fix on a staged file, and reports the change.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Temporary folders the test made, removed after it. */
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("pre-commit hook", () => {
  it("installs from the repository and fixes a staged training script", () => {
    const version = spawnSync("pre-commit", ["--version"], { encoding: "utf8" });
    if (version.error) throw new Error("pre-commit is not installed (Debian: apt-get install pre-commit; npm test installs it when run as root)");
    const rev = execFileSync("git", ["rev-parse", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const work = mkdtempSync(path.join(tmpdir(), "optim-lint-pre-commit-"));
    made.push(work);
    const project = path.join(work, "project");
    execFileSync("git", ["init", "-q", project]);
    writeFileSync(path.join(project, "train.py"), "import torch\n\nmodel = torch.nn.Linear(4, 2)\nopt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n");
    writeFileSync(
      path.join(project, ".pre-commit-config.yaml"),
      `repos:\n  - repo: ${ROOT}\n    rev: ${rev}\n    hooks:\n      - id: optim-lint\n        args: [--fix]\n`,
    );
    execFileSync("git", ["add", "-A"], { cwd: project });
    const env = { ...process.env, PRE_COMMIT_HOME: path.join(work, "cache") };
    // The first run installs the hook: npm installs the repository with its dev dependencies, builds, packs and installs
    // the tarball, compiling tree-sitter where its prebuilt binary does not load (Debian 12); on a busy machine that took
    // over nine minutes.
    const run = spawnSync("pre-commit", ["run", "--all-files"], { cwd: project, encoding: "utf8", env, timeout: 1_500_000 });
    // pre-commit fails a hook that modified files: that is how --fix shows up.
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(run.stdout).toContain("files were modified by this hook");
    expect(readFileSync(path.join(project, "train.py"), "utf8")).toContain("momentum=0.9, nesterov=True)");
    execFileSync("git", ["add", "-A"], { cwd: project });
    const again = spawnSync("pre-commit", ["run", "--all-files"], { cwd: project, encoding: "utf8", env });
    expect(again.status, again.stdout + again.stderr).toBe(0);
  }, 1_800_000);
});
