/**
 * The Jupyter notebook adapter: the Python analysis runs on the notebook's code cells, and every position
 * and edit is carried between that Python view and the characters of the `.ipynb` JSON text.
 */
import type { Span, TrainingFacts } from "../core/facts.js";
import { isTestPath } from "../core/roles.js";
import type { AnalyzedFile, FactKind, FactWords, FixRequest, LanguageAdapter, SourceComment, TextEdit } from "../core/types.js";
import { LineIndex } from "../core/lines.js";
import { analyzePython, emptyFacts, PYTHON_FACT_WORDS } from "../python/analyze.js";
import { pythonEdits } from "../python/edits.js";
import { collectSyntaxErrors, parse } from "../python/parser.js";
import { notebookEdits } from "./edits.js";
import { cellAtView, cellViewEnd, fileOffsetToCell, fileOffsetToView, readNotebook, viewSpanToFile, type CodeCell, type NotebookView, type WrittenUnit } from "./notebook.js";
import { mapFactSpans, mapValueSpans } from "../core/spans.js";
import { factsOnDemand, factsPending } from "../core/pending-facts.js";
import { stripBom } from "../core/source-text.js";

/** A notebook's analysis: facts and positions in the file text, plus the Python analysis they came from. */
export interface NotebookFile extends AnalyzedFile {
  /** Absent when the text could not be read as a notebook. */
  notebook?: { view: NotebookView; python: AnalyzedFile; units: AnalyzedUnit[] };
}

/** A Python file a notebook writes, analyzed as its own module: its Python analysis, in the view's offsets. */
interface AnalyzedUnit {
  unit: WrittenUnit;
  python: AnalyzedFile;
  /** The analysis id prefix of its facts (`<notebook>::train.py`), distinct from the kernel's and every other unit's. */
  path: string;
}

/** Where an offset of a notebook file sits in its code: cell index in `cells`, 0-based line and column in that cell's source. */
export interface CellLocation {
  cell: number;
  line: number;
  column: number;
}

/** The text without a leading byte-order mark. */

/** Analyzes a notebook: its code cells through the Python analysis, with all spans moved into the file text. */
export function analyzeNotebook(source: string, filePath = "<text>"): NotebookFile {
  const text = stripBom(source);
  const view = readNotebook(text);
  if ("message" in view) {
    const at = Math.min(view.offset, text.length);
    return { text, facts: emptyFacts(), syntaxErrors: [{ span: { start: at, end: Math.min(at + 1, text.length) }, message: view.message }], comments: [] };
  }
  const { python, broken } = analyzeCells(view, filePath);
  const toFile = (span: Span) => viewSpanToFile(view, span);
  const units = analyzeUnits(view, filePath);
  const notices = python.syntaxErrors.filter((error) => error.severity !== undefined);
  const syntaxErrors = [...broken, ...notices]
    .sort((a, b) => a.span.start - b.span.start)
    .map((error) => ({ ...error, span: toFile(error.span), message: `${error.message}${cellSuffix(view, error.span.start)}${error.severity === "warning" ? SKIPPED : ""}` }));
  return {
    text,
    facts: inFile(python.facts, toFile),
    syntaxErrors,
    comments: [...fileComments(text, view, view.python, python.comments), ...units.flatMap((u) => fileComments(text, view, u.unit.python, u.python.comments))],
    ...(units.length > 0 ? { units: units.map((u) => ({ facts: unitFacts(view, u, toFile) })) } : {}),
    notebook: { view, python, units },
  };
}

/**
 * Facts moved into the file text. Facts still pending (a program that builds no optimizer) stay pending: they are
 * moved when first read, so a kernel that only runs `!python train.py` is not analyzed a second time for nothing.
 */
function inFile(facts: TrainingFacts, toFile: (span: Span) => Span): TrainingFacts {
  return factsPending(facts) ? factsOnDemand(() => mapFactSpans(facts, toFile)) : mapFactSpans(facts, toFile);
}

/** A written file's facts in the file text; every cell of a test file (`test_*.py`, under `tests/`) is test code. */
function unitFacts(view: NotebookView, { unit, python }: AnalyzedUnit, toFile: (span: Span) => Span): TrainingFacts {
  const facts = inFile(python.facts, toFile);
  if (!unit.known || !isTestPath(unit.path)) return facts;
  return { ...facts, testCode: [...(facts.testCode ?? []), ...unit.cells.map((cell) => toFile({ start: cell.viewStart, end: cellViewEnd(cell) }))] };
}

/**
 * The Python files the notebook writes, each analyzed alone: the kernel's names are not defined in them, nor theirs
 * in the kernel. A file that does not parse is left out (Python would not run it either), without a notice.
 */
function analyzeUnits(view: NotebookView, filePath: string): AnalyzedUnit[] {
  return view.units.flatMap((unit, i) => {
    const path = `${filePath}::${unit.known ? unit.path : `cell${unit.cells[0].index + 1}`}${view.units.slice(0, i).some((u) => u.path === unit.path) ? `@${i}` : ""}`;
    const python = analyzePython(unit.python, path);
    return python.syntaxErrors.some((error) => error.severity === undefined) ? [] : [{ unit, python, path }];
  });
}

const SKIPPED = "; this cell was skipped and the other cells analyzed";

/**
 * The Python analysis of a notebook's cells, leaving out each cell Python rejects. Cells run one by one, so one that
 * does not parse (an exercise placeholder such as `f(?, ?)`) stops nothing else: it gets one warning, at its first
 * error, and is blanked (same length) so the other cells are analyzed as written. When the joined cells do not parse,
 * each cell is parsed alone, as IPython compiles it: a bracket left open at the end of one cell makes the parser of
 * the joined text report errors in later cells that are valid on their own.
 */
function analyzeCells(view: NotebookView, filePath: string): { python: AnalyzedFile; broken: AnalyzedFile["syntaxErrors"] } {
  let text = view.python;
  const broken = new Map<CodeCell, AnalyzedFile["syntaxErrors"][number]>();
  // Only whole cells are blanked, so a cell that parsed alone once parses alone on every later pass: one round of
  // parsing each cell alone finds every cell that fails alone.
  let aloneChecked = false;
  for (;;) {
    const python = analyzePython(text, filePath);
    const fatal = python.syntaxErrors.filter((error) => error.severity === undefined);
    const cells = fatal.flatMap((error) => {
      const cell = cellAtView(view, error.span.start);
      return cell && !broken.has(cell) ? [{ cell, error }] : [];
    });
    if (cells.length === 0) return { python, broken: [...broken.values()] };
    const alone = aloneChecked ? [] : view.cells.flatMap((cell) => {
      if (broken.has(cell)) return [];
      const error = firstFatalError(text.slice(cell.viewStart, cell.viewStart + cell.source.length));
      return error ? [{ cell, error: { ...error, span: { start: error.span.start + cell.viewStart, end: error.span.end + cell.viewStart } } }] : [];
    });
    aloneChecked = true;
    for (const { cell, error } of alone.length > 0 ? alone : cells) {
      if (broken.has(cell)) continue;
      broken.set(cell, { ...error, severity: "warning" });
      const end = cell.viewStart + cell.source.length;
      text = text.slice(0, cell.viewStart) + text.slice(cell.viewStart, end).replace(/[^\n]/g, " ") + text.slice(end);
    }
  }
}

/** The first error of a text that is not one of the notices the Python analysis makes of valid code tree-sitter rejects. */
function firstFatalError(text: string): AnalyzedFile["syntaxErrors"][number] | undefined {
  // Not parseTree: these trees are the cells', which no analysis reuses.
  const fatal = collectSyntaxErrors(parse(text), text).filter((error) => error.severity === undefined);
  const first = fatal.sort((a, b) => a.span.start - b.span.start)[0];
  return first && { span: first.span, message: first.message };
}

/** ` (cell 3, line 2)` for a view offset (see `cellPlace`), or "" when it is in no cell. */
function cellSuffix(view: NotebookView, offset: number): string {
  const place = cellPlace(view, offset);
  return place ? ` (${place})` : "";
}

/** `cell 3, line 2` for a view offset, counting cells and lines from 1 as notebook users do; undefined in no cell. */
function cellPlace(view: NotebookView, offset: number): string | undefined {
  const cell = cellAtView(view, offset);
  if (!cell) return undefined;
  const { line } = positionInCell(cell, Math.min(offset - cell.viewStart, cell.source.length));
  return `cell ${cell.index + 1}, line ${line + 1}`;
}

/** A file span in the view, or undefined when either end is outside the code cells. */
function spanInView(view: NotebookView, span: Span): Span | undefined {
  const start = fileOffsetToView(view, span.start);
  const end = span.end === span.start ? start : fileOffsetToView(view, span.end);
  return start === undefined || end === undefined ? undefined : { start, end };
}

/** The Python comments of the cells in `python` (the kernel's view or a written file's), with their lines in the file text. */
function fileComments(text: string, view: NotebookView, python: string, comments: SourceComment[]): SourceComment[] {
  const fileLines = new LineIndex(text);
  const lineStarts = lineStartOffsets(python);
  const out: SourceComment[] = [];
  for (const comment of comments) {
    const lineStart = lineStarts[comment.line];
    const lineEnd = python.indexOf("\n", lineStart);
    const body = python.slice(lineStart, lineEnd < 0 ? python.length : lineEnd).replace(/\r$/, "");
    const at = lineStart + body.length - comment.text.length;
    if (at < lineStart || python.slice(at, at + comment.text.length) !== comment.text) continue;
    out.push({ ...comment, line: fileLines.lineOf(viewSpanToFile(view, { start: at, end: at }).start) });
  }
  return out;
}

/** Offsets where each `\n`-separated line of a text starts. */
function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** The 0-based line and column of position `k` of a cell's source. */
function positionInCell(cell: CodeCell, k: number): { line: number; column: number } {
  const before = cell.source.slice(0, k);
  const lastBreak = before.lastIndexOf("\n");
  return { line: before.split("\n").length - 1, column: k - lastBreak - 1 };
}

/** The kernel analyses with the facts the project pass judged in the view (see `KernelModule.keepJudged`), by the file facts it left. */
const judgedKernels = new WeakMap<TrainingFacts, AnalyzedFile>();

/**
 * The kernel's module of an analyzed notebook, for the project pass: its code cells joined as one Python file (the
 * written files' cells are not in it), and how that view's offsets move to the file's and back.
 */
export interface KernelModule {
  /** The Python analysis of the joined cells (offsets of the view). */
  python: AnalyzedFile;
  /** A view span in the file text. */
  toFile: (span: Span) => Span;
  /** A file span in the view, or undefined when it is outside the code cells. */
  toView: (span: Span) => Span | undefined;
  /** `cell 3, line 2` for a view offset, counted from 1 as notebook users count; undefined outside the cells. */
  where: (offset: number) => string | undefined;
  /**
   * Keeps the facts the project pass judged in the view: moved into the file as the notebook's facts, and as they
   * are for the notebook's fixes (which are made in the view).
   */
  keepJudged: (facts: TrainingFacts) => void;
}

/** The kernel module of a notebook's analysis; undefined for any other file or a text that is not a notebook. */
export function kernelModule(file: AnalyzedFile): KernelModule | undefined {
  const notebook = (file as NotebookFile).notebook;
  if (!notebook) return undefined;
  const { view, python } = notebook;
  return {
    python,
    toFile: (span) => viewSpanToFile(view, span),
    toView: (span) => spanInView(view, span),
    where: (offset) => cellPlace(view, offset),
    keepJudged: (facts) => {
      file.facts = mapFactSpans(facts, (span) => viewSpanToFile(view, span));
      judgedKernels.set(file.facts, { ...python, facts });
    },
  };
}

/** The code cell, line and column of an offset into an analyzed notebook's text; undefined outside code cell sources. */
export function cellLocation(file: AnalyzedFile, offset: number): CellLocation | undefined {
  const view = (file as NotebookFile).notebook?.view;
  const found = view && fileOffsetToCell(view, offset);
  if (!found) return undefined;
  return { cell: found.cell.index, ...positionInCell(found.cell, found.k) };
}

/** The request with any span it carries moved from the file text to the Python view, or undefined when one is outside the code. */
function requestInView(view: NotebookView, request: FixRequest): FixRequest | undefined {
  let outside = false;
  const toView = (span: Span): Span => {
    const inView = spanInView(view, span);
    if (!inView) outside = true;
    return inView ?? { start: 0, end: 0 };
  };
  if (request.kind === "restore-optimizer-state") {
    const load = toView(request.load);
    return outside ? undefined : { ...request, load };
  }
  if (request.kind === "add-lr-scheduler") {
    const loop = toView(request.loop);
    return outside ? undefined : { ...request, loop };
  }
  if (request.kind === "save-optimizer-state") {
    const save = toView(request.save);
    return outside ? undefined : { ...request, save };
  }
  if (request.kind !== "swap-sequence-items") return request;
  const value = mapValueSpans(request.value, toView);
  return outside ? undefined : { ...request, value };
}

/** Text edits of the notebook file for a request, or why they cannot be made. */
function notebookFileEdits(file: AnalyzedFile, request: FixRequest): TextEdit[] | string {
  const notebook = (file as NotebookFile).notebook;
  if (!notebook) return "the file could not be read as a notebook";
  const inView = requestInView(notebook.view, request);
  if (!inView) return "the value is not inside a code cell";
  const unit = unitOf(notebook.view, notebook.units, inView);
  const edits = pythonEdits(unit?.python ?? judgedKernels.get(file.facts) ?? notebook.python, inView);
  if (typeof edits === "string") return edits;
  return notebookEdits(file.text, notebook.view, edits, unit && notebook.view.units.indexOf(unit.unit));
}

/** The written file a request is about (by the id of what it names, or by where its value is), or undefined for the kernel's. */
function unitOf(view: NotebookView, units: AnalyzedUnit[], request: FixRequest): AnalyzedUnit | undefined {
  const id = "site" in request ? request.site : "update" in request ? request.update : undefined;
  if (id !== undefined) return units.find((u) => id.slice(0, id.lastIndexOf("#")) === u.path);
  if (request.kind !== "swap-sequence-items") return undefined;
  const cell = cellAtView(view, (request.value.literalSpan ?? request.value.span).start);
  return units.find((u) => cell && u.unit.cells.includes(cell));
}

/** Whether a text is a readable notebook whose code cells parse as Python (statements tree-sitter wrongly rejects aside). */
function notebookParses(text: string): boolean {
  const view = readNotebook(stripBom(text));
  return !("message" in view) && analyzePython(view.python).syntaxErrors.every((error) => error.severity === "info");
}

/**
 * The Python words, matched anywhere in the notebook's JSON: a cell's source is a JSON string, where a line break is
 * written as a backslash and an `n`, so a word at the start of a line follows a letter.
 */
const NOTEBOOK_FACT_WORDS: Partial<Record<FactKind, FactWords>> = {};
for (const [kind, w] of Object.entries(PYTHON_FACT_WORDS) as [FactKind, FactWords][]) {
  NOTEBOOK_FACT_WORDS[kind] = { fragments: [...(w.words ?? []), ...(w.fragments ?? [])], ignoreCase: w.ignoreCase };
}

export const notebookAdapter: LanguageAdapter = {
  name: "notebook",
  handles: (filePath) => /\.ipynb$/i.test(filePath),
  factWords: NOTEBOOK_FACT_WORDS,
  analyze: (text, filePath) => analyzeNotebook(text, filePath),
  edits: notebookFileEdits,
  cellAt: (file, offset) => {
    const at = cellLocation(file, offset);
    return at && { index: at.cell + 1, line: at.line + 1, column: at.column + 1 };
  },
  parses: notebookParses,
};
