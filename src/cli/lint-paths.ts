/**
 * Walk, configure and lint, without writing anything: shared by the CLI and the simulator.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { RULES } from "../../rules/index.js";
import { UsageError } from "../config/errors.js";
import { ConfigFinder, displayPath, loadConfigFile, type ProjectConfig } from "../config/load.js";
import { SettingsResolver, type CliRuleOverrides } from "../config/resolve.js";
import { fileErrorResult, type FileResult } from "../core/results.js";
import type { LintInput } from "../core/linter.js";
import type { ProjectHost, Rule } from "../core/types.js";
import { adapterFor, linter } from "../default-linter.js";
import { decodeSource, readSource } from "./read.js";
import { Excludes, FileWalker } from "./walk.js";
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
}

export interface LintRun {
  results: FileResult[];
  /** The original text of each file the fixes changed, for writing diffs. */
  originals: Map<string, string>;
  /** Files whose linting crashed (each is reported as a fatal message; the run exits 2). */
  internalErrors: number;
}

/** A run that has linted nothing yet. */
function emptyRun(): LintRun {
  return { results: [], originals: new Map(), internalErrors: 0 };
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

/** Reads files the project pass needs beyond those given (an imported module, a `_base_` config). */
const DISK: ProjectHost = {
  read(filePath) {
    const source = readSource(filePath);
    return "text" in source ? source.text : undefined;
  },
  exists(filePath) {
    try {
      return statSync(filePath).isFile();
    } catch {
      return false;
    }
  },
};

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

  constructor(private readonly options: LintRunOptions) {
    this.configs = configSource(options);
    this.resolver = new SettingsResolver({
      rules: options.rules ?? RULES,
      cli: options.cli ?? { selection: {}, rules: new Map() },
      errorsOnly: options.errorsOnly,
    });
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
    const { files, errors } = walker.collect(paths.length > 0 ? paths : ["."]);
    const run = emptyRun();
    for (const error of errors) run.results.push(fileErrorResult(error.path, `Cannot read the folder: ${error.message}`));
    const inputs: LintInput[] = [];
    for (const file of files) {
      const source = readSource(file);
      if ("error" in source) run.results.push(fileErrorResult(file, source.error));
      else inputs.push(this.input(file, source.text));
    }
    const memory = new NativeMemoryGuard();
    await this.lintInputs(inputs, run, (chars) => memory.afterFile(chars));
    return run;
  }

  /** The input of one file: its text and the rule settings of the configuration that covers it. */
  private input(filePath: string, text: string): LintInput {
    const dir = filePath === STDIN_PATH ? this.options.cwd : path.dirname(filePath);
    return { filePath, text, rules: this.resolver.settingsFor(filePath, this.configs.forDirectory(dir)) };
  }

  /** Lints the inputs as one project (values cross files); results are added in input order. */
  private async lintInputs(inputs: LintInput[], run: LintRun, between: (chars: number) => Promise<void>): Promise<void> {
    const results = await linter.lintProjectAsync(inputs, {
      fix: this.options.fix,
      host: DISK,
      between,
      onInternalError: (filePath, error) => {
        // One file that crashes the linter is reported and the others are still linted; the run exits 2.
        run.internalErrors++;
        process.stderr.write(`Internal error while linting ${filePath}:\n${(error as Error)?.stack ?? error}\n`);
      },
    });
    results.forEach((result, i) => {
      if (result.output !== undefined) run.originals.set(result.filePath, inputs[i].text);
      run.results.push(result);
    });
  }

  /** Lints stdin's bytes as the file `filename` (or `<text>`); an excluded name with force-exclude lints nothing. */
  async lintStdin(bytes: Uint8Array, filename: string | undefined): Promise<LintRun> {
    const run = emptyRun();
    const filePath = filename === undefined ? STDIN_PATH : path.resolve(this.options.cwd, filename);
    if (filename !== undefined && this.options.forceExclude && !this.options.noIgnore && this.isExcluded(filePath)) return run;
    const source = decodeSource(bytes);
    if ("error" in source) run.results.push(fileErrorResult(filePath, source.error));
    else await this.lintInputs([this.input(filePath, source.text)], run, async () => {});
    return run;
  }

  /** Whether the configuration covering a file excludes it. */
  private isExcluded(filePath: string): boolean {
    return new Excludes((dir) => this.configs.forDirectory(dir)).excluded(filePath);
  }

}

/** Walks, configures and lints paths without writing anything (fixes, when asked, appear as `output`). */
export async function lintPaths(paths: string[], opts: { cwd?: string; configPath?: string; fix?: boolean }): Promise<FileResult[]> {
  const session = new LintSession({ cwd: path.resolve(opts.cwd ?? process.cwd()), configPath: opts.configPath, fix: opts.fix });
  return (await session.lintPaths(paths)).results;
}
