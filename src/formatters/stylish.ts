/**
 * ESLint's default layout: each file's path underlined, one aligned row per message
 * (`line:column  severity  message  CODE rule-name`), then a summary of problems and fixable ones.
 */
import path from "node:path";
import { PRIORITY_LABELS, priorityRank, type FileResult, type LintMessage } from "../core/results.js";
import { palette, visibleLength, type Palette } from "./color.js";
import type { Formatter } from "./types.js";

/** `1 error`, `2 errors`. */
function counted(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** How serious a message is: fatal and error-level messages are errors; the rest are warnings or infos by level. */
export function severityOf(message: LintMessage): "error" | "warning" | "info" {
  if (message.fatal || message.severity === 2) return "error";
  return message.level === "info" ? "info" : "warning";
}

/** The severity word of a message, colored. */
function severityLabel(message: LintMessage, paint: Palette): string {
  const severity = severityOf(message);
  const color = { error: paint.red, warning: paint.yellow, info: paint.blue }[severity];
  return color(severity);
}

/** The last column: the rule's code before its name, as `# noqa:` takes the code. */
export function ruleLabel(message: LintMessage): string {
  if (!message.ruleId) return "";
  return message.code ? `${message.code} ${message.ruleId}` : message.ruleId;
}

/** A path as the human formats print it: relative to the working folder when inside it (as Ruff prints), else absolute. */
export function shownPath(filePath: string, cwd: string): string {
  if (!path.isAbsolute(filePath)) return filePath;
  const relative = path.relative(cwd, filePath);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : filePath;
}

/** ` (cell 3, line 2)` for a message in a notebook cell, else nothing. */
export function cellNote(message: LintMessage): string {
  return message.cell ? ` (cell ${message.cell.index}, line ${message.cell.line})` : "";
}

/** Rows laid out in columns two spaces apart; column 1 right-aligned, the rest left-aligned, trailing blanks cut. */
function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = " ".repeat(widths[i] - visibleLength(cell));
        return i === 1 ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}

/** One file's block: the underlined path and its message table. */
function fileBlock(result: FileResult, paint: Palette, cwd: string): string {
  // In a notebook the position is the cell's (`cell 3:2:1`, as Ruff prints it), not the line of the JSON text.
  const rows = result.messages.map((message) => [
    "",
    message.cell ? `cell ${message.cell.index}:${message.cell.line}` : String(message.line || 0),
    String(message.cell ? message.cell.column : message.column || 0),
    severityLabel(message, paint),
    message.message.replace(/([^ ])\.$/u, "$1"),
    paint.dim(ruleLabel(message)),
  ]);
  const lines = alignColumns(rows).map((line) => line.replace(/(\d+)\s+(\d+)/u, (_, l: string, c: string) => paint.dim(`${l}:${c}`)));
  return `${paint.underline(shownPath(result.filePath, cwd))}\n${lines.join("\n")}\n\n`;
}

/** Where a finding is, as a reviewer jumps to it: `train.py:12:5`, or `train.ipynb cell 3:2` in a notebook. */
export function findingPlace(filePath: string, message: LintMessage, cwd: string): string {
  const file = shownPath(filePath, cwd);
  return message.cell ? `${file} cell ${message.cell.index}:${message.cell.line}` : `${file}:${message.line || 0}:${message.column || 0}`;
}

/** How many findings the fix-first line names before it says how many more there are. */
const FIX_FIRST_SHOWN = 3;

/**
 * The findings to fix first: those at the earliest step of the debugging order present (learning rate, then numerical
 * stability, batch size, gradient, optimizer choice), errors before warnings before infos, in file order; undefined
 * without rule findings.
 */
export function fixFirst(results: readonly FileResult[], cwd: string): string | undefined {
  const severityRank = { error: 0, warning: 1, info: 2 };
  const findings = results.flatMap((result) =>
    result.messages.filter((m) => m.ruleId !== null && m.priority !== undefined).map((message) => ({ filePath: result.filePath, message })),
  );
  if (findings.length === 0) return undefined;
  const top = Math.min(...findings.map((f) => priorityRank(f.message)));
  const first = findings
    .filter((f) => priorityRank(f.message) === top)
    .map((f, order) => ({ ...f, order }))
    .sort((a, b) => severityRank[severityOf(a.message)] - severityRank[severityOf(b.message)] || a.order - b.order);
  const named = first.slice(0, FIX_FIRST_SHOWN).map((f) => `${ruleLabel(f.message)} at ${findingPlace(f.filePath, f.message, cwd)}`);
  const more = first.length - named.length;
  const list = more > 0 ? `${named.join(", ")} and ${more} more` : named.join(", ");
  return `Fix first (${PRIORITY_LABELS[first[0].message.priority!]}): ${list}`;
}

/** The line about fixes `--fix` leaves because they are unsafe, or undefined when there are none. */
export function hiddenFixesLine(hidden: number): string | undefined {
  if (hidden === 0) return undefined;
  return `${hidden} more fixable with \`--fix --unsafe-fixes\` (unsafe: the fix changes training dynamics, so review it and re-tune).`;
}

export const stylish: Formatter = (results, context) => {
  // Nothing to print: the color setting is not asked for (the CLI reads the terminal to answer it).
  if (!results.some((result) => result.messages.length > 0)) return "";
  const paint = palette(context.color);
  let output = "\n";
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  let fixableErrors = 0;
  let fixableWarnings = 0;
  let hidden = 0;
  for (const result of results) {
    if (result.messages.length === 0) continue;
    hidden += result.hiddenFixCount ?? 0;
    errors += result.errorCount;
    warnings += result.warningCount;
    infos += result.infoCount ?? 0;
    fixableErrors += result.fixableErrorCount;
    fixableWarnings += result.fixableWarningCount;
    output += fileBlock(result, paint, context.cwd);
  }
  const total = errors + warnings + infos;
  if (total === 0) return "";
  const emphasis = (text: string): string => (errors > 0 ? paint.red(paint.bold(text)) : paint.yellow(paint.bold(text)));
  const breakdown = [counted(errors, "error"), counted(warnings, "warning"), ...(infos > 0 ? [counted(infos, "info")] : [])];
  output += emphasis(`\u2716 ${counted(total, "problem")} (${breakdown.join(", ")})`) + "\n";
  if (fixableErrors > 0 || fixableWarnings > 0) {
    const fixable = `${counted(fixableErrors, "error")} and ${counted(fixableWarnings, "warning")}`;
    output += emphasis(`  ${fixable} potentially fixable with the \`--fix\` option.`) + "\n";
  }
  const unsafe = hiddenFixesLine(hidden);
  if (unsafe) output += emphasis(`  ${unsafe}`) + "\n";
  const first = fixFirst(results, context.cwd);
  if (first) output += paint.bold(first) + "\n";
  return paint.reset(output);
};
