/**
 * Optimizer-core benchmark: Adam and SGD with momentum stepping one flat parameter of 10 million
 * elements (Float64Array, and Float32Array when the optimizer accepts it), side by side with PyTorch on
 * one CPU thread (bench/optim_torch.py under /usr/bin/python3) with the same settings and step counts.
 * Only the steps after the warm-up are timed, each on its own; the median step time is reported. Without torch the comparison is skipped, not failed.
 * Each of our (optimizer, dtype) runs happens in its own Node process, as in a training run that uses one
 * dtype: stepping Float64Array and Float32Array parameters in one process makes V8's loop code
 * polymorphic, which roughly halves float32 throughput.
 *
 * `npm run bench` builds and calls `runOptimBench()` through bench/run.js; `node bench/optim.js` runs
 * it alone (after `npm run build`).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_MODULE = join(HERE, "../dist/src/optim/index.js");
const TORCH_SCRIPT = join(HERE, "optim_torch.py");
const TORCH_PYTHON = "/usr/bin/python3";

/** The runs, with the settings both sides use (torch defaults; SGD with momentum 0.9). */
const CASES = [
  { optimizer: "Adam", options: { lr: 1e-3 } },
  { optimizer: "SGD", options: { lr: 1e-2, momentum: 0.9 } },
];
const DTYPES = [
  { name: "float64", Array: Float64Array },
  { name: "float32", Array: Float32Array },
];

/** Fills an array with deterministic values in [low, low + span) from a 32-bit xorshift generator. */
function fillPseudoRandom(array, seed, low, span) {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < array.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    array[i] = low + (x / 4294967296) * span;
  }
  return array;
}

/** Seconds per `step()` of one of our optimizers after `warmup` untimed steps; null when it refuses the dtype. */
function timeOurs(optim, { optimizer, options }, dtype, { numel, warmup, steps }) {
  const Optimizer = optim[optimizer];
  if (typeof Optimizer !== "function") throw new Error(`the optimizer module has no ${optimizer} export`);
  const param = fillPseudoRandom(new dtype.Array(numel), 1, 0, 1);
  const grads = [fillPseudoRandom(new dtype.Array(numel), 2, -1, 2)];
  let instance;
  try {
    instance = new Optimizer([param], options);
    instance.step(grads);
  } catch (error) {
    if (dtype.name === "float64") throw error;
    return { unsupported: String(error instanceof Error ? error.message : error) };
  }
  for (let i = 1; i < warmup; i++) instance.step(grads);
  const seconds = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    instance.step(grads);
    seconds.push((performance.now() - start) / 1000);
  }
  return { secondsPerStep: median(seconds), meanSecondsPerStep: seconds.reduce((a, b) => a + b, 0) / steps };
}

/** Runs `timeOurs` for one optimizer and dtype in a fresh Node process and returns its timing. */
function timeOursInChild(optimizer, dtypeName, settings, modulePath) {
  const args = [fileURLToPath(import.meta.url), "--one", optimizer, dtypeName, JSON.stringify(settings), modulePath];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`timing ${optimizer} ${dtypeName} failed: ${stderr || error.message}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

/** The middle value (mean of the two middle ones for an even count); robust to a step slowed by other load. */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * glibc settings for the torch process: keep freed blocks in the heap instead of unmapping them.
 * torch's single-tensor Adam allocates two parameter-sized temporaries per step (`sqrt(v)` and its
 * quotient); glibc serves blocks that large with mmap and returns them to the kernel on free, so every step
 * touches 2 x 80 MB of fresh pages. On this benchmark's virtual machine a fresh page costs about 14 us
 * (0.28 s per 80 MB), which made Adam run at 0.8 steps/s. A training process reuses its memory (PyTorch's
 * own caching, or a warm heap), so the fair figure keeps the heap; `OPTIM_BENCH_TORCH_RAW_MALLOC=1` measures
 * without this setting.
 */
const TORCH_MALLOC = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=17179869184";

/** Runs the torch side; resolves to its JSON report, or `{ available: false, reason }` when it cannot run. */
function runTorch({ numel, warmup, steps, python = TORCH_PYTHON, timeoutMs = 180_000 }) {
  if (!existsSync(python)) return Promise.resolve({ available: false, reason: `${python} not found` });
  const args = [TORCH_SCRIPT, "--numel", String(numel), "--warmup", String(warmup), "--steps", String(steps)];
  const env = process.env.OPTIM_BENCH_TORCH_RAW_MALLOC ? process.env : { ...process.env, GLIBC_TUNABLES: TORCH_MALLOC };
  return new Promise((resolve) => {
    execFile(python, args, { timeout: timeoutMs, maxBuffer: 1 << 20, env }, (error, stdout, stderr) => {
      if (error) {
        resolve({ available: false, reason: `torch benchmark failed: ${String(stderr || error.message).trim().split("\n").pop()}` });
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        resolve({ available: false, reason: `torch benchmark printed no JSON: ${stdout.slice(0, 200)}` });
      }
    });
  });
}

/** Steps per second, or null. */
function rate(seconds) {
  return typeof seconds === "number" && seconds > 0 ? 1 / seconds : null;
}

/** A fixed-width text table of the rows. */
function formatTable(result) {
  const header = ["optimizer", "dtype", "ours steps/s", "torch steps/s", "time ours/torch"];
  const fmt = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : "-");
  const lines = result.rows.map((row) => [
    row.optimizer,
    row.dtype,
    row.ours.stepsPerSecond === null ? `n/a` : fmt(row.ours.stepsPerSecond, 2),
    row.torch ? fmt(row.torch.stepsPerSecond, 2) : "-",
    row.timeRatio === null ? "-" : `${fmt(row.timeRatio, 2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const render = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...lines.map(render)].join("\n");
}

/**
 * Runs the benchmark and prints a table. Options: `numel` (default 1e7), `warmup` (2), `steps` (7), `rounds` (2),
 * `modulePath` (the built optimizer module), `python` (interpreter with torch), `torch` (false to skip it),
 * `print` (false to stay quiet). Resolves to `{ numel, warmup, steps, torch, rows }`; each row has our
 * and torch's median and mean seconds per step, steps per second (from the median) and `timeRatio` = our time per step / torch's.
 */
export async function runOptimBench(options = {}) {
  const settings = { numel: options.numel ?? 10_000_000, warmup: Math.max(1, options.warmup ?? 2), steps: options.steps ?? 7 };
  const print = options.print ?? true;
  const log = (text) => {
    if (print) console.log(text);
  };
  // Load once here so a missing build fails with a clear message before any child process starts.
  await import(pathToFileURL(options.modulePath ?? DEFAULT_MODULE).href).catch((error) => {
    throw new Error(`cannot load the optimizer core (run \`npm run build\` first): ${error.message}`);
  });

  log(`optimizer step throughput: ${settings.numel.toLocaleString("en-US")} parameters, ${settings.warmup} warm-up + ${settings.steps} timed steps, one thread`);
  // Rounds alternate between our runs and torch's so a change in machine load hits both sides; each
  // side keeps its fastest median over the rounds.
  const rounds = Math.max(1, options.rounds ?? 2);
  const ours = [];
  let torch = { available: false, reason: "disabled" };
  const torchBest = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const spec of CASES) {
      for (const dtype of DTYPES) {
        const timing = await timeOursInChild(spec.optimizer, dtype.name, settings, options.modulePath ?? DEFAULT_MODULE);
        const previous = ours.find((row) => row.optimizer === spec.optimizer && row.dtype === dtype.name);
        if (!previous) ours.push({ optimizer: spec.optimizer, dtype: dtype.name, timing });
        else if ((timing.secondsPerStep ?? Infinity) < (previous.timing.secondsPerStep ?? Infinity)) previous.timing = timing;
      }
    }
    if (options.torch === false || (round > 0 && !torch.available)) continue;
    torch = await runTorch({ ...settings, python: options.python });
    for (const row of torch.available ? torch.results : []) {
      const key = `${row.optimizer}/${row.dtype}`;
      if (!torchBest.has(key) || row.secondsPerStep < torchBest.get(key).secondsPerStep) torchBest.set(key, row);
    }
  }
  const torchRows = [...torchBest.values()];
  const rows = ours.map(({ optimizer, dtype, timing }) => {
    const match = torchRows.find((r) => r.optimizer === optimizer && r.dtype === dtype);
    const oursSeconds = timing.secondsPerStep ?? null;
    return {
      optimizer,
      dtype,
      ours: {
        secondsPerStep: oursSeconds,
        meanSecondsPerStep: timing.meanSecondsPerStep ?? null,
        stepsPerSecond: rate(oursSeconds),
        ...(timing.unsupported ? { unsupported: timing.unsupported } : {}),
      },
      torch: match
        ? { secondsPerStep: match.secondsPerStep, meanSecondsPerStep: match.meanSecondsPerStep, stepsPerSecond: match.stepsPerSecond }
        : null,
      timeRatio: match && oursSeconds !== null ? oursSeconds / match.secondsPerStep : null,
    };
  });
  const result = {
    ...settings,
    rounds,
    torch: torch.available
      ? { available: true, version: torch.version, threads: torch.threads, foreach: torch.foreach, heapKept: !process.env.OPTIM_BENCH_TORCH_RAW_MALLOC }
      : { available: false, reason: torch.reason },
    rows,
  };

  log(formatTable(result));
  if (!torch.available) log(`PyTorch comparison skipped: ${torch.reason}`);
  else {
    const foreach = torch.foreach === false ? "single-tensor path (torch's default foreach=None resolves to False on CPU)" : `foreach=${torch.foreach}`;
    const heap = result.torch.heapKept ? "freed memory kept in the heap" : "glibc default allocation";
    log(`PyTorch ${torch.version} on ${torch.threads} thread(s), ${foreach}, ${heap}; best of ${rounds} rounds; time ours/torch > 1 means ours is slower`);
  }
  for (const row of rows) if (row.ours.unsupported) log(`${row.optimizer} ${row.dtype} not supported by ours: ${row.ours.unsupported}`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === "--one") {
  const [, , , optimizer, dtypeName, settingsJson, modulePath] = process.argv;
  const optim = await import(pathToFileURL(modulePath).href);
  const spec = CASES.find((c) => c.optimizer === optimizer);
  const dtype = DTYPES.find((d) => d.name === dtypeName);
  process.stdout.write(JSON.stringify(timeOurs(optim, spec, dtype, JSON.parse(settingsJson))));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runOptimBench().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
