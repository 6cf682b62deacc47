/** The output of a lint run, in ESLint's shapes: messages, per-file results and the rule settings that produced them. */
import type { OptimizerConfig, Rule, Severity } from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RuleSetting { rule: Rule<any>; severity: Severity; options: Record<string, unknown> }

/** One replacement on a file's text, as ESLint serializes a fix: UTF-16 offsets (after the BOM) and new text. */
export interface FixJson { range: [number, number]; text: string }

/** A location related to a message: where a value it judges was defined. */
export interface RelatedLocation {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  /** The file of the location, when it is not the message's own file. */
  filePath?: string;
}

export interface LintMessage {
  ruleId: string | null;
  code?: string;
  severity: 1 | 2;
  level?: "info";
  message: string;
  messageId?: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  fix?: FixJson;
  suggestions?: { desc: string; messageId?: string; fix: FixJson }[];
  fatal?: boolean;
  related?: RelatedLocation[];
  docsUrl?: string;
  /** In a notebook: the cell (counting every cell from 1, as Jupyter shows them) and the 1-based line and column in its source. */
  cell?: { index: number; line: number; column: number };
  settingsChange?: { before: OptimizerConfig; after: OptimizerConfig };
}

/** A suppressed message: by a comment in the file (`directive`) or by a baseline (`external`). */
export type SuppressedMessage = LintMessage & { suppressions: { kind: "directive" | "external"; justification: string }[] };

export interface FileResult {
  filePath: string;
  messages: LintMessage[];
  suppressedMessages: SuppressedMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  infoCount: number;
  fixableErrorCount: number;
  fixableWarningCount: number;
  source?: string;
  output?: string;
  /** Findings left out because they lie in test code (present only when some were). */
  hiddenInTestCode?: number;
  usedDeprecatedRules: { ruleId: string; replacedBy: string[] }[];
}

/** Where each rule's documentation page lives. */
const DOCS_BASE_URL = "https://github.com/optim-lint/optim-lint/blob/main/docs/rules/";

/** The documentation URL of a rule. */
export function docsUrl(ruleName: string): string {
  return `${DOCS_BASE_URL}${ruleName}.md`;
}

/** A result holding one fatal message for a file that could not be read or decoded. */
export function fileErrorResult(filePath: string, message: string): FileResult {
  return summarize(filePath, [{ ruleId: null, severity: 2, fatal: true, message, line: 1, column: 1 }], []);
}

/** A file's result with its counts. */
export function summarize(filePath: string, messages: LintMessage[], suppressed: SuppressedMessage[]): FileResult {
  const result: FileResult = {
    filePath,
    messages,
    suppressedMessages: suppressed,
    errorCount: 0,
    fatalErrorCount: 0,
    warningCount: 0,
    infoCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
  for (const m of messages) {
    if (m.severity === 2) {
      result.errorCount++;
      if (m.fatal) result.fatalErrorCount++;
      if (m.fix) result.fixableErrorCount++;
    } else if (m.level === "info") {
      result.infoCount++;
    } else {
      result.warningCount++;
      if (m.fix) result.fixableWarningCount++;
    }
  }
  return result;
}

/** Message order within a file: position, then rule code. */
export function byPosition(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column || (a.code ?? "").localeCompare(b.code ?? "");
}
