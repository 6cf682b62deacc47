/**
 * Project pass benchmark: a generated multi-file training project (shared optimizer factories called from many
 * entry scripts, models whose methods build optimizers, config modules, helpers that import each other in cycles)
 * linted as one project, against a parse-only floor in the same run. Figures, each the fastest of two child runs:
 *  - parse floor: a one-thread tree-sitter parse of every file (trees freed as the CLI frees them);
 *  - lint without the Python call join: every adapter and the config joiners;
 *  - lint with it (what `optim-lint <folder>` does).
 * Time and peak memory of each, as ratios to the floor, for two shapes of project (experiments sharing a library,
 * and one package). `node bench/project-pass.js` runs it alone (after `npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/**
 * Experiments (each a folder with an entry script, a model and a config) and shared library modules; `--generate`
 * takes other counts (`--generate 20 10`) for a smaller project to profile.
 */
let EXPERIMENTS = 80;
let LIBRARY = 40;
const HELPERS_PER_LIBRARY = 12;

/** A library module: optimizer factories plus helpers that call each other and a neighbour module (a cycle). */
function libraryModule(i) {
  const next = (i + 1) % LIBRARY;
  const lines = ["import torch", `from lib import lib${next} as neighbour`, "", ""];
  lines.push("def build_sgd(params, cfg):", '    return torch.optim.SGD(params, lr=cfg["lr"], momentum=cfg.get("momentum", 0.0), nesterov=cfg.get("nesterov", False))', "", "");
  lines.push("def build_adamw(params, lr, betas=(0.9, 0.999), weight_decay=0.01):", "    return torch.optim.AdamW(params, lr=lr, betas=betas, weight_decay=weight_decay)", "", "");
  for (let h = 0; h < HELPERS_PER_LIBRARY; h++) {
    lines.push(`def helper_${h}(x, scale=${h + 1}):`, `    y = neighbour.helper_${(h + 1) % HELPERS_PER_LIBRARY}(x) if x > ${h} else x`, `    return helper_${(h + 2) % HELPERS_PER_LIBRARY}(y * scale) if y < 0 else y`, "", "");
  }
  return lines.join("\n");
}

/** A model whose method builds its optimizer from what the entry script passes. */
function modelModule() {
  return [
    "import torch",
    "import torch.nn as nn",
    "",
    "",
    "class Net(nn.Module):",
    "    def __init__(self, width):",
    "        super().__init__()",
    "        self.body = nn.Linear(width, width)",
    "        self.head = nn.Linear(width, 10)",
    "",
    "    @classmethod",
    "    def from_checkpoint(cls, path):",
    "        return cls(torch.load(path)['width'])",
    "",
    "    def configure_optimizers(self, weight_decay, learning_rate, betas):",
    "        decay = [p for p in self.parameters() if p.dim() >= 2]",
    "        rest = [p for p in self.parameters() if p.dim() < 2]",
    '        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]',
    "        return torch.optim.AdamW(groups, lr=learning_rate, betas=betas)",
    "",
  ].join("\n");
}

/** An entry script: argparse, an imported config, calls into the model and the shared library. */
function entryScript(i) {
  const lib = `lib${i % LIBRARY}`;
  const betas = i % 7 === 0 ? "(0.999, 0.9)" : "(0.9, 0.95)";
  return [
    "import argparse",
    "",
    `from lib import ${lib}`,
    "from .config import LEARNING_RATE, WEIGHT_DECAY",
    "from .model import Net",
    "",
    "parser = argparse.ArgumentParser()",
    "parser.add_argument('--width', type=int, default=64)",
    `parser.add_argument('--lr', type=float, default=${i % 5 === 0 ? 50.0 : 0.1})`,
    "args = parser.parse_args()",
    "",
    "if args.width > 0:",
    "    model = Net(args.width)",
    "else:",
    "    model = Net.from_checkpoint('last.pt')",
    "",
    `optimizer = model.configure_optimizers(WEIGHT_DECAY, LEARNING_RATE, ${betas})`,
    `probe = ${lib}.build_sgd(model.head.parameters(), dict(lr=args.lr, momentum=0.9))`,
    `extra = ${lib}.build_adamw(model.body.parameters(), LEARNING_RATE)`,
    `score = ${lib}.helper_${i % HELPERS_PER_LIBRARY}(args.width)`,
    "",
  ].join("\n");
}

/** Writes the project into a fresh temp folder and returns it. */
function generate() {
  const root = mkdtempSync(join(os.tmpdir(), "optim-lint-project-pass-"));
  writeFileSync(join(root, "pyproject.toml"), '[project]\nname = "generated"\nversion = "0"\n');
  mkdirSync(join(root, "lib"));
  writeFileSync(join(root, "lib", "__init__.py"), "");
  for (let i = 0; i < LIBRARY; i++) writeFileSync(join(root, "lib", `lib${i}.py`), libraryModule(i));
  for (let i = 0; i < EXPERIMENTS; i++) {
    const dir = join(root, `exp${i}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "__init__.py"), "");
    writeFileSync(join(dir, "config.py"), `LEARNING_RATE = ${i % 3 === 0 ? 3e-4 : 6e-4}\nWEIGHT_DECAY = 0.1\n`);
    writeFileSync(join(dir, "model.py"), modelModule());
    writeFileSync(join(dir, "train.py"), entryScript(i));
  }
  return root;
}

/**
 * The second shape, a package as fairseq, mmdetection or an HF examples folder lay one out: `pkg/__init__.py` imports
 * its subpackages, `pkg/models/__init__.py` every model (models call shared helpers of `pkg/utils.py`), one
 * `build_optimizer` in `pkg/optim/build.py` that a `Trainer` and some entry scripts call, and one entry script per
 * project folder. Every entry script reaches every module through the package imports.
 */
const PACKAGE_PROJECTS = 80;
const PACKAGE_MODELS = 30;
const PACKAGE_HELPERS = 40;

function generatePackage() {
  const root = mkdtempSync(join(os.tmpdir(), "optim-lint-project-pass-pkg-"));
  const write = (file, lines) => writeFileSync(join(root, file), lines.join("\n") + "\n");
  writeFileSync(join(root, "pyproject.toml"), '[project]\nname = "generated"\nversion = "0"\n');
  for (const dir of ["pkg", "pkg/models", "pkg/optim", "projects"]) mkdirSync(join(root, dir));
  write("pkg/__init__.py", ["from . import models, optim, utils", "from .trainer import Trainer"]);
  const helpers = [];
  for (let h = 0; h < PACKAGE_HELPERS; h++) helpers.push(`def helper_${h}(x, scale=${h + 1}):`, `    return helper_${(h + 1) % PACKAGE_HELPERS}(x - 1) if x > ${h} else x * scale`, "", "");
  write("pkg/utils.py", ["import logging", "", "logger = logging.getLogger(__name__)", "", "", ...helpers]);
  const models = [];
  for (let m = 0; m < PACKAGE_MODELS; m++) {
    models.push(`from .net${m} import Net${m}`);
    write(`pkg/models/net${m}.py`, [
      "import torch.nn as nn",
      "",
      "from ..utils import helper_0, helper_1",
      "",
      "",
      `class Net${m}(nn.Module):`,
      "    def __init__(self, width=64):",
      "        super().__init__()",
      `        self.body = nn.Sequential(nn.Linear(width, width), nn.ReLU(), nn.Linear(width, ${m + 2}))`,
      `        self.depth = helper_0(${m})`,
      "",
      "    def forward(self, x):",
      `        return self.body(x) * helper_1(${m})`,
    ]);
  }
  write("pkg/models/__init__.py", models);
  write("pkg/optim/__init__.py", ["from .build import build_optimizer"]);
  write("pkg/optim/build.py", [
    "import torch",
    "",
    "",
    "def build_optimizer(model, cfg):",
    '    if cfg["name"] == "sgd":',
    '        return torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=cfg.get("momentum", 0.9))',
    '    return torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg.get("weight_decay", 0.01))',
  ]);
  write("pkg/trainer.py", [
    "from .optim import build_optimizer",
    "from .utils import helper_2, logger",
    "",
    "",
    "class Trainer:",
    "    def __init__(self, model, cfg):",
    "        self.model = model",
    "        self.optimizer = build_optimizer(model, cfg)",
    "        logger.info(helper_2(1))",
    "",
    "    def step(self, loss):",
    "        self.optimizer.zero_grad()",
    "        loss.backward()",
    "        self.optimizer.step()",
  ]);
  for (let i = 0; i < PACKAGE_PROJECTS; i++) {
    const dir = join(root, "projects", `p${i}`);
    mkdirSync(dir);
    const m = i % PACKAGE_MODELS;
    const lr = i % 9 === 0 ? 30.0 : 1e-3;
    write(`projects/p${i}/train.py`, [
      "import argparse",
      "",
      `from pkg.models import Net${m}`,
      "from pkg.optim import build_optimizer",
      "from pkg import Trainer, utils",
      "",
      "parser = argparse.ArgumentParser()",
      "parser.add_argument('--width', type=int, default=64)",
      "args = parser.parse_args()",
      `cfg = dict(name="${i % 2 === 0 ? "sgd" : "adamw"}", lr=${lr}, weight_decay=0.05)`,
      `model = Net${m}(args.width)`,
      i % 4 === 0 ? "optimizer = build_optimizer(model, cfg)" : "trainer = Trainer(model, cfg)",
      `utils.helper_${i % PACKAGE_HELPERS}(args.width)`,
    ]);
  }
  return root;
}

/** Every .py file below a folder, sorted. */
function pythonFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith(".py")) out.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return out.sort();
}

/** Child: parse every file once, freeing trees as the CLI does; prints peak RSS. */
async function parseChild(dir) {
  const Parser = require("tree-sitter");
  const { NativeMemoryGuard } = await import("../dist/src/cli/native-memory.js");
  const parser = new Parser();
  parser.setLanguage(require("tree-sitter-python"));
  const memory = new NativeMemoryGuard();
  const start = process.hrtime.bigint();
  for (const file of pythonFiles(dir)) {
    const text = readFileSync(file, "utf8");
    parser.parse(text);
    await memory.afterFile(text.length);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** Child: the whole project linted as one run, with or without the Python call join; prints findings and peak RSS. */
async function lintChild(dir, withCalls) {
  const { Linter } = await import("../dist/src/core/linter.js");
  const { ADAPTERS, JOINERS } = await import("../dist/src/default-linter.js");
  const { knowledge } = await import("../dist/src/knowledge/index.js");
  const { RULES } = await import("../dist/rules/index.js");
  const { NativeMemoryGuard } = await import("../dist/src/cli/native-memory.js");
  const { diskHost } = await import("../dist/src/cli/parallel.js");
  const joiners = withCalls ? JOINERS : JOINERS.filter((j) => j.name !== "python-calls");
  const linter = new Linter({ adapters: ADAPTERS, joiners, knowledge });
  const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  const files = pythonFiles(dir);
  const memory = new NativeMemoryGuard();
  // The command line's host: whether a file exists is answered from its folder's listing.
  const host = diskHost();
  const start = process.hrtime.bigint();
  const inputs = files.map((filePath) => ({ filePath, text: readFileSync(filePath, "utf8"), rules }));
  const results = await linter.lintProjectAsync(inputs, { host, between: (chars) => memory.afterFile(chars) });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const findings = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId).length, 0);
  process.stdout.write(JSON.stringify({ seconds, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** The fastest of `runs` runs of a child mode, by the time it measured itself. */
function fastest(args, runs) {
  let best;
  for (let i = 0; i < runs; i++) {
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
    if (run.status !== 0) throw new Error(`project-pass bench child ${args.join(" ")} failed: ${run.stderr}`);
    const report = JSON.parse(run.stdout);
    if (!best || report.seconds < best.seconds) best = report;
  }
  return best;
}

const ratio = (a, b) => Number((a / b).toFixed(2));

/** Measures the three runs of one generated project, prints and returns the ratios. */
function measure(root, title) {
  const files = pythonFiles(root);
  console.log(`\n## Project pass: ${title} (${files.length} Python files)`);
  const parse = fastest(["--parse", root], 2);
  const without = fastest(["--lint", root, "without"], 2);
  const withCalls = fastest(["--lint", root, "with"], 2);
  const result = {
    files: files.length,
    parseSeconds: Number(parse.seconds.toFixed(3)),
    lintSeconds: Number(without.seconds.toFixed(3)),
    projectSeconds: Number(withCalls.seconds.toFixed(3)),
    lintToParse: ratio(without.seconds, parse.seconds),
    projectToParse: ratio(withCalls.seconds, parse.seconds),
    projectToLint: ratio(withCalls.seconds, without.seconds),
    parsePeakRssMb: Math.round(parse.maxRssMb),
    lintPeakRssMb: Math.round(without.maxRssMb),
    projectPeakRssMb: Math.round(withCalls.maxRssMb),
    findingsWithout: without.findings,
    findingsWith: withCalls.findings,
  };
  console.log(
    [
      `time        parse ${result.parseSeconds} s; lint without the call join ${result.lintSeconds} s = ${result.lintToParse}x; with it ${result.projectSeconds} s = ${result.projectToParse}x parse (${result.projectToLint}x lint)`,
      `memory      peak ${result.projectPeakRssMb} MB with the join, ${result.lintPeakRssMb} MB without, ${result.parsePeakRssMb} MB parse only`,
      `findings    ${result.findingsWith} with the join, ${result.findingsWithout} without`,
    ].join("\n"),
  );
  return result;
}

/** Generates each project shape, measures it, prints and returns the ratios (the package shape's under `package`). */
export async function runProjectPassBench() {
  const roots = [];
  try {
    roots.push(generate());
    const result = measure(roots[0], `experiments sharing a library, ${EXPERIMENTS} experiments and ${LIBRARY} shared modules`);
    roots.push(generatePackage());
    result.package = measure(roots[1], `one package, ${PACKAGE_PROJECTS} entry scripts, ${PACKAGE_MODELS} models and one build_optimizer`);
    return result;
  } finally {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (mode === "--generate") {
    EXPERIMENTS = Number(process.argv[3] ?? EXPERIMENTS);
    LIBRARY = Number(process.argv[4] ?? LIBRARY);
    console.log(generate());
  } else if (mode === "--generate-package") console.log(generatePackage());
  else if (mode === "--parse") await parseChild(process.argv[3]);
  else if (mode === "--lint") await lintChild(process.argv[3], process.argv[4] === "with");
  else await runProjectPassBench();
}
