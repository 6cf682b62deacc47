/** Baselines: a legacy project records its findings and then fails only on new ones, across moved code. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildOnce, runCli } from "./run-cli.js";

let tmp: string;
beforeAll(() => {
  buildOnce();
  tmp = mkdtempSync(path.join(os.tmpdir(), "optim-lint-baseline-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LEGACY = [
  "import torch",
  "",
  "",
  "def build(model):",
  "    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)",
  "",
  "",
  "def finetune(model):",
  "    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
  "",
  "",
  "def other(model):",
  "    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)",
  "",
].join("\n");

/** The same code with functions reordered, lines added above, comments and spacing changed. */
const MOVED = [
  '"""Training helpers."""',
  "import torch",
  "",
  "SEED = 0  # unrelated edit",
  "",
  "",
  "def other(model):",
  "    # still the same call",
  "    return torch.optim.SGD(model.parameters(), lr=0.1,  momentum=0.9)",
  "",
  "",
  "def finetune(model):",
  "    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # noted",
  "",
  "",
  "def build(model):",
  "    print('building')",
  "    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.01)",
  "",
].join("\n");

interface Result {
  messages: { code?: string; line: number }[];
  suppressedMessages: { code?: string; suppressions: { kind: string }[] }[];
}

describe("--write-baseline and --baseline", () => {
  it("accepts the recorded findings after code moves, and fails on a new one", () => {
    const dir = path.join(tmp, "legacy");
    mkdirSync(path.join(dir, "src"), { recursive: true });
    writeFileSync(path.join(dir, "src/train.py"), LEGACY);
    expect(runCli(dir, ["src"]).status).toBe(1);

    const write = runCli(dir, ["src", "--write-baseline", "optim-lint-baseline.json"]);
    expect(write.status).toBe(0);
    expect(write.stderr).toContain("Wrote 3 findings");
    const recorded = JSON.parse(readFileSync(path.join(dir, "optim-lint-baseline.json"), "utf8")) as { findings: { file: string; code: string }[] };
    expect(recorded.findings.map((f) => `${f.file} ${f.code}`)).toEqual(["src/train.py OPT001", "src/train.py OPT002", "src/train.py OPT002"]);

    const clean = runCli(dir, ["src", "--baseline", "optim-lint-baseline.json", "-f", "json"]);
    expect(clean.status).toBe(0);

    writeFileSync(path.join(dir, "src/train.py"), MOVED);
    const moved = runCli(dir, ["src", "--baseline", "optim-lint-baseline.json", "-f", "json"]);
    const [result] = JSON.parse(moved.stdout) as Result[];
    expect(result.messages).toEqual([]);
    expect(result.suppressedMessages.map((m) => m.suppressions[0].kind)).toEqual(["external", "external", "external"]);
    expect(moved.status).toBe(0);

    // A new Adam call is a new finding; the recorded ones stay accepted.
    const grown = `${MOVED}\n\ndef another(model):\n    return torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=0.05)\n`;
    writeFileSync(path.join(dir, "src/train.py"), grown);
    const added = runCli(dir, ["src", "--baseline", "optim-lint-baseline.json", "-f", "json"]);
    expect(added.status).toBe(1);
    const [withNew] = JSON.parse(added.stdout) as Result[];
    const newLine = grown.split("\n").findIndex((line) => line.includes("weight_decay=0.05")) + 1;
    expect(withNew.messages.map((m) => `${m.code}:${m.line}`)).toEqual([`OPT001:${newLine}`]);
    expect(withNew.suppressedMessages).toHaveLength(3);

    // A duplicate of an accepted finding in the same function is new too: each entry accepts one finding.
    writeFileSync(path.join(dir, "src/train.py"), MOVED.replace("    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # noted", "    a = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)\n    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)"));
    expect(runCli(dir, ["src", "--baseline", "optim-lint-baseline.json"]).stdout).toMatch(/1 problem/);
  });

  it("gives the same fingerprints to SARIF's partialFingerprints", () => {
    const dir = path.join(tmp, "sarif");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "train.py"), LEGACY);
    runCli(dir, ["train.py", "--write-baseline", "base.json"]);
    const recorded = (JSON.parse(readFileSync(path.join(dir, "base.json"), "utf8")) as { findings: { fingerprint: string }[] }).findings.map((f) => f.fingerprint);
    const sarif = JSON.parse(runCli(dir, ["train.py", "-f", "sarif"]).stdout) as { runs: { results: { partialFingerprints: Record<string, string> }[] }[] };
    expect(sarif.runs[0].results.map((r) => Object.values(r.partialFingerprints)[0])).toEqual(recorded);
    expect(new Set(recorded).size).toBe(3);
  });

  it("rejects a file that is not a baseline, and --write-baseline with --fix", () => {
    const dir = path.join(tmp, "bad");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "train.py"), LEGACY);
    writeFileSync(path.join(dir, "not-baseline.json"), "[]");
    expect(runCli(dir, ["train.py", "--baseline", "not-baseline.json"])).toMatchObject({ status: 2 });
    expect(runCli(dir, ["train.py", "--baseline", "missing.json"]).stderr).toMatch(/Cannot read the baseline/);
    expect(runCli(dir, ["train.py", "--fix", "--write-baseline", "b.json"]).status).toBe(2);
  });
});
