/**
 * Baselines: `--write-baseline FILE` records the current findings by fingerprint; `--baseline FILE` moves
 * findings recorded there to the suppressed messages, so that a legacy project fails CI only on new ones.
 * Each recorded fingerprint matches one finding (two identical findings need two entries).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../config/errors.js";
import { appliesFix, type FileResult, type SuppressedMessage } from "../core/results.js";
import { fingerprintPath, fingerprints } from "../formatters/fingerprint.js";
import { writeFileCreatingFolders } from "./output-file.js";

interface BaselineFile {
  tool: "optim-lint";
  /** Format version of this file. */
  baseline: 1;
  findings: { fingerprint: string; code: string; file: string; line: number; message: string }[];
}

/** The baseline of a run's findings as JSON text (fingerprinted findings only: parse errors are never accepted). */
export function baselineText(results: readonly FileResult[], cwd: string): string {
  const findings: BaselineFile["findings"] = [];
  for (const result of results) {
    const prints = fingerprints(result, cwd);
    result.messages.forEach((message, i) => {
      const fingerprint = prints[i];
      if (fingerprint === undefined || message.fatal) return;
      findings.push({ fingerprint, code: message.code ?? message.ruleId!, file: fingerprintPath(result.filePath, cwd), line: message.line, message: message.message });
    });
  }
  const data: BaselineFile = { tool: "optim-lint", baseline: 1, findings };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** Writes the baseline file; returns how many findings it holds. */
export function writeBaseline(file: string, results: readonly FileResult[], cwd: string): number {
  const text = baselineText(results, cwd);
  const problem = writeFileCreatingFolders(path.resolve(cwd, file), text);
  if (problem !== undefined) throw new UsageError(`Cannot write the baseline ${file}: ${problem}`);
  return (JSON.parse(text) as BaselineFile).findings.length;
}

/** The fingerprints of a baseline file with their counts; a missing or malformed file is a usage error. */
export function readBaseline(file: string, cwd: string): Map<string, number> {
  let data: Partial<BaselineFile>;
  try {
    data = JSON.parse(readFileSync(path.resolve(cwd, file), "utf8")) as Partial<BaselineFile>;
  } catch (error) {
    throw new UsageError(`Cannot read the baseline ${file}: ${(error as Error).message}`);
  }
  if (data?.tool !== "optim-lint" || data.baseline !== 1 || !Array.isArray(data.findings)) {
    throw new UsageError(`${file} is not an optim-lint baseline (write one with --write-baseline)`);
  }
  const counts = new Map<string, number>();
  for (const finding of data.findings) {
    if (typeof finding?.fingerprint === "string") counts.set(finding.fingerprint, (counts.get(finding.fingerprint) ?? 0) + 1);
  }
  return counts;
}

/** The results with baseline findings moved to `suppressedMessages` (kind `external`) and the counts redone. */
export function applyBaseline(results: readonly FileResult[], baseline: Map<string, number>, cwd: string): FileResult[] {
  const left = new Map(baseline);
  return results.map((result) => {
    const prints = fingerprints(result, cwd);
    const kept: FileResult["messages"] = [];
    const accepted: SuppressedMessage[] = [];
    result.messages.forEach((message, i) => {
      const fingerprint = prints[i];
      const remaining = fingerprint === undefined ? 0 : (left.get(fingerprint) ?? 0);
      if (remaining > 0 && !message.fatal) {
        left.set(fingerprint!, remaining - 1);
        accepted.push({ ...message, suppressions: [{ kind: "external", justification: "in the baseline" }] });
      } else {
        kept.push(message);
      }
    });
    if (accepted.length === 0) return result;
    return { ...recount(result, kept), suppressedMessages: [...result.suppressedMessages, ...accepted] };
  });
}

/** A result holding only `messages`, with its counts computed again. */
function recount(result: FileResult, messages: FileResult["messages"]): FileResult {
  const errors = messages.filter((m) => m.fatal || m.severity === 2);
  const warnings = messages.filter((m) => !m.fatal && m.severity === 1 && m.level !== "info");
  const { hiddenFixCount: _hidden, ...rest } = result;
  const hidden = messages.filter((m) => m.fix && !appliesFix(m, result.unsafeFixes)).length;
  return {
    ...rest,
    messages,
    errorCount: errors.length,
    fatalErrorCount: errors.filter((m) => m.fatal).length,
    warningCount: warnings.length,
    infoCount: messages.filter((m) => !m.fatal && m.severity === 1 && m.level === "info").length,
    fixableErrorCount: errors.filter((m) => appliesFix(m, result.unsafeFixes)).length,
    fixableWarningCount: warnings.filter((m) => appliesFix(m, result.unsafeFixes)).length,
    ...(hidden > 0 ? { hiddenFixCount: hidden } : {}),
  };
}
