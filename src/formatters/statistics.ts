/** Ruff-style `--statistics`: one row per rule that reported, most frequent first. */
import { appliesFix, type FileResult } from "../core/results.js";
import type { FormatterContext } from "./types.js";

export interface StatisticsRow {
  code: string;
  name: string;
  count: number;
  fixable: boolean;
  fixable_count: number;
}

/** Counts of reported messages by rule; messages with no rule (parse and file errors) share one row. */
export function statisticsRows(results: readonly FileResult[]): StatisticsRow[] {
  const rows = new Map<string, StatisticsRow>();
  for (const result of results) {
    for (const message of result.messages) {
      const name = message.ruleId ?? "fatal-error";
      const row = rows.get(name) ?? { code: message.code ?? "", name, count: 0, fixable: false, fixable_count: 0 };
      row.count++;
      // Fixable as `--fix` would fix it in this run: safe fixes, and unsafe ones with `--unsafe-fixes`.
      if (appliesFix(message, result.unsafeFixes)) {
        row.fixable = true;
        row.fixable_count++;
      }
      rows.set(name, row);
    }
  }
  return [...rows.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code) || a.name.localeCompare(b.name));
}

/** Rows as text: count, code, `[*]` when fixes exist, name; then what was left out as test code, if anything. */
export function formatStatistics(rows: readonly StatisticsRow[], testCode?: FormatterContext["testCode"]): string {
  const table = formatRows(rows);
  if (!testCode || testCode.included || (testCode.files === 0 && testCode.hiddenFindings === 0)) return table;
  const files = `${testCode.files} file${testCode.files === 1 ? "" : "s"} treated as tests`;
  const hidden = `${testCode.hiddenFindings} finding${testCode.hiddenFindings === 1 ? "" : "s"} in test code elsewhere`;
  const note = `${files}, ${hidden} not reported (--include-tests reports them)`;
  return table === "" ? note : `${table}\n${note}`;
}

function formatRows(rows: readonly StatisticsRow[]): string {
  const countWidth = Math.max(0, ...rows.map((r) => String(r.count).length));
  const codeWidth = Math.max(0, ...rows.map((r) => r.code.length));
  const anyFixable = rows.some((r) => r.fixable);
  return rows
    .map((r) => {
      const marker = anyFixable ? (r.fixable ? "[*] " : "[ ] ") : "";
      return `${String(r.count).padStart(countWidth)}\t${r.code.padEnd(codeWidth)}\t${marker}${r.name}`;
    })
    .join("\n");
}
