/**
 * Linting on worker threads. The files that pass the prefilter are cut into chunks (consecutive in walk order, so a
 * folder and its `_base_` files tend to stay together); each worker lints a chunk as a project of its own and says
 * which paths the run asked for beyond its files. A chunk that asked for a file given to the run but linted
 * elsewhere is linted again together with the chunks and files it reached, until no run reaches outside itself, so
 * every value that crosses files is joined as in one project. Results come back in input order, identical to a
 * one-thread run. What every part needs to know of the whole run (which files call a name, the import graph) is
 * computed once here, from the texts this thread read, and sent to the workers (`RunNotes`).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MessagePort, Worker } from "node:worker_threads";
import { RULES } from "../../rules/index.js";
import type { LintInput } from "../core/linter.js";
import { prefilterFor } from "../core/prefilter.js";
import type { FileResult, RuleSetting } from "../core/results.js";
import type { ProjectHost, Severity } from "../core/types.js";
import { ADAPTERS, adapterFor, linter } from "../default-linter.js";
import { stripBom } from "../core/source-text.js";
import { calledNames, detachedRequests, type RunIndex } from "../python/calls.js";
import { ImportReach, ModuleFinder, type ImportGraph, type ImportRequest } from "../python/modules.js";
import { afterRead, collect } from "./native-memory.js";
import { listingOf, readSource, type Listing } from "./read.js";

/**
 * Reads files the project pass needs beyond those given (an imported module, a `_base_` config). Whether a file
 * exists is answered from its folder's listing, read once per run: module lookup asks about many paths that do not
 * exist (each import in each folder it searches), and one listing costs less than their stats.
 */
export function diskHost(listed?: ReadonlyMap<string, Listing>): ProjectHost {
  // Per folder, each entry's name and whether it is a plain file (false: a folder; undefined: a link, asked of stat).
  // `listed`: folders the walk has just listed, not read again.
  const listings = new Map<string, Listing | null>(listed);
  const listing = (dir: string): Listing | null => {
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
        known = listingOf(readdirSync(dir, { withFileTypes: true }));
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
  /** Undefined: the receiver reads the file itself (the sender did not keep its text). */
  text?: string;
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

/** The text of a file as the CLI reads it ("" when it cannot be read any more). */
export function readText(filePath: string): string {
  const source = readSource(filePath);
  return "text" in source ? source.text : "";
}

/** Inputs back from portable form (in a worker). */
export function restoreInputs(inputs: readonly PortableInput[]): LintInput[] {
  return inputs.map((input) => ({
    filePath: input.filePath,
    text: input.text ?? readText(input.filePath),
    hideTestCode: input.hideTestCode,
    unsafeFixes: input.unsafeFixes,
    rules: input.rules.map((s) => ({ rule: RULE_BY_CODE.get(s.code)!, severity: s.severity, options: s.options })),
  }));
}

/** Lints one job in this thread, as a worker does. */
export async function lintJob(job: Omit<WorkerJob, "id">, between: (chars: number) => Promise<void>, host: ProjectHost = diskHost()): Promise<Omit<WorkerReply, "id">> {
  const lookups = new Set<string>();
  const dependencies = new Map<string, string[]>();
  const crashes: WorkerReply["crashes"] = [];
  const results = await linter.lintProjectAsync(restoreInputs(job.inputs), {
    fix: job.fix,
    host,
    prefilter: true,
    runFiles: job.runFiles,
    lookups,
    dependencies,
    between,
    onInternalError: (filePath, error) => crashes.push({ filePath, error: String((error as Error)?.stack ?? error) }),
  });
  return { results, lookups: [...lookups], dependencies: [...dependencies], crashes };
}

/** Whether a path is a Python file the call-site joiner searches for callers. */
const PYTHON_FILE = /\.pyi?$/;

/** What the main thread keeps of each Python file it reads for a parallel run: the names it calls and its imports' lookups. */
interface TextNotes {
  names: string[];
  requests: ImportRequest[];
}

/** The notes of a text (the names interned in `names`, so that each is held once however many files call it). */
function notesOf(text: string, names: Map<string, string>): TextNotes {
  const called: string[] = [];
  for (const name of calledNames(text)) {
    let held = names.get(name);
    if (held === undefined) names.set(name, (held = name));
    called.push(held);
  }
  return { names: called, requests: detachedRequests(text) };
}

/**
 * The run index as it crosses to a worker (`RunIndex` in src/python/calls.ts): per called name, in `names` order, the
 * run's Python files that call it (indices into `files`, from `offsets[i]` to `offsets[i + 1]` of `callers`).
 */
export interface PortableRunIndex {
  kind: "run";
  key: string;
  files: string[];
  names: string[];
  offsets: Int32Array;
  callers: Int32Array;
}

/** The import graph as it crosses to a worker: paths once, and per map entry its key, its length and its values (indices into `paths`). */
interface PortableGraph {
  paths: string[];
  importers: Int32Array;
  folderUsers: Int32Array;
}

function portableGraph(graph: ImportGraph): PortableGraph {
  const ids = new Map<string, number>();
  const paths: string[] = [];
  const id = (p: string): number => {
    let known = ids.get(p);
    if (known === undefined) {
      ids.set(p, (known = paths.length));
      paths.push(p);
    }
    return known;
  };
  const flat = (map: Map<string, string[]>): Int32Array => {
    const out: number[] = [];
    for (const [key, values] of map) out.push(id(key), values.length, ...values.map(id));
    return Int32Array.from(out);
  };
  return { paths, importers: flat(graph.importers), folderUsers: flat(graph.folderUsers) };
}

function restoreGraph(graph: PortableGraph): ImportGraph {
  const map = (flat: Int32Array): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (let i = 0; i < flat.length; ) {
      const key = graph.paths[flat[i]];
      const n = flat[i + 1];
      out.set(key, Array.from(flat.subarray(i + 2, i + 2 + n), (k) => graph.paths[k]));
      i += 2 + n;
    }
    return out;
  };
  return { importers: map(graph.importers), folderUsers: map(graph.folderUsers) };
}

/** The run index of a worker, from what the main thread sent; the graph is awaited on `port` when a part first needs it. */
export function restoreRunIndex(index: PortableRunIndex, graphs: { port: MessagePort; signal: Int32Array; receive: typeof import("node:worker_threads").receiveMessageOnPort }): RunIndex {
  const at = new Map(index.names.map((name, i) => [name, i]));
  let graph: ImportGraph | undefined;
  let received = false;
  return {
    key: index.key,
    callers(name) {
      const i = at.get(name);
      return i === undefined ? [] : Array.from(index.callers.subarray(index.offsets[i], index.offsets[i + 1]), (k) => index.files[k]);
    },
    graph() {
      while (!received) {
        // The main thread posts the graph, then bumps the signal: wait for a bump after each empty look.
        const seen = Atomics.load(graphs.signal, 0);
        for (let m = graphs.receive(graphs.port); m; m = graphs.receive(graphs.port)) {
          const sent = m.message as { key: string; graph: PortableGraph | null };
          if (sent.key !== index.key) continue;
          received = true;
          graph = sent.graph ? restoreGraph(sent.graph) : undefined;
        }
        // A bound on each wait, so that a worker never sleeps past a bump it could miss.
        if (!received) Atomics.wait(graphs.signal, 0, seen, 1000);
      }
      return graph;
    },
  };
}

/**
 * What the main thread learns of the run's Python files while it reads them (their text in hand), so that no worker
 * reads them again: the names each calls and its imports' lookups (`notesOf`).
 */
export class RunNotes {
  private readonly notes = new Map<string, TextNotes>();
  private readonly names = new Map<string, string>();

  /** Forgets what was noted (a later run reads the files again). */
  clear(): void {
    this.notes.clear();
    this.names.clear();
  }

  note(filePath: string, text: string): void {
    if (PYTHON_FILE.test(filePath)) this.notes.set(path.normalize(filePath), notesOf(stripBom(text), this.names));
  }

  /** The notes of a run file, read again when it was not noted (or undefined when it cannot be read). */
  private notesFor(key: string, host: ProjectHost): TextNotes | undefined {
    const known = this.notes.get(key);
    if (known) return known;
    const text = host.read(key);
    return text === undefined ? undefined : notesOf(stripBom(text), this.names);
  }

  /** The index of a run's files, as the workers' parts would read it from their texts. */
  index(runFiles: readonly string[], host: ProjectHost): PortableRunIndex {
    const files = runFiles.filter((p) => PYTHON_FILE.test(p)).map((p) => path.normalize(p));
    const byName = new Map<string, number[]>();
    files.forEach((file, k) => {
      for (const name of this.notesFor(file, host)?.names ?? []) {
        const list = byName.get(name);
        if (list) list.push(k);
        else byName.set(name, [k]);
      }
    });
    const names = [...byName.keys()];
    const offsets = new Int32Array(names.length + 1);
    names.forEach((name, i) => (offsets[i + 1] = offsets[i] + byName.get(name)!.length));
    const callers = new Int32Array(offsets[names.length]);
    names.forEach((name, i) => callers.set(byName.get(name)!, offsets[i]));
    return { kind: "run", key: runFiles.join("\n"), files, names, offsets, callers };
  }

  /**
   * The import graph of a run's Python files as a worker's part would build it (`ImportReach` over the run with the
   * project's view of the disk), computed in turns that leave the event loop free to hand out chunks meanwhile.
   */
  async graph(runFiles: readonly string[], host: ProjectHost): Promise<ImportGraph> {
    const files = runFiles.filter((p) => PYTHON_FILE.test(p)).map((p) => path.normalize(p));
    const finder = new ModuleFinder({ exists: (p) => host.exists(p), isFolder: (p) => host.isFolder?.(p) });
    const reach = new ImportReach(finder, (p) => this.notesFor(p, host)?.requests, () => files);
    // The walk `backwards` makes, step by step; it then finds every step known.
    const queue = [...files];
    const seen = new Set(queue);
    for (let n = 1; queue.length > 0; n++) {
      for (const target of reach.step(queue.pop()!).files) {
        if (seen.has(target)) continue;
        seen.add(target);
        queue.push(target);
      }
      if (n % GRAPH_FILES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return reach.backwards();
  }
}

/** Files whose imports the main thread looks up between two turns of its event loop while it computes the graph. */
const GRAPH_FILES_PER_TURN = 100;

/** The worker script beside this module (the CLI bundle's, or the compiled library's); undefined when there is none (sources run by a test runner). */
function workerScript(): URL | undefined {
  // Beside the CLI bundle's entry (this code may sit in a chunk one folder down), or beside the compiled module.
  for (const name of ["../lint-worker.mjs", "./lint-worker.mjs", "./lint-worker.js"]) {
    const url = new URL(name, import.meta.url);
    if (url.protocol === "file:" && existsSync(fileURLToPath(url))) return url;
  }
  return undefined;
}

/** Worker threads a run starts by default: at most this many (each adds its own heap and trees to the peak). */
const DEFAULT_MAX_THREADS = 2;
/**
 * Cores a machine needs before a run starts workers by default. One lint thread already keeps about 1.4 cores busy
 * (V8's compiler and collector threads run beside it), so on two cores two workers only compete: on the idle 2-core
 * machine they took 1.0 to 1.1x the one-thread time with 40 MB more at the peak (docs/ARCHITECTURE.md, Speed).
 */
const MIN_CORES_FOR_WORKERS = 4;
/** Walked runs with fewer files stay on one thread unless `OPTIM_LINT_THREADS` asks (a pre-commit hook passes a handful). */
const POOL_MIN_FILES = 200;

/**
 * How many worker threads a run of `files` files starts (0: it stays on one thread), and whether that was forced.
 * `OPTIM_LINT_THREADS` decides when set: 1 keeps one thread, more forces that many workers whatever the run's size.
 * Otherwise a run of at least `POOL_MIN_FILES` files on a machine of `MIN_CORES_FOR_WORKERS` cores or more uses
 * `DEFAULT_MAX_THREADS` workers: the CLI starts them once `MIN_PARALLEL_CHARS` of its files' text has passed the
 * prefilter.
 */
export function threadPolicy(files: number, env: NodeJS.ProcessEnv = process.env, cores = os.availableParallelism()): { threads: number; forced: boolean } {
  const asked = Number.parseInt(env.OPTIM_LINT_THREADS ?? "", 10);
  if (Number.isFinite(asked) && asked >= 1) return { threads: asked === 1 ? 0 : Math.min(asked, 16), forced: true };
  return { threads: cores >= MIN_CORES_FOR_WORKERS && files >= POOL_MIN_FILES ? DEFAULT_MAX_THREADS : 0, forced: false };
}

/** Below this much text passing the prefilter, starting workers costs more than it wins. */
export const MIN_PARALLEL_CHARS = 1_500_000;
/** Chunks per worker: enough to balance the load, few enough that each project stays large. */
const CHUNKS_PER_WORKER = 6;
/** A chunk holds at most this much text, which bounds each worker's memory. */
const MAX_CHUNK_CHARS = 300_000;

/** Young-generation size of each worker's heap, in MB. */
const YOUNG_GENERATION_MB = 16;

/** What a worker is started with. */
export interface WorkerStart {
  optimLintWorker: true;
  /** Where the main thread posts each run's import graph (`{ key, graph }`), read synchronously by the worker. */
  graphs: MessagePort;
  /** Bumped after each graph posted, so that a worker waiting for one wakes. */
  signal: SharedArrayBuffer;
}

/** Worker threads started as soon as a run looks large, so their start overlaps reading the files. */
export class LintPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly waiting: { job: WorkerJob; resolve(reply: WorkerReply): void; reject(error: unknown): void }[] = [];
  private readonly pending = new Map<Worker, { resolve(reply: WorkerReply): void; reject(error: unknown): void }>();
  private readonly graphPorts: MessagePort[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;
  /** What this thread learns of the files it reads, for the workers. */
  readonly notes = new RunNotes();

  private constructor(script: URL, size: number, threads: typeof import("node:worker_threads")) {
    const { Worker, MessageChannel } = threads;
    for (let i = 0; i < size; i++) {
      const channel = new MessageChannel();
      this.graphPorts.push(channel.port1);
      const workerData: WorkerStart = { optimLintWorker: true, graphs: channel.port2, signal: this.signal.buffer as SharedArrayBuffer };
      // A small young generation: V8 would otherwise grow it per thread to tens of MB that the peak pays for.
      const worker = new Worker(script, { workerData, transferList: [channel.port2], resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
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

  /** Tells every worker which run its next jobs are parts of (sent before them, so each finds it first). */
  announce(index: PortableRunIndex): void {
    for (const worker of this.workers) worker.postMessage(index);
  }

  /** Hands every worker the import graph of a run (null: none, each part computes its own), waking those that wait for it. */
  publishGraph(key: string, graph: ImportGraph | null): void {
    const sent = { key, graph: graph && portableGraph(graph) };
    for (const port of this.graphPorts) port.postMessage(sent);
    Atomics.add(this.signal, 0, 1);
    Atomics.notify(this.signal, 0);
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
    for (const port of this.graphPorts) port.close();
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}

/** What the caller of `lintInParallel` says of an input whose text it dropped. */
export interface DroppedText {
  /** Whether the text passed the prefilter. */
  passes: boolean;
  /** Its length. */
  chars: number;
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
 * (rules that cannot be sent). `dropped` inputs had their text dropped by the caller, which says whether it passed
 * the prefilter and how long it was: a worker reads a passing one itself, and a skipped one is read again with
 * `reread` when a run needs it; with such inputs a run too small for workers is linted here, in one project of every
 * passing file.
 */
export async function lintInParallel(
  inputs: readonly LintInput[],
  options: {
    fix: boolean;
    pool: LintPool;
    forced: boolean;
    dropped: ReadonlyMap<LintInput, DroppedText>;
    reread(filePath: string): string;
    /** How this thread reads files: for the run index, and for the jobs it lints itself. */
    host: ProjectHost;
    onCrash(filePath: string, error: string): void;
    between(chars: number): Promise<void>;
  },
): Promise<ParallelRun | undefined> {
  const sendable = inputs.map((input) => portable(input.rules));
  const hasUnread = inputs.some((input) => options.dropped.has(input));
  const restoreTexts = () => {
    for (const input of inputs) if (options.dropped.has(input)) input.text = options.reread(input.filePath);
  };
  if (sendable.some((s) => s === undefined)) {
    restoreTexts();
    return undefined;
  }
  const passes = inputs.map((input) => options.dropped.get(input)?.passes ?? passesPrefilter(input));
  const chars = inputs.map((input) => options.dropped.get(input)?.chars ?? input.text.length);
  const passingChars = inputs.reduce((n, _, i) => n + (passes[i] ? chars[i] : 0), 0);
  const worthIt = options.forced || passingChars >= MIN_PARALLEL_CHARS;
  if (!worthIt && !hasUnread) return undefined;

  // Units: chunks of passing files, and each skipped file on its own (it joins a run only when one reaches it).
  const units: number[][] = [];
  const chunkChars = worthIt ? Math.min(MAX_CHUNK_CHARS, Math.max(1, Math.ceil(passingChars / (options.pool.size * CHUNKS_PER_WORKER)))) : Infinity;
  // `OPTIM_LINT_CHUNK_FILES` caps the files per chunk: tests set 1 so that every file that reaches another is merged.
  const chunkFiles = Number.parseInt(process.env.OPTIM_LINT_CHUNK_FILES ?? "", 10) || Infinity;
  let chunk: number[] = [];
  let size = 0;
  inputs.forEach((_, i) => {
    if (!passes[i]) return;
    chunk.push(i);
    size += chars[i];
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
    inputs: members.map((i): PortableInput => {
      const input = inputs[i] as LintInput;
      const dropped = options.dropped.has(input) && input.text === "";
      // A skipped file that a run reaches is read again: it joins that run with its text. A passing one is read where it is linted.
      if (dropped && !passes[i]) input.text = options.reread(input.filePath);
      return { filePath: input.filePath, text: dropped && passes[i] ? undefined : input.text, hideTestCode: input.hideTestCode, unsafeFixes: input.unsafeFixes, rules: sendable[i]! };
    }),
  });
  const runJob = async (members: number[]): Promise<Omit<WorkerReply, "id">> => {
    if (!worthIt) return lintJob(job(members), options.between, options.host);
    try {
      return await options.pool.run(job(members));
    } catch {
      // A worker that died takes nothing with it: the job is linted here.
      return lintJob(job(members), options.between, options.host);
    }
  };
  // The workers learn the run's files from this thread, which read them: the callers index now (before any job), the
  // import graph once computed, while they lint their first chunks.
  const index = worthIt ? options.pool.notes.index(runFiles, options.host) : undefined;
  if (index) options.pool.announce(index);
  const publishGraph = async (key: string): Promise<void> => {
    let computed: ImportGraph | null = null;
    try {
      computed = await options.pool.notes.graph(runFiles, options.host);
    } finally {
      options.pool.publishGraph(key, computed);
    }
    // This thread now only waits: what it learned of the files is let go, and collected at once (V8 leaves an idle heap as it is).
    options.pool.notes.clear();
    computed = null;
    collect();
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

  const lintSkipped = async () => {
    // Skipped files are linted together here: none is analyzed, so this costs no parse (nor the text they no longer have).
    if (skipped.length > 0) accept(skipped, await lintJob({ fix: options.fix, runFiles: [], inputs: skipped.map((i) => ({ ...inputs[i], text: passes[i] ? inputs[i].text : "", rules: sendable[i]! })) }, async () => {}, options.host));
  };

  // Each group of units is linted as one project; groups that reached other units are merged with them and run again.
  let groups = units.map((_, u) => [u]);
  let rounds = 0;
  let merged = 0;
  let graph: Promise<void> | undefined;
  while (groups.length > 0) {
    rounds++;
    if (rounds > 1) merged += groups.length;
    const members = groups.map((g) => g.flatMap((u) => allUnits[u]).sort((a, b) => a - b));
    const running = Promise.all(members.map((m) => runJob(m)));
    if (rounds === 1) {
      // While the workers lint the first chunks: the skipped files, then the import graph they wait for.
      await lintSkipped();
      if (index) graph = publishGraph(index.key);
    }
    const replies = await running;
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
  if (units.length === 0) await lintSkipped();
  await graph;
  for (const [i, errors] of [...crashes].sort((a, b) => a[0] - b[0])) for (const error of errors) options.onCrash(inputs[i].filePath, error);
  if (process.env.OPTIM_LINT_TRACE_THREADS) {
    process.stderr.write(`optim-lint: ${inputs.length} files, ${units.length} chunks on ${worthIt ? options.pool.size : 0} worker threads, ${rounds} rounds, ${merged} runs again with the files they reached\n`);
  }
  return { results, dependencies };
}
