/** `optim-lint simulate` and `optim-lint explain`: argument handling and output. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { closest } from "fastest-levenshtein";
import type { CliOptions } from "../cli/args.js";
import { cliOverrides } from "../cli/lint-command.js";
import { LintSession } from "../cli/lint-paths.js";
import { formatRuleTable } from "../cli/rules-command.js";
import { writeFileCreatingFolders } from "../cli/output-file.js";
import { UsageError as CommandError } from "../config/errors.js";
import { displayPath } from "../config/load.js";
import { lintText } from "../default-linter.js";
import type { Rule } from "../core/types.js";
import { RULES } from "../../rules/index.js";
import { renderHtml } from "./html.js";
import { formatText, toJson, wrapText } from "./report.js";
import { Simulator } from "./runner.js";
import { simulateMessage, simulateResults, unsimulatedFindings, type FindingSimulation, type UnsimulatedFinding } from "./simulate.js";
import { stripBom } from "../core/source-text.js";

const SIMULATE_USAGE = `Usage: optim-lint simulate <paths...> [--format text|json] [--html report.html] [--config path]
         [--select codes] [--extend-select codes] [--ignore codes] [--rule '<rule>: <severity>'] [--no-ignore]

Lints the paths and, for every finding whose fix or suggestion changes optimizer settings, runs the
settings before and after the change on small model problems and reports what changed.`;

const EXPLAIN_USAGE = `Usage: optim-lint explain <rule>
       optim-lint explain            (lists the rules)

Prints a rule's documentation (by name, e.g. adam-weight-decay, or code, e.g. OPT001) and simulates its fix
on the rule's own bad example.`;

/** A command-line mistake: reported with the usage, exit code 2. */
class UsageError extends Error {}

interface SimulateArgs {
  paths: string[];
  format: "text" | "json";
  html?: string;
  configPath?: string;
  help: boolean;
  /** The lint command's rule and file options, which choose the findings to simulate. */
  lint?: Pick<CliOptions, "select" | "extendSelect" | "ignore" | "rules" | "noIgnore">;
}

/** Lint options that take a value, and the CliOptions key each fills. */
const LINT_VALUE_OPTIONS = { "--select": "select", "--extend-select": "extendSelect", "--ignore": "ignore", "--rule": "rules" } as const;

/** Stores one of the lint command's options into the simulate arguments. */
function storeLintOption(args: SimulateArgs, name: keyof typeof LINT_VALUE_OPTIONS, value: string): void {
  const lint = (args.lint ??= { rules: [], noIgnore: false });
  const key = LINT_VALUE_OPTIONS[name];
  if (key === "rules") lint.rules.push(value);
  else lint[key] = [...(lint[key] ?? []), ...value.split(",").map((item) => item.trim()).filter((item) => item !== "")];
}

/** The value of an option given as `--name value` or `--name=value`. */
function optionValue(argv: string[], index: number, name: string): { value: string; next: number } {
  const arg = argv[index];
  if (arg.startsWith(`${name}=`)) return { value: arg.slice(name.length + 1), next: index + 1 };
  const value = argv[index + 1];
  if (value === undefined || value.startsWith("-")) throw new UsageError(`${name} needs a value`);
  return { value, next: index + 2 };
}

/** Parses `simulate` arguments. */
export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const args: SimulateArgs = { paths: [], format: "text", help: false };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    const name = arg.split("=")[0];
    if (arg === "-h" || arg === "--help") {
      args.help = true;
      i++;
    } else if (name === "--format" || name === "-f") {
      const { value, next } = optionValue(argv, i, name);
      if (value !== "text" && value !== "json") throw new UsageError(`--format must be text or json, not ${value}`);
      args.format = value;
      i = next;
    } else if (name === "--html") {
      const { value, next } = optionValue(argv, i, name);
      args.html = value;
      i = next;
    } else if (name === "--config" || name === "-c") {
      const { value, next } = optionValue(argv, i, name);
      args.configPath = value;
      i = next;
    } else if (name in LINT_VALUE_OPTIONS) {
      const { value, next } = optionValue(argv, i, name);
      storeLintOption(args, name as keyof typeof LINT_VALUE_OPTIONS, value);
      i = next;
    } else if (arg === "--no-ignore") {
      (args.lint ??= { rules: [], noIgnore: false }).noIgnore = true;
      i++;
    } else if (arg === "--") {
      args.paths.push(...argv.slice(i + 1));
      break;
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      args.paths.push(arg);
      i++;
    }
  }
  if (!args.help && args.paths.length === 0) throw new UsageError("no paths given");
  return args;
}

/** Reads a linted file's text for code excerpts, or undefined when it cannot be read. */
function readSource(filePath: string): string | undefined {
  try {
    return stripBom(readFileSync(filePath, "utf8"));
  } catch {
    return undefined;
  }
}

/** Reports a usage error and returns exit code 2. */
function usageFailure(error: UsageError, usage: string): number {
  process.stderr.write(`optim-lint: ${error.message}\n\n${usage}\n`);
  return 2;
}

/** Writes simulations in the requested format, and the HTML page when asked (both with readable paths; JSON keeps them as linted). */
function emit(simulations: FindingSimulation[], unsimulated: UnsimulatedFinding[], format: "text" | "json", htmlPath: string | undefined): void {
  const cwd = process.cwd();
  const readable = simulations.map((s) => ({ ...s, filePath: displayPath(s.filePath, cwd) }));
  if (htmlPath) {
    const problem = writeFileCreatingFolders(path.resolve(htmlPath), renderHtml(readable));
    if (problem !== undefined) throw new CommandError(`Cannot write the HTML report ${htmlPath}: ${problem}`);
  }
  const skipped = unsimulated.map((f) => ({ ...f, filePath: displayPath(f.filePath, cwd) }));
  process.stdout.write(format === "json" ? `${JSON.stringify(toJson(simulations), null, 2)}\n` : formatText(readable, skipped));
  if (htmlPath && format === "text") process.stdout.write(`\nHTML report written to ${htmlPath}\n`);
}

/** `optim-lint simulate <paths...> [--format text|json] [--html report.html]`: exit 0 on success, 2 on usage errors. */
export async function runSimulate(argv: string[]): Promise<number> {
  let args: SimulateArgs;
  try {
    args = parseSimulateArgs(argv);
    for (const given of args.paths) if (!existsSync(path.resolve(given))) throw new UsageError(`no such file or folder: ${given}`);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error, SIMULATE_USAGE);
    throw error;
  }
  if (args.help) {
    process.stdout.write(`${SIMULATE_USAGE}\n`);
    return 0;
  }
  const cwd = process.cwd();
  const lint = args.lint ?? { rules: [], noIgnore: false };
  const session = new LintSession({ cwd, configPath: args.configPath, noIgnore: lint.noIgnore, cli: cliOverrides(lint, RULES), rules: RULES });
  const { results } = await session.lintPaths(args.paths);
  emit(simulateResults(results, readSource), unsimulatedFindings(results), args.format, args.html);
  return 0;
}

/** The rule a name or code refers to, case-insensitively. */
export function findRule(id: string): Rule<unknown> | undefined {
  const wanted = id.trim().toLowerCase();
  return RULES.find((rule) => rule.meta.name.toLowerCase() === wanted || rule.meta.code.toLowerCase() === wanted);
}

/** The known rule name or code nearest to a misspelled one. */
export function closestRuleId(id: string): string {
  const candidates = RULES.flatMap((rule) => [rule.meta.name, rule.meta.code]);
  const match = closest(id.toLowerCase(), candidates.map((c) => c.toLowerCase()));
  return candidates.find((c) => c.toLowerCase() === match) ?? match;
}

/** Wraps prose at a width, indenting every line. */
function wrap(text: string, indent = "  "): string {
  return text
    .split(/\n\s*\n/)
    .flatMap((paragraph) => [...wrapText(paragraph, indent, indent), ""])
    .join("\n")
    .trimEnd();
}

/** Indents a block of code. */
function indentCode(code: string): string {
  return code
    .replace(/\s+$/, "")
    .split("\n")
    .map((line) => (line ? `    ${line}` : ""))
    .join("\n");
}

/** The documentation of a rule as text. */
export function formatRuleDocs(rule: Rule<unknown>): string {
  const { meta } = rule;
  const { docs } = meta;
  const traits = [meta.type, `${meta.defaultSeverity} by default`, meta.fixable ? "fixable with --fix" : "", meta.hasSuggestions ? "has suggestions" : ""].filter(Boolean);
  const sections = [`${meta.name} (${meta.code}): ${traits.join(", ")}`, wrap(docs.summary, ""), "What it does", wrap(docs.whatItDoes), "Why is this bad", wrap(docs.whyBad)];
  sections.push("Example that triggers the rule", indentCode(docs.badExample), "Use instead", indentCode(docs.goodExample));
  if (docs.fixSafety) sections.push("Fix safety", wrap(docs.fixSafety));
  const options = Object.entries(docs.options ?? {});
  if (options.length > 0) {
    const defaults = (rule.defaultOptions ?? {}) as Record<string, unknown>;
    sections.push("Options", options.map(([name, text]) => `  ${name} (default ${JSON.stringify(defaults[name])}): ${text}`).join("\n"));
  }
  return sections.join("\n\n");
}

/** Simulations of the settings changes the rule reports on its own bad example. */
function simulateBadExample(rule: Rule<unknown>): FindingSimulation[] {
  const filePath = `${rule.meta.name}-example.py`;
  const text = rule.meta.docs.badExample;
  const result = lintText(text, { filePath, rules: [{ rule, severity: rule.meta.defaultSeverity, options: rule.defaultOptions as Record<string, unknown> }] });
  const simulator = new Simulator();
  return result.messages.flatMap((message) => simulateMessage(simulator, filePath, message, text) ?? []);
}

/** `optim-lint explain <rule>`: the rule's documentation, then a simulation of its fix on its bad example. */
export async function runExplain(argv: string[]): Promise<number> {
  if (argv.includes("-h") || argv.includes("--help")) {
    process.stdout.write(`${EXPLAIN_USAGE}\n`);
    return 0;
  }
  if (argv.length === 0) {
    process.stdout.write(`${formatRuleTable(RULES)}\n\nRun \`optim-lint explain <rule>\` for a rule's documentation.\n`);
    return 0;
  }
  if (argv.length !== 1) return usageFailure(new UsageError("explain takes one rule"), EXPLAIN_USAGE);
  const rule = findRule(argv[0]);
  if (!rule) {
    process.stderr.write(`optim-lint: unknown rule ${argv[0]}; did you mean ${closestRuleId(argv[0])}?\n`);
    return 2;
  }
  process.stdout.write(`${formatRuleDocs(rule)}\n\n`);
  const simulations = simulateBadExample(rule);
  if (simulations.length === 0) {
    process.stdout.write("Simulation\n\n  The rule's example reports no change of optimizer settings, so there is nothing to simulate.\n");
  } else {
    process.stdout.write(`Simulation of the change on the example above\n\n${formatText(simulations)}`);
  }
  return 0;
}
