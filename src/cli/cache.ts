/**
 * `--cache`: per-file results kept between runs, as Ruff and ESLint keep them. An entry is used only when
 * the file's content hash, the resolved rule settings for that file and optim-lint's version all match.
 * A cache that cannot be read, is not optim-lint's, or was written by another version is ignored and
 * rebuilt; an entry that does not look like a result is a miss. Values cross files (a function's callers
 * are searched in the run's files), so results are reused only by a run of the same set of files.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { FileResult, RuleSetting } from "../core/results.js";

/** The default folder, relative to the working folder. */
export const DEFAULT_CACHE_DIR = ".optim-lint-cache";
const CACHE_FILE = "results-v1.json";
const TOOL = "optim-lint";

interface CacheFile {
  tool: typeof TOOL;
  version: string;
  /** The hash of the run's file paths: results made in a run of other files are not reused. */
  run?: string;
  /** `deps`: other files the result depends on (a `_base_`, a Hydra option), with the hash of their content then. */
  entries: Record<string, { key: string; result: FileResult; deps?: Record<string, string> }>;
}

/** The hash of a file's bytes now, or "" when it cannot be read. */
function contentHashOf(filePath: string): string {
  try {
    return createHash("sha256").update(readFileSync(filePath)).digest("hex");
  } catch {
    return "";
  }
}

/** Whether a value has the shape of a cached result (anything else is treated as a miss). */
function looksLikeResult(value: unknown): value is FileResult {
  const r = value as FileResult;
  return (
    typeof r === "object" && r !== null && Array.isArray(r.messages) && Array.isArray(r.suppressedMessages) &&
    ["errorCount", "fatalErrorCount", "warningCount", "infoCount", "fixableErrorCount", "fixableWarningCount"].every((k) => typeof (r as unknown as Record<string, unknown>)[k] === "number") &&
    r.messages.every((m) => typeof m === "object" && m !== null && typeof m.line === "number" && typeof m.message === "string")
  );
}

export class ResultCache {
  private readonly file: string;
  private entries: CacheFile["entries"] = {};
  private run: string | undefined;
  private readonly settingsKeys = new WeakMap<RuleSetting[], string>();
  private changed = false;

  constructor(
    private readonly dir: string,
    private readonly version: string,
  ) {
    this.file = path.join(dir, CACHE_FILE);
    this.entries = this.load();
  }

  private load(): CacheFile["entries"] {
    let parsed: Partial<CacheFile>;
    try {
      parsed = JSON.parse(readFileSync(this.file, "utf8")) as Partial<CacheFile>;
    } catch {
      return {};
    }
    const foreign = parsed?.tool !== TOOL || parsed.version !== this.version || typeof parsed.entries !== "object" || parsed.entries === null || Array.isArray(parsed.entries);
    if (foreign) this.changed = true;
    this.run = foreign || typeof parsed.run !== "string" ? undefined : parsed.run;
    return foreign ? {} : (parsed.entries as CacheFile["entries"]);
  }

  /** Declares the files of this run: a cache made for another set of files is dropped and rebuilt. */
  useRun(files: readonly string[]): void {
    const hash = createHash("sha256").update([...files].sort().join("\0")).digest("hex");
    if (hash === this.run) return;
    this.entries = {};
    this.run = hash;
    this.changed = true;
  }

  /** A key for a file's text under its rule settings, whether unsafe fixes count as fixable and whether findings in test code are left out. */
  key(text: string, rules: RuleSetting[], { unsafeFixes = false, hideTestCode = false }: { unsafeFixes?: boolean; hideTestCode?: boolean } = {}): string {
    let settings = this.settingsKeys.get(rules);
    if (settings === undefined) {
      settings = JSON.stringify(rules.map((s) => [s.rule.meta.code, s.rule.meta.name, s.severity, s.options]));
      this.settingsKeys.set(rules, settings);
    }
    return createHash("sha256").update(this.version).update("\0").update(settings).update(unsafeFixes ? "\0unsafe-fixes" : "\0").update(hideTestCode ? "\0hide-test-code\0" : "\0\0").update(text).digest("hex");
  }

  /** The cached result for a file, when its key matches; `source` is restored from the text. */
  get(filePath: string, key: string, text: string): FileResult | undefined {
    const entry = this.entries[filePath];
    if (!entry || entry.key !== key || !looksLikeResult(entry.result)) return undefined;
    // A result that other files' values reached is stale once one of them changed or went away.
    if (entry.deps && Object.entries(entry.deps).some(([dep, hash]) => contentHashOf(dep) !== hash)) return undefined;
    const result: FileResult = { ...entry.result, filePath };
    if (result.messages.length > 0) result.source = text;
    return result;
  }

  /** The files a file's stored result depended on when it was stored (whether or not that result is still valid). */
  storedDependencies(filePath: string): string[] {
    return Object.keys(this.entries[filePath]?.deps ?? {});
  }

  set(filePath: string, key: string, result: FileResult, dependencies: readonly string[] = []): void {
    const { source: _source, output: _output, ...kept } = result;
    const deps = Object.fromEntries(dependencies.map((dep) => [dep, contentHashOf(dep)]));
    this.entries[filePath] = { key, result: kept as FileResult, ...(dependencies.length > 0 ? { deps } : {}) };
    this.changed = true;
  }

  /** Writes the cache (atomically, through a temp file) when it changed; a failure only costs the cache. */
  save(): string | undefined {
    if (!this.changed) return undefined;
    try {
      if (!existsSync(this.dir)) {
        mkdirSync(this.dir, { recursive: true });
        writeFileSync(path.join(this.dir, ".gitignore"), "# Written by optim-lint --cache\n*\n");
      }
      const temp = `${this.file}.${process.pid}.tmp`;
      const data: CacheFile = { tool: TOOL, version: this.version, ...(this.run === undefined ? {} : { run: this.run }), entries: this.entries };
      writeFileSync(temp, JSON.stringify(data));
      renameSync(temp, this.file);
      this.changed = false;
      return undefined;
    } catch (error) {
      return `Cannot write the cache in ${this.dir}: ${(error as Error).message}`;
    }
  }
}
