/**
 * Linting on worker threads. The files that pass the prefilter are cut into chunks (consecutive in walk order, so a
 * folder and its `_base_` files tend to stay together); each worker lints a chunk as a project of its own and says
 * which paths the run asked for beyond its files. A chunk that asked for a file given to the run but linted
 * elsewhere is linted again together with the chunks and files it reached, until no run reaches outside itself, so
 * every value that crosses files is joined as in one project. Results come back in input order, identical to a
 * one-thread run.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import { RULES } from "../../rules/index.js";
import type { LintInput } from "../core/linter.js";
import { prefilterFor } from "../core/prefilter.js";
import type { FileResult, RuleSetting } from "../core/results.js";
import type { ProjectHost, Severity } from "../core/types.js";
import { ADAPTERS, adapterFor, linter } from "../default-linter.js";
import { afterRead } from "./native-memory.js";
import { readSource } from "./read.js";

/**
 * Reads files the project pass needs beyond those given (an imported module, a `_base_` config). Whether a file
 * exists is answered from its folder's listing, read once per run: module lookup asks about many paths that do not
 * exist (each import in each folder it searches), and one listing costs less than their stats.
 */
export function diskHost(): ProjectHost {
  // Per folder, each entry's name and whether it is a plain file (false: a folder; undefined: a link, asked of stat).
  const listings = new Map<string, ReadonlyMap<string, boolean | undefined> | null>();
  const listing = (dir: string): ReadonlyMap<string, boolean | undefined> | null => {
    let known = listings.get(dir);
    if (known === undefined) {
      // A folder its parent's listing lacks is not read (module lookup asks about many such folders).
      const parent = path.dirname(dir);
      const up = parent === dir ? undefined : listing(parent);
      if (up === null || (up && up.get(path.basename(dir)) === true) || (up && !up.has(path.basename(dir)))) {
        listings.set(dir, null);
        return null;
      }
      try {
        known = new Map(readdirSync(dir, { withFileTypes: true }).map((e) => [e.name, e.isSymbolicLink() ? undefined : e.isFile()]));
      } catch {
        known = null;
      }
      listings.set(dir, known);
    }
    return known;
  };
  return {
    read(filePath) {
      const source = readSource(filePath);
      if (!("text" in source)) return undefined;
      afterRead(source.text.length);
      return source.text;
    },
    isFolder(filePath) {
      const entries = listing(path.dirname(filePath));
      if (!entries) return false;
      const isFile = entries.get(path.basename(filePath));
      if (isFile !== undefined || !entries.has(path.basename(filePath))) return isFile === false;
      // A link: asked of stat.
      try {
        return statSync(filePath).isDirectory();
      } catch {
        return false;
      }
    },
    exists(filePath) {
      const entries = listing(path.dirname(filePath));
      if (!entries) return false;
      const isFile = entries.get(path.basename(filePath));
      if (isFile !== undefined || !entries.has(path.basename(filePath))) return isFile ?? false;
      try {
        return statSync(filePath).isFile();
      } catch {
        return false;
      }
    },
  };
}

/** A rule setting as it crosses to a worker: the rule by its code. */
interface PortableSetting {
  code: string;
  severity: Severity;
  options: Record<string, unknown>;
}

/** One input as it crosses to a worker. */
export interface PortableInput {
  filePath: string;
  text: string;
  rules: PortableSetting[];
  hideTestCode?: boolean;
  unsafeFixes?: boolean;
}

/** What a worker is asked to lint: a project of its own. */
export interface WorkerJob {
  id: number;
  inputs: PortableInput[];
  fix: boolean;
  /** Every file of the whole run, so that a joiner looking for callers can reach the ones in other chunks (a lookup merges them). */
  runFiles: string[];
}

/** What a worker answers. */
export interface WorkerReply {
  id: number;
  results: FileResult[];
  /** Paths the run asked for beyond its files. */
  lookups: string[];
  dependencies: [string, string[]][];
  /** Files the linter failed on, with the error's stack. */
  crashes: { filePath: string; error: string }[];
}

const RULE_BY_CODE = new Map(RULES.map((rule) => [rule.meta.code, rule]));

/** The settings in portable form, or undefined when a rule is not one of the registry's (it cannot be sent). */
function portable(settings: readonly RuleSetting[]): PortableSetting[] | undefined {
  const out: PortableSetting[] = [];
  for (const s of settings) {
    if (RULE_BY_CODE.get(s.rule.meta.code) !== s.rule) return undefined;
    out.push({ code: s.rule.meta.code, severity: s.severity, options: s.options });
  }
  return out;
}

/** Inputs back from portable form (in a worker). */
export function restoreInputs(inputs: readonly PortableInput[]): LintInput[] {
  return inputs.map((input) => ({
    filePath: input.filePath,
    text: input.text,
    hideTestCode: input.hideTestCode,
    unsafeFixes: input.unsafeFixes,
    rules: input.rules.map((s) => ({ rule: RULE_BY_CODE.get(s.code)!, severity: s.severity, options: s.options })),
  }));
}

/** Lints one job in this thread, as a worker does. */
export async function lintJob(job: Omit<WorkerJob, "id">, between: (chars: number) => Promise<void>): Promise<Omit<WorkerReply, "id">> {
  const lookups = new Set<string>();
  const dependencies = new Map<string, string[]>();
  const crashes: WorkerReply["crashes"] = [];
  const results = await linter.lintProjectAsync(restoreInputs(job.inputs), {
    fix: job.fix,
    host: diskHost(),
    prefilter: true,
    runFiles: job.runFiles,
    lookups,
    dependencies,
    between,
    onInternalError: (filePath, error) => crashes.push({ filePath, error: String((error as Error)?.stack ?? error) }),
  });
  return { results, lookups: [...lookups], dependencies: [...dependencies], crashes };
}

/** The worker script beside this module (the CLI bundle's, or the compiled library's); undefined when there is none (sources run by a test runner). */
function workerScript(): URL | undefined {
  // Beside the CLI bundle's entry (this code may sit in a chunk one folder down), or beside the compiled module.
  for (const name of ["../lint-worker.mjs", "./lint-worker.mjs", "./lint-worker.js"]) {
    const url = new URL(name, import.meta.url);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/**
 * How many worker threads a run may use: `OPTIM_LINT_THREADS` when set (1 keeps one thread; more forces that many
 * workers whatever the run's size), else one. Workers are opt-in for now: each reads the whole run again for the
 * import graph and the callers index its chunks need, and frees parse trees by forced collections that take about a
 * third of its time, so on the 4,085-file corpus two workers cost more CPU than one thread and peak higher (the
 * chunks no longer reach each other there: one round, nothing linted again).
 */
export function threadPolicy(): { threads: number; forced: boolean } {
  const asked = Number.parseInt(process.env.OPTIM_LINT_THREADS ?? "", 10);
  if (Number.isFinite(asked) && asked >= 1) return { threads: Math.min(asked, 16), forced: true };
  return { threads: 1, forced: false };
}

/** Below this much text passing the prefilter, starting workers costs more than it wins. */
const MIN_PARALLEL_CHARS = 1_500_000;
/** Chunks per worker: enough to balance the load, few enough that each project stays large. */
const CHUNKS_PER_WORKER = 6;
/** A chunk holds at most this much text, which bounds each worker's memory. */
const MAX_CHUNK_CHARS = 300_000;

/** Young-generation size of each worker's heap, in MB. */
const YOUNG_GENERATION_MB = 8;

/** Worker threads started as soon as a run looks large, so their start overlaps reading the files. */
export class LintPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: WorkerJob; resolve(reply: WorkerReply): void; reject(error: unknown): void }[] = [];
  private readonly pending = new Map<Worker, { resolve(reply: WorkerReply): void; reject(error: unknown): void }>();
  private nextId = 0;

  private constructor(script: URL, size: number, threads: typeof import("node:worker_threads")) {
    const { Worker } = threads;
    for (let i = 0; i < size; i++) {
      // A small young generation: V8 would otherwise grow it per thread to tens of MB that the peak pays for.
      const worker = new Worker(script, { workerData: { optimLintWorker: true }, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      worker.on("message", (reply: WorkerReply) => this.settle(worker, (p) => p.resolve(reply)));
      worker.on("error", (error) => this.settle(worker, (p) => p.reject(error), true));
      worker.on("exit", (code) => this.settle(worker, (p) => p.reject(new Error(`lint worker exited with code ${code}`)), true));
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** A pool of `size` workers, or undefined when no worker script is available (the module is loaded only for large runs). */
  static async start(size: number): Promise<LintPool | undefined> {
    const script = workerScript();
    return script && size > 1 ? new LintPool(script, size, await import("node:worker_threads")) : undefined;
  }

  get size(): number {
    return this.workers.length;
  }

  run(job: Omit<WorkerJob, "id">): Promise<WorkerReply> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job: { ...job, id: this.nextId++ }, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const { job, resolve, reject } = this.waiting.shift()!;
      this.pending.set(worker, { resolve, reject });
      worker.postMessage(job);
    }
  }

  private settle(worker: Worker, how: (p: { resolve(reply: WorkerReply): void; reject(error: unknown): void }) => void, dead = false): void {
    const p = this.pending.get(worker);
    this.pending.delete(worker);
    if (dead) {
      const at = this.workers.indexOf(worker);
      if (at >= 0) this.workers.splice(at, 1);
      const idleAt = this.idle.indexOf(worker);
      if (idleAt >= 0) this.idle.splice(idleAt, 1);
      // With no worker left, what waits is failed so that the caller lints it in this thread.
      if (this.workers.length === 0) for (const w of this.waiting.splice(0)) w.reject(new Error("no lint worker left"));
    } else {
      this.idle.push(worker);
    }
    if (p) how(p);
    this.dispatch();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/** What a parallel run gives back: results in input order, and each file's dependencies. */
export interface ParallelRun {
  results: FileResult[];
  dependencies: Map<string, string[]>;
}

/** Whether an input's text may hold a finding of its rules (the linter's prefilter, asked before linting). */
export function passesPrefilter(input: LintInput): boolean {
  const test = prefilterFor(adapterFor(input.filePath) ?? ADAPTERS.find((a) => a.name === "python")!, input.rules);
  return !test || test(input.text);
}

/**
 * Lints inputs as one project spread over the pool, or returns undefined when this run is better done in one thread
 * (rules that cannot be sent). `unread` inputs were found by the caller not to pass the prefilter, and their text
 * was dropped: it is read again with `reread` when a run needs one; with such inputs a run too small for workers
 * is linted here, in one project of every passing file.
 */
export async function lintInParallel(
  inputs: readonly LintInput[],
  options: {
    fix: boolean;
    pool: LintPool;
    forced: boolean;
    unread: ReadonlySet<LintInput>;
    reread(filePath: string): string;
    onCrash(filePath: string, error: string): void;
    between(chars: number): Promise<void>;
  },
): Promise<ParallelRun | undefined> {
  const sendable = inputs.map((input) => portable(input.rules));
  const hasUnread = inputs.some((input) => options.unread.has(input));
  const restoreTexts = () => {
    for (const input of inputs) if (options.unread.has(input)) input.text = options.reread(input.filePath);
  };
  if (sendable.some((s) => s === undefined)) {
    restoreTexts();
    return undefined;
  }
  const passes = inputs.map((input) => !options.unread.has(input) && passesPrefilter(input));
  const passingChars = inputs.reduce((n, input, i) => n + (passes[i] ? input.text.length : 0), 0);
  const worthIt = options.forced || passingChars >= MIN_PARALLEL_CHARS;
  if (!worthIt && !hasUnread) return undefined;

  // Units: chunks of passing files, and each skipped file on its own (it joins a run only when one reaches it).
  const units: number[][] = [];
  const chunkChars = worthIt ? Math.min(MAX_CHUNK_CHARS, Math.max(1, Math.ceil(passingChars / (options.pool.size * CHUNKS_PER_WORKER)))) : Infinity;
  // `OPTIM_LINT_CHUNK_FILES` caps the files per chunk: tests set 1 so that every file that reaches another is merged.
  const chunkFiles = Number.parseInt(process.env.OPTIM_LINT_CHUNK_FILES ?? "", 10) || Infinity;
  let chunk: number[] = [];
  let size = 0;
  inputs.forEach((input, i) => {
    if (!passes[i]) return;
    chunk.push(i);
    size += input.text.length;
    if (size >= chunkChars || chunk.length >= chunkFiles) {
      units.push(chunk);
      chunk = [];
      size = 0;
    }
  });
  if (chunk.length > 0) units.push(chunk);
  const skipped: number[] = [];
  inputs.forEach((_, i) => {
    if (!passes[i]) skipped.push(i);
  });

  const unitOf = new Map<string, number>();
  const keyOf = (p: string) => path.normalize(p);
  units.forEach((unit, u) => unit.forEach((i) => unitOf.set(keyOf(inputs[i].filePath), u)));
  skipped.forEach((i, k) => unitOf.set(keyOf(inputs[i].filePath), units.length + k));
  const allUnits: number[][] = [...units, ...skipped.map((i) => [i])];

  const runFiles = inputs.map((input) => input.filePath);
  const job = (members: number[]) => ({
    fix: options.fix,
    runFiles,
    inputs: members.map((i) => {
      const input = inputs[i] as LintInput;
      // A skipped file that a run reaches is read again: it joins that run with its text.
      if (options.unread.has(input) && input.text === "") input.text = options.reread(input.filePath);
      return { filePath: input.filePath, text: input.text, hideTestCode: input.hideTestCode, unsafeFixes: input.unsafeFixes, rules: sendable[i]! };
    }),
  });
  const runJob = async (members: number[]): Promise<Omit<WorkerReply, "id">> => {
    if (!worthIt) return lintJob(job(members), options.between);
    try {
      return await options.pool.run(job(members));
    } catch {
      // A worker that died takes nothing with it: the job is linted here.
      return lintJob(job(members), options.between);
    }
  };

  const results: FileResult[] = new Array(inputs.length);
  const dependencies = new Map<string, string[]>();
  // Crashes are reported once, from the run whose results are kept.
  const crashes = new Map<number, string[]>();
  const indexOf = new Map(inputs.map((input, i) => [input.filePath, i]));
  const accept = (members: number[], reply: Omit<WorkerReply, "id">) => {
    members.forEach((i, k) => {
      results[i] = reply.results[k];
      crashes.delete(i);
    });
    for (const [file, deps] of reply.dependencies) dependencies.set(file, deps);
    for (const crash of reply.crashes) {
      const i = indexOf.get(crash.filePath);
      if (i !== undefined) crashes.set(i, [...(crashes.get(i) ?? []), crash.error]);
    }
  };

  // Skipped files are linted together here: none is analyzed, so this costs no parse (nor the text they no longer have).
  if (skipped.length > 0) accept(skipped, await lintJob({ fix: options.fix, runFiles: [], inputs: skipped.map((i) => ({ ...inputs[i], text: passes[i] ? inputs[i].text : "", rules: sendable[i]! })) }, async () => {}));

  // Each group of units is linted as one project; groups that reached other units are merged with them and run again.
  let groups = units.map((_, u) => [u]);
  let rounds = 0;
  let merged = 0;
  while (groups.length > 0) {
    rounds++;
    if (rounds > 1) merged += groups.length;
    const members = groups.map((g) => g.flatMap((u) => allUnits[u]).sort((a, b) => a - b));
    const replies = await Promise.all(members.map((m) => runJob(m)));
    const parent = allUnits.map((_, u) => u);
    const find = (u: number): number => (parent[u] === u ? u : (parent[u] = find(parent[u])));
    const union = (a: number, b: number) => (parent[find(a)] = find(b));
    const grown: number[] = [];
    groups.forEach((g, k) => {
      accept(members[k], replies[k]);
      for (const u of g) union(u, g[0]);
      const reached = replies[k].lookups.map((p) => unitOf.get(keyOf(p))).filter((u): u is number => u !== undefined && !g.includes(u));
      for (const u of reached) union(u, g[0]);
      if (reached.length > 0) grown.push(g[0]);
    });
    // The next round: the components that hold a group which reached outside itself.
    const roots = new Set(grown.map(find));
    const next = new Map<number, number[]>();
    allUnits.forEach((_, u) => {
      const root = find(u);
      if (roots.has(root)) next.set(root, [...(next.get(root) ?? []), u]);
    });
    groups = [...next.values()];
  }
  for (const [i, errors] of [...crashes].sort((a, b) => a[0] - b[0])) for (const error of errors) options.onCrash(inputs[i].filePath, error);
  if (process.env.OPTIM_LINT_TRACE_THREADS) {
    process.stderr.write(`optim-lint: ${inputs.length} files, ${units.length} chunks on ${worthIt ? options.pool.size : 0} worker threads, ${rounds} rounds, ${merged} runs again with the files they reached\n`);
  }
  return { results, dependencies };
}
