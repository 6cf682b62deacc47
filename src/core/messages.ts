/**
 * Turns rule reports into ESLint-shaped messages: positions, related origin notes (in any file of the
 * run), fixes and suggestions made by the adapter that owns the edited file.
 */
import { LineIndex } from "./lines.js";
import { docsUrl, type FixJson, type LintMessage, type RelatedLocation } from "./results.js";
import type { RuleReport } from "./run-rules.js";
import type { Span } from "./facts.js";
import { mergeEdits } from "./text-edits.js";
import type { FixRequest, ProjectFile, TextEdit } from "./types.js";

/** Line indexes of the files of a run, built on first use. */
export class Positions {
  private readonly indexes = new Map<string, LineIndex>();

  constructor(private readonly textOf: (path: string) => string | undefined) {}

  /** ESLint's 1-based range of a span in a file (line 1 when the file's text is not known). */
  range(filePath: string, span: Span): { line: number; column: number; endLine: number; endColumn: number } {
    let index = this.indexes.get(filePath);
    if (!index) {
      index = new LineIndex(this.textOf(filePath) ?? "");
      this.indexes.set(filePath, index);
    }
    const start = index.position(span.start);
    const end = index.position(span.end);
    return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
  }

  /** The 0-based first and last lines a span covers. */
  lines(filePath: string, span: Span): { startLine: number; endLine: number } {
    const { line, endLine } = this.range(filePath, { start: span.start, end: Math.max(span.start, span.end - 1) });
    return { startLine: line - 1, endLine: endLine - 1 };
  }
}

/**
 * The file a request would edit, when it is not the host: the name or the value it changes was written in
 * another file (a `_base_` config). Adapters edit their own file's text only, so such requests are refused.
 */
function foreignFile(host: ProjectFile, request: FixRequest): string | undefined {
  if (request.kind === "swap-sequence-items") return (request.value.literalSpan ?? request.value.span).file;
  if (request.kind === "restore-optimizer-state") return request.load.file;
  if (request.kind === "save-optimizer-state") return request.save.file;
  if (request.kind === "correct-adam-update") return undefined;
  if (request.kind === "add-lr-scheduler") return request.loop.file;
  const site = host.analyzed.facts.optimizers.find((s) => s.id === request.site);
  if (!site) return undefined;
  if (request.kind === "rename-optimizer") return site.nameSpan.file;
  if (request.kind === "set-argument" || request.kind === "scale-by-world-size") {
    // An argument that is absent is added at the construction, wherever that is.
    const arg = site.args.get(request.name);
    return arg ? (arg.value.literalSpan?.file ?? arg.span.file) : site.span.file;
  }
  return site.span.file;
}

/** Text edits for a list of requests on a file's facts, or the reason they cannot be made. */
function editsFor(host: ProjectFile, requests: FixRequest[]): TextEdit[] | string {
  const edits: TextEdit[] = [];
  for (const request of requests) {
    const elsewhere = foreignFile(host, request);
    if (elsewhere !== undefined && elsewhere !== host.path) return `it is written in ${elsewhere}`;
    const result = host.adapter.edits(host.analyzed, request);
    if (typeof result === "string") return result;
    edits.push(...result);
  }
  return edits.length > 0 ? edits : "no edit was produced";
}

/** One fix for a message in `dest`: every edit must be in that file, since a fix changes one file. */
function fixIn(host: ProjectFile, dest: ProjectFile, requests: FixRequest[]): FixJson | string {
  const edits = editsFor(host, requests);
  if (typeof edits === "string") return edits;
  if (edits.some((e) => (e.span.file ?? host.path) !== dest.path)) return "the edit is in another file";
  return mergeEdits(dest.text, edits.map((e) => ({ span: { start: e.span.start, end: e.span.end }, text: e.text }))) ?? "the edits overlap";
}

/** Where a report is shown, and the message for it. */
export interface Placed {
  dest: ProjectFile;
  message: LintMessage;
  /** 0-based lines the finding covers in `dest`, for suppression directives. */
  startLine: number;
  endLine: number;
}

/**
 * The message for a report made on `host`'s facts. It is shown in the file its span points into when that
 * file is part of the run; otherwise in `host`, at the place that leads to that file.
 */
export function placeReport(
  { setting, report }: RuleReport,
  host: ProjectFile,
  fileOf: (path: string) => ProjectFile | undefined,
  positions: Positions,
): Placed {
  const { meta } = setting.rule;
  const target = report.span.file ?? host.path;
  const targetFile = fileOf(target);
  let dest = host;
  let span: Span = report.span;
  let text = report.message;
  if (targetFile?.given) {
    dest = targetFile;
  } else if (target !== host.path) {
    span = host.analyzed.links?.get(target) ?? { start: 0, end: 0 };
    const at = positions.range(target, report.span);
    text += ` (The finding is at ${target}:${at.line}:${at.column}, in a file not linted in this run.)`;
  }
  const message: LintMessage = {
    ruleId: meta.name,
    code: meta.code,
    severity: setting.severity === "error" ? 2 : 1,
    message: text,
    ...positions.range(dest.path, span),
    priority: meta.priority,
  };
  if (setting.severity === "info") message.level = "info";
  if (report.messageId) message.messageId = report.messageId;
  if (report.fix) {
    const fix = fixIn(host, dest, report.fix.requests);
    if (typeof fix === "string") message.message += ` (Not fixed automatically: ${fix}.)`;
    else message.fix = { ...fix, applicability: report.fix.applicability };
  }
  // ESLint consumers expect every suggestion to carry an edit: one that cannot be made here is left out
  // (the message itself still says what to do).
  const suggestions: NonNullable<LintMessage["suggestions"]> = [];
  for (const s of report.suggestions ?? []) {
    const fix = s.requests.length > 0 ? fixIn(host, dest, s.requests) : "no edit";
    if (typeof fix !== "string") suggestions.push({ desc: s.desc, ...(s.messageId ? { messageId: s.messageId } : {}), fix });
  }
  if (suggestions.length > 0) message.suggestions = suggestions;
  if (report.related?.length) {
    message.related = report.related.map((r) => {
      const file = r.span.file ?? host.path;
      const related: RelatedLocation = { ...positions.range(file, r.span), message: r.message };
      if (file !== dest.path) related.filePath = file;
      return related;
    });
  }
  message.docsUrl = docsUrl(meta.name);
  const cell = dest.adapter.cellAt?.(dest.analyzed, span.start);
  if (cell) message.cell = cell;
  if (report.settingsChange) message.settingsChange = report.settingsChange;
  return { dest, message, ...positions.lines(dest.path, span) };
}
