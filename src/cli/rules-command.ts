/** `optim-lint rules`: every rule with its code, default severity, fix and suggestion support, as a table or JSON. */
import { RULES } from "../../rules/index.js";
import { UsageError } from "../config/errors.js";
import { docsUrl } from "../core/results.js";
import type { Rule } from "../core/types.js";

/** One rule as `optim-lint rules --format json` prints it. */
export function ruleRow(rule: Rule<unknown>) {
  const { meta } = rule;
  return {
    code: meta.code,
    name: meta.name,
    type: meta.type,
    defaultSeverity: meta.defaultSeverity,
    priority: meta.priority,
    fixable: meta.fixable,
    ...(meta.fixApplicability ? { fixApplicability: meta.fixApplicability } : {}),
    hasSuggestions: meta.hasSuggestions,
    summary: meta.docs.summary,
    docsUrl: docsUrl(meta.name),
  };
}

/** The rules as an aligned text table: code, name, default severity, fix marker (with its tier), summary. */
export function formatRuleTable(rules: readonly Rule<unknown>[]): string {
  const rows = [["Code", "Name", "Default", "Fix", "Summary"], ...rules.map((rule) => {
    const { meta } = rule;
    const fix = meta.fixable ? `fix (${meta.fixApplicability ?? "safe"})` : meta.hasSuggestions ? "suggest" : "";
    return [meta.code, meta.name, meta.defaultSeverity, fix, meta.docs.summary];
  })];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")).join("\n");
}

const USAGE = "Usage: optim-lint rules [--format text|json]";

/** `optim-lint rules [--format text|json]`: exit 0, or 2 for unknown options. */
export function runRules(argv: readonly string[]): number {
  let format = "text";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help") {
      process.stdout.write(`${USAGE}\n\nLists every rule: code, name, default severity, whether --fix fixes it, and what it finds.\n`);
      return 0;
    }
    if (arg === "--format" || arg === "-f") format = argv[++i] ?? "";
    else if (arg.startsWith("--format=")) format = arg.slice("--format=".length);
    else throw new UsageError(`rules: unknown argument ${arg}\n${USAGE}`);
  }
  if (format !== "text" && format !== "json") throw new UsageError(`rules: --format must be text or json, not "${format}"`);
  process.stdout.write(format === "json" ? `${JSON.stringify(RULES.map(ruleRow), null, 2)}\n` : `${formatRuleTable(RULES)}\n`);
  return 0;
}
