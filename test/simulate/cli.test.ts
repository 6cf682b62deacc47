/** `optim-lint simulate` and `optim-lint explain`, in process and through the built binary. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RULES } from "../../rules/index.js";
import { lintPaths } from "../../src/cli/lint-paths.js";
import { closestRuleId, findRule, formatRuleDocs, parseSimulateArgs, runExplain, runSimulate } from "../../src/simulate/cli.js";
import { ROOT, buildOnce } from "../cli/run-cli.js";

const SHOWCASE = path.join(ROOT, "fixtures/showcase");

/** Runs a command function with stdout and stderr captured. */
async function captured(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await run(), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

/** The rule ids the showcase is written to trigger with a settings change. */
const SHOWCASE_RULES = ["adam-weight-decay", "invalid-hyperparameter", "lr-out-of-range", "sgd-missing-nesterov"];

/** Checks the JSON report's documented shape and returns its results. */
function checkJsonShape(json: { results: Record<string, unknown>[] }): Record<string, unknown>[] {
  expect(Object.keys(json)).toEqual(["results"]);
  for (const result of json.results) {
    expect(Object.keys(result)).toEqual(["filePath", "ruleId", "line", "before", "after", "problems"]);
    // `parameters` says which parameters decay, when that is all that differs (OPT005).
    for (const side of ["before", "after"] as const) expect(Object.keys(result[side] as object).filter((k) => k !== "parameters")).toEqual(["optimizer", "options"]);
    const problems = result.problems as Record<string, Record<string, unknown>>[];
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) {
      expect(typeof problem.name).toBe("string");
      for (const side of [problem.before, problem.after]) {
        expect(Object.keys(side).slice(0, 4)).toEqual(["finalLoss", "bestLoss", "diverged", "stepsToTarget"]);
      }
    }
  }
  return json.results;
}

describe("simulate arguments", () => {
  it("parses paths, format, html and config in both option spellings", () => {
    expect(parseSimulateArgs(["a.py", "--format", "json", "--html=r.html", "b"])).toEqual({ paths: ["a.py", "b"], format: "json", html: "r.html", help: false });
    expect(parseSimulateArgs(["--format=text", "-c", "cfg.toml", "x"])).toMatchObject({ paths: ["x"], format: "text", configPath: "cfg.toml" });
  });

  it("exits 2 with a message on usage errors", async () => {
    for (const argv of [[], ["--format", "xml", SHOWCASE], ["--bogus", SHOWCASE], ["--html"], [path.join(SHOWCASE, "missing.py")]]) {
      const run = await captured(() => runSimulate(argv));
      expect(run.code, argv.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^optim-lint: .+\n\nUsage: optim-lint simulate/);
      expect(run.stdout).toBe("");
    }
  });
});

describe("the showcase scripts", () => {
  it("each trigger exactly the rule they show, and the clean script nothing", async () => {
    const results = await lintPaths([SHOWCASE], { cwd: ROOT });
    const found = Object.fromEntries(results.map((r) => [path.basename(r.filePath), r.messages.map((m) => m.ruleId)]));
    expect(found).toEqual({
      "finetune_regressor.py": ["lr-out-of-range"],
      "train_classifier.py": ["adam-weight-decay"],
      "train_ddp.py": ["unscaled-distributed-lr"],
      "train_gan.py": ["invalid-hyperparameter"],
      "train_resnet.py": ["sgd-missing-nesterov"],
      "train_transformer.py": ["weight-decay-on-bias-norm"],
      "train_clean.py": [],
      // Configs in the same folder: a Hydra group option and a DeepSpeed config.
      "adam.yaml": ["adam-weight-decay"],
      "ds_config.json": ["lr-out-of-range"],
    });
  });
});

describe("simulate on the showcase (in process)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "optim-lint-simulate-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("prints a table per finding and writes the HTML report", async () => {
    const htmlPath = path.join(dir, "report.html");
    const run = await captured(() => runSimulate([SHOWCASE, "--html", htmlPath]));
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^These runs use small model problems/);
    for (const rule of SHOWCASE_RULES) expect(run.stdout).toContain(` ${rule} (OPT`);
    expect(run.stdout).toContain("before  Adam(lr=0.001, weight_decay=0.01, betas=(0.9, 0.999))");
    expect(run.stdout).toContain("after   AdamW(lr=0.001, weight_decay=0.01, betas=(0.9, 0.999))");
    expect(run.stdout).not.toContain("train_clean.py");
    expect(run.stdout).toContain(`HTML report written to ${htmlPath}`);
    const html = readFileSync(htmlPath, "utf8");
    expect(html).toContain("fixtures/showcase/train_classifier.py");
    expect(html).toContain("optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)");
  }, 120_000);
});

describe("explain", () => {
  it("finds rules by name or code, case-insensitively", () => {
    expect(findRule("OPT002")?.meta.name).toBe("sgd-missing-nesterov");
    expect(findRule("opt002")?.meta.name).toBe("sgd-missing-nesterov");
    expect(findRule("SGD-Missing-Nesterov")?.meta.code).toBe("OPT002");
    expect(findRule("nope")).toBeUndefined();
    expect(closestRuleId("adam-weight-decy")).toBe("adam-weight-decay");
    expect(closestRuleId("OPT0002")).toBe("OPT002");
  });

  it("prints every rule's documentation sections", () => {
    for (const rule of RULES) {
      const text = formatRuleDocs(rule);
      expect(text.startsWith(`${rule.meta.name} (${rule.meta.code}): ${rule.meta.type}`)).toBe(true);
      for (const heading of ["What it does", "Why is this bad", "Example that triggers the rule", "Use instead"]) expect(text).toContain(`\n${heading}\n`);
      expect(text).toContain(rule.meta.docs.badExample.trim().split("\n")[0]);
    }
  });

  it("prints the docs, then simulates the fix on the rule's bad example", async () => {
    const run = await captured(() => runExplain(["OPT002"]));
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^sgd-missing-nesterov \(OPT002\): /);
    expect(run.stdout).toContain("Simulation of the change on the example above");
    expect(run.stdout).toMatch(/^ {2}ill-conditioned-quadratic +\S+/m);
    expect(run.stdout).toContain("nesterov=True");
  }, 60_000);

  it("exits 2 for an unknown rule and names the closest one", async () => {
    const run = await captured(() => runExplain(["adam-weight-decy"]));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("optim-lint: unknown rule adam-weight-decy; did you mean adam-weight-decay?\n");
    expect((await captured(() => runExplain(["a", "b"]))).code).toBe(2);
  });
});

describe("the built binary", () => {
  beforeAll(() => buildOnce(), 600_000);

  it("`optim-lint simulate fixtures/showcase --format json` prints the documented JSON", () => {
    const started = Date.now();
    const result = spawnSync(process.execPath, ["bin/optim-lint.cjs", "simulate", "fixtures/showcase", "--format", "json"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const results = checkJsonShape(JSON.parse(result.stdout));
    expect([...new Set(results.map((r) => r.ruleId))].sort()).toEqual(expect.arrayContaining(SHOWCASE_RULES));
    expect(results.every((r) => !String(r.filePath).endsWith("train_clean.py"))).toBe(true);
    const decay = results.find((r) => r.ruleId === "adam-weight-decay") as { before: { optimizer: string }; after: { optimizer: string }; problems: { name: string; before: Record<string, unknown> }[] };
    expect([decay.before.optimizer, decay.after.optimizer]).toEqual(["Adam", "AdamW"]);
    expect(decay.problems.map((p) => p.name)).toEqual(["scaled-regression", "mlp"]);
    expect(decay.problems[0].before).toHaveProperty("shrinkage");
    const norms = results.find((r) => r.ruleId === "weight-decay-on-bias-norm") as { before: { parameters?: string }; after: { parameters?: string }; problems: { name: string }[] };
    expect(norms.problems.map((p) => p.name)).toEqual(["normalized-regression", "mlp"]);
    expect(norms.before.parameters).toBe("on every parameter");
    expect(norms.after.parameters).toMatch(/^on weight matrices only/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 180_000);

  it("`optim-lint explain` through the binary: unknown rule exits 2", () => {
    const result = spawnSync(process.execPath, ["bin/optim-lint.cjs", "explain", "sgd-nesterov"], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("did you mean");
  });
});
