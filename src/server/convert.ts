/**
 * From lint results to LSP objects: diagnostics, code actions and hovers. Positions: the engine's lines
 * and columns are 1-based UTF-16 and its fix offsets are UTF-16 indices after a leading BOM, which is
 * what LSP's default position encoding needs once shifted.
 */
import {
  CodeActionKind,
  DiagnosticSeverity,
  MarkupKind,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type Position,
  type Range,
  type TextEdit,
} from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../../rules/index.js";
import { renderRuleDoc } from "../../rules/docs.js";
import type { FileResult, FixJson, LintMessage } from "../core/results.js";

export const SOURCE = "optim-lint";
/** The code action kind of "fix all safe problems". */
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.${SOURCE}`;

const BOM = "\uFEFF";

/** The number of characters a leading BOM adds before the engine's offsets. */
function bomShift(document: TextDocument): number {
  return document.getText({ start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }) === BOM ? 1 : 0;
}

/** An LSP position from the engine's 1-based line and column. */
function toPosition(line: number, column: number, shift: number): Position {
  return { line: Math.max(0, line - 1), character: Math.max(0, column - 1) + (line === 1 ? shift : 0) };
}

/** The range a message covers (a message without an end covers its start). */
export function messageRange(message: Pick<LintMessage, "line" | "column" | "endLine" | "endColumn">, shift: number): Range {
  const start = toPosition(message.line, message.column, shift);
  const end = message.endLine !== undefined ? toPosition(message.endLine, message.endColumn ?? message.column, shift) : start;
  return { start, end };
}

function severity(message: LintMessage): DiagnosticSeverity {
  if (message.severity === 2) return DiagnosticSeverity.Error;
  return message.level === "info" ? DiagnosticSeverity.Information : DiagnosticSeverity.Warning;
}

/** One diagnostic per message, with code, doc link and the origin notes as related information. */
export function toDiagnostics(result: FileResult, document: TextDocument): Diagnostic[] {
  const shift = bomShift(document);
  return result.messages.map((message) => {
    const diagnostic: Diagnostic = {
      range: messageRange(message, shift),
      severity: severity(message),
      source: SOURCE,
      message: message.message,
    };
    if (message.code) diagnostic.code = message.code;
    if (message.docsUrl) diagnostic.codeDescription = { href: message.docsUrl };
    if (message.related?.length) {
      diagnostic.relatedInformation = message.related.map((note) => ({
        location: { uri: document.uri, range: messageRange(note, shift) },
        message: note.message,
      }));
    }
    return diagnostic;
  });
}

/** A diagnostic standing for a configuration that could not be read: nothing is linted until it is mended. */
export function configErrorDiagnostic(message: string): Diagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Error,
    source: SOURCE,
    message: `optim-lint configuration error, nothing was linted: ${message}`,
  };
}

/** The LSP edit for an engine fix. */
function textEdit(document: TextDocument, fix: FixJson): TextEdit {
  const shift = bomShift(document);
  return {
    range: { start: document.positionAt(fix.range[0] + shift), end: document.positionAt(fix.range[1] + shift) },
    newText: fix.text,
  };
}

/** Whether two ranges share a position (touching counts, so a cursor at a finding's end still sees it). */
function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Whether a code action kind is wanted by the client's `only` filter (a kind covers its sub-kinds). */
export function kindWanted(kind: string, only: string[] | undefined): boolean {
  return !only || only.some((wanted) => kind === wanted || kind.startsWith(`${wanted}.`));
}

/** The messages of a result whose range meets a range. */
export function messagesAt(result: FileResult, document: TextDocument, range: Range): LintMessage[] {
  const shift = bomShift(document);
  return result.messages.filter((m) => m.ruleId !== null && overlaps(messageRange(m, shift), range));
}

/** The edit that adds a `# noqa` for a code to a line, joining a `# noqa:` list already there. */
export function noqaEdit(document: TextDocument, line: number, code: string): TextEdit {
  const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$|\r$/, "");
  const existing = /#\s*noqa:\s*[A-Za-z0-9_-]+(?:\s*,\s*[A-Za-z0-9_-]+)*/i.exec(lineText);
  if (existing) {
    const at = { line, character: existing.index + existing[0].length };
    return { range: { start: at, end: at }, newText: `, ${code}` };
  }
  const end = { line, character: lineText.length };
  return { range: { start: end, end }, newText: `  # noqa: ${code}` };
}

/**
 * Quick fixes for the findings in a range: each fix with its tier (a safe fix is the preferred action; an unsafe one
 * changes training dynamics and says so), each suggestion (a judgement call to review), and a per-line disable.
 */
export function quickFixes(result: FileResult, document: TextDocument, diagnostics: Diagnostic[], range: Range, notebook: boolean): CodeAction[] {
  const actions: CodeAction[] = [];
  const disabled = new Set<string>();
  const shift = bomShift(document);
  for (const message of messagesAt(result, document, range)) {
    const code = message.code ?? message.ruleId!;
    const messageRangeHere = messageRange(message, shift);
    const related = diagnostics.filter((d) => d.code === code && overlaps(d.range, messageRangeHere));
    const edit = (fix: FixJson) => ({ changes: { [document.uri]: [textEdit(document, fix)] } });
    if (message.fix) {
      const safe = message.fix.applicability === "safe";
      actions.push({
        title: safe ? `Fix ${code} (${message.ruleId}): safe fix` : `Fix ${code} (${message.ruleId}): unsafe fix, changes training dynamics (re-tune after)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: related,
        ...(safe ? { isPreferred: true } : {}),
        edit: edit(message.fix),
      });
    }
    for (const suggestion of message.suggestions ?? []) {
      actions.push({ title: `${suggestion.desc} (${code} suggestion, unsafe: review the change)`, kind: CodeActionKind.QuickFix, diagnostics: related, edit: edit(suggestion.fix) });
    }
    // A comment cannot go into a notebook's JSON text line; notebooks take directives inside their cells.
    const line = messageRangeHere.start.line;
    if (!notebook && !disabled.has(`${code}@${line}`)) {
      disabled.add(`${code}@${line}`);
      actions.push({
        title: `Disable ${code} for this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: related,
        edit: { changes: { [document.uri]: [noqaEdit(document, line, code)] } },
      });
    }
  }
  return actions;
}

/** One edit that turns a document's text into the fixed text: the changed middle between shared ends. */
export function wholeDocumentEdit(document: TextDocument, fixed: string): TextEdit {
  const text = document.getText();
  let start = 0;
  while (start < text.length && start < fixed.length && text.charCodeAt(start) === fixed.charCodeAt(start)) start++;
  let end = 0;
  while (end < text.length - start && end < fixed.length - start && text.charCodeAt(text.length - 1 - end) === fixed.charCodeAt(fixed.length - 1 - end)) end++;
  return {
    range: { start: document.positionAt(start), end: document.positionAt(text.length - end) },
    newText: fixed.slice(start, fixed.length - end),
  };
}

/** The "fix all safe problems" action for a fixed text. */
export function fixAllAction(document: TextDocument, fixed: string): CodeAction {
  return {
    title: "optim-lint: fix all safe problems",
    kind: FIX_ALL_KIND,
    edit: { changes: { [document.uri]: [wholeDocumentEdit(document, fixed)] } },
  };
}

/** The documentation of the rules whose findings cover a position, as `optim-lint explain` and the rule pages show it. */
export function hoverAt(result: FileResult, document: TextDocument, position: Position): Hover | null {
  const found = messagesAt(result, document, { start: position, end: position });
  const rules = [...new Set(found.map((m) => m.ruleId))].flatMap((name) => RULES.filter((r) => r.meta.name === name));
  if (rules.length === 0) return null;
  const docs = rules.map((rule) => renderRuleDoc(rule.meta, rule.defaultOptions as Record<string, unknown>).trimEnd());
  return {
    contents: { kind: MarkupKind.Markdown, value: docs.join("\n\n---\n\n") },
    range: messageRange(found[0], bomShift(document)),
  };
}
