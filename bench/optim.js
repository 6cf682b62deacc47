/**
 * Optimizer-core benchmark: Adam, and SGD plain, with momentum, Nesterov momentum, and momentum with
 * weight decay, stepping one flat parameter of 10 million elements (Float64Array; Float32Array, ordinary and
 * allocated in the float32 kernels' memory with `allocFloat32`),
 * side by side with PyTorch (bench/optim_torch.py under /usr/bin/python3) with the same options, the
 * same parameter count and the same warm-up and timed step counts. Ours runs on one thread; torch runs
 * with its default number of intra-op threads, which the bench reports (1 on the 2-core build VM).
 * Only the steps after the warm-up are timed, each on its own, by the process's CPU time and by the wall
 * clock; each side's figure is the median step. Each round runs ours and torch for one case and dtype,
 * back to back (torch first every other round), and the ratio is taken per round, so a change in machine load hits both
 * sides of a ratio; the table shows the median over the rounds. The ratio is on CPU time: on a shared
 * machine the wall clock also counts the time a process waits for a core (the wall ratio is printed
 * beside it). Without torch the comparison is skipped, not failed.
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
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEFAULT_MODULE = join(HERE, "../dist/src/optim/index.js");
const TORCH_SCRIPT = join(HERE, "optim_torch.py");
const TORCH_PYTHON = "/usr/bin/python3";

/**
 * The runs: each label names one optimizer and the options both sides are built with (the same object is
 * passed to torch's constructor as keyword arguments, everything else at torch's defaults).
 */
const CASES = [
  { label: "Adam", optimizer: "Adam", options: { lr: 1e-3 } },
  { label: "SGD", optimizer: "SGD", options: { lr: 1e-2 } },
  { label: "SGD momentum", optimizer: "SGD", options: { lr: 1e-2, momentum: 0.9 } },
  { label: "SGD Nesterov", optimizer: "SGD", options: { lr: 1e-2, momentum: 0.9, nesterov: true } },
  { label: "SGD momentum + decay", optimizer: "SGD", options: { lr: 1e-2, momentum: 0.9, weight_decay: 1e-4 } },
];
/**
 * `float32` steps ordinary Float32Arrays, which the kernels copy through their scratch memory at every step;
 * `float32-wasm` allocates the parameter and its gradient with `allocFloat32`, in the kernels' WebAssembly
 * memory, where they are updated in place, as torch's kernels update tensors in torch's own memory. torch runs
 * float32 for both.
 */
const DTYPES = [
  { name: "float64", Array: Float64Array, torch: "float64" },
  { name: "float32", Array: Float32Array, torch: "float32" },
  { name: "float32-wasm", Array: Float32Array, torch: "float32", resident: true },
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
  const array = () => (dtype.resident ? optim.allocFloat32(numel) : new dtype.Array(numel));
  const param = fillPseudoRandom(array(), 1, 0, 1);
  const grads = [fillPseudoRandom(array(), 2, -1, 2)];
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
  const cpu = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    const startCpu = process.cpuUsage();
    instance.step(grads);
    const used = process.cpuUsage(startCpu);
    cpu.push((used.user + used.system) / 1e6);
    seconds.push((performance.now() - start) / 1000);
  }
  return { secondsPerStep: median(seconds), meanSecondsPerStep: seconds.reduce((a, b) => a + b, 0) / steps, cpuSecondsPerStep: median(cpu) };
}

/** Runs `timeOurs` for one optimizer and dtype in a fresh Node process and returns its timing. */
function timeOursInChild(label, dtypeName, settings, modulePath) {
  const args = [fileURLToPath(import.meta.url), "--one", label, dtypeName, JSON.stringify(settings), modulePath];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`timing ${label} ${dtypeName} failed: ${stderr || error.message}`));
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
function runTorch({ numel, warmup, steps, optimizer, options, dtype, python = TORCH_PYTHON, timeoutMs = 180_000 }) {
  if (!existsSync(python)) return Promise.resolve({ available: false, reason: `${python} not found` });
  const args = [TORCH_SCRIPT, "--numel", String(numel), "--warmup", String(warmup), "--steps", String(steps), "--optimizer", optimizer, "--options", JSON.stringify(options), "--dtype", dtype];
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
  const header = ["optimizer", "dtype", "ours steps/s", "torch steps/s", "time ours/torch", "wall ours/torch"];
  const fmt = (value, digits) => (typeof value === "number" ? value.toFixed(digits) : "-");
  const lines = result.rows.map((row) => [
    row.label,
    row.dtype,
    row.ours.stepsPerSecond === null ? `n/a` : fmt(row.ours.stepsPerSecond, 2),
    row.torch ? fmt(row.torch.stepsPerSecond, 2) : "-",
    row.timeRatio === null ? "-" : `${fmt(row.timeRatio, 2)}x`,
    row.wallRatio === null ? "-" : `${fmt(row.wallRatio, 2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const render = (cells) => cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [render(header), render(widths.map((w) => "-".repeat(w))), ...lines.map(render)].join("\n");
}

/** The median of the numbers among `values`, or null when there are none. */
function medianOrNull(values) {
  const numbers = values.filter((value) => typeof value === "number" && Number.isFinite(value));
  return numbers.length ? median(numbers) : null;
}

/**
 * Runs the benchmark and prints a table. Options: `numel` (default 1e7), `warmup` (2), `steps` (7), `rounds` (3),
 * `cases` (labels of CASES to run; all by default), `dtypes` (`["float64", "float32", "float32-wasm"]` by default),
 * `modulePath` (the built optimizer module), `python` (interpreter with torch), `torch` (false to skip it),
 * `print` (false to stay quiet). Resolves to `{ numel, warmup, steps, rounds, loadAverage, torch, rows }`; each row has its `label`, our and
 * torch's CPU seconds per step (`cpuSecondsPerStep`, median over rounds of each round's median step), wall
 * seconds per step, steps per second (from CPU time), `timeRatio` (median over rounds of our CPU time per step /
 * torch's) and `wallRatio` (the same on wall time).
 */
export async function runOptimBench(options = {}) {
  const settings = { numel: options.numel ?? 10_000_000, warmup: Math.max(1, options.warmup ?? 2), steps: options.steps ?? 7 };
  const print = options.print ?? true;
  const log = (text) => {
    if (print) console.log(text);
  };
  const modulePath = options.modulePath ?? DEFAULT_MODULE;
  // Load once here so a missing build fails with a clear message before any child process starts.
  await import(pathToFileURL(modulePath).href).catch((error) => {
    throw new Error(`cannot load the optimizer core (run \`npm run build\` first): ${error.message}`);
  });

  const rounds = Math.max(1, options.rounds ?? 3);
  const cases = options.cases ? CASES.filter((spec) => options.cases.includes(spec.label)) : CASES;
  const dtypes = options.dtypes ? DTYPES.filter((dtype) => options.dtypes.includes(dtype.name)) : DTYPES;
  const loadBefore = loadavg()[0];
  log(`optimizer step throughput: ${settings.numel.toLocaleString("en-US")} parameters, ${settings.warmup} warm-up + ${settings.steps} timed steps, ours on one thread, ${rounds} rounds; load average ${loadBefore.toFixed(1)} on ${availableParallelism()} cores`);
  let torch = options.torch === false ? { available: false, reason: "disabled" } : null;
  const rows = [];
  for (const spec of cases) {
    for (const dtype of dtypes) {
      const ours = [];
      const theirs = [];
      for (let round = 0; round < rounds; round++) {
        // Ours and torch back to back, the order swapped every round so neither always runs first.
        const timeTorch = async () => {
          if (torch && !torch.available) return;
          const report = await runTorch({ ...settings, optimizer: spec.optimizer, options: spec.options, dtype: dtype.torch, python: options.python });
          torch = report;
          if (report.available) theirs.push(report.results[0]);
        };
        if (round % 2 === 1) await timeTorch();
        ours.push(await timeOursInChild(spec.label, dtype.name, settings, modulePath));
        if (round % 2 === 0) await timeTorch();
      }
      const unsupported = ours.find((timing) => timing.unsupported)?.unsupported;
      const oursCpu = unsupported ? null : medianOrNull(ours.map((t) => t.cpuSecondsPerStep));
      const paired = theirs.length === ours.length && !unsupported;
      rows.push({
        label: spec.label,
        optimizer: spec.optimizer,
        options: spec.options,
        dtype: dtype.name,
        ours: {
          cpuSecondsPerStep: oursCpu,
          secondsPerStep: unsupported ? null : medianOrNull(ours.map((t) => t.secondsPerStep)),
          stepsPerSecond: rate(oursCpu),
          ...(unsupported ? { unsupported } : {}),
        },
        torch: theirs.length
          ? {
              cpuSecondsPerStep: medianOrNull(theirs.map((t) => t.cpuSecondsPerStep)),
              secondsPerStep: medianOrNull(theirs.map((t) => t.secondsPerStep)),
              stepsPerSecond: rate(medianOrNull(theirs.map((t) => t.cpuSecondsPerStep))),
              subnormals: Math.max(...theirs.map((t) => t.subnormals ?? 0)),
            }
          : null,
        timeRatio: paired ? medianOrNull(ours.map((t, i) => t.cpuSecondsPerStep / theirs[i].cpuSecondsPerStep)) : null,
        wallRatio: paired ? medianOrNull(ours.map((t, i) => t.secondsPerStep / theirs[i].secondsPerStep)) : null,
        rounds: ours.map((t, i) => ({ ours: t, torch: theirs[i] ?? null })),
      });
    }
  }
  const result = {
    ...settings,
    rounds,
    loadAverage: [loadBefore, loadavg()[0]],
    torch: torch?.available
      ? {
          available: true,
          version: torch.version,
          threads: torch.threads,
          interopThreads: torch.interopThreads,
          foreach: torch.foreach,
          heapKept: !process.env.OPTIM_BENCH_TORCH_RAW_MALLOC,
        }
      : { available: false, reason: torch?.reason ?? "disabled" },
    rows,
  };

  log(formatTable(result));
  if (!result.torch.available) log(`PyTorch comparison skipped: ${result.torch.reason}`);
  else {
    const foreach = torch.foreach === false ? "single-tensor path (torch's default foreach=None resolves to False on CPU)" : `foreach=${torch.foreach}`;
    const heap = result.torch.heapKept ? "freed memory kept in the heap (see below)" : "glibc default allocation";
    const subnormals = rows.reduce((sum, row) => sum + (row.torch?.subnormals ?? 0), 0);
    log(`PyTorch ${torch.version}: its default of ${torch.threads} intra-op thread(s) (not set by the bench; the machine has ${availableParallelism()} cores), ${foreach}, ${heap}, ${subnormals} subnormal values in parameters and state after the runs.`);
    log(`Load average ${result.loadAverage[0].toFixed(1)} before the runs, ${result.loadAverage[1].toFixed(1)} after.`);
    log(`Steps/s from CPU time; time ours/torch is the median over rounds of each round's CPU-time ratio (> 1: ours is slower), wall the same on wall-clock time.`);
    if (result.torch.heapKept) {
      log(`torch's Adam allocates two parameter-sized temporaries per step; glibc maps blocks that large fresh each time and unmaps them on free, and on this`);
      log(`kind of virtual machine a freshly touched page costs tens of microseconds (Adam float64 at under 1 step/s). GLIBC_TUNABLES keeps freed blocks`);
      log(`in the heap, as a long training process does; OPTIM_BENCH_TORCH_RAW_MALLOC=1 measures torch without it.`);
    }
  }
  for (const row of rows) if (row.ours.unsupported) log(`${row.label} ${row.dtype} not supported by ours: ${row.ours.unsupported}`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1] && process.argv[2] === "--one") {
  const [, , , label, dtypeName, settingsJson, modulePath] = process.argv;
  const optim = await import(pathToFileURL(modulePath).href);
  const spec = CASES.find((c) => c.label === label);
  const dtype = DTYPES.find((d) => d.name === dtypeName);
  process.stdout.write(JSON.stringify(timeOurs(optim, spec, dtype, JSON.parse(settingsJson))));
} else if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // `--cases "SGD,SGD momentum"`, `--dtypes float32,float32-wasm`, `--rounds 5` narrow or lengthen a run.
  const flag = (name) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  runOptimBench({ cases: flag("--cases")?.split(","), dtypes: flag("--dtypes")?.split(","), rounds: flag("--rounds") ? Number(flag("--rounds")) : undefined }).catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
