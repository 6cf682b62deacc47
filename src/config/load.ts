/**
 * Configuration files: `[tool.optim-lint]` in `pyproject.toml`, or the same keys without the prefix in
 * `optim-lint.toml`. The nearest file to a linted path applies; `optim-lint.toml` wins in a shared folder.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { Rule, SeveritySetting } from "../core/types.js";
import { UsageError, didYouMean } from "./errors.js";
import { checkSelectors, ruleSpellings, type RuleSelection } from "./selection.js";

/** A rule's severity and options as one configuration layer sets them (either may be absent). */
export interface RuleConfig {
  severity?: SeveritySetting;
  options: Record<string, unknown>;
}

/** Codes or rule names ignored for files matching a glob. */
export interface PerFileIgnore {
  pattern: string;
  selectors: string[];
}

/** One configuration file, validated against the rule registry. */
export interface ProjectConfig {
  /** Absolute path of the file. */
  file: string;
  /** The folder globs are relative to. */
  dir: string;
  selection: RuleSelection;
  exclude: string[];
  perFileIgnores: PerFileIgnore[];
  /** Severity and options by rule name. */
  rules: Map<string, RuleConfig>;
  /** `include-tests`: report findings in test code too (absent: not set here). */
  includeTests?: boolean;
  /** `unsafe-fixes`: let `--fix` apply unsafe fixes too (absent: not set here). */
  unsafeFixes?: boolean;
}

/**
 * The settings of `[tool.optim-lint]` in `pyproject.toml`, or of `optim-lint.toml` (the same keys without the prefix),
 * as written in TOML. `npm run docs` reads this type, its property types and these comments, to write the JSON Schema
 * `schema/optim-lint.schema.json` that TOML editors complete and validate with; `rules` there lists every rule's options.
 */
export interface ConfigFileSettings {
  /**
   * The rules to run, replacing the default set (every rule): rule codes (`OPT001`), rule names (`adam-weight-decay`),
   * code prefixes (`OPT0`) or `ALL`.
   * @default ["ALL"]
   */
  select?: string[];
  /** Rules to run on top of the selection, written as in `select`. */
  "extend-select"?: string[];
  /** Rules to leave out of the selection, written as in `select`; the more specific selector wins over a broader one. */
  ignore?: string[];
  /**
   * Glob patterns, relative to the configuration file's folder, of files and folders not to lint when walking folders
   * (with `--force-exclude`, also when named on the command line).
   * @default []
   */
  exclude?: string[];
  /** Rules to leave out for the files a glob pattern matches: the pattern (relative to this file's folder) to a list of selectors. */
  "per-file-ignores"?: Record<string, string[]>;
  /** Each rule's severity and options, by code or name: a severity, or a table with `severity` and the rule's options. */
  rules?: Record<string, unknown>;
  /**
   * Report findings in test code too (test files, test functions and classes, fixtures), as `--include-tests` does.
   * @default false
   */
  "include-tests"?: boolean;
  /**
   * Let `--fix` apply unsafe fixes too (fixes that change training dynamics you must re-tune, such as Adam to AdamW),
   * as `--unsafe-fixes` does; `--no-unsafe-fixes` overrides it.
   * @default false
   */
  "unsafe-fixes"?: boolean;
}

/** Every key of the settings table, in the order of `ConfigFileSettings`. */
export const CONFIG_KEYS = ["select", "extend-select", "ignore", "exclude", "per-file-ignores", "rules", "include-tests", "unsafe-fixes"] as const satisfies readonly (keyof ConfigFileSettings)[];
const SEVERITIES: readonly SeveritySetting[] = ["off", "info", "warning", "error"];
const OPTIM_LINT_TOML = "optim-lint.toml";
const PYPROJECT = "pyproject.toml";

type Table = Record<string, unknown>;

/** True for a TOML table (a plain or null-prototype object). */
function isTable(value: unknown): value is Table {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A short name for a value's TOML type, for error messages. */
function typeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (isTable(value)) return "table";
  return typeof value;
}

/** A list of strings, or a usage error naming the key. */
function stringList(value: unknown, key: string, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new UsageError(`"${key}" in ${where} must be an array of strings, got ${typeName(value)}`);
  }
  return value;
}

/** A severity setting from its spelling (`warn` is accepted for ESLint users), or a usage error. */
function parseSeverity(value: unknown, where: string): SeveritySetting {
  if (value === "warn") return "warning";
  if (typeof value === "string" && (SEVERITIES as string[]).includes(value)) return value as SeveritySetting;
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  const hint = typeof value === "string" ? didYouMean(value, SEVERITIES) : "";
  throw new UsageError(`Invalid severity "${shown}" in ${where} (expected one of ${SEVERITIES.join(", ")})${hint}`);
}

/** The registered rule a code or name refers to, or a usage error naming the closest one. */
export function findRule<R extends Rule<unknown>>(ref: string, rules: readonly R[], where: string): R {
  const found = rules.find((r) => r.meta.name === ref || r.meta.code.toUpperCase() === ref.toUpperCase());
  if (!found) throw new UsageError(`Unknown rule "${ref}" in ${where}${didYouMean(ref, ruleSpellings(rules))}`);
  return found;
}

/** Whether an option value has the same shape as the rule's default for it. */
function sameShape(value: unknown, model: unknown): boolean {
  if (model === null || model === undefined) return true;
  if (Array.isArray(model)) {
    if (!Array.isArray(value)) return false;
    return model.length === 0 || value.every((item) => sameShape(item, model[0]));
  }
  if (isTable(model)) return isTable(value);
  if (typeof model === "number") return typeof value === "number" && Number.isFinite(value);
  return typeof value === typeof model;
}

/** Checks options against the rule's `defaultOptions` keys and value types. */
function checkOptions(rule: Rule<unknown>, options: Table, where: string): Record<string, unknown> {
  const defaults = (rule.defaultOptions ?? {}) as Table;
  const known = Object.keys(defaults);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      const valid = known.length > 0 ? ` (valid options: ${known.join(", ")})` : " (it takes no options)";
      throw new UsageError(`Unknown option "${key}" for rule "${rule.meta.name}" in ${where}${valid}${didYouMean(key, known)}`);
    }
    if (!sameShape(value, defaults[key])) {
      throw new UsageError(
        `Option "${key}" of rule "${rule.meta.name}" in ${where} must be ${typeName(defaults[key])}, got ${typeName(value)}`,
      );
    }
    out[key] = value;
  }
  return out;
}

/** A rule setting from `"error"` or `{ severity = "warning", factor = 20 }`. */
export function parseRuleConfig(rule: Rule<unknown>, value: unknown, where: string): RuleConfig {
  if (!isTable(value)) return { severity: parseSeverity(value, where), options: {} };
  const { severity, ...options } = value;
  return {
    severity: severity === undefined ? undefined : parseSeverity(severity, where),
    options: checkOptions(rule, options, where),
  };
}

/** The `[rules]` table, keyed by rule name. */
function parseRulesTable(value: unknown, rules: readonly Rule<unknown>[], where: string): Map<string, RuleConfig> {
  if (!isTable(value)) throw new UsageError(`"rules" in ${where} must be a table, got ${typeName(value)}`);
  const out = new Map<string, RuleConfig>();
  for (const [ref, setting] of Object.entries(value)) {
    const rule = findRule(ref, rules, where);
    out.set(rule.meta.name, parseRuleConfig(rule, setting, where));
  }
  return out;
}

/** The per-file-ignores table: glob → selectors. */
function parsePerFileIgnores(value: unknown, rules: readonly Rule<unknown>[], where: string): PerFileIgnore[] {
  if (!isTable(value)) throw new UsageError(`"per-file-ignores" in ${where} must be a table, got ${typeName(value)}`);
  return Object.entries(value).map(([pattern, list]) => {
    const selectors = stringList(list, `per-file-ignores."${pattern}"`, where);
    checkSelectors(selectors, rules, where);
    return { pattern, selectors };
  });
}

/** The table holding optim-lint's keys, or undefined for a pyproject.toml without `[tool.optim-lint]`. */
function optimLintTable(doc: Table, file: string): Table | undefined {
  if (path.basename(file) !== PYPROJECT) return doc;
  const tool = doc.tool;
  if (!isTable(tool) || !("optim-lint" in tool)) return undefined;
  const table = tool["optim-lint"];
  if (!isTable(table)) throw new UsageError(`[tool.optim-lint] in ${file} must be a table`);
  return table;
}

/** smol-toml's parser, loaded on first use: runs that find no configuration file never load it. */
let tomlParser: ((text: string) => unknown) | undefined;
function parseToml(text: string): unknown {
  tomlParser ??= (createRequire(import.meta.url)("smol-toml") as typeof import("smol-toml")).parse;
  return tomlParser(text);
}

/** Parses and validates a configuration text; undefined for a pyproject.toml without optim-lint settings. */
export function parseConfig(text: string, file: string, rules: readonly Rule<unknown>[], where = file): ProjectConfig | undefined {
  let doc: Table;
  try {
    doc = parseToml(text) as Table;
  } catch (error) {
    throw new UsageError(`Invalid TOML in ${where}: ${(error as Error).message}`);
  }
  const table = optimLintTable(doc, file);
  if (!table) return undefined;
  for (const key of Object.keys(table)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`Unknown key "${key}" in ${where}${didYouMean(key, CONFIG_KEYS)}`);
    }
  }
  const list = (key: string): string[] | undefined => (key in table ? stringList(table[key], key, where) : undefined);
  const selection: RuleSelection = { select: list("select"), extendSelect: list("extend-select"), ignore: list("ignore") };
  for (const selectors of [selection.select, selection.extendSelect, selection.ignore]) checkSelectors(selectors, rules, where);
  const flag = (key: string): boolean | undefined => {
    const value = table[key];
    if (value !== undefined && typeof value !== "boolean") throw new UsageError(`"${key}" in ${where} must be a boolean, got ${typeName(value)}`);
    return value;
  };
  const includeTests = flag("include-tests");
  const unsafeFixes = flag("unsafe-fixes");
  return {
    ...(includeTests !== undefined ? { includeTests } : {}),
    ...(unsafeFixes !== undefined ? { unsafeFixes } : {}),
    file,
    dir: path.dirname(file),
    selection,
    exclude: list("exclude") ?? [],
    perFileIgnores: "per-file-ignores" in table ? parsePerFileIgnores(table["per-file-ignores"], rules, where) : [],
    rules: "rules" in table ? parseRulesTable(table.rules, rules, where) : new Map(),
  };
}

/** How a configuration file is named in messages: relative to the working folder when inside it. */
export function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** Reads and validates one configuration file given by path. */
export function loadConfigFile(file: string, rules: readonly Rule<unknown>[], cwd: string): ProjectConfig | undefined {
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read configuration file ${file}: ${(error as Error).message}`);
  }
  return parseConfig(text, absolute, rules, displayPath(absolute, cwd));
}

/** Finds the configuration nearest to each folder, walking up; each folder is examined once. */
export class ConfigFinder {
  private readonly byDir = new Map<string, ProjectConfig | null>();

  constructor(
    private readonly rules: readonly Rule<unknown>[],
    private readonly cwd: string,
  ) {}

  /** The configuration that applies to files in a folder, if any. */
  forDirectory(dir: string): ProjectConfig | undefined {
    const absolute = path.resolve(this.cwd, dir);
    const cached = this.byDir.get(absolute);
    if (cached !== undefined) return cached ?? undefined;
    const own = this.configIn(absolute);
    const parent = path.dirname(absolute);
    const found = own ?? (parent === absolute ? undefined : this.forDirectory(parent));
    this.byDir.set(absolute, found ?? null);
    return found;
  }

  /** The configuration that applies to a file. */
  forFile(file: string): ProjectConfig | undefined {
    return this.forDirectory(path.dirname(path.resolve(this.cwd, file)));
  }

  /** The configuration defined in this very folder, if any. */
  private configIn(dir: string): ProjectConfig | undefined {
    for (const name of [OPTIM_LINT_TOML, PYPROJECT]) {
      const file = path.join(dir, name);
      if (!existsSync(file) || !statSync(file).isFile()) continue;
      const config = loadConfigFile(file, this.rules, this.cwd);
      if (config) return config;
    }
    return undefined;
  }
}
