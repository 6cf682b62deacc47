/**
 * The project pass for Python: values that cross files and calls. A construction that reads its function's
 * parameters is judged once per call site in the project (`build_optimizer(cfg)`, `model.configure_optimizers(...)`
 * on an instance of a class from another module), each parameter holding what that call passes; values imported
 * from the project's modules (constants, dict configs, dataclass defaults) are read in their module. Every value
 * keeps the file and place it was defined; a call that cannot be resolved leaves the parameters it would bind unknown.
 */
import path from "node:path";
import { createRequire } from "node:module";
import type { OptimizerSite, SchedulerFact, Span, TrainingFacts } from "../core/facts.js";
import { stripBom } from "../core/source-text.js";
import { mapEverySiteSpan } from "../core/spans.js";
import type { ProjectCode, ProjectContext, ProjectFile, ProjectJoiner } from "../core/types.js";
import { optimizerByName } from "../knowledge/optimizers.js";
import { indexPython, keptIndex, mayJudgeAgain, mentionsInstantiate, type PythonIndex } from "./analyze.js";
import { enclosingFunction, forgetValue, forgottenArguments, optimizerSite, probeConstruction } from "./facts.js";
import { noteInstantiateMentions } from "./instantiate.js";
import { ImportReach, importRequests, ModuleFinder, type ImportGraph, type ImportRequest } from "./modules.js";
import { fieldChild, namedChildren, type PyNode } from "./parser.js";
import { callWithSpan, definingScope, scopeOf, type FileIndex } from "./scope.js";
import { exclusive, Flows } from "./flows.js";
import { testCodeSpans } from "./test-code.js";
import { inTestCode, isTestPath } from "../core/roles.js";
import { lastName, Resolver, type CallFrame, type ModuleLinks, type Ref } from "./values.js";
import { kernelModule, type KernelModule } from "../notebook/adapter.js";
import { mapFactSpans } from "../core/spans.js";

/** Callers followed outward from a construction: its function's call sites, theirs, and theirs. */
const MAX_CALL_DEPTH = 3;
/** Call sites judged per construction; more are left unjudged (the construction keeps its unknowns). */
const MAX_VARIANTS = 16;
/** Resolvers held at once between two judged files (each holds what it resolved, and other files' resolvers). */
const MAX_HELD_FILES = 8;
/**
 * Characters of text whose indexes the join keeps across judged files, newest used last (an index takes about 50
 * bytes of heap per character of its text): a caller judged for several functions is parsed and indexed once.
 */
const MAX_HELD_INDEX_CHARS = 1 << 18;
/** Modules read beyond the given files, per run. */
const MAX_READ_MODULES = 64;
/**
 * A line that imports a module (`import a.b as c`, `from .x import y`), for finding modules not given to the run:
 * tried at the start of each line that holds `import` (see `importLines`).
 */
const IMPORT_LINE = /[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w.]+))/y;

/** A resolver that sees a function's parameters as one call passes them, and the calls it was reached through. */
interface Variant {
  resolver: Resolver;
  /** The calls from the construction's function outward, each in its caller's file. */
  chain: { file: string; call: PyNode; index: FileIndex }[];
}

/** Where a call goes, by place (it outlives the file's index): the file and start of the function it runs, or null. */
interface CallTarget {
  start: number;
  end: number;
  target: { file: string; fn: number; bound: boolean } | null;
}

/** A call of a function or method found in a file. */
interface CallSite {
  resolver: Resolver;
  call: PyNode;
  bound: boolean;
  /** The call starts the function in a process or thread (see `CallFrame.launch`). */
  launch?: NonNullable<CallFrame["launch"]>;
}

/**
 * Where a launcher takes the function it starts and what it hands it: each as a position and keyword of the call;
 * `leading` values it supplies itself come before the arguments (the process index of `spawn`).
 */
interface LauncherLayout {
  fn: [number, string];
  args: [number, string];
  kwargs?: [number, string];
  leading: number;
  /** `args` is handed whole, as the function's one argument (Ray Tune's config dict), not spread. */
  whole?: true;
}

/** The keyword argument of that name among a call's arguments. */
function keywordIn(resolver: Resolver, args: PyNode[], name: string): PyNode | undefined {
  return args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === name);
}

/**
 * Whether a Ray Tune call may hand its trainable keys the search space does not show: a search algorithm defines
 * its own space (`search_alg=`, directly or in a `tune_config` that is not a `TuneConfig(...)` written without one).
 */
function searchesOwnSpace(resolver: Resolver, args: PyNode[]): boolean {
  if (keywordIn(resolver, args, "search_alg")) return true;
  const config = keywordIn(resolver, args, "tune_config");
  const value = config && fieldChild(config, "value");
  if (!value) return false;
  const inner = value.type === "call" ? fieldChild(value, "arguments") : undefined;
  if (!inner || !/(?:^|\.)TuneConfig$/.test(resolver.textOf(fieldChild(value, "function")!))) return true;
  const items = namedChildren(inner);
  return !!keywordIn(resolver, items, "search_alg") || items.some((a) => a.type === "list_splat" || a.type === "dictionary_splat");
}

const SPAWN: LauncherLayout = { fn: [0, "fn"], args: [1, "args"], leading: 1 };
const PROCESS: LauncherLayout = { fn: [1, "target"], args: [3, "args"], kwargs: [4, "kwargs"], leading: 0 };
/** Accelerate's `notebook_launcher(function, args)` and `debug_launcher(function, args)`: the args alone, no index. */
const NOTEBOOK_LAUNCHER: LauncherLayout = { fn: [0, "function"], args: [1, "args"], leading: 0 };
/** A pool's `apply_async(func, args, kwds)` (multiprocessing, its thread pool, billiard). */
const APPLY_ASYNC: LauncherLayout = { fn: [0, "func"], args: [1, "args"], kwargs: [2, "kwds"], leading: 0 };

/**
 * Ray Tune runs a trainable function once per trial with the trial's config, a dict: the search space as written, a
 * value sampled from each domain it holds (`tune.loguniform(...)`, unknown here) and each fixed value as it is.
 * `Tuner` takes the space only by keyword (no position: -1).
 */
const TUNER: LauncherLayout = { fn: [0, "trainable"], args: [-1, "param_space"], leading: 0, whole: true };
const TUNE_RUN: LauncherLayout = { fn: [0, "run_or_experiment"], args: [6, "config"], leading: 0, whole: true };

/** Launchers by the path their name resolves to; `apply_async` is known by its method name (its pool is rarely resolved). */
const LAUNCHERS = new Map<string, LauncherLayout>([
  ["torch.multiprocessing.spawn", SPAWN],
  ["torch.multiprocessing.start_processes", SPAWN],
  ["torch_xla.distributed.xla_multiprocessing.spawn", SPAWN],
  ["multiprocessing.Process", PROCESS],
  ["torch.multiprocessing.Process", PROCESS],
  ["threading.Thread", PROCESS],
  ["accelerate.notebook_launcher", NOTEBOOK_LAUNCHER],
  ["accelerate.launchers.notebook_launcher", NOTEBOOK_LAUNCHER],
  ["accelerate.debug_launcher", NOTEBOOK_LAUNCHER],
  ["accelerate.launchers.debug_launcher", NOTEBOOK_LAUNCHER],
  ["ray.tune.Tuner", TUNER],
  ["ray.tune.tuner.Tuner", TUNER],
  ["ray.tune.run", TUNE_RUN],
  ["ray.tune.tune.run", TUNE_RUN],
]);

/** The last names of the launchers' calls, searched for a function's launches. */
const LAUNCHER_NAMES = ["spawn", "start_processes", "Process", "Thread", "apply_async", "notebook_launcher", "debug_launcher", "Tuner", "run"];

/** Launcher names common among other calls (`run`), looked for only in files whose text names the launcher's module. */
const LAUNCHER_MODULES = new Map([
  ["run", /\btune\b/],
  ["Tuner", /\btune\b/],
]);

/** Whether this runs in a worker thread; asked only of a part of a larger run, so that other runs never load `node:worker_threads`. */
function inWorkerThread(): boolean {
  return !(createRequire(import.meta.url)("node:worker_threads") as typeof import("node:worker_threads")).isMainThread;
}

/** Joins Python files across imports and calls. */
export const pythonCallJoiner: ProjectJoiner = {
  name: "python-calls",
  join(project) {
    new CallJoin(project).run();
  },
};

class CallJoin {
  private readonly finder: ModuleFinder;
  private readonly resolvers = new Map<string, Resolver | null>();
  /** Indexes of the files read, by normalized path, least recently used first, within `MAX_HELD_INDEX_CHARS`. */
  private readonly indexes = new Map<string, PythonIndex>();
  private indexChars = 0;
  /** Files read for the join that were not given (modules reached through imports). */
  private readonly read: string[] = [];
  private readonly links: ModuleLinks;
  /** The kernel modules of the given notebooks the join judges, by normalized path. */
  private readonly kernels = new Map<string, KernelModule>();
  /** Per function (its file and start), the calls of it found so far (their resolvers are of the current generation). */
  private readonly sitesOf = new Map<string, CallSite[]>();
  /** Each caller file's test functions, classes and fixtures. */
  private readonly testSpans = new WeakMap<FileIndex, Span[]>();
  /** Per function name, the Python files whose text calls something of that name, in the run's order. */
  private readonly mentions = new Map<string, string[]>();
  /** Which modules each file's imports lead to: a file calls a function of another only when it reaches it. */
  private readonly reach: ImportReach;
  /**
   * Per file (normalized) and called name, where each of its calls of that name goes, by place: kept when the file's
   * index is let go, so that a file is resolved once for each name however many functions of that name are judged.
   */
  private readonly callTargets = new Map<string, Map<string, CallTarget[]>>();
  /** Per file (normalized) and launcher name, the functions its launches start (see `launchTargetsIn`). */
  private readonly launchTargets = new Map<string, Map<string, CallTarget[]>>();
  /** Each file's calls by the last name of what they call. */
  private readonly callsByName = new Map<Resolver, Map<string, PyNode[]>>();
  /** The import lookups of the files read so far (the import graph asks for them). */
  private readonly requests = new Map<string, readonly ImportRequest[]>();
  /** What the given Python files' texts say without parsing (`skim`): per file its import lines, per called name its files in order. */
  private skimmed: { importLines: Map<ProjectFile, string[]>; callers: Map<string, string[]>; files: ReadonlySet<string> } | undefined;

  constructor(private readonly project: ProjectContext) {
    this.finder = new ModuleFinder(project);
    // A worker thread lints the parts of one run, whose files do not change while it lives.
    this.reach = project.runFiles.length > 0 && inWorkerThread() ? partOfRun(project).reach : new ImportReach(this.finder, (p) => this.requests.get(p) ?? requestsIn(project.peek(p)), () => this.knownFiles());
    this.links = {
      member: (fromFile, importPath) => {
        const target = this.finder.find(fromFile, importPath);
        const resolver = target ? this.resolver(target.file) : undefined;
        return resolver && target ? { resolver, name: target.name } : undefined;
      },
    };
  }

  run(): void {
    try {
      this.judgeAll();
    } finally {
      if (shared) shared.project = undefined;
    }
  }

  private judgeAll(): void {
    const given = this.project.files.filter((f) => f.adapter.name === "python");
    // A notebook's kernel is one module: its functions are judged per call in its own cells (no other file imports it).
    // Only the notebooks judged here have a kernel noted: the resolver, the callers and the labels look up only those.
    const notebooks = this.project.files.filter((f) => {
      const kernel = f.given ? kernelModule(f.analyzed) : undefined;
      if (!kernel || !mayJudgeAgain(kernel.python)) return false;
      this.kernels.set(path.normalize(f.path), kernel);
      return true;
    });
    if (!given.some((f) => mayJudgeAgain(f.analyzed)) && notebooks.length === 0 && !this.project.readsFiles) return;
    const work: ProjectFile[] = [...given.filter((f) => mayJudgeAgain(f.analyzed)), ...notebooks];
    for (const file of this.importedModules(given)) if (mayJudgeAgain(file.analyzed)) work.push(file);
    for (const file of work) {
      this.judge(file);
      // Indexed files are let go once several are held: a large run would otherwise keep the trees of all it judged.
      if (this.resolvers.size > MAX_HELD_FILES) this.forget();
    }
  }

  /** Drops the indexed files and what was learned about their nodes (each is indexed again when needed). */
  private forget(): void {
    this.resolvers.clear();
    this.sitesOf.clear();
    this.callsByName.clear();
  }

  /**
   * Reads each given Python file's text once (a file whose text the run did not keep is read from disk once): the
   * modules its import lines name, its imports' lookups for the import graph, the names it calls, indexed, and whether
   * it may call Hydra's instantiate (for the joiner after this one, which need not read it again).
   */
  private skim(): NonNullable<CallJoin["skimmed"]> {
    if (this.skimmed) return this.skimmed;
    const importLines = new Map<ProjectFile, string[]>();
    const callers = new Map<string, string[]>();
    const files = new Set<string>();
    for (const file of this.project.files) {
      if (file.adapter.name !== "python") continue;
      const key = path.normalize(file.path);
      // A file whose text the run dropped was skimmed while the run read it (`SkimNotes`).
      const noted = skimNotes?.take(key) ?? skimNote(file.text);
      files.add(key);
      importLines.set(file, noted.importLines);
      noteInstantiateMentions(file, noted.instantiates);
      if (!this.requests.has(key)) this.requests.set(key, noted.requests);
      noteCallers(callers, key, noted.names);
    }
    return (this.skimmed = { importLines, callers, files });
  }

  /** Modules the given files import that were not given, read so that their constructions can be judged per call. */
  private importedModules(given: readonly ProjectFile[]): ProjectFile[] {
    if (!this.project.readsFiles) return [];
    const paths = new Set(given.map((f) => path.normalize(f.path)));
    // In a part of a larger run, a module that is a file of the run is judged in its own part, which finds this
    // part's callers by their text: reading it here would only merge the parts for nothing.
    for (const other of this.project.runFiles) paths.add(path.normalize(other));
    const out: ProjectFile[] = [];
    const { importLines } = this.skim();
    for (const file of given) {
      for (const importPath of importLines.get(file) ?? []) {
        const target = this.finder.find(file.path, importPath);
        const modulePath = target && path.normalize(target.file);
        if (!modulePath || paths.has(modulePath) || this.read.length >= MAX_READ_MODULES) continue;
        paths.add(modulePath);
        const module = this.project.file(modulePath);
        if (module?.adapter.name !== "python") continue;
        this.read.push(modulePath);
        out.push(module);
      }
    }
    return out;
  }

  /** A resolver for a project file that links modules (one per file, so that nodes compare across calls). */
  resolver(filePath: string): Resolver | undefined {
    const key = path.normalize(filePath);
    const known = this.resolvers.get(key);
    if (known !== undefined) return known ?? undefined;
    const kernel = this.kernels.get(key);
    // Read for its code: a file of the run is indexed, not analyzed, wherever it is linted.
    const file = kernel ? undefined : this.project.code(key);
    if (file?.adapter.name === "python" && !file.inRun && !this.read.includes(key)) this.read.push(key);
    // A notebook's code is its kernel's Python view, whose offsets the kernel module moves to the file's.
    const source = kernel
      ? { analyzed: kernel.python, text: kernel.python.text, at: filePath }
      : file?.adapter.name === "python"
        ? { analyzed: file.analyzed, text: file.text, at: file.path }
        : undefined;
    let resolver: Resolver | null = null;
    if (source) {
      const { index, text } = this.indexOf(key, source.analyzed, source.text);
      resolver = new Resolver(index, text, source.at, { modules: this.links });
    }
    this.resolvers.set(key, resolver);
    return resolver ?? undefined;
  }

  /** A file's index: one the join holds (see `MAX_HELD_INDEX_CHARS`), the one its analysis kept, or built now. */
  private indexOf(key: string, analyzed: ProjectCode["analyzed"], text: string): PythonIndex {
    let index = this.indexes.get(key);
    if (index) this.indexes.delete(key);
    else {
      index = (analyzed && keptIndex(analyzed)) ?? indexPython(text);
      this.indexChars += index.text.length;
    }
    this.indexes.set(key, index);
    for (const [oldest, held] of this.indexes) {
      if (this.indexChars <= MAX_HELD_INDEX_CHARS || oldest === key) break;
      this.indexes.delete(oldest);
      this.indexChars -= held.text.length;
    }
    return index;
  }

  /** Judges again each construction of a file that reads its function's parameters or the project's modules. */
  private judge(file: ProjectFile): void {
    const base = this.resolver(file.path);
    if (!base) return;
    // A notebook's constructions are judged in its Python view, and what changed is moved back into the file.
    const kernel = this.kernels.get(path.normalize(file.path));
    const facts = kernel ? viewFacts(file.analyzed.facts, kernel) : file.analyzed.facts;
    if (!facts) return;
    const inFile = kernel ? kernel.toFile : (span: Span) => span;
    let changed = false;
    /** The calls each construction judged here was judged through, by its new id. */
    const chains = new Map<string, Variant["chain"]>();
    for (const site of [...facts.optimizers]) {
      if (site.dialect !== undefined) continue;
      const probed = probeConstruction(base.index, base.text, base.filePath, site);
      if (!probed) continue;
      const { call, fn, probe } = probed;
      const variants = fn && probe.paramHits.has(fn) ? this.framed(base, fn, MAX_CALL_DEPTH) : [];
      if (variants.length === 0) {
        if (probe.importHits.size === 0 || !file.given) continue;
        const again = this.rebuilt(site, base, call);
        facts.optimizers[facts.optimizers.indexOf(site)] = again;
        this.noteFiles(file, again, inFile(site.span));
        changed = true;
        continue;
      }
      const all = variants.map((variant, i) => ({ variant, site: this.rebuilt(site, variant.resolver, call, `${site.id}@${i + 1}`) }));
      if (file.given) {
        // Calls that hand the construction the same values from the same definitions make one finding, not one per call.
        const seen = new Set<string>();
        const judged = all.filter((j) => {
          const key = siteValues(j.site);
          if (seen.has(key)) return false;
          seen.add(key);
          return true;
        });
        replaceSite(facts, site, judged.map((j) => j.site));
        changed = true;
        for (const j of judged) {
          this.noteFiles(file, j.site, inFile(site.span));
          chains.set(j.site.id, j.variant.chain);
        }
        continue;
      }
      for (const { variant, site: judgedSite } of all) this.placeInCaller(file, site, judgedSite, variant);
    }
    addExclusiveCalls(facts, chains);
    if (kernel && changed) kernel.keepJudged(facts);
  }

  /** The construction resolved again by `resolver`, keeping what the analysis learned after resolving it. */
  private rebuilt(original: OptimizerSite, resolver: Resolver, call: PyNode, id = original.id): OptimizerSite {
    const site = optimizerSite(resolver, call, fieldChild(call, "function")!, optimizerByName(original.canonical)!, id);
    site.hasUnresolvedSpread ||= original.hasUnresolvedSpread;
    if (original.stateRestored) site.stateRestored = original.stateRestored;
    for (const name of forgottenArguments(original)) {
      const arg = site.args.get(name);
      if (arg) forgetValue(site, arg);
    }
    return site;
  }

  /**
   * A construction in a module that was not given is shown in the first given file on the way to it (the caller),
   * at the call; what its own file knows about it (the schedulers that drive it, lr writes, frozen parameters) comes along.
   */
  private placeInCaller(moduleFile: ProjectFile, original: OptimizerSite, site: OptimizerSite, variant: Variant): void {
    const step = variant.chain.find((c) => this.project.file(c.file)?.given);
    const host = step && this.project.file(step.file);
    if (!step || !host) return;
    const toHost = (s: Span): Span => rehome(s, moduleFile.path, host.path);
    const facts = host.analyzed.facts;
    facts.optimizers.push(mapEverySiteSpan(site, toHost));
    const own = moduleFile.analyzed.facts;
    for (const scheduler of own.schedulers) {
      if (scheduler.optimizerSite !== undefined && scheduler.optimizerSite !== original.id) continue;
      facts.schedulers.push({ ...scheduler, span: toHost(scheduler.span), ...(scheduler.optimizerSite ? { optimizerSite: site.id } : {}) });
    }
    facts.lrWrites.push(...own.lrWrites.map((w) => ({ ...w, span: toHost(w.span), value: { value: { kind: "unknown" as const }, span: toHost(w.value.span), dependsOn: w.value.dependsOn } })));
    facts.modelHints.freezesParameters.push(...own.modelHints.freezesParameters.map(toHost));
    // A freeze scoped to the module's constructions bears on this one in the host only if it bore on the original.
    const scoped = (own.modelHints.scopedFreezes ?? []).map((f) => ({ span: toHost(f.span), sites: f.sites.includes(original.id) ? [site.id] : [] }));
    if (scoped.length > 0) facts.modelHints.scopedFreezes = [...(facts.modelHints.scopedFreezes ?? []), ...scoped];
    const links = (host.analyzed.links ??= new Map());
    const at = { start: step.call.start, end: step.call.end };
    if (!links.has(moduleFile.path)) links.set(moduleFile.path, at);
    this.noteFiles(host, facts.optimizers[facts.optimizers.length - 1], at);
  }

  /** Records, for a file's cache entry and placement, every other file a judged site's values come from. */
  private noteFiles(file: ProjectFile, site: OptimizerSite, at: Span): void {
    const links = (file.analyzed.links ??= new Map());
    mapEverySiteSpan(site, (s) => {
      if (s.file !== undefined && s.file !== file.path && !links.has(s.file)) links.set(s.file, at);
      return s;
    });
  }

  /**
   * Resolvers for a function's file, one per call site of the function, each seeing the parameters as that call
   * passes them; a call whose arguments read its own function's parameters is followed to that function's calls.
   */
  private framed(callee: Resolver, fn: PyNode, depth: number, home = callee.filePath): Variant[] {
    const out: Variant[] = [];
    for (const site of this.callSitesOf(callee, fn)) {
      let outer: Variant[] = [{ resolver: site.resolver, chain: [] }];
      const enclosing = enclosingFunction(site.call);
      if (depth > 1 && enclosing && readsParameters(site, enclosing)) {
        const deeper = this.framed(site.resolver, enclosing, depth - 1, home);
        if (deeper.length > 0) outer = deeper;
      }
      for (const o of outer) {
        if (out.length >= MAX_VARIANTS) return out;
        const frame: CallFrame = { fn, call: site.call, caller: o.resolver, bound: site.bound, label: callLabel(callee, fn, site, home, this.kernels.get(path.normalize(site.resolver.filePath))), ...(site.launch ? { launch: site.launch } : {}) };
        out.push({
          resolver: new Resolver(callee.index, callee.text, callee.filePath, { modules: this.links, frame }),
          chain: [{ file: site.resolver.filePath, call: site.call, index: site.resolver.index }, ...o.chain],
        });
      }
    }
    return out;
  }

  /** The calls of a function or method in the given files and the modules read for them. */
  private callSitesOf(callee: Resolver, fn: PyNode): CallSite[] {
    const calleeFile = path.normalize(callee.filePath);
    const key = `${fn.start}:${calleeFile}`;
    const cached = this.sitesOf.get(key);
    if (cached) return cached;
    const name = calledName(callee, fn);
    const out: CallSite[] = [];
    this.sitesOf.set(key, out);
    // A decorator may fill or change the arguments (gin, click, hydra, a wrapper): what a call passes is then not what arrives.
    if (!name || decoratedBeyondBinding(callee, fn)) return out;
    for (const site of this.callsOf(callee, fn, name, (file) => this.callTargetsIn(file, name))) {
      out.push(site);
      if (out.length >= MAX_VARIANTS) return out;
    }
    // A plain function is also run by the launchers that start it in a process or thread, handed what they pass.
    if (fn.parent?.type === "block" && fn.parent.parent?.type === "class_definition") return out;
    const mentioned = new RegExp(`\\b${name}\\b`);
    for (const launcher of LAUNCHER_NAMES) {
      const needs = LAUNCHER_MODULES.get(launcher);
      const launchesIn = (file: string): CallTarget[] => {
        const text = this.project.peek(file) ?? (file === calleeFile ? callee.text : "");
        return mentioned.test(text) && (!needs || needs.test(text)) ? this.launchTargetsIn(file, launcher) : [];
      };
      for (const { resolver, call } of this.callsOf(callee, fn, launcher, launchesIn)) {
        const launch = launchOf(resolver, call);
        if (!launch) continue;
        // `if distributed: mp.spawn(main_worker, args=(n, args)) else: main_worker(gpu, n, args)`: the launch hands
        // what the call beside it passes, less the process index, so it would only repeat that call's judgement.
        if (out.some((o) => !o.launch && o.resolver === resolver && enclosingFunction(o.call) === enclosingFunction(call) && repeatsCall(resolver, launch.passes, o.call))) continue;
        out.push({ resolver, call, bound: false, launch: launch.passes });
        if (out.length >= MAX_VARIANTS) return out;
      }
    }
    return out;
  }

  /**
   * The calls that run a function, in the files that call something by the last name `name` (a plain call's name or a
   * launcher's), where `targetsIn` says where each of a file's calls goes: those that go to the function, found in
   * their file's tree, recursive calls (inside the function) and test code left out.
   */
  private *callsOf(callee: Resolver, fn: PyNode, name: string, targetsIn: (file: string) => CallTarget[]): Generator<CallSite> {
    const calleeFile = path.normalize(callee.filePath);
    for (const file of this.filesCalling(name, calleeFile)) {
      for (const { start, end, target } of targetsIn(file)) {
        if (target?.file !== calleeFile || target.fn !== fn.start) continue;
        // A recursive call is not a call site to judge.
        if (file === calleeFile && start >= fn.start && start < fn.end) continue;
        const resolver = file === calleeFile ? callee : this.resolver(file);
        const call = resolver && callWithSpan(resolver.index, start, end);
        if (call && !this.isTestCall(resolver, call)) yield { resolver, call, bound: target.bound };
      }
    }
  }

  /**
   * Whether a call is test code: in a file pytest collects by its name (`test_*.py`, `*_test.py`, `conftest.py`) or
   * inside a test function, test class or fixture. Tests pass values chosen to exercise code (an lr of 10 to check
   * arithmetic), not to train, so they are no call sites to judge a construction by, whatever `include-tests` says:
   * that setting shows findings inside test code, and this one would be shown in the code under test.
   */
  private isTestCall(resolver: Resolver, call: PyNode): boolean {
    if (isTestPath(path.basename(resolver.filePath))) return true;
    let spans = this.testSpans.get(resolver.index);
    if (!spans) this.testSpans.set(resolver.index, (spans = testCodeSpans(resolver.index)));
    return inTestCode(call, spans);
  }

  /** Where the calls of a file named `name` go (see `callTargets`), resolved on first use. */
  private callTargetsIn(file: string, name: string): CallTarget[] {
    return this.targetsIn(this.callTargets, file, name, calledDefinition);
  }

  /** Where the launches of a file made through a launcher of this last name go, as `callTargetsIn` for calls. */
  private launchTargetsIn(file: string, launcher: string): CallTarget[] {
    return this.targetsIn(this.launchTargets, file, launcher, launchedDefinition);
  }

  /** The definitions a file's calls of a last name run (by `definition`), kept by place in `cache`. */
  private targetsIn(cache: Map<string, Map<string, CallTarget[]>>, file: string, name: string, definition: (resolver: Resolver, call: PyNode) => { resolver: Resolver; fn: PyNode; bound: boolean } | undefined): CallTarget[] {
    let byName = cache.get(file);
    if (!byName) cache.set(file, (byName = new Map()));
    let found = byName.get(name);
    if (!found) {
      const resolver = this.resolver(file);
      found = [];
      for (const call of resolver ? this.callsNamed(resolver, name) : []) {
        const target = definition(resolver!, call);
        found.push({ start: call.start, end: call.end, target: target ? { file: path.normalize(target.resolver.filePath), fn: target.fn.start, bound: target.bound } : null });
      }
      byName.set(name, found);
    }
    return found;
  }

  /** The calls in a file of something named `name` (`name(...)`, `x.name(...)`). */
  private callsNamed(resolver: Resolver, name: string): PyNode[] {
    let byName = this.callsByName.get(resolver);
    if (!byName) {
      byName = new Map();
      for (const call of resolver.index.calls) {
        const callee = fieldChild(call, "function");
        const last = callee && lastName(callee, resolver.text);
        if (!last) continue;
        const list = byName.get(last);
        if (list) list.push(call);
        else byName.set(last, [call]);
      }
      this.callsByName.set(resolver, byName);
    }
    return byName.get(name) ?? [];
  }

  /** The Python files of the run and those read for it. */
  private knownFiles(): string[] {
    return [...new Set([...this.project.runFiles, ...this.project.files.map((f) => f.path), ...this.read, ...this.project.related].map((p) => path.normalize(p)))].filter((p) => /\.pyi?$/.test(p));
  }

  /**
   * The Python files whose text calls something named `name` and whose imports reach `calleeFile` (or that are it):
   * the files of the run in its order (given files first when the project is the whole run), then those read for it.
   * A file of the run that is linted in another part is searched by its text and read for its code alone.
   */
  private mentionsIn(files: readonly string[], mention: RegExp): string[] {
    return files.filter((p) => /\.pyi?$/.test(p) && mention.test(this.project.peek(p) ?? "")).map((p) => path.normalize(p));
  }

  private filesCalling(name: string, calleeFile: string): string[] {
    // Nothing imports a notebook: its functions are called in its own cells alone.
    if (this.kernels.has(calleeFile)) return [calleeFile];
    let known = this.mentions.get(name);
    if (!known) {
      const mention = new RegExp(`\\b${name}\\s*\\(`);
      const candidates: string[] = [];
      const seen = new Set<string>(this.project.runFiles.map((p) => path.normalize(p)));
      if (this.project.runFiles.length > 0) candidates.push(...(shared?.project === this.project ? runMentions(name, mention) : this.mentionsIn(this.project.runFiles, mention)));
      const consider = (filePath: string, text: string | undefined) => {
        const key = path.normalize(filePath);
        if (seen.has(key)) return;
        seen.add(key);
        if (text !== undefined && mention.test(text)) candidates.push(key);
      };
      // The run's order: its files as a whole run lists them (the project's own when it is the whole run).
      if (PLAIN_NAME.test(name)) {
        const { callers, files } = this.skim();
        for (const key of callers.get(name) ?? []) {
          if (seen.has(key)) continue;
          seen.add(key);
          candidates.push(key);
        }
        for (const key of files) seen.add(key);
      } else {
        for (const file of this.project.files) if (file.adapter.name === "python") consider(file.path, file.text);
      }
      for (const other of [...this.read, ...this.project.related]) consider(other, this.project.peek(other));
      this.mentions.set(name, (known = candidates));
    }
    const reachers = this.reach.reachers(calleeFile);
    return known.filter((file) => reachers.has(file));
  }
}

/**
 * What the parts of one larger run (a worker's chunks) learn about the run's files and keep for the next part: the
 * import graph, and which files mention each called name. Both depend only on the files' texts, the same in every part.
 */
let shared:
  | {
      key: string;
      reach: ImportReach;
      mentions: Map<string, string[]>;
      /** Per name a run file calls (`name(`), the run's Python files that call it, in the run's order; read in one pass. */
      callers?: (name: string) => readonly string[];
      /** The import lookups of each run file, read in the same pass (the import graph needs them all). */
      requests: Map<string, readonly ImportRequest[]>;
      project?: ProjectContext;
    }
  | undefined;

/**
 * What the thread that read the run's files knows about them, handed to a worker so that it reads none of them again:
 * which run files call each name, and the import graph (asked for only when a part first needs it; a worker may wait
 * for it while the main thread still computes it).
 */
export interface RunIndex {
  /** The run's files (`runFiles`), joined by newlines: the index answers only for parts of this run. */
  key: string;
  /** The run's Python files that call `name` (`name(`), normalized, in the run's order. */
  callers(name: string): readonly string[];
  /** Undefined when the thread that computes it failed: the part computes it then. */
  graph(): ImportGraph | undefined;
}

let runIndex: RunIndex | undefined;

/** Installs the index of the run this worker lints parts of (see `RunIndex`). */
export function useRunIndex(index: RunIndex | undefined): void {
  runIndex = index;
  shared = undefined;
}

function partOfRun(project: ProjectContext): NonNullable<typeof shared> {
  const key = project.runFiles.join("\n");
  if (shared?.key !== key) {
    const run = project.runFiles.map((p) => path.normalize(p)).filter((p) => /\.pyi?$/.test(p));
    const current = (): ProjectContext => shared!.project!;
    const finder = new ModuleFinder({ exists: (p) => current().exists(p), isFolder: (p) => current().isFolder?.(p) });
    const requests = new Map<string, readonly ImportRequest[]>();
    const index = runIndex?.key === key ? runIndex : undefined;
    const reach = new ImportReach(finder, (p) => requests.get(p) ?? requestsIn(current().peek(p)), () => run, index && (() => index.graph()));
    shared = { key, reach, mentions: new Map(), requests, ...(index ? { callers: (name: string) => index.callers(name) } : {}) };
  }
  shared.project = project;
  return shared;
}

/** The lookups a text's imports make (none for a file that cannot be read). */
function requestsIn(text: string | undefined): readonly ImportRequest[] | undefined {
  return text === undefined ? undefined : importRequests(text);
}

/**
 * A copy of a string cut from a file's text that does not keep the text alive (V8 holds a longer substring as a
 * slice of its parent): what the join keeps from a text it does not keep.
 */
function detached(s: string): string {
  return s.length < 13 ? s : (" " + s).slice(1);
}

/** What the call-site joiner's skim reads in a Python file's text (`CallJoin.skim`). */
interface SkimNote {
  /** The modules its import lines name (`importedPaths`). */
  importLines: string[];
  requests: ImportRequest[];
  /** The names it calls (`calledNames`). */
  names: Iterable<string>;
  /** Whether it may call Hydra's instantiate. */
  instantiates: boolean;
}

/** What the skim reads in a text, detached from it. */
function skimNote(text: string): SkimNote {
  return { importLines: importedPaths(text), requests: detachedRequests(text), names: calledNames(text), instantiates: mentionsInstantiate(text) };
}

/**
 * The skim's notes of the Python files whose text a one-thread run read and dropped (they fail the prefilter), taken
 * while the run had each text in hand, so that the skim does not read them from disk again (as `RunNotes` in
 * src/cli/parallel.ts does for a run on worker threads). A file's note is used once, by the next skim that meets it.
 */
export class SkimNotes {
  private readonly notes = new Map<string, SkimNote>();
  /** One string per called name or imported module across the notes (most files call and import the same few). */
  private readonly strings = new Map<string, string>();
  /** One lookup per imported path and kind (lookups are read, never changed). */
  private readonly requests = [new Map<string, ImportRequest>(), new Map<string, ImportRequest>()];

  /** Notes a Python file's text as read from disk (the project reads it without its byte order mark). */
  note(filePath: string, text: string): void {
    const note = skimNote(stripBom(text));
    const requests = note.requests.map((r) => {
      const kind = this.requests[r.module ? 1 : 0];
      let known = kind.get(r.path);
      if (!known) kind.set(r.path, (known = { path: this.held(r.path), module: r.module }));
      return known;
    });
    const names: string[] = [];
    for (const name of note.names) names.push(this.held(name));
    this.notes.set(path.normalize(filePath), { importLines: note.importLines.map((s) => this.held(s)), requests, names, instantiates: note.instantiates });
  }

  private held(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    this.strings.set(s, s);
    return s;
  }

  /** The note of a file (by its normalized path), forgotten here. */
  take(key: string): SkimNote | undefined {
    const note = this.notes.get(key);
    if (note) this.notes.delete(key);
    return note;
  }

  clear(): void {
    this.notes.clear();
    this.strings.clear();
    for (const kind of this.requests) kind.clear();
  }
}

let skimNotes: SkimNotes | undefined;

/** Sets the notes the skims of a run take (undefined once the run is over). */
export function useSkimNotes(notes: SkimNotes | undefined): void {
  skimNotes = notes;
}

/** Adds a file to the callers index under every name its text calls. */
function noteCallers(callers: Map<string, string[]>, key: string, names: Iterable<string>): void {
  for (const name of names) {
    const list = callers.get(name);
    if (list) list.push(key);
    else callers.set(name, [key]);
  }
}

/** A text's import lookups, detached from it. */
export function detachedRequests(text: string): ImportRequest[] {
  return importRequests(text).map((r) => ({ path: detached(r.path), module: r.module }));
}

/** A name as the callers index holds it: what `calledNames` finds. */
const PLAIN_NAME = /^[A-Za-z_]\w*$/;

/** Whether a UTF-16 unit is one of `\s` (JavaScript's white space and line terminators). */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}

/** Whether a UTF-16 unit is one of `\w` (an ASCII letter, digit or underscore). */
function isWordUnit(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/**
 * The names a text calls: every match of `CALLED`, found from each `(` backwards (white space, then the run of word
 * characters before it, which must not start with a digit) instead of trying the expression at every word; detached.
 */
export function calledNames(text: string): Set<string> {
  const names = new Set<string>();
  for (let at = text.indexOf("("); at >= 0; at = text.indexOf("(", at + 1)) {
    let end = at;
    while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && isWordUnit(text.charCodeAt(start - 1))) start--;
    if (start === end) continue;
    const first = text.charCodeAt(start);
    if (first >= 48 && first <= 57) continue;
    names.add(detached(text.slice(start, end)));
  }
  return names;
}

/** Whether a UTF-16 unit ends a line for `^` of a multiline expression. */
function isLineBreak(c: number): boolean {
  return c === 10 || c === 13 || c === 8232 || c === 8233;
}

/**
 * The modules a text's import lines name, in order (what `IMPORT_LINE` gives at the start of every line), detached.
 * Each such line holds the word `import`: the expression is tried only at the start of the lines that do.
 */
export function importedPaths(text: string): string[] {
  const out: string[] = [];
  let previous = -1;
  for (let at = text.indexOf("import"); at >= 0; previous = at, at = text.indexOf("import", at + 6)) {
    // Back to the line's start, or to the previous `import` when it is on the same line (that line was tried).
    const floor = previous < 0 ? 0 : previous + 6;
    let line = at;
    while (line > floor && !isLineBreak(text.charCodeAt(line - 1))) line--;
    if (line === floor && previous >= 0) continue;
    IMPORT_LINE.lastIndex = line;
    const match = IMPORT_LINE.exec(text);
    if (match) out.push(detached(match[1] ?? match[2]));
  }
  return out;
}

/** The files of the larger run whose text calls something named `name`, in the run's order. */
function runMentions(name: string, mention: RegExp): string[] {
  const part = shared!;
  let known = part.mentions.get(name);
  if (!known) {
    if (PLAIN_NAME.test(name)) {
      // The files of other parts are read from disk: one pass over the run answers every name (and the import graph).
      if (!part.callers) {
        const callers = runCallers(part);
        part.callers = (n) => callers.get(n) ?? [];
      }
      known = [...part.callers(name)];
    } else {
      known = [];
      for (const other of part.project!.runFiles) {
        if (!/\.pyi?$/.test(other)) continue;
        const text = part.project!.peek(other);
        if (text !== undefined && mention.test(text)) known.push(path.normalize(other));
      }
    }
    part.mentions.set(name, known);
  }
  return known;
}

/** Reads each Python file of the run once: the names it calls, and its imports' lookups. */
function runCallers(part: NonNullable<typeof shared>): Map<string, string[]> {
  const callers = new Map<string, string[]>();
  for (const other of part.project!.runFiles) {
    if (!/\.pyi?$/.test(other)) continue;
    const key = path.normalize(other);
    const text = part.project!.peek(other);
    if (text === undefined) continue;
    if (!part.requests.has(key)) part.requests.set(key, detachedRequests(text));
    noteCallers(callers, key, calledNames(text));
  }
  return callers;
}

/** A span of `siteFile` (unnamed) or another file, as the host file names it. */
function rehome(span: Span, siteFile: string, host: string): Span {
  const file = span.file ?? siteFile;
  return file === host ? { start: span.start, end: span.end } : { start: span.start, end: span.end, file };
}

/**
 * A notebook's facts in its Python view, for judging there (a copy: the file's own facts are replaced only when the
 * judgement changes them); undefined when a span falls outside the code cells, which facts of the kernel never do.
 */
function viewFacts(facts: TrainingFacts, kernel: KernelModule): TrainingFacts | undefined {
  let outside = false;
  const moved = mapFactSpans(facts, (span) => {
    const inView = kernel.toView(span);
    if (!inView) outside = true;
    return inView ?? span;
  });
  return outside ? undefined : moved;
}

/** Puts the per-call judgements of a construction in its place, and points what referred to it at each of them. */
function replaceSite(facts: TrainingFacts, original: OptimizerSite, judged: OptimizerSite[]): void {
  const ids = judged.map((s) => s.id);
  // Constructions no run builds together stay so whichever call each is judged for.
  if (facts.exclusive) facts.exclusive = facts.exclusive.flatMap(([a, b]) => (a === original.id ? ids.map((id): [string, string] => [id, b]) : b === original.id ? ids.map((id): [string, string] => [a, id]) : [[a, b]]));
  facts.optimizers.splice(facts.optimizers.indexOf(original), 1, ...judged);
  const schedulers: SchedulerFact[] = [];
  for (const scheduler of facts.schedulers) {
    if (scheduler.optimizerSite === original.id) schedulers.push(...ids.map((id) => ({ ...scheduler, optimizerSite: id })));
    else schedulers.push(scheduler);
  }
  facts.schedulers = schedulers;
  const widen = (list: string[]): string[] => list.flatMap((id) => (id === original.id ? ids : [id]));
  for (const evidence of facts.distributed.evidence) if (evidence.sites) evidence.sites = widen(evidence.sites);
  for (const checkpoint of facts.checkpoints ?? []) checkpoint.optimizerSites = widen(checkpoint.optimizerSites);
  for (const freeze of facts.modelHints.scopedFreezes ?? []) freeze.sites = widen(freeze.sites);
  // The loop that steps it, the model it trains and that model's precision are each call's as well. A construction
  // rebuilt on each pass of a loop with an lr the pass may compute (`train(epoch, ...)` building SGD at an lr that
  // decays with `epoch`) has no count from that loop already (training.ts), so no call shows it as one constant rate.
  if (facts.loops) facts.loops = facts.loops.flatMap((loop) => (loop.optimizerSite === original.id ? ids.map((id) => ({ ...loop, optimizerSite: id })) : [loop]));
  for (const kind of facts.modelHints.kinds ?? []) {
    if (kind.sites) kind.sites = widen(kind.sites);
    if (kind.exceptSites) kind.exceptSites = widen(kind.exceptSites);
  }
  for (const precision of facts.precision ?? []) if (precision.sites) precision.sites = widen(precision.sites);
}

/**
 * Constructions judged through calls that no run makes both of are exclusive too: the calls (or calls further out
 * on the two ways in) sit in different branches of one `if`, conditional expression or `match` of one function, as
 * helpers that a flag picks between are called (`if opt == "sgd": sgd_for(...) elif ...: rmsprop_for(...)`).
 */
function addExclusiveCalls(facts: TrainingFacts, chains: Map<string, Variant["chain"]>): void {
  if (chains.size < 2 || chains.size > 64) return;
  const ids = [...chains.keys()];
  const known = new Set((facts.exclusive ?? []).map(([a, b]) => `${a}\0${b}`));
  const out: [string, string][] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      const [a, b] = [ids[i], ids[j]];
      if (known.has(`${a}\0${b}`) || known.has(`${b}\0${a}`)) continue;
      const apart = chains.get(a)!.some((x) =>
        chains.get(b)!.some((y) => x.index === y.index && x.call !== y.call && enclosingFunction(x.call) === enclosingFunction(y.call) && exclusive(Flows.of(x.index), x.call, y.call)),
      );
      if (apart) out.push([a, b]);
    }
  }
  if (out.length > 0) facts.exclusive = [...(facts.exclusive ?? []), ...out];
}

/**
 * The name a function's calls are written with: its own, or for a class's `__init__` the class's (`Trainer(args)`
 * runs `Trainer.__init__`); none for the `__init__` of a decorated class, whose decorator may replace the class or
 * what its constructions pass (gin, a registry's wrapper).
 */
function calledName(resolver: Resolver, fn: PyNode): string {
  const nameNode = fieldChild(fn, "name");
  const name = nameNode ? resolver.textOf(nameNode) : "";
  if (name !== "__init__") return name;
  const cls = fn.parent?.type === "block" ? fn.parent.parent : undefined;
  const clsName = cls?.type === "class_definition" ? fieldChild(cls, "name") : undefined;
  return clsName && cls!.parent?.type !== "decorated_definition" ? resolver.textOf(clsName) : "";
}

/**
 * Words for a call site in messages: `configure_optimizers() at train.py:331`, or `at line 12` in the same file, the
 * file being the construction's (`home`), where the message is, also for a call further out in a chain.
 */
function callLabel(callee: Resolver, fn: PyNode, site: CallSite, home: string, kernel?: KernelModule): string {
  const name = calledName(callee, fn) || "the function";
  // A notebook's call is placed as its user finds it: by cell, and line within the cell.
  if (kernel) return `${name}() at ${kernel.where(site.call.start) ?? "its cell"}`;
  const line = site.resolver.text.slice(0, site.call.start).split("\n").length;
  if (site.resolver.filePath === home) return `${name}() at line ${line}`;
  const where = path.relative(path.dirname(home), site.resolver.filePath).split(path.sep).join("/");
  return `${name}() at ${where}:${line}`;
}

/**
 * What a judged construction trains with, apart from the words that say which call passed each value: its
 * arguments, parameters and added groups, with the places their values come from.
 */
function siteValues(site: OptimizerSite): string {
  const { args, params, addedGroups, hasUnresolvedSpread, stateRestored } = site;
  return JSON.stringify({ args: [...args], params, addedGroups, hasUnresolvedSpread, stateRestored }, (key, value: unknown) =>
    key === "description" ? undefined : value instanceof Map ? [...(value as Map<unknown, unknown>)] : value,
  );
}

/** Whether a call's arguments (a launch's `args` and `kwargs` items) read the parameters of the function it is made in. */
function readsParameters(site: CallSite, fn: PyNode): boolean {
  const probe = new Resolver(site.resolver.index, site.resolver.text, site.resolver.filePath);
  const passed = site.launch ? [site.launch.args, site.launch.kwargs] : [site.call];
  for (const holder of passed) {
    const items = holder?.type === "call" ? namedChildren(fieldChild(holder, "arguments")!) : holder?.type === "tuple" || holder?.type === "list" || holder?.type === "dictionary" ? namedChildren(holder) : holder ? [holder] : [];
    for (const item of items) {
      const node = item.type === "keyword_argument" || item.type === "pair" ? fieldChild(item, "value") : item;
      if (!node) continue;
      probe.value(node);
      probe.ref(node);
    }
  }
  return probe.paramHits.has(fn);
}

/**
 * Whether a launch hands the function the same expressions, by their text, as a call of it does, apart from the
 * values the launcher supplies itself (the call passes something there, which the launch leaves unknown).
 */
function repeatsCall(resolver: Resolver, launch: NonNullable<CallFrame["launch"]>, call: PyNode): boolean {
  const { args, kwargs } = launch;
  if (launch.whole || (args && args.type !== "tuple" && args.type !== "list") || (kwargs && kwargs.type !== "none")) return false;
  const items = args ? namedChildren(args).filter((a) => a.type !== "comment") : [];
  const passed = namedChildren(fieldChild(call, "arguments") ?? call).filter((a) => a.type !== "comment");
  if (passed.some((a) => a.type === "keyword_argument" || a.type === "list_splat" || a.type === "dictionary_splat")) return false;
  if (passed.length !== launch.leading + items.length) return false;
  return items.every((item, i) => item.type !== "list_splat" && resolver.textOf(item) === resolver.textOf(passed[launch.leading + i]));
}

/**
 * The launch a call makes, when it starts a function in a process or thread (`LAUNCHERS`, or a pool's
 * `apply_async`): the function it starts, and what it hands it. A spread among the launcher's own arguments hides
 * which is which: no launch then.
 */
function launchOf(resolver: Resolver, call: PyNode): { fn: PyNode; passes: NonNullable<CallFrame["launch"]> } | undefined {
  const callee = fieldChild(call, "function");
  const argumentList = fieldChild(call, "arguments");
  if (!callee || argumentList?.type !== "argument_list") return undefined;
  let layout: LauncherLayout | undefined;
  if (callee.type === "attribute" && lastName(callee, resolver.text) === "apply_async") layout = APPLY_ASYNC;
  else {
    const ref = resolver.ref(callee);
    layout = ref?.kind === "path" ? LAUNCHERS.get(ref.path) : undefined;
  }
  if (!layout) return undefined;
  const args = namedChildren(argumentList).filter((a) => a.type !== "comment");
  if (args.some((a) => a.type === "list_splat" || a.type === "dictionary_splat")) return undefined;
  if (layout.whole && searchesOwnSpace(resolver, args)) return undefined;
  const positional = args.filter((a) => a.type !== "keyword_argument");
  const argument = (at: [number, string] | undefined): PyNode | null => {
    if (!at) return null;
    const keyword = keywordIn(resolver, args, at[1]);
    return (keyword ? fieldChild(keyword, "value") : positional[at[0]]) ?? null;
  };
  const fn = argument(layout.fn);
  return fn ? { fn, passes: { leading: layout.leading, args: argument(layout.args), kwargs: argument(layout.kwargs), ...(layout.whole ? { whole: true } : {}) } } : undefined;
}

/**
 * The function or method a call runs, when it is a definition of the project: a plain function, a module's, a
 * method of a known instance, or the `__init__` a class of the project defines itself.
 */
function calledDefinition(resolver: Resolver, call: PyNode): { resolver: Resolver; fn: PyNode; bound: boolean } | undefined {
  const callee = fieldChild(call, "function");
  if (!callee) return undefined;
  const ref = resolver.ref(callee);
  const direct = functionOf(resolver, ref);
  if (direct) return { ...direct, bound: false };
  // Building a class of the project runs its own `__init__`, bound to the new instance.
  const built = classOf(resolver, ref);
  const init = built && methodOf(built.resolver, built.node, "__init__");
  if (init) return { resolver: built.resolver, fn: init, bound: true };
  if (callee.type !== "attribute") return undefined;
  const object = fieldChild(callee, "object");
  const methodName = fieldChild(callee, "attribute");
  if (!object || !methodName) return undefined;
  const cls = instanceClass(resolver, resolver.ref(object)) ?? receiverClass(resolver, object);
  const method = cls && methodOf(cls.resolver, cls.node, resolver.textOf(methodName));
  return method && cls ? { resolver: cls.resolver, fn: method, bound: !hasDecorator(cls.resolver, method, /staticmethod/) } : undefined;
}

/** The plain function a launch starts (see `launchOf`), with the resolver of its file. */
function launchedDefinition(resolver: Resolver, call: PyNode): { resolver: Resolver; fn: PyNode; bound: boolean } | undefined {
  const launch = launchOf(resolver, call);
  const target = launch && functionOf(resolver, resolver.ref(launch.fn));
  return target && { ...target, bound: false };
}

/** The function definition a reference names, with the resolver of its file. */
function functionOf(resolver: Resolver, ref: Ref | null): { resolver: Resolver; fn: PyNode } | undefined {
  if (ref?.kind === "function") return { resolver, fn: ref.node };
  if (ref?.kind === "foreign") return functionOf(ref.resolver, ref.ref);
  return undefined;
}

/** The class of an instance reference, with the resolver of its file. */
function instanceClass(resolver: Resolver, ref: Ref | null): { resolver: Resolver; node: PyNode } | undefined {
  if (ref?.kind === "instance") return { resolver, node: ref.cls.node };
  if (ref?.kind === "foreign") return instanceClass(ref.resolver, ref.ref);
  return undefined;
}

/** The class a reference names, with the resolver of its file. */
function classOf(resolver: Resolver, ref: Ref | null): { resolver: Resolver; node: PyNode } | undefined {
  if (ref?.kind === "class") return { resolver, node: ref.cls.node };
  if (ref?.kind === "foreign") return classOf(ref.resolver, ref.ref);
  return undefined;
}

/**
 * The class of the object a name holds at a call (`model.configure_optimizers(...)`): every binding of the name
 * before the call constructs the same class of the project, directly (`GPT(conf)`) or through one of its
 * classmethods (`GPT.from_pretrained(...)`). Bindings in branches count, since each one builds that class.
 */
function receiverClass(resolver: Resolver, object: PyNode): { resolver: Resolver; node: PyNode } | undefined {
  if (object.type !== "identifier") return undefined;
  const name = resolver.textOf(object);
  const useScope = scopeOf(object, resolver.index);
  const scope = definingScope(name, useScope, resolver.index);
  const bindings = (scope?.bindings.get(name) ?? []).filter((b) => scope !== useScope || b.pos < object.start);
  let found: { resolver: Resolver; node: PyNode } | undefined;
  for (const binding of bindings) {
    const built = binding.kind === "assign" && binding.value?.type === "call" && binding.unpackIndex === undefined ? constructedClass(resolver, binding.value) : undefined;
    if (!built || (found && (found.node !== built.node || found.resolver !== built.resolver))) return undefined;
    found = built;
  }
  return found;
}

/** The project class a call builds: `C(...)` or `C.<classmethod>(...)`. */
function constructedClass(resolver: Resolver, call: PyNode): { resolver: Resolver; node: PyNode } | undefined {
  const callee = fieldChild(call, "function");
  if (!callee) return undefined;
  const direct = classOf(resolver, resolver.ref(callee));
  if (direct) return direct;
  if (callee.type !== "attribute") return undefined;
  const owner = classOf(resolver, resolver.ref(fieldChild(callee, "object")));
  const attr = fieldChild(callee, "attribute");
  const method = owner && attr ? methodOf(owner.resolver, owner.node, resolver.textOf(attr)) : undefined;
  return method && owner && hasDecorator(owner.resolver, method, /classmethod/) ? owner : undefined;
}

/** A method a class body defines (not one it inherits): the first of that name. */
function methodOf(resolver: Resolver, cls: PyNode, name: string): PyNode | undefined {
  for (const [defName, def] of methodsOf(resolver, cls)) if (defName === name) return def;
  return undefined;
}

/** The methods a class body defines (decorated ones included), with their names, in the order written. */
export function* methodsOf(resolver: Resolver, cls: PyNode): Generator<[string, PyNode]> {
  for (const stmt of fieldChild(cls, "body")?.children ?? []) {
    const def = stmt.type === "decorated_definition" ? fieldChild(stmt, "definition") : stmt;
    const defName = def?.type === "function_definition" ? fieldChild(def, "name") : undefined;
    if (def && defName) yield [resolver.textOf(defName), def];
  }
}

/** Whether a function carries a decorator other than `staticmethod` / `classmethod`. */
function decoratedBeyondBinding(resolver: Resolver, fn: PyNode): boolean {
  const decorated = fn.parent?.type === "decorated_definition" ? fn.parent : undefined;
  return !!decorated?.children.some((d) => d.type === "decorator" && !/^@\s*(?:staticmethod|classmethod)\s*$/.test(resolver.textOf(d)));
}

/** Whether a definition carries a decorator whose text matches `pattern`. */
function hasDecorator(resolver: Resolver, definition: PyNode, pattern: RegExp): boolean {
  const decorated = definition.parent?.type === "decorated_definition" ? definition.parent : undefined;
  return !!decorated?.children.some((d) => d.type === "decorator" && pattern.test(resolver.textOf(d)));
}
