/**
 * The engine: runs the enabled rules on one file's facts, applies severity and suppression, turns reports
 * into ESLint-shaped messages, and applies fixes in passes.
 */
import type { AnalyzedFile, FixRequest, LanguageAdapter, OptimizerConfig, Report, Rule, Severity, TextEdit } from "./types.js";
import type { Span } from "./facts.js";
import { LineIndex } from "./lines.js";
import { readSuppressions } from "./suppress.js";
import { knowledge } from "../knowledge/index.js";
import { pythonAdapter } from "../python/adapter.js";
import { cellLocation, notebookAdapter } from "../notebook/adapter.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface RuleSetting { rule: Rule<any>; severity: Severity; options: Record<string, unknown> }
export interface LintTextOptions { filePath: string; rules: RuleSetting[]; fix?: boolean }
export interface FixJson { range: [number, number]; text: string }

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
  related?: { line: number; column: number; endLine: number; endColumn: number; message: string }[];
  docsUrl?: string;
  settingsChange?: { before: OptimizerConfig; after: OptimizerConfig };
  /** In a notebook: the cell (counting every cell from 1, as Jupyter shows them) and the 1-based line and column in its source. */
  cell?: { index: number; line: number; column: number };
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
  usedDeprecatedRules: { ruleId: string; replacedBy: string[] }[];
}

/** Where each rule's documentation page lives. */
const DOCS_BASE_URL = "https://github.com/optim-lint/optim-lint/blob/main/docs/rules/";

/** The documentation URL of a rule. */
export function docsUrl(ruleName: string): string {
  return `${DOCS_BASE_URL}${ruleName}.md`;
}

const ADAPTERS: LanguageAdapter[] = [pythonAdapter, notebookAdapter];

/** The adapter that handles a path, if any. */
export function adapterFor(filePath: string): LanguageAdapter | undefined {
  return ADAPTERS.find((a) => a.handles(filePath));
}

const BOM = "\uFEFF";
const MAX_FIX_PASSES = 10;

interface Analysis {
  messages: LintMessage[];
  suppressed: SuppressedMessage[];
  /** Fixes of unsuppressed messages, for the fix loop. */
  fixes: FixJson[];
}

/** Lints one text; with fix, applies fixes in up to 10 passes and reports what remains on the fixed text. */
export function lintText(text: string, options: LintTextOptions): FileResult {
  const adapter = adapterFor(options.filePath) ?? pythonAdapter;
  const hasBom = text.startsWith(BOM);
  const body = hasBom ? text.slice(1) : text;
  let current = body;
  const notes: LintMessage[] = [];
  let analysis: Analysis | undefined;
  if (options.fix) {
    const fixed = applyFixes(adapter, body, options);
    current = fixed.text;
    analysis = fixed.settled;
    if (fixed.refused) notes.push(fixed.refused);
  }
  analysis ??= analyze(adapter, current, options);
  const messages = [...analysis.messages, ...notes].sort(byPosition);
  const result = summarize(options.filePath, messages, analysis.suppressed);
  if (current !== body) result.output = (hasBom ? BOM : "") + current;
  else if (messages.length > 0) result.source = text;
  return result;
}

/** A result holding one fatal message for a file that could not be read or decoded. */
export function fileErrorResult(filePath: string, message: string): FileResult {
  return summarize(filePath, [{ ruleId: null, severity: 2, fatal: true, message, line: 1, column: 1 }], []);
}

function summarize(filePath: string, messages: LintMessage[], suppressed: SuppressedMessage[]): FileResult {
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

function byPosition(a: LintMessage, b: LintMessage): number {
  return a.line - b.line || a.column - b.column || (a.code ?? "").localeCompare(b.code ?? "");
}

/** Runs the adapter and the rules on a text and builds messages. */
function analyze(adapter: LanguageAdapter, text: string, options: LintTextOptions): Analysis {
  const file = adapter.analyze(text, options.filePath);
  const lines = new LineIndex(text);
  const suppressions = readSuppressions(file.comments);
  const out: Analysis = { messages: [], suppressed: [], fixes: [] };

  for (const error of file.syntaxErrors) {
    out.messages.push({ ruleId: null, severity: 2, fatal: true, message: `Parsing error: ${error.message}`, ...range(lines, error.span) });
  }

  for (const setting of options.rules) {
    const { rule } = setting;
    const reports: Report[] = [];
    try {
      rule.check({
        facts: file.facts,
        options: { ...rule.defaultOptions, ...setting.options },
        knowledge,
        text,
        filePath: options.filePath,
        report: (r) => reports.push(r),
      });
    } catch (error) {
      out.messages.push({
        ruleId: rule.meta.name,
        code: rule.meta.code,
        severity: 2,
        fatal: true,
        message: `Internal error in rule ${rule.meta.code} (${rule.meta.name}): ${(error as Error).message}`,
        line: 1,
        column: 1,
      });
      continue;
    }
    for (const report of reports) {
      const message = toMessage(adapter, file, lines, setting, report);
      const startLine = lines.lineOf(report.span.start);
      const endLine = lines.lineOf(Math.max(report.span.start, report.span.end - 1));
      if (suppressions.isSuppressed(rule.meta.code, rule.meta.name, startLine, endLine)) {
        out.suppressed.push({ ...message, suppressions: [{ kind: "directive", justification: "" }] });
        continue;
      }
      out.messages.push(message);
      if (message.fix) out.fixes.push(message.fix);
    }
  }
  return out;
}

function range(lines: LineIndex, span: Span) {
  const start = lines.position(span.start);
  const end = lines.position(span.end);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

/** Text edits for a list of requests, or the reason they cannot be made. */
function editsFor(adapter: LanguageAdapter, file: AnalyzedFile, requests: FixRequest[]): TextEdit[] | string {
  const edits: TextEdit[] = [];
  for (const request of requests) {
    const result = adapter.edits(file, request);
    if (typeof result === "string") return result;
    edits.push(...result);
  }
  return edits.length > 0 ? edits : "no edit was produced";
}

/** Merges non-overlapping edits into one ESLint fix: a single range and its replacement text. */
export function mergeEdits(text: string, edits: TextEdit[]): FixJson | undefined {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].span.start < sorted[i - 1].span.end) return undefined;
  }
  const start = sorted[0].span.start;
  const end = Math.max(...sorted.map((e) => e.span.end));
  let out = "";
  let cursor = start;
  for (const edit of sorted) {
    out += text.slice(cursor, edit.span.start) + edit.text;
    cursor = edit.span.end;
  }
  out += text.slice(cursor, end);
  return { range: [start, end], text: out };
}

function toMessage(adapter: LanguageAdapter, file: AnalyzedFile, lines: LineIndex, setting: RuleSetting, report: Report): LintMessage {
  const { meta } = setting.rule;
  let text = report.message;
  const message: LintMessage = {
    ruleId: meta.name,
    code: meta.code,
    severity: setting.severity === "error" ? 2 : 1,
    message: text,
    ...range(lines, report.span),
  };
  if (setting.severity === "info") message.level = "info";
  const cell = cellLocation(file, report.span.start);
  if (cell) message.cell = { index: cell.cell + 1, line: cell.line + 1, column: cell.column + 1 };
  if (report.messageId) message.messageId = report.messageId;
  if (report.fix) {
    const edits = editsFor(adapter, file, report.fix.requests);
    const fix = typeof edits === "string" ? undefined : mergeEdits(file.text, edits);
    if (fix) message.fix = fix;
    else text += ` (Not fixed automatically: ${typeof edits === "string" ? edits : "the edits overlap"}.)`;
  }
  // ESLint consumers expect every suggestion to carry an edit: one that cannot be made here is left out
  // (the message itself still says what to do).
  const suggestions: NonNullable<LintMessage["suggestions"]> = [];
  for (const s of report.suggestions ?? []) {
    const edits = s.requests.length > 0 ? editsFor(adapter, file, s.requests) : "no edit";
    const fix = typeof edits === "string" ? undefined : mergeEdits(file.text, edits);
    if (fix) suggestions.push({ desc: s.desc, ...(s.messageId ? { messageId: s.messageId } : {}), fix });
  }
  if (suggestions.length > 0) message.suggestions = suggestions;
  if (report.related?.length) {
    message.related = report.related.map((r) => ({ ...range(lines, r.span), message: r.message }) as Required<LintMessage>["related"][number]);
  }
  message.message = text;
  message.docsUrl = docsUrl(meta.name);
  if (report.settingsChange) message.settingsChange = report.settingsChange;
  return message;
}

/** Applies a set of fixes, skipping any that overlaps one already taken (ESLint's policy). */
function applyNonOverlapping(text: string, fixes: FixJson[]): { text: string; applied: number } {
  const sorted = [...fixes].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  let out = "";
  let cursor = 0;
  let applied = 0;
  for (const fix of sorted) {
    if (fix.range[0] < cursor) continue;
    out += text.slice(cursor, fix.range[0]) + fix.text;
    cursor = fix.range[1];
    applied++;
  }
  return { text: out + text.slice(cursor), applied };
}

/**
 * Applies fixes until nothing changes (at most 10 passes). A pass whose result does not parse is retried
 * one fix at a time, keeping only fixes that leave the file parseable.
 */
function applyFixes(
  adapter: LanguageAdapter,
  text: string,
  options: LintTextOptions,
): { text: string; refused?: LintMessage; settled?: Analysis } {
  if (!adapter.parses(text)) return { text };
  let current = text;
  let refused: LintMessage | undefined;
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    const analysis = analyze(adapter, current, options);
    const { fixes } = analysis;
    // Nothing left to fix: this analysis of the final text is the one to report.
    if (fixes.length === 0) return { text: current, refused, settled: analysis };
    const attempt = applyNonOverlapping(current, fixes);
    if (attempt.text === current) break;
    if (adapter.parses(attempt.text)) {
      current = attempt.text;
      continue;
    }
    let progressed = false;
    for (const fix of fixes) {
      const single = applyNonOverlapping(current, [fix]);
      if (adapter.parses(single.text)) {
        current = single.text;
        progressed = true;
        break;
      }
      refused = {
        ruleId: null,
        severity: 1,
        message: "A fix was not applied because the fixed text would not parse; please fix this by hand.",
        ...range(new LineIndex(current), { start: fix.range[0], end: fix.range[1] }),
      };
    }
    if (!progressed) break;
  }
  return { text: current, refused };
}
