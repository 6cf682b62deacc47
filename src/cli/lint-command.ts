/**
 * The lint command: parse flags, lint, fix, print, and choose the exit code
 * (0 clean, 1 errors or too many warnings; usage and configuration errors are thrown as UsageError).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { RULES } from "../../rules/index.js";
import { UsageError } from "../config/errors.js";
import { checkSelectors } from "../config/selection.js";
import { appliesFix, byPriority, fileErrorResult, type FileResult } from "../core/results.js";
import type { Rule } from "../core/types.js";
import { wantsColor } from "../formatters/color.js";
import { loadFormatter } from "../formatters/index.js";
import { rulesMetaFor } from "../formatters/metadata.js";
import { formatStatistics, statisticsRows } from "../formatters/statistics.js";
import { parseArgs, type CliOptions } from "./args.js";
import { answerInfo, packageVersion } from "./info.js";
import { LintSession, STDIN_PATH, type LintRun } from "./lint-paths.js";
import { writeFileCreatingFolders } from "./output-file.js";
import { encodeSource } from "./read.js";
import { DEFAULT_CACHE_DIR } from "./cache.js";
import { applyBaseline, readBaseline, writeBaseline } from "./baseline.js";
import { parseRuleFlag } from "./rule-flag.js";

/** Checks the rule flags and turns them into command-line overrides. */
export function cliOverrides(options: Pick<CliOptions, "select" | "extendSelect" | "ignore" | "rules">, rules: readonly Rule<unknown>[]) {
  checkSelectors(options.select, rules, "--select");
  checkSelectors(options.extendSelect, rules, "--extend-select");
  checkSelectors(options.ignore, rules, "--ignore");
  return {
    selection: { select: options.select, extendSelect: options.extendSelect, ignore: options.ignore },
    rules: new Map(options.rules.map((spec) => parseRuleFlag(spec, rules))),
  };
}

/** Rejects flag combinations that cannot work together. */
function checkCombinations(options: CliOptions, readsStdin: boolean): void {
  if (options.fix && options.fixDryRun) throw new UsageError("--fix and --fix-dry-run cannot be used together");
  if (readsStdin && options.paths.some((p) => p !== "-")) throw new UsageError("Text from stdin cannot be linted together with file paths");
  if (options.writeBaseline !== undefined && (options.fix || options.fixDryRun || options.diff || options.baseline !== undefined)) {
    throw new UsageError("--write-baseline records the findings as they are: it cannot be combined with --fix, --fix-dry-run, --diff or --baseline");
  }
}

/** All of stdin as bytes. */
async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Only the error messages, as ESLint's `--quiet` shows them; results left without messages are dropped. */
export function errorsOnly(results: readonly FileResult[]): FileResult[] {
  return results.flatMap((result) => {
    const messages = result.messages.filter((m) => m.fatal || m.severity === 2);
    if (messages.length === 0) return [];
    const suppressedMessages = result.suppressedMessages.filter((m) => m.fatal || m.severity === 2);
    const { hiddenFixCount: _hidden, ...rest } = result;
    const hidden = messages.filter((m) => m.fix && !appliesFix(m, result.unsafeFixes)).length;
    return [{ ...rest, messages, suppressedMessages, errorCount: messages.length, warningCount: 0, infoCount: 0, fixableWarningCount: 0, ...(hidden > 0 ? { hiddenFixCount: hidden } : {}) }];
  });
}

/** A path as shown in diffs: relative to the working folder when inside it. */
function shownPath(filePath: string, cwd: string): string {
  if (filePath === STDIN_PATH) return filePath;
  const rel = path.relative(cwd, filePath);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : filePath;
}

/** Unified diffs of every fixed file, in result order. `diff` is loaded here, only for runs that print diffs. */
async function fixDiffs(run: LintRun, cwd: string): Promise<string[]> {
  const { createTwoFilesPatch, FILE_HEADERS_ONLY } = await import("diff");
  return run.results.flatMap((result) => {
    const before = run.originals.get(result.filePath);
    if (result.output === undefined || before === undefined) return [];
    const name = shownPath(result.filePath, cwd);
    return [createTwoFilesPatch(name, name, before, result.output, "", "", { headerOptions: FILE_HEADERS_ONLY })];
  });
}

/** Prints the fixes as a unified diff (Ruff's `--diff`): exit 1 when there is one, else 0. */
async function printDiffs(run: LintRun, cwd: string): Promise<number> {
  const diffs = await fixDiffs(run, cwd);
  if (diffs.length > 0) process.stdout.write(diffs.join(""));
  process.stderr.write(diffs.length > 0 ? `Would fix ${diffs.length} file${diffs.length === 1 ? "" : "s"}.\n` : "No fixes to apply.\n");
  return diffs.length > 0 ? 1 : 0;
}

/**
 * Writes fixed text back to the files it came from, in the encoding each was read in. A file that cannot
 * be written (read-only, or a character its encoding lacks) is reported as it stands, with a fatal
 * message saying why, and the other files are still written.
 */
function writeFixes(run: LintRun, session: LintSession): void {
  run.results = run.results.map((result) => {
    if (result.output === undefined || result.filePath === STDIN_PATH) return result;
    const bytes = encodeSource(result.output, run.encodings.get(result.filePath));
    let problem = bytes ? undefined : `the fixed text has characters that ${run.encodings.get(result.filePath)} cannot encode`;
    if (bytes) {
      try {
        writeFileSync(result.filePath, bytes);
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    if (problem === undefined) return result;
    const original = run.originals.get(result.filePath) ?? "";
    const unfixed = session.lintUnfixed(result.filePath, original);
    const notice = fileErrorResult(result.filePath, `Cannot write the fixed file: ${problem}`).messages[0];
    return { ...unfixed, messages: [notice, ...unfixed.messages], errorCount: unfixed.errorCount + 1, fatalErrorCount: unfixed.fatalErrorCount + 1 };
  });
}

/** `--fix` on stdin (as `ruff check --fix -`): the fixed text, or the text unchanged, goes to stdout. */
function printFixedStdin(run: LintRun, input: Uint8Array): void {
  const result = run.results[0];
  const fixed = result?.output === undefined ? undefined : encodeSource(result.output, run.encodings.get(result.filePath));
  process.stdout.write(fixed ?? Buffer.from(input));
}

/**
 * Prints the report to stdout (or stderr) followed by a newline (as ESLint's console.log does), or writes it to the
 * output file. The stream is asked for only when there is text: Node makes it, and loads its modules, on first use.
 */
function emit(text: string, outputFile: string | undefined, cwd: string, stream: () => NodeJS.WriteStream): void {
  if (outputFile === undefined) {
    if (text !== "") stream().write(`${text}\n`);
    return;
  }
  const problem = writeFileCreatingFolders(path.resolve(cwd, outputFile), text);
  if (problem !== undefined) throw new UsageError(`Cannot write the output file ${outputFile}: ${problem}`);
}

/** Sums a count over results. */
function total(results: readonly FileResult[], count: (r: FileResult) => number): number {
  return results.reduce((sum, r) => sum + count(r), 0);
}

/** Runs the lint command and returns its exit code. */
export async function runLint(argv: string[], cwd: string): Promise<number> {
  const options = parseArgs(argv);
  return answerInfo(options) ?? (await lintWith(options, cwd));
}

/** Runs the lint command with flags already parsed (neither `--help` nor `--version`) and returns its exit code. */
export async function lintWith(options: CliOptions, cwd: string): Promise<number> {
  const readsStdin = options.stdin || options.paths.includes("-") || (options.stdinFilename !== undefined && options.paths.length === 0);
  checkCombinations(options, readsStdin);
  const rules: readonly Rule<unknown>[] = RULES;
  const cli = cliOverrides(options, rules);
  const formatter = options.diff ? undefined : await loadFormatter(options.format, cwd);
  const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline, cwd);
  const session = new LintSession({
    cwd,
    configPath: options.config,
    fix: options.fix || options.fixDryRun || options.diff,
    unsafeFixes: options.unsafeFixes,
    noIgnore: options.noIgnore,
    forceExclude: options.forceExclude,
    cli,
    errorsOnly: options.quiet && options.maxWarnings < 0,
    rules,
    includeTests: options.includeTests,
    ...(options.cache || options.cacheLocation !== undefined ? { cache: { location: options.cacheLocation ?? DEFAULT_CACHE_DIR, version: packageVersion() } } : {}),
  });
  const input = readsStdin ? await readStdin() : undefined;
  const run = input ? await session.lintStdin(input, options.stdinFilename) : await session.lintPaths(options.paths);

  if (options.diff) return printDiffs(run, cwd);
  if (options.writeBaseline !== undefined) {
    const count = writeBaseline(options.writeBaseline, run.results, cwd);
    process.stderr.write(`Wrote ${count} finding${count === 1 ? "" : "s"} to the baseline ${options.writeBaseline}.\n`);
    return run.internalErrors > 0 ? 2 : 0;
  }
  if (baseline) run.results = applyBaseline(run.results, baseline, cwd);
  // `--sort priority`: within each file, the order a reviewer fixes things in (learning rate first), then position.
  if (options.sort === "priority") run.results = run.results.map((result) => ({ ...result, messages: [...result.messages].sort(byPriority) }));
  // With --fix on stdin the fixed text owns stdout, so the report goes to stderr (or the output file).
  const fixesStdin = input !== undefined && options.fix;
  if (fixesStdin) printFixedStdin(run, input);
  else if (options.fix) writeFixes(run, session);

  const errors = total(run.results, (r) => r.errorCount);
  const warnings = total(run.results, (r) => r.warningCount);
  const tooManyWarnings = options.maxWarnings >= 0 && warnings > options.maxWarnings;
  const shown = options.quiet ? errorsOnly(run.results) : run.results;
  let report: string;
  if (options.statistics) {
    const rows = statisticsRows(shown);
    report = options.format === "json" ? JSON.stringify(rows, null, 2) : formatStatistics(rows, run.testCode);
  } else {
    report = await formatter!(shown, {
      cwd,
      rulesMeta: rulesMetaFor(run.results, rules),
      version: packageVersion(),
      testCode: run.testCode,
      // Asked only by a formatter that prints something: reading `process.stdout` makes the stream (and loads its modules).
      get color() {
        return options.color ?? (options.outputFile === undefined && wantsColor(process.env, process.stdout.isTTY === true));
      },
      ...(tooManyWarnings ? { maxWarningsExceeded: { maxWarnings: options.maxWarnings, foundWarnings: warnings } } : {}),
    });
  }
  emit(report, options.outputFile, cwd, () => (fixesStdin ? process.stderr : process.stdout));
  if (tooManyWarnings) process.stderr.write(`optim-lint found too many warnings (maximum: ${options.maxWarnings}).\n`);
  if (run.internalErrors > 0) return 2;
  if (options.exitZero) return 0;
  return errors > 0 || tooManyWarnings ? 1 : 0;
}
