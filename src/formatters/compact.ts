/** One line per message, `path: line N, col M, Error - message (CODE rule-name)`, then a count. */
import { appliesFix, type LintMessage } from "../core/results.js";
import { fixFirst, ruleLabel, severityOf, shownPath } from "./stylish.js";
import type { Formatter } from "./types.js";

/** `Error`, `Warning` or `Info`. */
function severityWord(message: LintMessage): string {
  return { error: "Error", warning: "Warning", info: "Info" }[severityOf(message)];
}

/** `line 2, col 1`, or `cell 3, line 2, col 1` in a notebook. */
function position(message: LintMessage): string {
  if (message.cell) return `cell ${message.cell.index}, line ${message.cell.line}, col ${message.cell.column}`;
  return `line ${message.line || 0}, col ${message.column || 0}`;
}

/** The count line's note on fixes: how many `--fix` applies, and how many more `--unsafe-fixes` would. */
function fixNote(fixable: number, hidden: number): string {
  const parts = [...(fixable > 0 ? [`${fixable} fixable with \`--fix\``] : []), ...(hidden > 0 ? [`${hidden} more with \`--fix --unsafe-fixes\``] : [])];
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

export const compact: Formatter = (results, context) => {
  let output = "";
  let total = 0;
  let fixable = 0;
  let hidden = 0;
  for (const result of results) {
    for (const message of result.messages) {
      total++;
      // `[*]` marks a finding `--fix` fixes in this run, as Ruff marks it.
      const applies = appliesFix(message, result.unsafeFixes);
      if (applies) fixable++;
      else if (message.fix) hidden++;
      const rule = ruleLabel(message);
      output += `${shownPath(result.filePath, context.cwd)}: ${position(message)}, ${severityWord(message)} - ${applies ? "[*] " : ""}${message.message}`;
      output += rule ? ` (${rule})\n` : "\n";
    }
  }
  if (total > 0) {
    output += `\n${total} problem${total === 1 ? "" : "s"}${fixNote(fixable, hidden)}`;
    const first = fixFirst(results, context.cwd);
    if (first) output += `\n${first}`;
  }
  return output;
};
