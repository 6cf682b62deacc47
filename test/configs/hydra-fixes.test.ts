/**
 * Fixes on constructions Hydra's `instantiate` (or a Lightning factory call) builds from YAML: a request on a value
 * the YAML writes is made by the YAML adapter on the YAML's own construction, a value the call passes is edited in
 * Python, and a fix changes only the file its message is shown in (a file the run lints).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintPaths } from "../../src/cli/lint-paths.js";
import type { FileResult, LintMessage } from "../../src/core/results.js";
import { lintProject } from "../../src/default-linter.js";
import { buildOnce, ROOT, runCli } from "../cli/run-cli.js";

const PROJECT = path.join(ROOT, "fixtures", "projects", "hydra-instantiate");

/** A text with one fix (or suggestion) applied. */
function applied(text: string, fix: { range: [number, number]; text: string } | undefined): string | undefined {
  return fix && text.slice(0, fix.range[0]) + fix.text + text.slice(fix.range[1]);
}

/** Each message as `file line:column code` with the notes' places, the message, and the text of its file fixed by it and by its first suggestion. */
function described(results: FileResult[], root: string, textOf: (file: string) => string) {
  return results.flatMap((r) =>
    r.messages.map((m: LintMessage) => {
      const notes = (m.related ?? []).map((n) => `${path.relative(root, n.filePath ?? r.filePath)}:${n.line}:${n.column}`);
      const text = textOf(r.filePath);
      return {
        at: `${path.relative(root, r.filePath)} ${m.line}:${m.column} ${m.code} ${notes.join(" ")}`.trim(),
        message: m.message,
        notes: (m.related ?? []).map((n) => n.message),
        fixed: applied(text, m.fix),
        suggested: applied(text, m.suggestions?.[0]?.fix),
      };
    }),
  );
}

async function lintFixture(...files: string[]) {
  const results = await lintPaths(files.map((f) => path.join(PROJECT, f)), { cwd: PROJECT });
  return described(results, PROJECT, (f) => readFileSync(f, "utf8"));
}

const ALL_RULES = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));

/** Lints the named texts of an in-memory project; the others are read on demand. */
function lintMemory(files: Record<string, string>, given: string[]) {
  const host = { read: (p: string) => files[p], exists: (p: string) => p in files };
  const results = lintProject(given.map((filePath) => ({ filePath, text: files[filePath], rules: ALL_RULES })), { host });
  return described(results, "/p", (f) => files[f]);
}

describe("fixes on a construction built from YAML, the YAML linted too", () => {
  it("renames the class and swaps the betas in the option file, keeping its comment and layout", async () => {
    const [decay, betas] = await lintFixture("conf/optimizer/adam.yaml", "finetune.py", "setup_compose.py");
    expect(decay.at).toBe("conf/optimizer/adam.yaml 1:1 OPT001 conf/optimizer/adam.yaml:3:15 finetune.py:11:17 setup_compose.py:11:17");
    expect(decay.notes.slice(1)).toEqual(["hydra.utils.instantiate() builds the optimizer here from this config", "instantiate() builds the optimizer here from this config"]);
    expect(decay.fixed).toBe(
      ["_target_: torch.optim.AdamW", "lr: 1.0e-4", "weight_decay: 0.01", "# Copied from an old run; finetune.py passes its own betas.", "betas: [0.999, 0.9]", ""].join("\n"),
    );
    expect(betas.at).toBe("conf/optimizer/adam.yaml 5:1 OPT009 conf/optimizer/adam.yaml:5:8 setup_compose.py:11:17");
    expect(betas.fixed).toBe(
      ["_target_: torch.optim.Adam", "lr: 1.0e-4", "weight_decay: 0.01", "# Copied from an old run; finetune.py passes its own betas.", "betas: [0.9, 0.999]", ""].join("\n"),
    );
  });

  it("adds an argument the construction lacks to the YAML when the finding is shown there, to the call when only the Python is linted", async () => {
    // Hydra values can be overridden at run time, so nesterov is a suggestion, not a fix.
    const [inYaml] = await lintFixture("conf/optimizer/sgd.yaml", "train_vision.py");
    expect(inYaml.at).toBe("conf/optimizer/sgd.yaml 2:1 OPT002 conf/optimizer/sgd.yaml:4:11 train_vision.py:10:17");
    expect(inYaml.message).toMatch(/\(Built by hydra\.utils\.instantiate\(\) at \.\.\/\.\.\/train_vision\.py:10\.\)$/);
    expect(inYaml.suggested).toBe(
      ["# SGD with classical momentum, tuned on the small model.", "_target_: torch.optim.SGD", "lr: 0.05", "momentum: 0.9  # kept from the baseline run", "nesterov: true", ""].join("\n"),
    );
    const [inPython] = await lintFixture("train_vision.py");
    expect(inPython.at).toBe("train_vision.py 10:17 OPT002 conf/optimizer/sgd.yaml:4:11");
    expect(inPython.suggested?.split("\n")[9]).toBe("    optimizer = hydra.utils.instantiate(cfg.optimizer, params=model.parameters(), nesterov=True)");
  });
});

describe("fixes on a construction built from YAML, only the Python linted", () => {
  it("keeps the finding at the call without a fix: the edit would be in a YAML file the run does not lint", async () => {
    const findings = await lintFixture("finetune.py", "setup_compose.py");
    expect(findings.map((f) => `${f.at} ${f.fixed === undefined ? "no fix" : "fix"}`)).toEqual([
      "finetune.py 11:17 OPT001 conf/optimizer/adam.yaml:3:15 no fix",
      "finetune.py 14:9 OPT003 conf/finetune.yaml:7:7 no fix",
      "setup_compose.py 11:17 OPT001 conf/optimizer/adam.yaml:3:15 no fix",
      "setup_compose.py 11:17 OPT009 conf/optimizer/adam.yaml:5:8 no fix",
    ]);
    expect(findings[0].message).toMatch(/\(Not fixed automatically: the edit is in conf\/optimizer\/adam\.yaml, which is not linted in this run\.\)$/);
    expect(findings[3].message).toMatch(/\(Not fixed automatically: the edit is in conf\/optimizer\/adam\.yaml, which is not linted in this run\.\)$/);
  });
});

describe("values passed at the call and calls that share a config", () => {
  const config = "optim:\n  _target_: torch.optim.Adam\n  lr: 1.0e-3\n  weight_decay: 0.01\n";
  const run = (calls: string[]) => ["import hydra", "", '@hydra.main(config_path="conf", config_name="main")', "def run(cfg):", ...calls.map((c) => `    ${c}`), ""].join("\n");

  it("edits a value the call passes in Python, and the class the YAML names in the YAML", () => {
    const files = { "/p/conf/main.yaml": config, "/p/run.py": run(["return hydra.utils.instantiate(cfg.optim, net.parameters(), betas=(0.98, 0.9))"]) };
    const findings = lintMemory(files, ["/p/conf/main.yaml", "/p/run.py"]);
    expect(findings.map((f) => f.at)).toEqual(["conf/main.yaml 2:3 OPT001 conf/main.yaml:4:17 run.py:5:12", "run.py 5:65 OPT009"]);
    expect(findings[0].fixed).toBe(config.replace("torch.optim.Adam", "torch.optim.AdamW"));
    expect(findings[1].fixed?.split("\n")[4]).toBe("    return hydra.utils.instantiate(cfg.optim, net.parameters(), betas=(0.9, 0.98))");
  });

  it("sets a value the YAML writes in the YAML, keeping its comment", () => {
    const yaml = "optim:\n  _target_: torch.optim.AdamW\n  lr: 3.0  # too high\n  weight_decay: 0.0\n";
    const files = { "/p/conf/main.yaml": yaml, "/p/run.py": run(["return hydra.utils.instantiate(cfg.optim, net.parameters())"]) };
    const [finding, ...rest] = lintMemory(files, ["/p/conf/main.yaml", "/p/run.py"]);
    expect(rest).toEqual([]);
    expect(finding.at).toBe("conf/main.yaml 3:3 OPT003 conf/main.yaml:3:7 run.py:5:12");
    expect(finding.suggested).toBe(yaml.replace("lr: 3.0  # too high", "lr: 0.001  # too high"));
  });

  it("shows the same finding from two calls once in the YAML, with a note at each call", () => {
    const files = {
      "/p/conf/main.yaml": config,
      "/p/run.py": run(["a = hydra.utils.instantiate(cfg.optim, net.parameters())", "b = hydra.utils.instantiate(cfg.optim, head.parameters())", "return a, b"]),
    };
    const findings = lintMemory(files, ["/p/conf/main.yaml", "/p/run.py"]);
    expect(findings.map((f) => f.at)).toEqual(["conf/main.yaml 2:3 OPT001 conf/main.yaml:4:17 run.py:5:9 run.py:6:9"]);
    expect(findings[0].message).toMatch(/\(Built by hydra\.utils\.instantiate\(\) at \.\.\/run\.py:5\.\)$/);
    // Only the Python linted: one finding per call, each at its call, a value of the YAML too.
    expect(lintMemory(files, ["/p/run.py"]).map((f) => f.at)).toEqual(["run.py 5:9 OPT001 conf/main.yaml:4:17", "run.py 6:9 OPT001 conf/main.yaml:4:17"]);
    const swapped = { ...files, "/p/conf/main.yaml": `${config}  betas: [0.999, 0.9]\n` };
    expect(lintMemory(swapped, ["/p/run.py"]).map((f) => f.at)).toEqual([
      "run.py 5:9 OPT001 conf/main.yaml:4:17",
      "run.py 5:9 OPT009 conf/main.yaml:5:10",
      "run.py 6:9 OPT001 conf/main.yaml:4:17",
      "run.py 6:9 OPT009 conf/main.yaml:5:10",
    ]);
  });
});

/** Every file of a folder with its text. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

describe("--fix on a Hydra project", () => {
  beforeAll(() => buildOnce(), 120_000);

  it("fixes the YAML once, keeps its comments, and a second run changes nothing", () => {
    const tmp = path.join(mkdtempSync(path.join(os.tmpdir(), "optim-lint-hydra-fix-")), "hydra-instantiate");
    cpSync(PROJECT, tmp, { recursive: true });
    const before = snapshot(tmp);
    const first = runCli(tmp, ["--fix", "--unsafe-fixes", "--format", "json", "."]);
    expect(first.stderr).toBe("");
    const after = snapshot(tmp);
    const changed = Object.keys(before).filter((f) => before[f] !== after[f]);
    expect(changed).toEqual([path.join("conf", "optimizer", "adam.yaml")]);
    expect(after[changed[0]]).toBe(
      ["_target_: torch.optim.AdamW", "lr: 1.0e-4", "weight_decay: 0.01", "# Copied from an old run; finetune.py passes its own betas.", "betas: [0.9, 0.999]", ""].join("\n"),
    );
    // What is left is reported on the fixed files, none of it in adam.yaml, and none fixable.
    const left = JSON.parse(first.stdout) as FileResult[];
    expect(left.find((r) => r.filePath.endsWith("adam.yaml"))?.messages).toEqual([]);
    expect(left.flatMap((r) => r.messages.filter((m) => m.fix))).toEqual([]);
    const second = runCli(tmp, ["--fix", "--unsafe-fixes", "--format", "json", "."]);
    expect(snapshot(tmp)).toEqual(after);
    const again = JSON.parse(second.stdout) as FileResult[];
    expect(again.filter((r) => r.output !== undefined).map((r) => r.filePath)).toEqual([]);
    expect(again.map((r) => r.messages)).toEqual(left.map((r) => r.messages));
  }, 120_000);

  it("with --cache, reports in the YAML what a full run does after one app changes (the other app's findings stay)", () => {
    const tmp = path.join(mkdtempSync(path.join(os.tmpdir(), "optim-lint-hydra-cache-")), "hydra-instantiate");
    cpSync(PROJECT, tmp, { recursive: true });
    const args = ["--format", "json", "."];
    const messagesOf = (stdout: string) => (JSON.parse(stdout) as FileResult[]).map((r) => [path.relative(tmp, r.filePath), r.messages]);
    expect(runCli(tmp, ["--cache", ...args]).status).toBe(1);
    for (const file of ["finetune.py", path.join("conf", "optimizer", "adam.yaml")]) {
      writeFileSync(path.join(tmp, file), `${readFileSync(path.join(tmp, file), "utf8")}# touched\n`);
      const cached = runCli(tmp, ["--cache", ...args]);
      const full = runCli(tmp, args);
      expect(messagesOf(cached.stdout)).toEqual(messagesOf(full.stdout));
      // setup_compose.py's swapped betas are still shown in adam.yaml.
      expect(cached.stdout).toContain("Built by instantiate() at ../../setup_compose.py:11.");
    }
  }, 120_000);

  it("follows the YAML's own settings: a per-file ignore or a severity set for the config folder applies to what the calls place there", async () => {
    const tmp = path.join(mkdtempSync(path.join(os.tmpdir(), "optim-lint-hydra-ignore-")), "hydra-instantiate");
    cpSync(PROJECT, tmp, { recursive: true });
    const codesIn = async () =>
      (await lintPaths([tmp], { cwd: tmp })).flatMap((r) => r.messages.map((m) => `${path.relative(tmp, r.filePath)} ${m.code} ${m.severity}`)).sort();
    const before = await codesIn();
    expect(before).toContain(`${path.join("conf", "optimizer", "adam.yaml")} OPT001 2`);
    expect(before).toContain(`${path.join("conf", "optimizer", "sgd.yaml")} OPT002 1`);
    writeFileSync(path.join(tmp, "optim-lint.toml"), '[per-file-ignores]\n"conf/**" = ["OPT001"]\n');
    const ignored = await codesIn();
    expect(ignored).toEqual(before.filter((line) => !line.startsWith(`${path.join("conf", "optimizer", "adam.yaml")} OPT001`)));
    writeFileSync(path.join(tmp, "conf", "optim-lint.toml"), '[rules]\nOPT002 = "error"\n');
    const stricter = await codesIn();
    expect(stricter.filter((line) => line.includes("OPT002"))).toEqual(before.filter((line) => line.includes("OPT002")).map((line) => line.replace(/ 1$/, " 2")));
  });

  it("lets a `# noqa` at the call that builds a config silence that call's finding shown in the config", async () => {
    const tmp = path.join(mkdtempSync(path.join(os.tmpdir(), "optim-lint-hydra-noqa-")), "hydra-instantiate");
    cpSync(PROJECT, tmp, { recursive: true });
    const adam = path.join("conf", "optimizer", "adam.yaml");
    const decayIn = async () =>
      (await lintPaths([tmp], { cwd: tmp })).flatMap((r) => (path.relative(tmp, r.filePath) === adam ? r.messages.filter((m) => m.code === "OPT001") : []));
    const noqa = (file: string, from: string) => {
      const text = readFileSync(path.join(tmp, file), "utf8");
      expect(text).toContain(from);
      writeFileSync(path.join(tmp, file), text.replace(from, `${from}  # noqa: OPT001`));
    };
    expect((await decayIn()).map((m) => m.message.match(/\(Built by .*? at [^)]*\)/)?.[0])).toEqual(["(Built by hydra.utils.instantiate() at ../../finetune.py:11.)"]);
    noqa("finetune.py", "optimizer = hydra.utils.instantiate(");
    // The other call still builds the same coupled decay: the finding stays, named after that call only.
    const left = await decayIn();
    expect(left.map((m) => m.message.match(/\(Built by .*? at [^)]*\)/)?.[0])).toEqual(["(Built by instantiate() at ../../setup_compose.py:11.)"]);
    expect(left[0].related?.map((n) => `${path.relative(tmp, n.filePath ?? path.join(tmp, adam))}:${n.line}`)).not.toContain("finetune.py:11");
    noqa("setup_compose.py", "optimizer = instantiate(cfg.optimizer, params=model.parameters(), lr=1e-5)");
    expect(await decayIn()).toEqual([]);
  });

  it("gives the same output and fixes on worker threads as on one", () => {
    for (const extra of [[], ["--fix-dry-run", "--unsafe-fixes"]]) {
      const args = ["--format", "json", ...extra, "."];
      const one = runCli(PROJECT, args, { env: { OPTIM_LINT_THREADS: "1" } });
      const many = runCli(PROJECT, args, { env: { OPTIM_LINT_THREADS: "2", OPTIM_LINT_CHUNK_FILES: "1", OPTIM_LINT_TRACE_THREADS: "1" } });
      // One file per chunk: each Python file is linted again with the YAML files it reached.
      expect(many.stderr).toMatch(/optim-lint: \d+ files, \d+ chunks on 2 worker threads, \d+ rounds, [1-9]\d* runs again/);
      expect(many.status).toBe(one.status);
      expect(many.stdout).toBe(one.stdout);
      expect(one.stdout).toContain("Built by hydra.utils.instantiate()");
    }
  }, 120_000);
});
