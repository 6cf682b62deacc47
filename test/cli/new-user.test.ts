/** What a new user hit (issue 8): each defect through the built binary, on temp projects. */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, runCli } from "./run-cli.js";

const ADAM = "import torch\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)\n";
const FIXED = "import torch\nopt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)\n";
let tmp: string;

beforeAll(() => {
  buildOnce();
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-new-user-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder holding the given files. */
function scratch(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  mkdirSync(dir, { recursive: true });
  return dir;
}

describe("a run that lints nothing says so (item 1)", () => {
  it("warns about a named file of an unsupported type and exits 2 when nothing is left", () => {
    const dir = scratch("unsupported", { "configs/train.toml": "optimizer = 'adam'\n", "notes.txt": "{}\n", "configs/train.yaml": "optimizer: adam\n", "empty/.keep": "" });
    for (const target of ["configs/train.toml", "notes.txt"]) {
      const run = runCli(dir, [target]);
      expect(run.status, target).toBe(2);
      expect(run.stderr).toContain(`warning: ${target} skipped: not a supported file type`);
      expect(run.stderr).toMatch(/No files to lint/);
    }
    // YAML and JSON configs are read now: a named one is linted, whatever it holds.
    expect(runCli(dir, ["configs/train.yaml"]).status).toBe(0);
    const empty = runCli(dir, ["empty"]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/^optim-lint: No files to lint in empty/);
  });

  it("still lints the other files named with a skipped one", () => {
    const dir = scratch("mixed", { "train.py": ADAM, "notes.txt": "hello\n" });
    const run = runCli(dir, ["train.py", "notes.txt", "-f", "json"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("notes.txt skipped: not a supported file type");
    expect((JSON.parse(run.stdout) as unknown[]).length).toBe(1);
  });
});

describe("--fix and files that cannot be written (item 2)", () => {
  it("reports a read-only file, writes the others and prints the report", () => {
    const dir = scratch("readonly", { "a_locked.py": ADAM, "b_open.py": ADAM });
    chmodSync(path.join(dir, "a_locked.py"), 0o444);
    chmodSync(path.join(dir, "b_open.py"), 0o666);
    for (const folder of [tmp, dir]) chmodSync(folder, 0o755);
    // As root every file is writable, so the run drops to the `nobody` user.
    const asUser = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath] : undefined;
    const args = ["--fix", "--unsafe-fixes", "-f", "json", "."];
    const run = asUser ? runAs(asUser, dir, args) : runCli(dir, args);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(1);
    expect(readFileSync(path.join(dir, "b_open.py"), "utf8")).toBe(FIXED);
    expect(readFileSync(path.join(dir, "a_locked.py"), "utf8")).toBe(ADAM);
    const results = JSON.parse(run.stdout) as { filePath: string; messages: { code?: string; fatal?: boolean; message: string }[] }[];
    const locked = results.find((r) => r.filePath.endsWith("a_locked.py"))!;
    expect(locked.messages[0]).toMatchObject({ fatal: true });
    expect(locked.messages[0].message).toMatch(/^Cannot write the fixed file: .*EACCES/);
    // The locked file is reported as it stands on disk: its Adam finding is still there.
    expect(locked.messages.map((m) => m.code)).toContain("OPT001");
  });
});

/** Runs the built binary through a launcher command (e.g. setpriv to drop root). */
function runAs(launcher: string[], cwd: string, args: string[]) {
  const bin = path.resolve(import.meta.dirname, "../../bin/optim-lint.cjs");
  const result = spawnSync(launcher[0], [...launcher.slice(1), bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("output files (item 6 and issue 9)", () => {
  it("creates missing folders for -o and --html", () => {
    const dir = scratch("outputs", { "train.py": ADAM });
    expect(runCli(dir, ["train.py", "-o", "reports/lint/out.txt"]).status).toBe(1);
    expect(readFileSync(path.join(dir, "reports/lint/out.txt"), "utf8")).toContain("OPT001");
    expect(runCli(dir, ["simulate", "train.py", "--html", "reports/sim/x.html"]).status).toBe(0);
    expect(existsSync(path.join(dir, "reports/sim/x.html"))).toBe(true);
  });

  it("returns with a one-line error for a folder that cannot be made", () => {
    const dir = scratch("bad-outputs", { "train.py": ADAM, "file": "not a folder" });
    for (const args of [["train.py", "-o", "/proc/nope/x.txt"], ["simulate", "train.py", "--html", "/proc/nope/x.html"], ["train.py", "-o", "file/x.txt"]]) {
      const run = runCli(dir, args);
      expect(run.status, args.join(" ")).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^optim-lint: Cannot write the (output file|HTML report)/);
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});

describe("--fix with --stdin (item 8)", () => {
  it("prints the fixed text on stdout and the report on stderr", () => {
    const dir = scratch("stdin-fix", {});
    const run = runCli(dir, ["--fix", "--unsafe-fixes", "--stdin", "--stdin-filename", "train.py"], { input: ADAM });
    expect(run.stdout).toBe(FIXED);
    expect(run.stderr).toContain("OPT005");
    const clean = runCli(dir, ["--fix", "-"], { input: "x = 1\n" });
    expect(clean).toMatchObject({ status: 0, stdout: "x = 1\n" });
  });
});

describe("PEP 263 encoding declarations (item 9)", () => {
  it("reads a latin-1 file and writes its fix back in latin-1", () => {
    const text = `# -*- coding: latin-1 -*-\n# caf\u00e9\n${ADAM}`;
    const dir = scratch("latin1", { "train.py": Buffer.from(text, "latin1") });
    const lint = runCli(dir, ["train.py", "-f", "json"]);
    expect(lint.status).toBe(1);
    const [result] = JSON.parse(lint.stdout) as { messages: { code?: string }[] }[];
    expect(result.messages.map((m) => m.code)).toEqual(["OPT001"]);
    runCli(dir, ["--fix", "--unsafe-fixes", "train.py"]);
    const bytes = readFileSync(path.join(dir, "train.py"));
    expect(bytes.toString("latin1")).toBe(`# -*- coding: latin-1 -*-\n# caf\u00e9\n${FIXED}`);
  });

  it("still rejects bytes that are not UTF-8 when nothing is declared", () => {
    const dir = scratch("undeclared", { "train.py": Buffer.from(`# caf\u00e9\n${ADAM}`, "latin1") });
    const run = runCli(dir, ["train.py"]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/Cannot decode the file as UTF-8/);
  });
});

describe("rules and explain (item 12)", () => {
  it("explain without a rule lists the rules; `rules` prints a table or JSON", () => {
    const explain = runCli(tmp, ["explain"]);
    expect(explain.status).toBe(0);
    expect(explain.stdout).toMatch(/^Code +Name/);
    const json = runCli(tmp, ["rules", "--format", "json"]);
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout) as { code: string; name: string; fixable: boolean }[];
    expect(rows.find((r) => r.code === "OPT001")).toMatchObject({ name: "adam-weight-decay", fixable: true, fixApplicability: "unsafe", priority: "optimizer-choice" });
    const table = runCli(tmp, ["rules"]).stdout.split("\n");
    expect(table.filter((line) => /^OPT\d{3} /.test(line))).toHaveLength(rows.length);
    expect(runCli(tmp, ["rules", "--format", "xml"]).status).toBe(2);
  });
});

describe("simulate takes the lint options (item 13)", () => {
  it("--select and --ignore choose the findings simulated", () => {
    const dir = scratch("simulate-select", { "train.py": ADAM });
    const all = JSON.parse(runCli(dir, ["simulate", "train.py", "--format", "json"]).stdout) as { results: { ruleId: string }[] };
    expect(all.results.map((r) => r.ruleId)).toContain("adam-weight-decay");
    const ignored = runCli(dir, ["simulate", "train.py", "--format", "json", "--ignore", "OPT001"]);
    expect(ignored.status).toBe(0);
    expect((JSON.parse(ignored.stdout) as { results: { ruleId: string }[] }).results.map((r) => r.ruleId)).not.toContain("adam-weight-decay");
    const selected = JSON.parse(runCli(dir, ["simulate", "train.py", "--format=json", "--select=OPT002"]).stdout) as { results: unknown[] };
    expect(selected.results).toEqual([]);
    expect(runCli(dir, ["simulate", "train.py", "--select", "OPT999"]).status).toBe(2);
  });
});

describe("notebook findings name the cell (item 7)", () => {
  it("gives the cell, and the line and column in its source, computed from the notebook itself", () => {
    const file = path.resolve(import.meta.dirname, "../../fixtures/notebook/train_adam.ipynb");
    const run = runCli(tmp, [file, "-f", "json"]);
    const [result] = JSON.parse(run.stdout) as { messages: { code: string; cell?: { index: number; line: number; column: number } }[] }[];
    const adam = result.messages.find((m) => m.code === "OPT001")!;
    const cells = (JSON.parse(readFileSync(file, "utf8")) as { cells: { source: string | string[] }[] }).cells;
    const source = [cells[adam.cell!.index - 1].source].flat().join("").split("\n")[adam.cell!.line - 1];
    expect(source.slice(adam.cell!.column - 1)).toMatch(/^Adam\(model\.parameters\(\)/);
  });
});
