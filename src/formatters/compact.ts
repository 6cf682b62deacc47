/** One line per message, `path: line N, col M, Error - message (CODE rule-name)`, then a count. */
import type { LintMessage } from "../core/results.js";
import { ruleLabel, severityOf } from "./stylish.js";
import type { Formatter } from "./types.js";

/** `Error`, `Warning` or `Info`. */
function severityWord(message: LintMessage): string {
  return { error: "Error", warning: "Warning", info: "Info" }[severityOf(message)];
}

export const compact: Formatter = (results) => {
  let output = "";
  let total = 0;
  for (const result of results) {
    for (const message of result.messages) {
      total++;
      const rule = ruleLabel(message);
      output += `${result.filePath}: line ${message.line || 0}, col ${message.column || 0}, ${severityWord(message)} - ${message.message}`;
      output += rule ? ` (${rule})\n` : "\n";
    }
  }
  if (total > 0) output += `\n${total} problem${total === 1 ? "" : "s"}`;
  return output;
};
