/**
 * Lint benchmark, every figure a ratio against its floor taken in the same run:
 *  - corpus: the CLI on every .py file (with --no-ignore: bench/corpus is git-ignored) ÷ a one-thread tree-sitter parse of the same files that frees its
 *    trees (both as whole processes: start, read, parse), plus the CLI's peak memory; the same on two worker threads
 *    (OPTIM_LINT_THREADS=2, what a run this large does by default on four cores or more), against the floor and the
 *    one-thread run, with its peak (worker threads share the process);
 *  - pre-commit: the CLI on nanoGPT's files, as a hook passes them (one process, cold), ÷ `node -e 0`, the lint
 *    command's start alone (the CLI on an empty .py file, which fails the prefilter: the bundle and its code cache
 *    load, nothing is parsed) ÷ `node -e 0`, and `optim-lint --version` ÷ `node -e 0`: medians of runs of the four
 *    interleaved; where NODE_EXTRA_CA_CERTS is set, the hook and `node -e 0` again without it (Node reads those
 *    certificates at every start, which makes every start slower and every ratio to `node -e 0` smaller);
 *  - one big file (timm's eva.py): lintText ÷ parser.parse on the same text, in one process.
 * The corpus is bench/corpus/ (scripts/fetch-bench-corpus.sh) when present, the Python standard library
 * otherwise; the report says which. `node bench/lint.js` runs it alone (after `npm run build`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const CORPUS = join(HERE, "corpus");
const BIN = join(ROOT, "bin/optim-lint.cjs");

/** The standard library folder of Debian's python3 (falls back to the python3 on PATH). */
export function stdlibDir() {
  for (const python of ["/usr/bin/python3", "python3"]) {
    try {
      return execFileSync(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: "utf8" }).trim();
    } catch {
      // try the next interpreter
    }
  }
  throw new Error("no python3 found to locate the standard library");
}

/** Every .py file below a folder (site-packages and dist-packages excluded), sorted. */
export function pythonFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "site-packages" && entry.name !== "dist-packages") walk(path);
      } else if (entry.isFile() && entry.name.endsWith(".py")) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** What the bench runs on: the fetched corpus when present, else the standard library. */
export function benchInputs() {
  const nanoGPT = join(CORPUS, "nanoGPT");
  const eva = join(CORPUS, "timm/timm/models/eva.py");
  if (existsSync(nanoGPT) && existsSync(eva)) {
    return { source: "corpus", dir: CORPUS, hookFiles: pythonFiles(nanoGPT), hookName: "bench/corpus/nanoGPT", bigFile: eva };
  }
  const dir = stdlibDir();
  const files = pythonFiles(dir);
  // Stand-ins: the first 15 files of one package for the hook, the largest module for the big file.
  const hookFiles = pythonFiles(join(dir, "json")).concat(pythonFiles(join(dir, "email"))).slice(0, 15);
  const bigFile = files.reduce((a, b) => (readFileSync(b).length > readFileSync(a).length ? b : a));
  return { source: "stdlib", dir, hookFiles, hookName: `the standard library's json and email packages`, bigFile };
}

/** Wall seconds of a command, the fastest of `runs` (load from other processes only ever adds time). */
function bestWall(command, args, runs, options = {}) {
  let best = Infinity;
  let last;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    last = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 28, ...options });
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
    if (last.status !== 0 && last.status !== 1) throw new Error(`${command} ${args.join(" ")} failed (${last.status}): ${last.stderr}`);
  }
  return { seconds: best, result: last };
}

/** Child: the parse-everything floor, one thread, trees freed as the CLI frees them. Prints peak RSS. */
async function parseFloor(dir) {
  const Parser = require("tree-sitter");
  const Python = require("tree-sitter-python");
  const { NativeMemoryGuard } = await import("../dist/src/cli/native-memory.js");
  const parser = new Parser();
  parser.setLanguage(Python);
  const memory = new NativeMemoryGuard();
  for (const file of pythonFiles(dir)) {
    const text = readFileSync(file, "utf8");
    try {
      parser.parse(text);
    } catch {
      // a file tree-sitter refuses costs what it cost
    }
    await memory.afterFile(text.length);
  }
  process.stdout.write(JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** Child: the CLI as bin/optim-lint.cjs runs it, reporting findings and peak RSS on stderr's last line. */
async function cliChild(args) {
  const { main } = require("../dist/cli/optim-lint.cjs");
  const chunks = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk) => (chunks.push(String(chunk)), true);
  const code = await main(args);
  process.stdout.write = write;
  const results = JSON.parse(chunks.join("") || "[]");
  const findings = results.reduce((n, r) => n + r.messages.filter((m) => m.ruleId).length, 0);
  process.stdout.write(JSON.stringify({ code, files: results.length, findings, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** Child: lintText vs parse on one file, repeated; prints both mean times. */
async function bigFile(file) {
  const text = readFileSync(file, "utf8");
  const Parser = require("tree-sitter");
  const parser = new Parser();
  parser.setLanguage(require("tree-sitter-python"));
  const { lintText } = await import("../dist/src/default-linter.js");
  const { RULES } = await import("../dist/rules/index.js");
  const rules = RULES.map((rule) => ({ rule, severity: rule.meta.defaultSeverity, options: {} }));
  // Alternate the two, and free the dropped trees between runs (collection, then a turn of the event
  // loop for tree-sitter's finalizers) so neither side pays for the other's memory.
  const best = { parse: Infinity, lint: Infinity };
  const work = { parse: () => parser.parse(text), lint: () => lintText(text, { filePath: file, rules }) };
  for (let i = 0; i < 18; i++) {
    for (const side of ["parse", "lint"]) {
      globalThis.gc?.();
      await new Promise((resolve) => setImmediate(resolve));
      const start = process.hrtime.bigint();
      work[side]();
      if (i >= 3) best[side] = Math.min(best[side], Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  const { parse, lint } = best;
  process.stdout.write(JSON.stringify({ lines: text.split("\n").length, parseSeconds: parse, lintSeconds: lint }));
}

const ratio = (a, b) => Number((a / b).toFixed(2));

/** Runs of each start-up measurement (node, pre-commit, lint start, --version). */
const START_RUNS = 15;

/** The middle value (the mean of the two middle ones for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs every measurement in child processes and prints the ratios. */
export async function runLintBench() {
  const inputs = benchInputs();
  const self = fileURLToPath(import.meta.url);
  const files = pythonFiles(inputs.dir);
  const megabytes = files.reduce((n, f) => n + readFileSync(f).length, 0) / 1e6;
  console.log(`\n## Lint: ${inputs.source === "corpus" ? `bench/corpus (${readdirSync(CORPUS).join(", ")})` : `Python standard library at ${inputs.dir} (no bench/corpus: see scripts/fetch-bench-corpus.sh)`}`);

  // Corpus and floor, alternating, fastest of two each.
  // The CLI on one thread and on two worker threads (OPTIM_LINT_THREADS), in the same rounds as the floor.
  let floor = { seconds: Infinity };
  let cli = { seconds: Infinity };
  let workers = { seconds: Infinity };
  const cliArgs = [self, "--cli", "--format", "json", "--exit-zero", "--no-ignore", inputs.dir];
  for (let round = 0; round < 2; round++) {
    const f = bestWall(process.execPath, [self, "--floor", inputs.dir], 1);
    if (f.seconds < floor.seconds) floor = f;
    const c = bestWall(process.execPath, cliArgs, 1, { env: { ...process.env, OPTIM_LINT_THREADS: "1" } });
    if (c.seconds < cli.seconds) cli = c;
    const w = bestWall(process.execPath, cliArgs, 1, { env: { ...process.env, OPTIM_LINT_THREADS: "2" } });
    if (w.seconds < workers.seconds) workers = w;
  }
  const workersReport = JSON.parse(workers.result.stdout);
  const cliReport = JSON.parse(cli.result.stdout);
  const floorReport = JSON.parse(floor.result.stdout);

  // Pre-commit, the lint command's start and --version against a bare node start: the four interleaved, so that load
  // from other processes falls on each alike, and the median of each (ratios of medians; the fastest runs are
  // reported beside them). The start is a lint of an empty file: what every hook pays before its files' work.
  const emptyDir = mkdtempSync(join(tmpdir(), "optim-lint-bench-"));
  writeFileSync(join(emptyDir, "empty.py"), "");
  const starts = { bare: [], hook: [], start: [], version: [], plainBare: [], plainHook: [] };
  // NODE_EXTRA_CA_CERTS makes every Node start read and parse those certificates (on this CI machine about 60 ms and
  // 410M instructions, more than the rest of a bare start), which flatters every ratio to `node -e 0`. Where it is
  // set, the hook and the bare start are also run without it, interleaved with the others.
  const plainEnv = process.env.NODE_EXTRA_CA_CERTS ? Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "NODE_EXTRA_CA_CERTS")) : undefined;
  for (let i = 0; i < START_RUNS; i++) {
    starts.bare.push(bestWall(process.execPath, ["-e", "0"], 1).seconds);
    starts.hook.push(bestWall(process.execPath, [BIN, ...inputs.hookFiles], 1, { cwd: dirname(inputs.hookFiles[0]) }).seconds);
    if (plainEnv) {
      starts.plainBare.push(bestWall(process.execPath, ["-e", "0"], 1, { env: plainEnv }).seconds);
      starts.plainHook.push(bestWall(process.execPath, [BIN, ...inputs.hookFiles], 1, { cwd: dirname(inputs.hookFiles[0]), env: plainEnv }).seconds);
    }
    starts.start.push(bestWall(process.execPath, [BIN, "empty.py"], 1, { cwd: emptyDir }).seconds);
    starts.version.push(bestWall(process.execPath, [BIN, "--version"], 1).seconds);
  }
  rmSync(emptyDir, { recursive: true, force: true });
  const bare = median(starts.bare);
  const hook = median(starts.hook);
  const start = median(starts.start);
  const version = median(starts.version);

  const big = JSON.parse(bestWall(process.execPath, ["--expose-gc", self, "--big", inputs.bigFile], 1).result.stdout);

  const result = {
    source: inputs.source,
    files: files.length,
    megabytes: Number(megabytes.toFixed(1)),
    findings: cliReport.findings,
    corpusSeconds: Number(cli.seconds.toFixed(2)),
    floorSeconds: Number(floor.seconds.toFixed(2)),
    corpusToFloor: ratio(cli.seconds, floor.seconds),
    peakRssMb: Math.round(cliReport.maxRssMb),
    workersSeconds: Number(workers.seconds.toFixed(2)),
    workersToFloor: ratio(workers.seconds, floor.seconds),
    workersToOneThread: ratio(workers.seconds, cli.seconds),
    workersPeakRssMb: Math.round(workersReport.maxRssMb),
    workersSameFindings: workersReport.findings === cliReport.findings,
    floorPeakRssMb: Math.round(floorReport.maxRssMb),
    hookSource: inputs.hookName,
    hookFiles: inputs.hookFiles.length,
    startRuns: START_RUNS,
    hookMs: Math.round(hook * 1000),
    nodeMs: Math.round(bare * 1000),
    versionMs: Math.round(version * 1000),
    startMs: Math.round(start * 1000),
    hookToNode: ratio(hook, bare),
    startToNode: ratio(start, bare),
    versionToNode: ratio(version, bare),
    fastestHookToNode: ratio(Math.min(...starts.hook), Math.min(...starts.bare)),
    fastestVersionToNode: ratio(Math.min(...starts.version), Math.min(...starts.bare)),
    ...(plainEnv
      ? {
          plainNodeMs: Math.round(median(starts.plainBare) * 1000),
          plainHookMs: Math.round(median(starts.plainHook) * 1000),
          plainHookToNode: ratio(median(starts.plainHook), median(starts.plainBare)),
        }
      : {}),
    bigFile: relative(ROOT, inputs.bigFile),
    bigFileLines: big.lines,
    bigFileLintToParse: ratio(big.lintSeconds, big.parseSeconds),
  };
  console.log(
    [
      `corpus      ${result.files} files, ${result.megabytes} MB, one thread: ${result.corpusSeconds} s = ${result.corpusToFloor}x the one-thread parse floor (${result.floorSeconds} s); ${result.findings} findings`,
      `memory      peak ${result.peakRssMb} MB (the parse floor: ${result.floorPeakRssMb} MB)`,
      `workers     2 threads (OPTIM_LINT_THREADS=2; the default for this run on 4+ cores): ${result.workersSeconds} s = ${result.workersToFloor}x the floor, ${result.workersToOneThread}x one thread; peak ${result.workersPeakRssMb} MB (threads included); findings ${result.workersSameFindings ? "the same" : "DIFFERENT"}`,
      `pre-commit  ${result.hookFiles} files of ${result.hookSource}: ${result.hookMs} ms = ${result.hookToNode}x \`node -e 0\` (${result.nodeMs} ms); lint start (an empty file) ${result.startMs} ms = ${result.startToNode}x; --version ${result.versionMs} ms = ${result.versionToNode}x (medians of ${result.startRuns} interleaved runs; fastest runs: ${result.fastestHookToNode}x and ${result.fastestVersionToNode}x)`,
      ...(plainEnv ? [`            without NODE_EXTRA_CA_CERTS (set in this environment; Node reads those certificates at every start): ${result.plainHookMs} ms = ${result.plainHookToNode}x \`node -e 0\` (${result.plainNodeMs} ms)`] : []),
      `big file    ${result.bigFile} (${result.bigFileLines} lines): lint = ${result.bigFileLintToParse}x parse`,
    ].join("\n"),
  );
  return result;
}

const mode = process.argv[2];
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (mode === "--floor") await parseFloor(process.argv[3]);
  else if (mode === "--cli") await cliChild(process.argv.slice(3));
  else if (mode === "--big") await bigFile(process.argv[3]);
  else await runLintBench();
}
