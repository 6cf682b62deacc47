/**
 * Walk, configure and lint, without writing anything: shared by the CLI and the simulator.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { RULES } from "../../rules/index.js";
import { UsageError } from "../config/errors.js";
import { ConfigFinder, displayPath, loadConfigFile, type ProjectConfig } from "../config/load.js";
import { SettingsResolver, type CliRuleOverrides } from "../config/resolve.js";
import { adapterFor, fileErrorResult, lintText, type FileResult } from "../core/engine.js";
import type { Rule } from "../core/types.js";
import { decodeSource, readSource, type SourceText } from "./read.js";
import { Excludes, FileWalker } from "./walk.js";
import { ResultCache } from "./cache.js";
import { NativeMemoryGuard } from "./native-memory.js";

/** The filePath results carry for stdin text given without `--stdin-filename`. */
export const STDIN_PATH = "<text>";

export interface LintRunOptions {
  cwd: string;
  /** One configuration file for every path, instead of the nearest one to each file. */
  configPath?: string;
  fix?: boolean;
  noIgnore?: boolean;
  forceExclude?: boolean;
  cli?: CliRuleOverrides;
  /** Run only error-level rules. */
  errorsOnly?: boolean;
  rules?: readonly Rule<unknown>[];
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
}

/** A run that has linted nothing yet. */
function emptyRun(): LintRun {
  return { results: [], originals: new Map(), encodings: new Map(), internalErrors: 0 };
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
    const given = paths.length > 0 ? paths : ["."];
    const { files, errors, skipped } = walker.collect(given);
    for (const skip of skipped) process.stderr.write(`optim-lint: warning: ${skip.path} skipped: ${skip.reason}\n`);
    // As ESLint does, a run that finds nothing to lint is a usage error; files the user asked to exclude are not.
    if (files.length === 0 && errors.length === 0 && !skipped.some((s) => s.excluded)) {
      throw new UsageError(`No files to lint in ${given.join(", ")} (optim-lint reads Python files and notebooks)`);
    }
    const run = emptyRun();
    for (const error of errors) run.results.push(fileErrorResult(error.path, `Cannot read the folder: ${error.message}`));
    const memory = new NativeMemoryGuard();
    for (const file of files) {
      const source = readSource(file);
      this.lintSource(file, source, run);
      await memory.afterFile("text" in source ? source.text.length : 0);
    }
    const cacheProblem = this.cache?.save();
    if (cacheProblem) process.stderr.write(`optim-lint: warning: ${cacheProblem}\n`);
    return run;
  }

  /** Lints stdin's bytes as the file `filename` (or `<text>`); an excluded name with force-exclude lints nothing. */
  lintStdin(bytes: Uint8Array, filename: string | undefined): LintRun {
    const run = emptyRun();
    const filePath = filename === undefined ? STDIN_PATH : path.resolve(this.options.cwd, filename);
    if (filename !== undefined && this.options.forceExclude && !this.options.noIgnore && this.isExcluded(filePath)) return run;
    this.lintSource(filePath, decodeSource(bytes), run);
    return run;
  }

  /** Whether the configuration covering a file excludes it. */
  private isExcluded(filePath: string): boolean {
    return new Excludes((dir) => this.configs.forDirectory(dir)).excluded(filePath);
  }

  /** Lints a text without fixing, as it stands (for a file whose fixes could not be written). */
  lintUnfixed(filePath: string, text: string): FileResult {
    const run = emptyRun();
    this.lintSource(filePath, { text }, run, false);
    return run.results[0];
  }

  private lintSource(filePath: string, source: SourceText, run: LintRun, fix = this.options.fix): void {
    if ("error" in source) {
      run.results.push(fileErrorResult(filePath, source.error));
      return;
    }
    if (source.encoding !== undefined) run.encodings.set(filePath, source.encoding);
    const dir = filePath === STDIN_PATH ? this.options.cwd : path.dirname(filePath);
    const rules = this.resolver.settingsFor(filePath, this.configs.forDirectory(dir));
    const cacheKey = this.cache && !fix && filePath !== STDIN_PATH ? this.cache.key(source.text, rules) : undefined;
    const cached = cacheKey === undefined ? undefined : this.cache!.get(filePath, cacheKey, source.text);
    if (cached) {
      run.results.push(cached);
      return;
    }
    let result: FileResult;
    try {
      result = lintText(source.text, { filePath, rules, fix });
    } catch (error) {
      // One file that crashes the linter is reported and the others are still linted; the run exits 2.
      run.internalErrors++;
      process.stderr.write(`Internal error while linting ${filePath}:\n${(error as Error).stack ?? error}\n`);
      run.results.push(fileErrorResult(filePath, `Internal error while linting this file: ${(error as Error).message}`));
      return;
    }
    if (result.output !== undefined) run.originals.set(filePath, source.text);
    if (cacheKey !== undefined) this.cache!.set(filePath, cacheKey, result);
    run.results.push(result);
  }
}

/** Walks, configures and lints paths without writing anything (fixes, when asked, appear as `output`). */
export async function lintPaths(paths: string[], opts: { cwd?: string; configPath?: string; fix?: boolean }): Promise<FileResult[]> {
  const session = new LintSession({ cwd: path.resolve(opts.cwd ?? process.cwd()), configPath: opts.configPath, fix: opts.fix });
  return (await session.lintPaths(paths)).results;
}
