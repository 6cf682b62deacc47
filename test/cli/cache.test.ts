/** `--cache`: results reused for unchanged files and settings, never for changed ones; a bad cache is rebuilt. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, runCli } from "./run-cli.js";

const ADAM = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n";
const SGD = "import torch\nopt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n";
let tmp: string;

beforeAll(() => {
  buildOnce();
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-cache-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The codes found per file name. */
function codes(stdout: string): Record<string, string[]> {
  const results = JSON.parse(stdout) as { filePath: string; messages: { code?: string }[] }[];
  return Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => m.code ?? "fatal")]));
}

interface CacheData {
  tool: string;
  version: string;
  entries: Record<string, { key: string; result: { messages: { message: string }[] } }>;
}

describe("--cache", () => {
  it("stores results, reuses them, and recomputes a changed file or changed settings", () => {
    const dir = path.join(tmp, "project");
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(path.join(mkdirp(dir), "a.py"), ADAM);
    writeFileSync(path.join(dir, "b.py"), SGD);
    const cold = runCli(dir, ["--cache", "-f", "json", "."]);
    expect(codes(cold.stdout)).toEqual({ "a.py": ["OPT001"], "b.py": ["OPT002"] });
    const file = path.join(dir, ".optim-lint-cache/results-v1.json");
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(path.join(dir, ".optim-lint-cache/.gitignore"), "utf8")).toContain("*");

    // The cache is read: a result stored under a file's key is what the next run reports.
    const data = JSON.parse(readFileSync(file, "utf8")) as CacheData;
    const entry = data.entries[path.join(dir, "a.py")];
    entry.result.messages[0].message = "served from the cache";
    writeFileSync(file, JSON.stringify(data));
    const warm = runCli(dir, ["--cache", "-f", "json", "."]);
    expect(warm.stdout).toContain("served from the cache");
    expect(warm.status).toBe(cold.status);

    // A changed file and changed settings are linted again.
    writeFileSync(path.join(dir, "a.py"), SGD);
    expect(codes(runCli(dir, ["--cache", "-f", "json", "."]).stdout)).toEqual({ "a.py": ["OPT002"], "b.py": ["OPT002"] });
    expect(codes(runCli(dir, ["--cache", "-f", "json", "--ignore", "OPT002", "."]).stdout)).toEqual({ "a.py": [], "b.py": [] });
    expect(runCli(dir, ["--cache", "-f", "json", "."]).stdout).not.toContain("served from the cache");
  });

  it("ignores and rebuilds a corrupt cache, one from another version, and entries that are not results", () => {
    const dir = path.join(tmp, "bad-cache");
    writeFileSync(path.join(mkdirp(dir), "a.py"), ADAM);
    const location = path.join(dir, "cache-here");
    const file = path.join(location, "results-v1.json");
    const baseline = codes(runCli(dir, ["--cache-location", "cache-here", "-f", "json", "a.py"]).stdout);
    expect(baseline).toEqual({ "a.py": ["OPT001"] });
    const good = JSON.parse(readFileSync(file, "utf8")) as CacheData;

    const tampered: unknown[] = [
      "{ not json",
      JSON.stringify({ ...good, version: "0.0.0-other" }),
      JSON.stringify({ ...good, tool: "ruff" }),
      JSON.stringify({ ...good, entries: Object.fromEntries(Object.entries(good.entries).map(([k, e]) => [k, { ...e, result: { messages: "oops" } }])) }),
      JSON.stringify({ ...good, entries: Object.fromEntries(Object.entries(good.entries).map(([k, e]) => [k, { ...e, key: "0".repeat(64), result: { ...e.result, messages: [] } }])) }),
    ];
    for (const text of tampered) {
      writeFileSync(file, text as string);
      const run = runCli(dir, ["--cache-location", "cache-here", "-f", "json", "a.py"]);
      expect(run.status).toBe(1);
      expect(codes(run.stdout)).toEqual(baseline);
      expect((JSON.parse(readFileSync(file, "utf8")) as CacheData).tool).toBe("optim-lint");
    }
  });

  it("is not used with --fix", () => {
    const dir = path.join(tmp, "fixing");
    writeFileSync(path.join(mkdirp(dir), "a.py"), ADAM);
    runCli(dir, ["--cache", "--fix", "--unsafe-fixes", "a.py"]);
    expect(readFileSync(path.join(dir, "a.py"), "utf8")).toContain("AdamW");
    expect(existsSync(path.join(dir, ".optim-lint-cache"))).toBe(false);
  });
});

/** Makes a folder (and its parents) and returns it. */
function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("--cache across files", () => {
  it("re-lints a child config when the _base_ it inherits from changes", () => {
    const dir = path.join(tmp, "bases");
    mkdirSync(path.join(dir, "_base_"), { recursive: true });
    const base = path.join(dir, "_base_", "schedule.py");
    writeFileSync(base, "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, nesterov=True))\n");
    writeFileSync(path.join(dir, "child.py"), "_base_ = ['./_base_/schedule.py']\noptim_wrapper = dict(optimizer=dict(lr=0.01))\n");
    const run = () => codes(runCli(dir, ["--cache", "-f", "json", "child.py"]).stdout);
    expect(run()).toEqual({ "child.py": [] });
    expect(run()).toEqual({ "child.py": [] });
    // The base drops Nesterov: the cached child result is stale, and the child now inherits classical momentum.
    writeFileSync(base, "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9))\n");
    expect(run()).toEqual({ "child.py": ["OPT002"] });
  });
});

describe("--cache reports what a run without it reports", () => {
  const MODEL = "import torch\n\n\ndef build(model, lr, momentum):\n    return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)\n";
  const CALLER = "from model import build\n\nopt = build(net, 0.1, 0.9)\n";
  /** Each file's findings with where they are: file, line and the message's start. */
  const findings = (stdout: string) =>
    (JSON.parse(stdout) as { filePath: string; messages: { code?: string; line: number; message: string }[] }[]).map((r) => [
      path.basename(r.filePath),
      r.messages.map((m) => `${m.code}:${m.line}:${m.message.slice(0, 60)}`),
    ]);
  const compare = (dir: string, args: string[]) => {
    const uncached = findings(runCli(dir, ["-f", "json", ...args]).stdout);
    expect(findings(runCli(dir, ["--cache", "-f", "json", ...args]).stdout), args.join(" ")).toEqual(uncached);
    return uncached;
  };

  it("lints an unchanged module again when a changed file newly calls into it", () => {
    const dir = mkdirp(path.join(tmp, "new-caller"));
    writeFileSync(path.join(dir, "model.py"), MODEL);
    writeFileSync(path.join(dir, "train.py"), "from model import build\n\nopt = None\n");
    expect(compare(dir, ["."])).toEqual([["model.py", []], ["train.py", []]]);
    // model.py is unchanged, but its construction now has a caller: the finding is in model.py, as without the cache.
    writeFileSync(path.join(dir, "train.py"), CALLER);
    expect(compare(dir, ["."])).toEqual([["model.py", [expect.stringMatching(/^OPT002:5:SGD runs classical momentum: momentum=0.9 \(passed to build/)]], ["train.py", []]]);
  });

  it("does not reuse results made in a run of other files", () => {
    const dir = mkdirp(path.join(tmp, "other-runs"));
    writeFileSync(path.join(dir, "model.py"), MODEL);
    writeFileSync(path.join(dir, "train.py"), CALLER);
    // With its caller in the run model.py has a finding; alone it has none (nobody in the run calls build()).
    expect(compare(dir, ["."])[0][1]).toHaveLength(1);
    expect(compare(dir, ["model.py"])).toEqual([["model.py", []]]);
    expect(compare(dir, ["."])[0][1]).toHaveLength(1);
  });

  it("keys results on whether test code is reported", () => {
    const dir = mkdirp(path.join(tmp, "test-code"));
    writeFileSync(path.join(dir, "train.py"), `import torch\n\n\ndef test_step():\n    ${SGD.split("\n")[1]}\n`);
    expect(compare(dir, ["."])).toEqual([["train.py", []]]);
    expect(compare(dir, ["--include-tests", "."])).toEqual([["train.py", [expect.stringMatching(/^OPT002:5:/)]]]);
    expect(compare(dir, ["."])).toEqual([["train.py", []]]);
  });
});
