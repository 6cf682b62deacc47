/**
 * Walk, configure and lint, without writing anything: shared by the CLI and the simulator.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { setFlagsFromString } from "node:v8";
import { RULES } from "../../rules/index.js";
import { UsageError } from "../config/errors.js";
import { ConfigFinder, displayPath, loadConfigFile, type ProjectConfig } from "../config/load.js";
import { SettingsResolver, type CliRuleOverrides } from "../config/resolve.js";
import { fileErrorResult, type FileResult } from "../core/results.js";
import type { LintInput } from "../core/linter.js";
import type { LanguageAdapter, Rule } from "../core/types.js";
import { adapterFor, linter } from "../default-linter.js";
import { decodeSource, readSource, type Listing, type SourceText } from "./read.js";
import { isTestPath } from "../core/roles.js";
import { Excludes, FileWalker } from "./walk.js";
import { SkimNotes, useSkimNotes } from "../python/calls.js";
import { ResultCache } from "./cache.js";
import { NativeMemoryGuard } from "./native-memory.js";
import { diskHost, type DroppedText, LintPool, lintInParallel, MIN_PARALLEL_CHARS, passesPrefilter, threadPolicy } from "./parallel.js";

/** The filePath results carry for stdin text given without `--stdin-filename`. */
export const STDIN_PATH = "<text>";

export interface LintRunOptions {
  cwd: string;
  /** One configuration file for every path, instead of the nearest one to each file. */
  configPath?: string;
  fix?: boolean;
  /** `--unsafe-fixes` (true) or `--no-unsafe-fixes` (false); absent: each file's configuration decides (default off). */
  unsafeFixes?: boolean;
  noIgnore?: boolean;
  forceExclude?: boolean;
  cli?: CliRuleOverrides;
  /** Run only error-level rules. */
  errorsOnly?: boolean;
  rules?: readonly Rule<unknown>[];
  /** Report findings in test code too (`--include-tests`); otherwise configuration's `include-tests` decides. */
  includeTests?: boolean;
  /** Keep per-file results between runs (not used when fixing). */
  cache?: { location: string; version: string };
}

export interface LintRun {
  results: FileResult[];
  /** The original text of each file the fixes changed, for writing diffs. */
  originals: Map<string, string>;
  /** The declared (PEP 263) encoding of files not in UTF-8, for writing fixes back. */
  encodings: Map<string, string>;
  /** Files whose linting crashed (each is reported as a fatal message; the run exits 2). */
  internalErrors: number;
  /** Test code: files recognized as tests by path (their findings are not computed), and findings left out elsewhere. */
  testCode: TestCodeSummary;
}

/** How much of a run was treated as test code. */
export interface TestCodeSummary {
  /** Whether findings in test code were reported (`include-tests`) for every file. */
  included: boolean;
  /** Files treated as tests by path, whose findings are left out. */
  files: number;
  /** Findings left out because they lie in test functions, classes or fixtures of other files. */
  hiddenFindings: number;
}

/** A run that has linted nothing yet. */
function emptyRun(): LintRun {
  return { results: [], originals: new Map(), encodings: new Map(), internalErrors: 0, testCode: { included: true, files: 0, hiddenFindings: 0 } };
}

/** Looks up the configuration for files: one explicit file, or the nearest one. */
export interface ConfigSource {
  forDirectory(dir: string): ProjectConfig | undefined;
}

/** The configuration source for a run; an explicit file must exist and hold optim-lint settings. */
function configSource(options: LintRunOptions): ConfigSource {
  const rules = options.rules ?? RULES;
  if (options.configPath === undefined) return new ConfigFinder(rules, options.cwd);
  const config = loadConfigFile(options.configPath, rules, options.cwd);
  if (!config) {
    throw new UsageError(`${displayPath(path.resolve(options.cwd, options.configPath), options.cwd)} has no [tool.optim-lint] table`);
  }
  return { forDirectory: () => config };
}

/** Throws a usage error for the first path that does not exist. */
function checkPathsExist(paths: readonly string[], cwd: string): void {
  for (const given of paths) {
    if (!existsSync(path.resolve(cwd, given))) throw new UsageError(`No such file or folder: ${given}`);
  }
}

/**
 * The text of a file found by walking a folder, or undefined when its language says it cannot matter: a
 * YAML or JSON file over the size limit is skipped unread, and one without optimizer-ish words unparsed.
 */
function readWalked(file: string, adapter: LanguageAdapter | undefined): SourceText | undefined {
  if (adapter?.walkSizeLimit !== undefined) {
    try {
      if (statSync(file).size > adapter.walkSizeLimit) return undefined;
    } catch {
      // Unreadable: readSource reports why.
    }
  }
  const source = readSource(file);
  if (adapter?.mayMatter && "text" in source && !adapter.mayMatter(source.text)) return undefined;
  return source;
}

/** Lints files and text with shared configuration lookup and rule-setting caches. */
export class LintSession {
  readonly configs: ConfigSource;
  private readonly resolver: SettingsResolver;
  private readonly cache: ResultCache | undefined;

  constructor(private readonly options: LintRunOptions) {
    this.configs = configSource(options);
    this.resolver = new SettingsResolver({
      rules: options.rules ?? RULES,
      cli: options.cli ?? { selection: {}, rules: new Map() },
      errorsOnly: options.errorsOnly,
    });
    this.cache = options.cache && !options.fix ? new ResultCache(path.resolve(options.cwd, options.cache.location), options.cache.version) : undefined;
  }

  /** Lints the files named by paths (folders walked); missing paths are a usage error. */
  async lintPaths(paths: readonly string[]): Promise<LintRun> {
    const { cwd } = this.options;
    checkPathsExist(paths, cwd);
    const walker = new FileWalker({
      cwd,
      noIgnore: this.options.noIgnore ?? false,
      forceExclude: this.options.forceExclude ?? false,
      configFor: (dir) => this.configs.forDirectory(dir),
      handles: (file) => adapterFor(file) !== undefined,
    });
    const roots = (paths.length > 0 ? paths : ["."]).map((given) => path.resolve(cwd, given));
    const given = paths.length > 0 ? paths : ["."];
    const { files, errors, skipped, listings } = walker.collect(given);
    for (const skip of skipped) process.stderr.write(`optim-lint: warning: ${skip.path} skipped: ${skip.reason}\n`);
    // As ESLint does, a run that finds nothing to lint is a usage error; files the user asked to exclude are not.
    if (files.length === 0 && errors.length === 0 && !skipped.some((s) => s.excluded)) {
      throw new UsageError(`No files to lint in ${given.join(", ")} (optim-lint reads Python files, notebooks, and YAML and JSON configs)`);
    }
    const run = emptyRun();
    const policy = threadPolicy(files.length);
    // Worker threads start while the files are read, so that their start overlaps the reading: at once when forced (or
    // with a cache, which keeps every text), else once enough text has passed the prefilter (parallel.ts then decides
    // whether to use them), so that a large tree with little training code starts none.
    let pool = policy.threads > 1 && (policy.forced || this.cache) ? await startPool(policy.threads) : undefined;
    let passingChars = 0;
    // What the call-site joiner's skim reads in each Python file whose text is dropped, noted while it is in hand.
    const skims = new SkimNotes();
    // The pool is closed however the run ends (a configuration error while reading files included).
    try {
      for (const error of errors) run.results.push(fileErrorResult(error.path, `Cannot read the folder: ${error.message}`));
      const inputs: LintInput[] = [];
      const dropped = new Map<LintInput, DroppedText>();
      // Files named on the command line are always read; files found by walking may be skipped by their language.
      const named = new Set(paths.map((p) => path.resolve(cwd, p)));
      for (const file of files) {
        const source = named.has(file) ? readSource(file) : readWalked(file, adapterFor(file));
        if (!source) continue;
        if ("error" in source) {
          run.results.push(fileErrorResult(file, source.error));
          continue;
        }
        if (source.encoding !== undefined) run.encodings.set(file, source.encoding);
        const input = this.input(file, source.text, run, roleBase(file, cwd, roots));
        // Without a cache, the text of a file that cannot hold a finding is not kept (read again if a run needs it).
        const passes = this.cache !== undefined || passesPrefilter(input);
        if (passes) passingChars += source.text.length;
        // A run this large pays back TurboFan's compiles, on one thread too (the built CLI starts without it).
        if (passingChars >= MIN_PARALLEL_CHARS) keepTurboFan();
        if (!pool && policy.threads > 1 && passingChars >= MIN_PARALLEL_CHARS) {
          pool = await startPool(policy.threads);
          // The workers' skims read what the pool's notes hold.
          skims.clear();
          // The texts dropped so far are handed to the pool's run as such (the workers' index reads them again).
          for (const earlier of inputs) {
            if (!earlier.unread) continue;
            earlier.unread = false;
            dropped.set(earlier, { passes: false, chars: 0 });
          }
        }
        // While the text is in hand: what the workers need to know of every file (the names it calls, its imports).
        pool?.notes.note(file, source.text);
        if (!passes) {
          input.text = "";
          if (pool) dropped.set(input, { passes, chars: source.text.length });
          else if (this.options.fix) input.text = source.text;
          else {
            input.unread = true;
            if (adapterFor(file)?.name === "python") skims.note(file, source.text);
          }
        } else if (pool && !this.cache && !this.options.fix) {
          // Nor, with workers, the text of one that can: the worker that lints it reads it.
          input.text = "";
          dropped.set(input, { passes, chars: source.text.length });
        }
        inputs.push(input);
      }
      if (!pool && process.env.OPTIM_LINT_TRACE_THREADS) process.stderr.write(`optim-lint: ${files.length} files on one thread\n`);
      const memory = new NativeMemoryGuard();
      useSkimNotes(skims);
      await this.lintInputs(inputs, run, (chars) => memory.afterFile(chars), pool && { pool, forced: policy.forced, dropped }, listings);
    } finally {
      useSkimNotes(undefined);
      await pool?.close();
    }
    const cacheProblem = this.cache?.save();
    if (cacheProblem) process.stderr.write(`optim-lint: warning: ${cacheProblem}\n`);
    return run;
  }

  /**
   * The input of one file: its text and the rule settings of the configuration that covers it. A test file
   * (by its path from `base`) is still parsed, so that a syntax error in it is reported, but no rule runs on it.
   */
  private input(filePath: string, text: string, run: LintRun, base: string): LintInput {
    const dir = filePath === STDIN_PATH ? this.options.cwd : path.dirname(filePath);
    const config = this.configs.forDirectory(dir);
    const includeTests = this.options.includeTests === true || config?.includeTests === true;
    const testFile = !includeTests && filePath !== STDIN_PATH && isTestPath(path.relative(base, filePath));
    if (!includeTests) run.testCode.included = false;
    if (testFile) run.testCode.files++;
    const unsafeFixes = this.options.unsafeFixes ?? config?.unsafeFixes ?? false;
    return { filePath, text, rules: testFile ? [] : this.resolver.settingsFor(filePath, config), hideTestCode: !includeTests, unsafeFixes };
  }

  /**
   * Lints the inputs as one project (values cross files); results are added in input order. With a cache,
   * a file whose text and settings are unchanged takes its stored result and is not analyzed again.
   */
  private async lintInputs(
    inputs: LintInput[],
    run: LintRun,
    between: (chars: number) => Promise<void>,
    parallel?: { pool: LintPool; forced: boolean; dropped: ReadonlyMap<LintInput, DroppedText> },
    listings?: ReadonlyMap<string, Listing>,
  ): Promise<void> {
    const cache = this.options.fix ? undefined : this.cache;
    // Which files a run holds decides what a file's result can see (the callers of its functions): results are reused only within the same set.
    const cacheable = inputs.filter((input) => input.filePath !== STDIN_PATH).map((input) => input.filePath);
    if (cache && cacheable.length > 0) cache.useRun(cacheable);
    const keys = inputs.map((input) =>
      cache && input.filePath !== STDIN_PATH ? cache.key(input.text, input.rules, { unsafeFixes: input.unsafeFixes, hideTestCode: input.hideTestCode }) : undefined,
    );
    const cached = inputs.map((input, i) => (keys[i] === undefined ? undefined : cache!.get(input.filePath, keys[i]!, input.text)));
    // One file that crashes the linter is reported (once, however often it is linted) and the others are still linted; the run exits 2.
    const crashed = new Set<string>();
    const onCrash = (filePath: string, stack: string) => {
      if (crashed.has(filePath)) return;
      crashed.add(filePath);
      run.internalErrors++;
      process.stderr.write(`Internal error while linting ${filePath}:\n${stack}\n`);
    };
    const reread = (filePath: string) => {
      const source = readSource(filePath);
      return "text" in source ? source.text : "";
    };
    let fresh: LintInput[];
    let results: FileResult[];
    let dependencies: Map<string, string[]>;
    // One host for the run: it lists each folder once to answer whether a file exists (the walk's folders not again).
    const host = diskHost(listings);
    for (;;) {
      fresh = inputs.filter((_, i) => !cached[i]);
      // A changed file is linted again with the unchanged files its result last depended on in view (the callers of its functions).
      const reused = new Set(inputs.filter((_, i) => cached[i]).map((input) => input.filePath));
      const related = cache ? [...new Set(fresh.flatMap((input) => cache.storedDependencies(input.filePath)))].filter((dep) => reused.has(dep)) : [];
      // Files kept in view from the cache are joined with the fresh ones in one project, so such a run stays on one thread.
      const spread =
        parallel && fresh.length > 0 && related.length === 0 ? await lintInParallel(fresh, { fix: this.options.fix ?? false, ...parallel, reread, host, onCrash, between }) : undefined;
      dependencies = spread?.dependencies ?? new Map<string, string[]>();
      results =
        spread?.results ??
        (await linter.lintProjectAsync(fresh, {
          dependencies,
          related,
          fix: this.options.fix,
          host,
          prefilter: true,
          between,
          onInternalError: (filePath, error) => onCrash(filePath, String((error as Error)?.stack ?? error)),
        }));
      if (!cache) break;
      // A stored result was made without the fresh files' new content: one that a fresh file now reaches (a module whose
      // function it newly calls, a base it newly names) is linted again with them, so the run reports what a run without
      // the cache would.
      const reached = new Set(fresh.flatMap((input) => dependencies.get(input.filePath) ?? []));
      // A fresh file that last received findings from files it depends on in turn (a Hydra option from the apps that
      // build it, a base from its children) is linted again with them: those findings are made only when they are linted.
      for (const input of fresh) {
        for (const dep of cache.storedDependencies(input.filePath)) if (cache.storedDependencies(dep).includes(input.filePath)) reached.add(dep);
      }
      const pulled = inputs.flatMap((input, i) => (cached[i] && reached.has(input.filePath) ? [i] : []));
      if (pulled.length === 0) break;
      for (const i of pulled) cached[i] = undefined;
    }
    let next = 0;
    inputs.forEach((input, i) => {
      const result = cached[i] ?? results[next++];
      if (result.output !== undefined) run.originals.set(result.filePath, input.text);
      if (!cached[i] && keys[i] !== undefined) cache!.set(input.filePath, keys[i]!, result, dependencies.get(input.filePath));
      run.testCode.hiddenFindings += result.hiddenInTestCode ?? 0;
      run.results.push(result);
    });
  }

  /** Lints a text without fixing, as it stands (for a file whose fixes could not be written). */
  lintUnfixed(filePath: string, text: string): FileResult {
    const run = emptyRun();
    const [result] = linter.lintProject([this.input(filePath, text, run, this.options.cwd)], { host: diskHost() });
    return result;
  }

  /** Lints stdin's bytes as the file `filename` (or `<text>`); an excluded name with force-exclude lints nothing. */
  async lintStdin(bytes: Uint8Array, filename: string | undefined): Promise<LintRun> {
    const run = emptyRun();
    const filePath = filename === undefined ? STDIN_PATH : path.resolve(this.options.cwd, filename);
    if (filename !== undefined && this.options.forceExclude && !this.options.noIgnore && this.isExcluded(filePath)) return run;
    const source = decodeSource(bytes);
    if ("error" in source) run.results.push(fileErrorResult(filePath, source.error));
    else await this.lintInputs([this.input(filePath, source.text, run, this.options.cwd)], run, async () => {});
    return run;
  }

  /** Whether the configuration covering a file excludes it. */
  private isExcluded(filePath: string): boolean {
    return new Excludes((dir) => this.configs.forDirectory(dir)).excluded(filePath);
  }

}

/**
 * The folder a file's path is read from when deciding whether it is test code: the working folder when the file is
 * in it, otherwise the parent of the command-line path it was found under, so that a checkout living under some
 * `/tmp/test/` is not all tests while `optim-lint /elsewhere/tests` still is.
 */
function roleBase(file: string, cwd: string, roots: readonly string[]): string {
  const inside = (dir: string): boolean => {
    const rel = path.relative(dir, file);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
  };
  if (inside(cwd)) return cwd;
  // The roots are resolved paths: on POSIX, one the file's path does not start with cannot hold it (a hook names many files).
  const root = roots.find((r) => r === file || ((path.sep !== "/" || file.startsWith(r.endsWith("/") ? r : `${r}/`)) && inside(r)));
  return root ? path.dirname(root) : path.dirname(file);
}

/** Walks, configures and lints paths without writing anything (fixes, when asked, appear as `output`). */
export async function lintPaths(paths: string[], opts: { cwd?: string; configPath?: string; fix?: boolean; unsafeFixes?: boolean }): Promise<FileResult[]> {
  const session = new LintSession({ cwd: path.resolve(opts.cwd ?? process.cwd()), configPath: opts.configPath, fix: opts.fix, unsafeFixes: opts.unsafeFixes });
  return (await session.lintPaths(paths)).results;
}

/** Starts the worker pool, with TurboFan on: V8's flags are the process's, so the workers have it too. */
function startPool(threads: number): Promise<LintPool | undefined> {
  keepTurboFan();
  return LintPool.start(threads);
}

let turboFan = false;
/**
 * Turns TurboFan back on for the rest of the process (the built CLI's lint command starts without it: see
 * src/cli/lint-bundle.ts), for a run large enough that optimized code saves more than compiling it costs.
 */
function keepTurboFan(): void {
  if (turboFan) return;
  turboFan = true;
  setFlagsFromString("--opt");
}
