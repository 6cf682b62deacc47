/** Command-line flags: ESLint's names, Ruff's aliases, `--flag value` and `--flag=value` forms. */
import { UsageError, didYouMean } from "../config/errors.js";

export interface CliOptions {
  paths: string[];
  format: string;
  outputFile?: string;
  fix: boolean;
  /** `--unsafe-fixes` (true) or `--no-unsafe-fixes` (false); absent: configuration's `unsafe-fixes` decides. */
  unsafeFixes?: boolean;
  /** Message order within a file: by position (default) or by the debugging order (`--sort priority`). */
  sort: "position" | "priority";
  fixDryRun: boolean;
  diff: boolean;
  select?: string[];
  extendSelect?: string[];
  ignore?: string[];
  config?: string;
  /** -1 means no limit. */
  maxWarnings: number;
  quiet: boolean;
  stdin: boolean;
  stdinFilename?: string;
  noIgnore: boolean;
  forceExclude: boolean;
  /** Raw `--rule` specs such as `OPT002: error`. */
  rules: string[];
  statistics: boolean;
  /** Report findings in test code too (`include-tests` in configuration). */
  includeTests: boolean;
  exitZero: boolean;
  color?: boolean;
  cache: boolean;
  cacheLocation?: string;
  writeBaseline?: string;
  baseline?: string;
  help: boolean;
  version: boolean;
}

type BooleanKey = "cache" | "fix" | "fixDryRun" | "diff" | "quiet" | "stdin" | "noIgnore" | "forceExclude" | "statistics" | "includeTests" | "exitZero" | "help" | "version";
type ValueKey = "sort" | "cacheLocation" | "writeBaseline" | "baseline" | "format" | "outputFile" | "config" | "stdinFilename" | "maxWarnings" | "select" | "extendSelect" | "ignore" | "rules";

const BOOLEAN_FLAGS: Record<string, BooleanKey> = {
  "--cache": "cache",
  "--fix": "fix",
  "--fix-dry-run": "fixDryRun",
  "--diff": "diff",
  "--quiet": "quiet",
  "--stdin": "stdin",
  "--no-ignore": "noIgnore",
  "--force-exclude": "forceExclude",
  "--statistics": "statistics",
  "--include-tests": "includeTests",
  "--exit-zero": "exitZero",
  "--help": "help",
  "-h": "help",
  "--version": "version",
  "-v": "version",
};

const VALUE_FLAGS: Record<string, ValueKey> = {
  "--format": "format",
  "--output-format": "format",
  "-f": "format",
  "--output-file": "outputFile",
  "-o": "outputFile",
  "--config": "config",
  "-c": "config",
  "--stdin-filename": "stdinFilename",
  "--max-warnings": "maxWarnings",
  "--select": "select",
  "--extend-select": "extendSelect",
  "--ignore": "ignore",
  "--rule": "rules",
  "--cache-location": "cacheLocation",
  "--write-baseline": "writeBaseline",
  "--baseline": "baseline",
  "--sort": "sort",
};

const COLOR_FLAGS: Record<string, boolean> = { "--color": true, "--no-color": false };
const UNSAFE_FIX_FLAGS: Record<string, boolean> = { "--unsafe-fixes": true, "--no-unsafe-fixes": false };

/** The orders `--sort` takes. */
const SORT_ORDERS = ["position", "priority"] as const;

/** Every flag spelling, for suggestions. */
const ALL_FLAGS = [...Object.keys(BOOLEAN_FLAGS), ...Object.keys(VALUE_FLAGS), ...Object.keys(COLOR_FLAGS), ...Object.keys(UNSAFE_FIX_FLAGS)];

/** Items of a comma-separated list flag such as `--select OPT001,OPT002`. */
function listItems(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** `--max-warnings` must be an integer of at least -1. */
function parseMaxWarnings(value: string): number {
  if (!/^-?\d+$/.test(value.trim()) || Number(value) < -1) {
    throw new UsageError(`--max-warnings expects an integer of -1 or more, got "${value}"`);
  }
  return Number(value);
}

/** Stores one flag's value into the options. */
function storeValue(options: CliOptions, key: ValueKey, value: string): void {
  switch (key) {
    case "select":
    case "extendSelect":
    case "ignore":
      options[key] = [...(options[key] ?? []), ...listItems(value)];
      return;
    case "rules":
      options.rules.push(value);
      return;
    case "maxWarnings":
      options.maxWarnings = parseMaxWarnings(value);
      return;
    case "sort":
      if (!(SORT_ORDERS as readonly string[]).includes(value)) {
        throw new UsageError(`--sort expects one of ${SORT_ORDERS.join(", ")}, got "${value}"${didYouMean(value, SORT_ORDERS)}`);
      }
      options.sort = value as CliOptions["sort"];
      return;
    default:
      options[key] = value;
  }
}

/** Options before any flag is read. */
export function defaultOptions(): CliOptions {
  return {
    paths: [],
    format: "stylish",
    fix: false,
    sort: "position",
    fixDryRun: false,
    diff: false,
    maxWarnings: -1,
    quiet: false,
    stdin: false,
    noIgnore: false,
    forceExclude: false,
    rules: [],
    statistics: false,
    includeTests: false,
    exitZero: false,
    cache: false,
    help: false,
    version: false,
  };
}

/** Parses the arguments of the lint command; throws a usage error for unknown or malformed flags. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options = defaultOptions();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      options.paths.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-" || !arg.startsWith("-")) {
      options.paths.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    if (flag in BOOLEAN_FLAGS || flag in COLOR_FLAGS || flag in UNSAFE_FIX_FLAGS) {
      if (inline !== undefined) throw new UsageError(`The ${flag} flag takes no value`);
      if (flag in COLOR_FLAGS) options.color = COLOR_FLAGS[flag];
      else if (flag in UNSAFE_FIX_FLAGS) options.unsafeFixes = UNSAFE_FIX_FLAGS[flag];
      else options[BOOLEAN_FLAGS[flag]] = true;
      continue;
    }
    const key = VALUE_FLAGS[flag];
    if (!key) throw new UsageError(`Unknown option "${flag}"${didYouMean(flag, ALL_FLAGS)}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new UsageError(`The ${flag} flag needs a value`);
    storeValue(options, key, value);
  }
  return options;
}

export const HELP = `optim-lint [options] [paths...]
optim-lint simulate ...       run a finding's before/after settings on model problems
optim-lint explain <rule>     show a rule's documentation (no rule: list the rules)
optim-lint rules [--format json]
                              list the rules

Finds optimizer misconfiguration in PyTorch training code. Paths default to "."; "-" reads stdin.

Output:
  -f, --format <name>         stylish (default), compact, json, json-with-metadata, github, sarif,
                              a formatter module path, or an eslint-formatter-* package
      --output-format <name>  same as --format
  -o, --output-file <path>    write the report to a file
      --statistics            one row per rule: count, code, fixable marker, name
      --color, --no-color     force or disable colors (default: on a terminal, honoring NO_COLOR/FORCE_COLOR)
      --sort <order>          order findings within a file by position (default) or by priority:
                              learning rate, numerical stability, batch size, gradient, optimizer
                              choice, the order a reviewer fixes them in

Fixing:
      --fix                   apply safe fixes to the files, then report what is left;
                              on stdin, print the fixed text (the report goes to stderr)
      --unsafe-fixes          let --fix, --fix-dry-run and --diff apply unsafe fixes too (fixes that
                              change training dynamics you must re-tune, e.g. Adam to AdamW);
                              same as unsafe-fixes = true in configuration
      --no-unsafe-fixes       apply safe fixes only, whatever the configuration says
      --fix-dry-run           compute fixes without writing (the JSON formats show "output")
      --diff                  print the fixes as a unified diff, write nothing; exit 1 if there is one

Rules:
      --select <codes>        run only these rules (codes, names or code prefixes such as OPT0)
      --extend-select <codes> add rules to the selection
      --ignore <codes>        remove rules from the selection
      --rule '<rule>: <severity>'
                              set a rule's severity (off, info, warning, error); repeatable;
                              options as '<rule>: {"severity": "warning", "factor": 20}'
  -c, --config <file>         use this pyproject.toml or optim-lint.toml for every file

Files:
      --stdin                 lint text from stdin
      --stdin-filename <path> the path stdin's text is treated as (for configuration);
                              without paths it implies --stdin
      --no-ignore             do not honor .gitignore files or configured excludes
      --force-exclude         apply configured excludes to paths given on the command line too
      --include-tests         report findings in test code too (test_*.py, *_test.py, conftest.py,
                              tests/ folders, test functions and classes, fixtures); same as
                              include-tests = true in configuration

Cache and baseline:
      --cache                 reuse results of unchanged files (key: content, settings, version)
      --cache-location <dir>  the cache folder (default .optim-lint-cache/); implies --cache
      --write-baseline <file> record the current findings as accepted, then exit 0
      --baseline <file>       report only findings that are not in the baseline

Exit status:
      --quiet                 report errors only (warning-level rules are not run)
      --max-warnings <n>      exit 1 when there are more than n warnings
      --exit-zero             exit 0 even when problems are found
  -h, --help                  show this help
  -v, --version               show the version

Exit codes: 0 no errors (and warnings within --max-warnings), 1 errors or too many warnings,
2 bad usage, bad configuration or an internal error.
`;
