/**
 * Turns rule reports into ESLint-shaped messages: positions, related origin notes (in any file of the
 * run), fixes and suggestions made by the adapter that owns the edited file.
 */
import path from "node:path";
import { LineIndex } from "./lines.js";
import { docsUrl, type FixJson, type LintMessage, type RelatedLocation } from "./results.js";
import type { RuleReport } from "./run-rules.js";
import type { OptimizerSite, Span } from "./facts.js";
import { mapEveryValueSpan } from "./spans.js";
import { mergeEdits } from "./text-edits.js";
import type { AnalyzedFile, FixRequest, ProjectFile, Report, TextEdit } from "./types.js";

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

/** A request as the adapter that makes it sees it: the file it edits, that file's facts as the request needs them, and the request. */
interface Routed {
  file: ProjectFile;
  analyzed: AnalyzedFile;
  request: FixRequest;
}

/** Whether two spans are the same place, spans without a file being in `host`. */
function samePlace(a: Span, b: Span, host: string): boolean {
  return a.start === b.start && a.end === b.end && (a.file ?? host) === (b.file ?? host);
}

/**
 * A request on a construction built from a config written in another file (`builtFrom`), made on that file's own
 * construction by that file's adapter, for the values written there: the class's name, an argument the file sets
 * (the same key the file alone holds), a sequence it writes, or an argument the construction lacks when the finding
 * is shown in that file. Undefined when the request edits nothing that file writes.
 */
function rebased(host: ProjectFile, request: FixRequest, ownerPath: string, ownerOf: () => ProjectFile | undefined, shownInOwner: boolean): Routed | undefined {
  const sites = host.analyzed.facts.optimizers;
  // The owner is asked for only when a construction of the host is built from a config (asking reads the file, and
  // on worker threads a file of another chunk links the two).
  if (request.kind === "swap-sequence-items") {
    // A sequence one of the construction's arguments holds, written in the owner: handed over in the owner's offsets.
    // The construction is built from a config by a call, or composed by Hydra from group options: the sequence is
    // wrong wherever the file that writes it is used, so the edit is the one that file judged alone would get.
    const holder = sites.find((s) => [...s.args.values()].some((a) => a.value === request.value));
    const owner = holder?.builtFrom || holder?.dialect === "hydra" ? ownerOf() : undefined;
    if (!owner) return undefined;
    const value = mapEveryValueSpan(request.value, (s) => ((s.file ?? host.path) === owner.path ? { start: s.start, end: s.end } : { ...s, file: s.file ?? host.path }));
    return { file: owner, analyzed: owner.analyzed, request: { kind: "swap-sequence-items", value } };
  }
  if (request.kind !== "rename-optimizer" && request.kind !== "set-argument") return undefined;
  const site = sites.find((s) => s.id === request.site);
  const owner = site && (site.builtFrom?.file ?? site.nameSpan.file) === ownerPath ? ownerOf() : undefined;
  const from = site && owner ? (site.builtFrom ?? composedHome(site, owner)) : undefined;
  if (!site || !from || !owner) return undefined;
  if (request.kind === "set-argument") {
    const arg = site.args.get(request.name);
    const own = from.site.args.get(request.name);
    if (arg ? !own || !samePlace(arg.span, { ...own.span, file: owner.path }, host.path) : !shownInOwner) return undefined;
  }
  // The owner's facts no longer list the construction (the joined one replaced it): the request sees it alone.
  const analyzed = { ...owner.analyzed, facts: { ...owner.analyzed.facts, optimizers: [from.site] } };
  return { file: owner, analyzed, request: { ...request, site: from.site.id } };
}

/**
 * A Hydra group option's construction, as that option file alone describes it, when a composition in another file
 * (the primary) judged it with nothing changed: the class named in the option file, and every argument written
 * where the option file writes it. A primary that overrides a value is left alone: an edit in the option file would
 * then change what other primaries selecting it build.
 */
function composedHome(site: OptimizerSite, owner: ProjectFile): { file: string; site: OptimizerSite } | undefined {
  if (site.dialect !== "hydra" || site.nameSpan.file !== owner.path) return undefined;
  const own = owner.analyzed.facts.optimizers.find(
    (s) => s.dialect === "hydra" && s.nameSpan.file === undefined && s.nameSpan.start === site.nameSpan.start && s.nameSpan.end === site.nameSpan.end,
  );
  if (!own || own.args.size !== site.args.size) return undefined;
  for (const [name, arg] of site.args) {
    const mine = own.args.get(name);
    // The value too must come from the option file: one a primary interpolates (`${momentum}`) is its own.
    const written = arg.value.literalSpan ?? arg.value.span;
    if (!mine || !samePlace(arg.span, { ...mine.span, file: owner.path }, "") || written.file !== owner.path) return undefined;
  }
  return { file: owner.path, site: own };
}

/** Where a request is made: in the host, or in the config file that writes the value it edits; a string says why neither. */
function route(host: ProjectFile, dest: ProjectFile, request: FixRequest, fileOf: (path: string) => ProjectFile | undefined): Routed | string {
  const elsewhere = foreignFile(host, request);
  if (elsewhere !== undefined && elsewhere !== host.path) {
    const routed = rebased(host, request, elsewhere, () => fileOf(elsewhere), elsewhere === dest.path);
    if (routed) return routed;
    // Shown in the file the edit would change, but judged with values another config gives it (a composition, a child).
    if (elsewhere === dest.path) return `the finding holds as ${relativePath(dest.path, host.path)} uses this file, and an edit here would change every config that uses it`;
    return `it is written in ${relativePath(dest.path, elsewhere)}`;
  }
  // An argument a construction built from a config lacks is added in that config when the finding is shown there.
  if (request.kind === "set-argument" && dest !== host) {
    const moved = rebased(host, request, dest.path, () => dest, true);
    if (moved) return moved;
  }
  return { file: host, analyzed: host.analyzed, request };
}

/** Text edits for a list of requests on a file's facts, or the reason they cannot be made. Edits in another file than `host` name it. */
function editsFor(host: ProjectFile, dest: ProjectFile, requests: FixRequest[], fileOf: (path: string) => ProjectFile | undefined): TextEdit[] | string {
  const edits: TextEdit[] = [];
  for (const request of requests) {
    const routed = route(host, dest, request, fileOf);
    if (typeof routed === "string") return routed;
    const result = routed.file.adapter.edits(routed.analyzed, routed.request);
    if (typeof result === "string") return result;
    edits.push(...(routed.file === host ? result : result.map((e) => ({ ...e, span: { ...e.span, file: e.span.file ?? routed.file.path } }))));
  }
  return edits.length > 0 ? edits : "no edit was produced";
}

/** One fix for a message in `dest`: every edit must be in that file, since a fix changes one file. */
function fixIn(host: ProjectFile, dest: ProjectFile, requests: FixRequest[], fileOf: (path: string) => ProjectFile | undefined): FixJson | string {
  const edits = editsFor(host, dest, requests, fileOf);
  if (typeof edits === "string") return edits;
  const other = edits.find((e) => (e.span.file ?? host.path) !== dest.path);
  if (other) {
    // A fix changes files the run lints only, as Ruff's and ESLint's do.
    const file = other.span.file ?? host.path;
    return fileOf(file)?.given ? "the edit is in another file" : `the edit is in ${relativePath(dest.path, file)}, which is not linted in this run`;
  }
  return mergeEdits(dest.text, edits.map((e) => ({ span: { start: e.span.start, end: e.span.end }, text: e.text }))) ?? "the edits overlap";
}

/**
 * The construction built from a config in another file (`builtFrom`) that a report is about: named by the arguments
 * it reads or declares invalid or by its requests, or else the one whose construction, name, argument or parameters
 * the report points at.
 */
function builtSiteOf(host: ProjectFile, report: Report): OptimizerSite | undefined {
  const sites = host.analyzed.facts.optimizers.filter((s) => s.builtFrom);
  if (sites.length === 0) return undefined;
  const requests = [...(report.fix?.requests ?? []), ...(report.suggestions ?? []).flatMap((s) => s.requests)];
  const ids = new Set([...(report.reads ?? []), ...(report.invalidates ?? [])].map((r) => r.site));
  for (const r of requests) if ("site" in r) ids.add(r.site);
  const named = sites.find((s) => ids.has(s.id) || requests.some((r) => r.kind === "swap-sequence-items" && [...s.args.values()].some((a) => a.value === r.value)));
  if (named) return named;
  const at = (span: Span) => samePlace(span, report.span, host.path);
  return sites.find((s) => at(s.span) || at(s.nameSpan) || [...s.args.values()].some((a) => at(a.span)) || (s.params.kind !== "missing" && at(s.params.span)));
}

/**
 * The words for a value a config inherits from another file, as a finding judged on `host`'s facts writes them:
 * `inherited from ../_base_/schedules/sgd.py`. Shown in that other file, they would name the file itself: there
 * `placeReport` says which config inherits the value instead.
 */
export function inheritedFrom(host: string, file: string): string {
  return `inherited from ${relativePath(host, file)}`;
}

/** A message's words for the file it is shown in, when a config's analysis wrote them naming that file as where a value came from. */
function shownIn(words: string, host: string, dest: string): string {
  if (dest === host) return words;
  return words.split(`(${inheritedFrom(host, dest)})`).join(`(inherited by ${relativePath(dest, host)})`);
}

/** A path as written from one file's folder. */
function relativePath(from: string, to: string): string {
  return path.relative(path.dirname(from), to).split(path.sep).join("/");
}

/** Where a report is shown, and the message for it. */
export interface Placed {
  dest: ProjectFile;
  message: LintMessage;
  /** 0-based lines the finding covers in `dest`, for suppression directives. */
  startLine: number;
  endLine: number;
  /**
   * For a finding about a construction built from a config in another file and shown outside the file that builds
   * it: what makes two such findings the same whichever call builds them (the rule's words and the fix), and the
   * note that leads to this call. The same finding from two calls is shown once, with a note at each call.
   */
  builtBy?: { same: string; note: RelatedLocation };
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
  // A finding about a construction built from a config in another file is shown at the config's construction when
  // that file is linted (the fix renames or sets what is written there); otherwise at the call, as before.
  const built = builtSiteOf(host, report);
  const home = built?.builtFrom && samePlace(report.span, built.span, host.path) && fileOf(built.builtFrom.file)?.given ? built.builtFrom : undefined;
  const reportSpan: Span = home ? { start: home.site.span.start, end: home.site.span.end, file: home.file } : report.span;
  const target = reportSpan.file ?? host.path;
  const targetFile = fileOf(target);
  let dest = host;
  let span: Span = reportSpan;
  let text = report.message;
  if (targetFile?.given) {
    dest = targetFile;
  } else if (target !== host.path) {
    // A construction built from a config leads there from its own call; other findings from the first place that does.
    span = built?.builtFrom ? built.span : (host.analyzed.links?.get(target) ?? { start: 0, end: 0 });
    const at = positions.range(target, reportSpan);
    text += ` (The finding is at ${target}:${at.line}:${at.column}, in a file not linted in this run.)`;
  }
  text = shownIn(text, host.path, dest.path);
  let builtBy: Placed["builtBy"];
  if (built?.builtFrom && dest !== host) {
    // Shown in a config: the message names the call that builds the construction, and a note leads there.
    const at = positions.range(host.path, built.span);
    text += ` (Built by ${built.builtFrom.call} at ${relativePath(dest.path, host.path)}:${at.line}.)`;
    builtBy = { same: report.message, note: { ...at, filePath: host.path, message: `${built.builtFrom.call} builds the optimizer here from this config` } };
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
    const fix = fixIn(host, dest, report.fix.requests, fileOf);
    if (typeof fix === "string") message.message += ` (Not fixed automatically: ${fix}.)`;
    else message.fix = { ...fix, applicability: report.fix.applicability };
  }
  // ESLint consumers expect every suggestion to carry an edit: one that cannot be made here is left out
  // (the message itself still says what to do).
  const suggestions: NonNullable<LintMessage["suggestions"]> = [];
  for (const s of report.suggestions ?? []) {
    const fix = s.requests.length > 0 ? fixIn(host, dest, s.requests, fileOf) : "no edit";
    if (typeof fix !== "string") suggestions.push({ desc: s.desc, ...(s.messageId ? { messageId: s.messageId } : {}), fix });
  }
  if (suggestions.length > 0) message.suggestions = suggestions;
  if (report.related?.length) {
    message.related = report.related.map((r) => {
      const file = r.span.file ?? host.path;
      const related: RelatedLocation = { ...positions.range(file, r.span), message: shownIn(r.message, host.path, dest.path) };
      if (file !== dest.path) related.filePath = file;
      return related;
    });
  }
  if (builtBy) {
    message.related = [...(message.related ?? []), builtBy.note];
    builtBy.same += `\0${message.fix ? `${message.fix.range.join(":")}:${message.fix.text}` : ""}`;
  }
  message.docsUrl = docsUrl(meta.name);
  const cell = dest.adapter.cellAt?.(dest.analyzed, span.start);
  if (cell) message.cell = cell;
  if (report.settingsChange) message.settingsChange = report.settingsChange;
  return { dest, message, ...positions.lines(dest.path, span), ...(builtBy ? { builtBy } : {}) };
}
