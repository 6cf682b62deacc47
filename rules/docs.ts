/** Renders a rule's documentation page from its metadata (the pages under `docs/rules/` are generated). */
import type { RuleMeta } from "../src/core/types.js";

/** An option's default as it reads in a table cell. */
function formatDefault(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

/** The Markdown page for a rule. */
export function renderRuleDoc(meta: RuleMeta, defaultOptions: Record<string, unknown>): string {
  const { docs } = meta;
  const facts = [
    `- Code: \`${meta.code}\``,
    `- Type: ${meta.type === "problem" ? "problem (a likely bug)" : "suggestion (a better way)"}`,
    `- Default severity: ${meta.defaultSeverity}`,
    `- Fixable with \`--fix\`: ${meta.fixable ? "yes" : "no"}`,
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
  if (docs.fixSafety) parts.push(`## Fix safety\n\n${docs.fixSafety}`);
  const options = Object.entries(docs.options ?? {});
  if (options.length > 0) {
    const rows = options.map(([name, description]) => `| \`${name}\` | ${formatDefault(defaultOptions[name])} | ${description} |`);
    parts.push(`## Options\n\n| option | default | meaning |\n| --- | --- | --- |\n${rows.join("\n")}`);
  }
  parts.push(
    `## Suppressing\n\nOn any line of the finding: \`# noqa: ${meta.code}\` or \`# optim-lint: disable=${meta.name}\`; on the line before: \`# optim-lint: disable-next-line=${meta.name}\`.`,
  );
  return `${parts.join("\n\n")}\n`;
}
