/** The output of a lint run, in ESLint's shapes: messages, per-file results and the rule settings that produced them. */
import type { FixApplicability, OptimizerConfig, Rule, RulePriority, Severity } from "./types.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RuleSetting { rule: Rule<any>; severity: Severity; options: Record<string, unknown> }

/** One replacement on a file's text, as ESLint serializes a fix: UTF-16 offsets (after the BOM) and new text. */
export interface FixJson { range: [number, number]; text: string }

/** A message's fix: the replacement and whether `--fix` applies it alone (`safe`) or only with `--unsafe-fixes`. */
export interface MessageFix extends FixJson {
  applicability: FixApplicability;
}

/** The steps of the debugging order, first to last: findings about the learning rate are fixed before the others. */
export const PRIORITY_ORDER: readonly RulePriority[] = ["learning-rate", "numerical-stability", "batch-size", "gradient", "optimizer-choice"];

/** How a priority reads in a sentence. */
export const PRIORITY_LABELS: Record<RulePriority, string> = {
  "learning-rate": "learning rate",
  "numerical-stability": "numerical stability",
  "batch-size": "batch size",
  gradient: "gradient",
  "optimizer-choice": "optimizer choice",
};

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
  fix?: MessageFix;
  /** The rule's step in the debugging order (rule messages only). */
  priority?: RulePriority;
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
  /** Error messages whose fix `--fix` applies in this run (safe fixes, and unsafe ones with `--unsafe-fixes`). */
  fixableErrorCount: number;
  fixableWarningCount: number;
  /** Messages whose fix is unsafe and left alone because unsafe fixes are off (present only when some are). */
  hiddenFixCount?: number;
  /** Set when `--fix` applies unsafe fixes too in this file (`--unsafe-fixes` or `unsafe-fixes = true`). */
  unsafeFixes?: boolean;
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

/** Whether `--fix` applies a message's fix: safe fixes always, unsafe ones only when unsafe fixes are on. */
export function appliesFix(message: Pick<LintMessage, "fix">, unsafeFixes: boolean | undefined): boolean {
  return message.fix !== undefined && (message.fix.applicability === "safe" || unsafeFixes === true);
}

/** A file's result with its counts; `unsafeFixes` says whether `--fix` applies unsafe fixes in it. */
export function summarize(filePath: string, messages: LintMessage[], suppressed: SuppressedMessage[], unsafeFixes = false): FileResult {
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
  if (unsafeFixes) result.unsafeFixes = true;
  let hidden = 0;
  for (const m of messages) {
    const fixable = appliesFix(m, unsafeFixes);
    if (m.fix && !fixable) hidden++;
    if (m.severity === 2) {
      result.errorCount++;
      if (m.fatal) result.fatalErrorCount++;
      if (fixable) result.fixableErrorCount++;
    } else if (m.level === "info") {
      result.infoCount++;
    } else {
      result.warningCount++;
      if (fixable) result.fixableWarningCount++;
    }
  }
  if (hidden > 0) result.hiddenFixCount = hidden;
  return result;
}

/** Message order within a file: position, then rule code. */
export function byPosition(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column || (a.code ?? "").localeCompare(b.code ?? "");
}

/** The rank of a message in the debugging order: 0 for the learning rate; messages without a rule (parse errors) come first. */
export function priorityRank(message: Pick<LintMessage, "priority" | "ruleId">): number {
  if (message.ruleId === null || message.priority === undefined) return -1;
  return PRIORITY_ORDER.indexOf(message.priority);
}

/** Message order for `--sort priority`: the debugging order, then position. */
export function byPriority(a: LintMessage, b: LintMessage): number {
  return priorityRank(a) - priorityRank(b) || byPosition(a, b);
}
