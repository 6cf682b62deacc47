/** Text and JSON reports of simulations: pure functions of the simulations. */
import type { OptimizerConfig } from "../core/types.js";
import type { ProblemComparison, RunSummary } from "./runner.js";
import type { FindingSimulation, UnsimulatedFinding } from "./simulate.js";

/** The one-line honest caveat every report carries. */
export const CAVEAT =
  "These runs use small model problems chosen to expose each pitfall, not your network or data: read them as the direction of an effect, not a forecast of your training.";

/** A loss for a table cell: three significant digits, exponent form outside [0.01, 1000). */
export function formatLoss(value: number | null): string {
  if (value === null) return "—";
  if (value === 0) return "0";
  const magnitude = Math.abs(value);
  return magnitude >= 0.01 && magnitude < 1000 ? value.toPrecision(3) : value.toExponential(2);
}

/** An option value as Python would write it. */
function formatOption(value: number | boolean | number[]): string {
  if (typeof value === "boolean") return value ? "True" : "False";
  if (Array.isArray(value)) return `(${value.map((v) => String(v)).join(", ")})`;
  return String(value);
}

/** Whether two option values are equal. */
function sameOption(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Options worth showing for a pair of settings: the learning rate, what changed, and active momentum/decay/betas. */
function shownOptions(before: OptimizerConfig, after: OptimizerConfig): string[] {
  const inactive = (value: unknown): boolean => value === undefined || value === false || value === 0;
  const changed = [...new Set([...Object.keys(before.options), ...Object.keys(after.options)])].filter((name) => {
    const [b, a] = [before.options[name], after.options[name]];
    return (b === undefined || a === undefined) ? !inactive(b ?? a) : !sameOption(b, a);
  });
  const active = ["momentum", "weight_decay", "betas", "nesterov"].filter((name) => {
    const value = before.options[name] ?? after.options[name];
    return value !== undefined && value !== 0 && value !== false;
  });
  return [...new Set(["lr", ...changed, ...active])].filter((name) => before.options[name] !== undefined || after.options[name] !== undefined);
}

/** An optimizer construction as a short Python-like call, e.g. `AdamW(lr=0.001, weight_decay=0.01)`. */
function formatConfig(config: OptimizerConfig, names: string[]): string {
  const args = names.filter((name) => config.options[name] !== undefined).map((name) => `${name}=${formatOption(config.options[name])}`);
  return `${config.optimizer}(${args.join(", ")})`;
}

/** Both sides' constructions with the same options shown, each followed by its label when the settings alone look the same. */
export function formatChange(before: OptimizerConfig, after: OptimizerConfig, labels?: { before: string; after: string }): { before: string; after: string } {
  const names = shownOptions(before, after);
  const label = (text: string | undefined) => (text ? ` ${text}` : "");
  return { before: formatConfig(before, names) + label(labels?.before), after: formatConfig(after, names) + label(labels?.after) };
}

/** The final-loss cell: the loss, or why there is none. */
function finalCell(summary: RunSummary): string {
  if (summary.rejected) return "rejected";
  if (summary.diverged) return "diverged";
  return formatLoss(summary.finalLoss);
}

/** Steps to target, or "never". */
function stepsCell(summary: RunSummary): string {
  if (summary.rejected) return "—";
  return summary.stepsToTarget === null ? "never" : String(summary.stepsToTarget);
}

/** A percentage with one decimal. */
function formatPercent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Words wrapped into lines of at most `width` characters, the first and later lines indented differently. */
export function wrapText(text: string, firstIndent: string, indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const prefix = lines.length === 0 ? firstIndent : indent;
    if (line && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push((lines.length === 0 ? firstIndent : indent) + line);
  return lines;
}

/** Pads cells into aligned columns. */
function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col])).join("  ").trimEnd());
}

/** The decay lines of one problem: shrinkage per tracked quantity and the final weight norm. */
function decayLines(comparison: ProblemComparison): string[] {
  const { before, after } = comparison;
  const lines: string[] = [];
  const b = before.summary.shrinkage;
  const a = after.summary.shrinkage;
  if (b && a) {
    const parts = b.map((q, i) => `${q.label} ${formatPercent(q.value)} → ${formatPercent(a[i].value)}`);
    lines.push(`shrinkage from decay (before → after): ${parts.join(", ")}`);
  }
  if (before.summary.weightNorm !== undefined && after.summary.weightNorm !== undefined) {
    lines.push(`final weight norm: ${before.summary.weightNorm.toPrecision(4)} → ${after.summary.weightNorm.toPrecision(4)}`);
  }
  return lines;
}

/** The readable report of one finding. */
function formatFindingText(simulation: FindingSimulation): string {
  const ruleLabel = simulation.code ? `${simulation.ruleId} (${simulation.code})` : String(simulation.ruleId);
  const change = formatChange(simulation.before, simulation.after, simulation.labels);
  const lines = [`${simulation.filePath}:${simulation.line}:${simulation.column}  ${ruleLabel}`, `  before  ${change.before}`, `  after   ${change.after}`];
  for (const note of simulation.notes) lines.push(...wrapText(`note: ${note}`, "  ", "        "));
  lines.push("");
  const rows = [
    ["problem", "final loss", "", "best loss", "", "steps to target", ""],
    ["", "before", "after", "before", "after", "before", "after"],
  ];
  for (const { problem, before, after } of simulation.comparisons) {
    rows.push([
      problem.name,
      finalCell(before.summary),
      finalCell(after.summary),
      formatLoss(before.summary.bestLoss),
      formatLoss(after.summary.bestLoss),
      stepsCell(before.summary),
      stepsCell(after.summary),
    ]);
  }
  lines.push(...table(rows).map((row) => `  ${row}`));
  for (const comparison of simulation.comparisons) {
    const extra = decayLines(comparison);
    for (const side of ["before", "after"] as const) {
      const reason = comparison[side].summary.rejected;
      if (reason) extra.push(`${side}: the optimizer refused the settings (${reason})`);
    }
    if (extra.length > 0) lines.push(`  ${comparison.problem.name}:`, ...extra.flatMap((line) => wrapText(line, "    ", "      ")));
  }
  lines.push("", "  What each problem shows:");
  for (const { problem } of simulation.comparisons) {
    lines.push(...wrapText(`${problem.name} (${problem.steps} steps, target loss ${formatLoss(problem.targetLoss)}): ${problem.description}`, "    ", "      "));
  }
  return lines.join("\n");
}

/** The lines naming findings that were not simulated, if any. */
function unsimulatedLines(unsimulated: readonly UnsimulatedFinding[]): string {
  if (unsimulated.length === 0) return "";
  const items = unsimulated.map((f) => `  ${f.filePath}:${f.line}  ${f.ruleId}`);
  return `\nNot simulated (the finding carries no change of optimizer settings):\n${items.join("\n")}\n`;
}

/** The whole text report, ending with the findings that could not be simulated. */
export function formatText(simulations: readonly FindingSimulation[], unsimulated: readonly UnsimulatedFinding[] = []): string {
  if (simulations.length === 0) return `No finding with a settings change to simulate.\n${unsimulatedLines(unsimulated)}`;
  return `${wrapText(CAVEAT, "", "").join("\n")}\n\n${simulations.map(formatFindingText).join("\n\n")}\n${unsimulatedLines(unsimulated)}`;
}

/** A run summary as JSON: the required keys first, extra keys only when present. */
function summaryJson(summary: RunSummary): Record<string, unknown> {
  const out: Record<string, unknown> = {
    finalLoss: finiteOrNull(summary.finalLoss),
    bestLoss: finiteOrNull(summary.bestLoss),
    diverged: summary.diverged,
    stepsToTarget: summary.stepsToTarget,
  };
  if (summary.shrinkage) out.shrinkage = summary.shrinkage.map((q) => ({ label: q.label, value: finiteOrNull(q.value) }));
  if (summary.weightNorm !== undefined) out.weightNorm = finiteOrNull(summary.weightNorm);
  if (summary.rejected) out.rejected = summary.rejected;
  return out;
}

/** A number, or null when it is not finite (JSON has no NaN or Infinity). */
function finiteOrNull(value: number | null): number | null {
  return value !== null && Number.isFinite(value) ? value : null;
}

/** The JSON report object: `{ results: [...] }` in the documented shape. */
export function toJson(simulations: readonly FindingSimulation[]): { results: unknown[] } {
  return {
    results: simulations.map((s) => ({
      filePath: s.filePath,
      ruleId: s.ruleId,
      line: s.line,
      before: { optimizer: s.before.optimizer, options: s.before.options, ...(s.labels ? { parameters: s.labels.before } : {}) },
      after: { optimizer: s.after.optimizer, options: s.after.options, ...(s.labels ? { parameters: s.labels.after } : {}) },
      problems: s.comparisons.map((c) => ({ name: c.problem.name, before: summaryJson(c.before.summary), after: summaryJson(c.after.summary) })),
    })),
  };
}
