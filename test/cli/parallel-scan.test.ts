import { beforeAll, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildOnce, ROOT, runCli } from "./run-cli.js";

describe("a parallel run whose workers read the files (OPTIM_LINT_SCAN=1)", () => {
  beforeAll(() => buildOnce(), 120_000);

  it("reports unreadable files, skips the configs a walk skips, keeps encodings and findings as one thread does", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-scan-"));
    // Projects whose files reach each other, and files each reading path treats its own way.
    cpSync(path.join(ROOT, "fixtures", "projects"), path.join(dir, "projects"), { recursive: true });
    writeFileSync(path.join(dir, "binary.py"), Buffer.from([0x69, 0x6d, 0x70, 0x00, 0x01]));
    writeFileSync(path.join(dir, "invalid.py"), Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xff, 0xfe, 0x0a]));
    writeFileSync(path.join(dir, "latin.py"), Buffer.concat([Buffer.from("# -*- coding: latin-1 -*-\nimport torch\nname = '"), Buffer.from([0xe9]), Buffer.from("'\nopt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-3)\n")]));
    // A config with no optimizer words (skipped when walked, read when named) and one over the walk's size limit.
    writeFileSync(path.join(dir, "plain.yaml"), "name: run\nseed: 1\n");
    writeFileSync(path.join(dir, "huge.yaml"), `optimizer:\n  type: AdamW\n  lr: 0.001\nnotes: "${"x".repeat(1_100_000)}"\n`);
    const args = ["--format", "json", "--no-ignore", dir, path.join(dir, "plain.yaml")];
    const one = runCli(dir, args, { env: { OPTIM_LINT_THREADS: "1" }, timeout: 120_000 });
    const many = runCli(dir, args, { env: { OPTIM_LINT_THREADS: "2", OPTIM_LINT_SCAN: "1", OPTIM_LINT_TRACE_THREADS: "1", OPTIM_LINT_CHUNK_FILES: "1" }, timeout: 120_000 });
    // The workers read the files (with this thread), then linted them.
    expect(many.stderr).toMatch(/optim-lint: files read in \d+ ms with 2 worker threads/);
    expect(many.stderr).toMatch(/optim-lint: \d+ files, \d+ chunks on 2 worker threads/);
    const results = JSON.parse(one.stdout) as { filePath: string; messages: { message: string; ruleId?: string | null }[] }[];
    const named = (suffix: string) => results.find((r) => r.filePath.endsWith(suffix));
    expect(named("binary.py")?.messages[0]?.message).toMatch(/NUL bytes/);
    expect(named("invalid.py")?.messages[0]?.message).toMatch(/Cannot decode the file as UTF-8/);
    expect(results.some((r) => r.messages.some((m) => m.ruleId))).toBe(true);
    expect(named("latin.py")).toBeDefined();
    expect(named("plain.yaml")).toBeDefined();
    expect(named("huge.yaml")).toBeUndefined();
    expect(many.status).toBe(one.status);
    expect(many.stdout).toBe(one.stdout);
  }, 300_000);
});
