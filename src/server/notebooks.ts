/**
 * Notebooks through LSP 3.17 notebook document sync: the client sends a notebook's cells as separate text documents.
 * They are put back together as an nbformat 4 notebook and linted by the notebook adapter under the notebook's path,
 * then each finding, note and fix is carried back into the cell it is in.
 */
import { fileURLToPath } from "node:url";
import {
  CodeActionKind,
  MarkupKind,
  NotebookCellKind,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type NotebookDocument,
  type Position,
  type Range,
  type TextEdit,
  type WorkspaceEdit,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { RULES } from "../../rules/index.js";
import { renderRuleDoc } from "../../rules/docs.js";
import type { FileResult, FixJson, LintMessage } from "../core/results.js";
import { fileOffsetToCell, readNotebook, type NotebookView } from "../notebook/notebook.js";
import { noqaEdit, SOURCE, wholeDocumentEdit } from "./convert.js";

/** The notebooks the server asks the client to sync: Jupyter notebooks, with their Python cells. */
export const NOTEBOOK_SELECTOR = [
  { notebook: { notebookType: "jupyter-notebook" }, cells: [{ language: "python" }] },
  { notebook: { pattern: "**/*.ipynb" }, cells: [{ language: "python" }] },
];

/** A synced notebook put together: its JSON text, the view the adapter reads, and its cells' documents. */
export interface NotebookText {
  /** The notebook as nbformat 4 JSON, each source line on a line of its own. */
  json: string;
  jsonDocument: TextDocument;
  view: NotebookView;
  /** Each cell's URI and text document (markdown cells included, in notebook order). */
  cells: { uri: string; document: TextDocument }[];
}

/** The file path a synced notebook stands for: its file, or a `.ipynb` name for an unsaved one. */
export function notebookPath(uri: string, root: string): string {
  if (uri.startsWith("file:")) {
    const filePath = fileURLToPath(uri);
    return /\.ipynb$/i.test(filePath) ? filePath : `${filePath}.ipynb`;
  }
  const name = decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:/i, "").split(/[/\\]/).pop() || "untitled");
  return `${root}/${name.replace(/\.ipynb$/i, "")}.ipynb`;
}

/** Puts a synced notebook together as nbformat 4 JSON from its cells' current text. */
export function notebookText(notebook: NotebookDocument, cellDocument: (uri: string) => TextDocument | undefined): NotebookText {
  const cells = notebook.cells.map((cell) => {
    const document = cellDocument(cell.document) ?? TextDocument.create(cell.document, "python", 0, "");
    return { uri: cell.document, document, code: cell.kind === NotebookCellKind.Code && document.languageId === "python" };
  });
  const data = {
    cells: cells.map(({ document, code }) => {
      const source = document.getText().split(/(?<=\n)/);
      return code ? { cell_type: "code", execution_count: null, metadata: {}, outputs: [], source } : { cell_type: "markdown", metadata: {}, source };
    }),
    metadata: { kernelspec: { display_name: "Python 3", language: "python", name: "python3" }, language_info: { name: "python" } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const json = `${JSON.stringify(data, null, 1)}\n`;
  const view = readNotebook(json);
  if (!("cells" in view)) throw new Error(`the notebook put together from its cells could not be read: ${view.message}`);
  return { json, jsonDocument: TextDocument.create(notebook.uri, "json", notebook.version, json), view, cells: cells.map(({ uri, document }) => ({ uri, document })) };
}

/** Where a JSON offset of the notebook lies: the cell's URI and document, and the offset in the cell's text. */
function cellAt(notebook: NotebookText, offset: number, end = false): { uri: string; document: TextDocument; k: number } | undefined {
  let found = fileOffsetToCell(notebook.view, offset);
  let k = found?.k;
  // An end offset on a string's closing quote is just past the last character of the piece before it.
  if (!found && end) {
    found = fileOffsetToCell(notebook.view, offset - 1);
    k = found && found.k + 1;
  }
  if (!found || k === undefined) return undefined;
  const cell = notebook.cells[found.cell.index];
  return cell && { ...cell, k };
}

/** The cell and range of a message (or note) given in the notebook JSON's lines and columns. */
function cellRange(notebook: NotebookText, at: Pick<LintMessage, "line" | "column" | "endLine" | "endColumn">): { uri: string; document: TextDocument; range: Range } | undefined {
  const start = cellAt(notebook, notebook.jsonDocument.offsetAt({ line: at.line - 1, character: at.column - 1 }));
  if (!start) return undefined;
  const begin = start.document.positionAt(start.k);
  let finish = begin;
  if (at.endLine !== undefined) {
    const end = cellAt(notebook, notebook.jsonDocument.offsetAt({ line: at.endLine - 1, character: (at.endColumn ?? at.column) - 1 }), true);
    if (end && end.uri === start.uri && end.k >= start.k) finish = start.document.positionAt(end.k);
  }
  return { uri: start.uri, document: start.document, range: { start: begin, end: finish } };
}

/** One cell finding: the message, its diagnostic, and the cell it is in. */
interface CellFinding {
  uri: string;
  document: TextDocument;
  message: LintMessage;
  diagnostic: Diagnostic;
}

/** The findings of a notebook's lint result, each in its cell (a finding about no cell goes to the first cell's start). */
export function cellFindings(notebook: NotebookText, result: FileResult): CellFinding[] {
  const first = notebook.cells[0];
  return result.messages.flatMap((message) => {
    const place = cellRange(notebook, message) ?? (first && { uri: first.uri, document: first.document, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    if (!place) return [];
    const diagnostic: Diagnostic = {
      range: place.range,
      severity: message.severity === 2 ? 1 : message.level === "info" ? 3 : 2,
      source: SOURCE,
      message: message.message,
    };
    if (message.code) diagnostic.code = message.code;
    if (message.docsUrl) diagnostic.codeDescription = { href: message.docsUrl };
    const related = (message.related ?? []).flatMap((note) => {
      if (note.filePath && note.filePath !== result.filePath) return [];
      const at = cellRange(notebook, note);
      return at ? [{ location: { uri: at.uri, range: at.range }, message: note.message }] : [];
    });
    if (related.length > 0) diagnostic.relatedInformation = related;
    return [{ uri: place.uri, document: place.document, message, diagnostic }];
  });
}

/** The diagnostics of every cell (an empty list for a cell without findings, so that old ones are cleared). */
export function cellDiagnostics(notebook: NotebookText, result: FileResult): Map<string, Diagnostic[]> {
  const byCell = new Map<string, Diagnostic[]>(notebook.cells.map((cell) => [cell.uri, []]));
  for (const finding of cellFindings(notebook, result)) byCell.get(finding.uri)?.push(finding.diagnostic);
  return byCell;
}

/** A fix carried into the cells: the notebook JSON with the fix made, read again, and each changed cell replaced. */
function cellEdit(notebook: NotebookText, fix: FixJson): WorkspaceEdit | undefined {
  const fixed = notebook.json.slice(0, fix.range[0]) + fix.text + notebook.json.slice(fix.range[1]);
  const view = readNotebook(fixed);
  if (!("cells" in view)) return undefined;
  const changes: Record<string, TextEdit[]> = {};
  for (const cell of view.cells) {
    const target = notebook.cells[cell.index];
    if (target && target.document.getText() !== cell.source) changes[target.uri] = [wholeDocumentEdit(target.document, cell.source)];
  }
  return Object.keys(changes).length > 0 ? { changes } : undefined;
}

function overlaps(a: Range, b: Range): boolean {
  const before = (p: Position, q: Position) => p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** Quick fixes in one cell's range: each fix and suggestion carried into the cells, and a per-line disable in the cell. */
export function cellQuickFixes(notebook: NotebookText, result: FileResult, uri: string, range: Range): CodeAction[] {
  const actions: CodeAction[] = [];
  const disabled = new Set<string>();
  for (const { message, diagnostic, document, uri: cell } of cellFindings(notebook, result)) {
    if (cell !== uri || !message.ruleId || !overlaps(diagnostic.range, range)) continue;
    const code = message.code ?? message.ruleId;
    if (message.fix) {
      const edit = cellEdit(notebook, message.fix);
      if (edit) actions.push({ title: `Fix ${code} (${message.ruleId}): safe fix`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit });
    }
    for (const suggestion of message.suggestions ?? []) {
      const edit = cellEdit(notebook, suggestion.fix);
      if (edit) actions.push({ title: `${suggestion.desc} (${code} suggestion, unsafe: review the change)`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit });
    }
    const line = diagnostic.range.start.line;
    if (!disabled.has(`${code}@${line}`)) {
      disabled.add(`${code}@${line}`);
      actions.push({ title: `Disable ${code} for this line`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: { changes: { [uri]: [noqaEdit(document, line, code)] } } });
    }
  }
  return actions;
}

/** The rule documentation for the findings at a position of a cell. */
export function cellHover(notebook: NotebookText, result: FileResult, uri: string, position: Position): Hover | null {
  const found = cellFindings(notebook, result).filter((f) => f.uri === uri && f.message.ruleId && overlaps(f.diagnostic.range, { start: position, end: position }));
  const rules = [...new Set(found.map((f) => f.message.ruleId))].flatMap((name) => RULES.filter((r) => r.meta.name === name));
  if (rules.length === 0) return null;
  const docs = rules.map((rule) => renderRuleDoc(rule.meta, rule.defaultOptions as Record<string, unknown>).trimEnd());
  return { contents: { kind: MarkupKind.Markdown, value: docs.join("\n\n---\n\n") }, range: found[0].diagnostic.range };
}
