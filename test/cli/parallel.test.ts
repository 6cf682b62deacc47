import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { threadPolicy } from "../../src/cli/parallel.js";
import { calledNames } from "../../src/python/calls.js";
import { buildOnce, ROOT, runCli } from "./run-cli.js";

/** Packages of the Python standard library, when a python3 is installed: a larger tree of real code. */
function stdlibPackages(): string[] {
  try {
    const dir = execFileSync("python3", ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: "utf8" }).trim();
    return ["json", "email", "asyncio", "logging", "unittest"].map((p) => path.join(dir, p)).filter((p) => existsSync(p));
  } catch {
    return [];
  }
}

describe("linting on worker threads", () => {
  beforeAll(() => buildOnce(), 120_000);

  it("gives the output of a one-thread run, in the same order, on every bundled fixture and stdlib packages", () => {
    // The fixtures hold projects whose files reach each other (`_base_` chains, Hydra groups, a base linted with its child).
    // Every fixture folder but the CLI's (it holds a deliberately broken config, a usage error for any run over it).
    const fixtures = ["engine", "goldens", "notebook", "projects", "python", "python-edits", "rules", "server", "showcase"];
    const paths = [...fixtures.map((f) => path.join(ROOT, "fixtures", f)), ...stdlibPackages()];
    const args = ["--format", "json", "--no-ignore", "--include-tests", ...paths];
    // About 700 files: on a busy shared machine one run has taken 30 s of wall time, and the threaded one twice that.
    const one = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "1" }, timeout: 150_000 });
    // One file per chunk: each file that reaches another (a `_base_`, a Hydra option) is linted again with it.
    const many = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "2", OPTIM_LINT_TRACE_THREADS: "1", OPTIM_LINT_CHUNK_FILES: "1" }, timeout: 150_000 });
    expect(one.status).not.toBeNull();
    expect(many.status).toBe(one.status);
    // The run was really spread: many chunks, and some ran again with the files they reached.
    expect(many.stderr).toMatch(/optim-lint: \d+ files, \d+ chunks on 2 worker threads, \d+ rounds, [1-9]\d* runs again/);
    const results = JSON.parse(one.stdout) as { filePath: string; messages: unknown[] }[];
    expect(results.length).toBeGreaterThan(300);
    expect(results.some((r) => r.messages.length > 0)).toBe(true);
    expect(many.stdout).toBe(one.stdout);
  }, 330_000);

  it("judges a call that crosses files the same way when caller and callee are linted in different chunks", () => {
    // Only model.py passes the prefilter: its construction is judged per call, with the callers (train.py, finetune.py,
    // linted apart as skipped files) read for their code, so no chunk is linted again.
    const args = ["--format", "json", "--no-ignore", path.join(ROOT, "fixtures", "projects", "method-call")];
    const one = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "1" } });
    const many = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "2", OPTIM_LINT_CHUNK_FILES: "1", OPTIM_LINT_TRACE_THREADS: "1" } });
    expect(many.stderr).toMatch(/optim-lint: 3 files, 1 chunks on 2 worker threads, 1 rounds, 0 runs again/);
    const results = JSON.parse(one.stdout) as { filePath: string; messages: { message: string }[] }[];
    const model = results.find((r) => r.filePath.endsWith("model.py"));
    // The finding names the call in another file that passes the value.
    expect(model?.messages.some((m) => /passed to configure_optimizers\(\) at \w+\.py:\d+/.test(m.message))).toBe(true);
    expect(many.status).toBe(one.status);
    expect(many.stdout).toBe(one.stdout);
  }, 120_000);

  it("fixes the same way on worker threads", () => {
    const paths = [path.join(ROOT, "fixtures", "projects")];
    const args = ["--format", "json", "--no-ignore", "--fix-dry-run", ...paths];
    const one = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "1" } });
    const many = runCli(ROOT, args, { env: { OPTIM_LINT_THREADS: "2", OPTIM_LINT_CHUNK_FILES: "1" } });
    expect(many.status).toBe(one.status);
    expect(many.stdout).toBe(one.stdout);
  }, 120_000);
});

describe("when a run starts worker threads", () => {
  it("starts them for large runs on several cores, and as OPTIM_LINT_THREADS says", () => {
    expect(threadPolicy(15, {}, 2)).toEqual({ threads: 0, forced: false });
    expect(threadPolicy(4086, {}, 2)).toEqual({ threads: 0, forced: false });
    expect(threadPolicy(4086, {}, 4)).toEqual({ threads: 2, forced: false });
    expect(threadPolicy(150, {}, 4)).toEqual({ threads: 0, forced: false });
    // Two workers at most by default (each adds its heap to the peak), and only from four cores: on two, one thread
    // already keeps about 1.4 cores busy with V8's compiler and collector threads.
    expect(threadPolicy(4086, {}, 8)).toEqual({ threads: 2, forced: false });
    expect(threadPolicy(4086, {}, 1)).toEqual({ threads: 0, forced: false });
    expect(threadPolicy(4086, { OPTIM_LINT_THREADS: "1" }, 2)).toEqual({ threads: 0, forced: true });
    expect(threadPolicy(15, { OPTIM_LINT_THREADS: "3" }, 2)).toEqual({ threads: 3, forced: true });
    expect(threadPolicy(4086, { OPTIM_LINT_THREADS: "many" }, 4)).toEqual({ threads: 2, forced: false });
  });

  it("keeps a pre-commit run of a few files on one thread", () => {
    buildOnce();
    const dir = path.join(ROOT, "fixtures", "projects", "method-call");
    const run = runCli(ROOT, ["--format", "json", "--no-ignore", dir], { env: { OPTIM_LINT_TRACE_THREADS: "1" } });
    expect(run.stderr).toMatch(/optim-lint: 3 files on one thread/);
  }, 60_000);
});

describe("the callers index", () => {
  it("finds the names a text calls as the expression that defined it does", () => {
    const text = [
      "\uFEFFimport os",
      "x = f(1) + obj.method (2) + g\t(h(3))",
      "y = 2d(4) + a1b2(5) + _private(6) + été(7) + xété(8)",
      "z = (9) + [f](10) + s.strip\n(11) + u\u00a0(12) + v\u3000(13) + w\u200b(14)",
      "def defined(a, b):",
      "    return print(a)",
    ].join("\n");
    const expected = new Set(Array.from(text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g), (m) => m[1]));
    expect(calledNames(text)).toEqual(expected);
    expect([...calledNames(text)].sort()).toEqual(["_private", "a1b2", "defined", "f", "g", "h", "method", "print", "strip", "u", "v"]);
  });
});
