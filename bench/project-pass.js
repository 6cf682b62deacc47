/**
 * Project pass benchmark: a generated multi-file training project (shared optimizer factories called from many
 * entry scripts, models whose methods build optimizers, config modules, helpers that import each other in cycles)
 * linted as one project, against a parse-only floor in the same run. Figures, each the fastest of two child runs:
 *  - parse floor: a one-thread tree-sitter parse of every file (trees freed as the CLI frees them);
 *  - lint without the Python call join: every adapter and the config joiners;
 *  - lint with it (what `optim-lint <folder>` does).
 * Time and peak memory of each, as ratios to the floor. `node bench/project-pass.js` runs it alone (after `npm run build`).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
  const joiners = withCalls ? JOINERS : JOINERS.filter((j) => j.name !== "python-calls");
  const linter = new Linter({ adapters: ADAPTERS, joiners, knowledge });
  const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  const files = pythonFiles(dir);
  const memory = new NativeMemoryGuard();
  const host = {
    read: (p) => {
      try {
        return readFileSync(p, "utf8");
      } catch {
        return undefined;
      }
    },
    exists: (p) => {
      try {
        return statSync(p).isFile();
      } catch {
        return false;
      }
    },
  };
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

/** Generates the project, measures the three runs alternately, prints and returns the ratios. */
export async function runProjectPassBench() {
  const root = generate();
  try {
    const files = pythonFiles(root);
    console.log(`\n## Project pass: a generated project of ${files.length} Python files (${EXPERIMENTS} experiments, ${LIBRARY} shared modules)`);
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
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const mode = process.argv[2];
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (mode === "--generate") {
    EXPERIMENTS = Number(process.argv[3] ?? EXPERIMENTS);
    LIBRARY = Number(process.argv[4] ?? LIBRARY);
    console.log(generate());
  }
  else if (mode === "--parse") await parseChild(process.argv[3]);
  else if (mode === "--lint") await lintChild(process.argv[3], process.argv[4] === "with");
  else await runProjectPassBench();
}
