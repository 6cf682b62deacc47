/**
 * GitHub Actions workflow commands: one `::error|warning|notice file=…::message` line per finding, which
 * the Actions runner turns into annotations on the pull request.
 */
import path from "node:path";
import type { FileResult, LintMessage } from "../core/results.js";
import { cellNote, severityOf } from "./stylish.js";
import type { Formatter } from "./types.js";

/** GitHub shows at most this many annotations of one type per step and drops the rest silently. */
const SHOWN_PER_TYPE = 10;

/** Escapes a command's message (`%`, CR and LF), `%` first. */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Escapes a property value: as a message, plus `:` and `,`. */
function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

type Command = "error" | "warning" | "notice";

/** The workflow command that annotates a message at its severity. */
function commandOf(message: LintMessage): Command {
  return ({ error: "error", warning: "warning", info: "notice" } as const)[severityOf(message)];
}

/** A path relative to the workspace, with forward slashes. */
function workspacePath(filePath: string, root: string): string {
  const relative = path.isAbsolute(filePath) ? path.relative(root, filePath) : filePath;
  return relative.split(path.sep).join("/");
}

export const github: Formatter = (results, context) => {
  const root = process.env.GITHUB_WORKSPACE || context.cwd;
  const rows: { command: Command; file: string; message: LintMessage }[] = [];
  for (const result of results as FileResult[]) {
    for (const message of result.messages) rows.push({ command: commandOf(message), file: workspacePath(result.filePath, root), message });
  }
  const rank = { error: 0, warning: 1, notice: 2 } as const;
  rows.sort((a, b) => rank[a.command] - rank[b.command] || a.file.localeCompare(b.file) || a.message.line - b.message.line);
  const counts = { error: 0, warning: 0, notice: 0 };
  let out = "";
  for (const { command, file, message } of rows) {
    counts[command]++;
    const props = [`file=${escapeProperty(file)}`, `line=${message.line}`];
    const endLine = message.endLine ?? message.line;
    props.push(`endLine=${endLine}`);
    // Columns are only allowed on single-line spans.
    if (endLine === message.line) {
      props.push(`col=${message.column}`);
      if (message.endColumn !== undefined) props.push(`endColumn=${message.endColumn}`);
    }
    const label = message.code ? `optim-lint (${message.code})` : "optim-lint";
    props.push(`title=${escapeProperty(label)}`);
    const head = `${file}:${message.line}:${message.column}: ${message.code ? `${message.code} ` : ""}`;
    out += `::${command} ${props.join(",")}::${escapeData(head + message.message + cellNote(message))}\n`;
  }
  const hidden = Object.values(counts).reduce((sum, n) => sum + Math.max(0, n - SHOWN_PER_TYPE), 0);
  if (hidden > 0) out += `::notice::${hidden} more finding${hidden === 1 ? "" : "s"} than GitHub shows as annotations (${SHOWN_PER_TYPE} per type per step); all are listed in this log.\n`;
  return out;
};
