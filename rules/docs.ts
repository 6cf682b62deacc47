/**
 * Renders a rule's documentation page from its metadata. `npm run docs` (scripts/docs.mjs) writes the pages under
 * `docs/rules/` with it, adding each option's type as ts-morph reads it from the rule's `Rule<Options>` type; the
 * editor hover and `optim-lint explain` render the same page without the types.
 */
import type { RuleMeta, RulePriority } from "../src/core/types.js";

/** The debugging order's steps, first to last, as a page names them. */
const PRIORITY_STEPS: readonly [RulePriority, string][] = [
  ["learning-rate", "learning rate"],
  ["numerical-stability", "numerical stability"],
  ["batch-size", "batch size"],
  ["gradient", "gradient"],
  ["optimizer-choice", "optimizer choice"],
];

/** What the generator knows about an option beyond its runtime default: its type, in words. */
export interface OptionType {
  /** The type as a reader reads it: `number`, `table of family → { low, high, suggested }`. */
  type: string;
  /** The JSDoc of the option in the rule's options type. */
  description?: string;
}

/** An option's default as it reads in a table cell. */
function formatDefault(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

/** The page's line on priority: the step and where it sits in the order. */
function priorityLine(priority: RulePriority): string {
  const index = PRIORITY_STEPS.findIndex(([step]) => step === priority);
  const order = PRIORITY_STEPS.map(([, label]) => label).join(", then ");
  return `- Priority: ${PRIORITY_STEPS[index][1]} (step ${index + 1} of ${PRIORITY_STEPS.length} in the order a reviewer fixes things: ${order})`;
}

/** The page's line on fixes: none, or the tier and the flags that apply it. */
function fixLine(meta: RuleMeta): string {
  if (!meta.fixable) return "- Fix: none (`--fix` changes nothing)";
  if (meta.fixApplicability === "unsafe") return "- Fix: unsafe, applied by `--fix --unsafe-fixes` only (it changes training dynamics you must re-tune)";
  return "- Fix: safe, applied by `--fix`";
}

/** The Markdown page for a rule; `optionTypes` adds a type column to the options table. */
export function renderRuleDoc(meta: RuleMeta, defaultOptions: Record<string, unknown>, optionTypes?: Record<string, OptionType>): string {
  const { docs } = meta;
  const facts = [
    `- Code: \`${meta.code}\``,
    `- Type: ${meta.type === "problem" ? "problem (a likely bug)" : "suggestion (a better way)"}`,
    `- Default severity: ${meta.defaultSeverity}`,
    priorityLine(meta.priority),
    fixLine(meta),
    `- Has suggestions: ${meta.hasSuggestions ? "yes" : "no"}`,
  ];
  const parts = [
    `# ${meta.name} (${meta.code})`,
    docs.summary,
    facts.join("\n"),
    `## What it does\n\n${docs.whatItDoes}`,
    `## Why is this bad?\n\n${docs.whyBad}`,
    `## Example\n\nThis is reported:\n\n\`\`\`python\n${docs.badExample.trimEnd()}\n\`\`\`\n\nThis is not:\n\n\`\`\`python\n${docs.goodExample.trimEnd()}\n\`\`\``,
  ];
  if (docs.configExample) {
    parts.push(`## In a training config\n\nThis config is reported too:\n\n\`\`\`${docs.configExample.language}\n${docs.configExample.code.trimEnd()}\n\`\`\``);
  }
  if (docs.severityRationale) parts.push(`## Severity\n\n${docs.severityRationale}`);
  if (docs.fixSafety) parts.push(`## Fix safety\n\n${docs.fixSafety}`);
  const names = Object.keys({ ...defaultOptions, ...docs.options });
  if (names.length > 0) {
    const typed = optionTypes !== undefined;
    const rows = names.map((name) => {
      const description = optionTypes?.[name]?.description ?? docs.options?.[name] ?? "";
      const type = typed ? ` ${optionTypes[name]?.type ?? ""} |` : "";
      return `| \`${name}\` |${type} ${formatDefault(defaultOptions[name])} | ${description} |`;
    });
    const header = typed ? "| option | type | default | meaning |\n| --- | --- | --- | --- |" : "| option | default | meaning |\n| --- | --- | --- |";
    const where = `Set them in \`[tool.optim-lint.rules]\` (or \`[rules]\` in \`optim-lint.toml\`): \`"${meta.name}" = { severity = "${meta.defaultSeverity}", ${names[0]} = ${JSON.stringify(defaultOptions[names[0]])} }\`.`;
    parts.push(`## Options\n\n${header}\n${rows.join("\n")}\n\n${where}`);
  }
  parts.push(
    `## Suppressing\n\nOn any line of the finding: \`# noqa: ${meta.code}\` or \`# optim-lint: disable=${meta.name}\`; on the line before: \`# optim-lint: disable-next-line=${meta.name}\`.`,
  );
  return `${parts.join("\n\n")}\n`;
}
