/**
 * What the language server knows about the project: the configuration that applies to each document (found from
 * the document's folder, as the CLI finds it), a summary of each file analyzed (reused while its text is the same),
 * each open document's syntax tree (parsed again incrementally after an edit), and the last lint result of each open
 * document with the other files it depends on, so that an edit in one file refreshes the findings it causes in others.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Parser from "tree-sitter";
import { RULES } from "../../rules/index.js";
import { readSource } from "../cli/read.js";
import { ConfigFinder } from "../config/load.js";
import { SettingsResolver } from "../config/resolve.js";
import { Linter, type LintInput } from "../core/linter.js";
import { contentHash } from "../core/project.js";
import { fileErrorResult, type FileResult, type RuleSetting } from "../core/results.js";
import { stripBom } from "../core/source-text.js";
import type { TrainingFacts } from "../core/facts.js";
import type { AnalyzedFile, LanguageAdapter, ProjectHost } from "../core/types.js";
import { ADAPTERS, adapterFor, JOINERS } from "../default-linter.js";
import { knowledge } from "../knowledge/index.js";
import { builtIndex, isDatabricksSource, shareKeptIndex } from "../python/analyze.js";
import { analysisAfterCommentEdit, analysisAfterNumberEdit } from "../python/reuse.js";
import { parse, rememberTree, reparse, trackTree } from "../python/parser.js";

/** How many documents' indexes the summary cache holds strongly. */
const HELD_INDEXES = 16;

/** The configuration file names whose change reloads the configuration. */
export const CONFIG_FILE_NAMES = ["pyproject.toml", "optim-lint.toml"] as const;

/** The outcome of linting one document: a result, or the configuration error that prevented it. */
export type LintOutcome = { result: FileResult; configError?: undefined } | { result?: undefined; configError: string };

interface CacheEntry {
  text: string;
  settingsKey: string;
  /** The workspace generation the result was computed in: any change of a document or file makes it stale. */
  generation: number;
  outcome: LintOutcome;
}

/** An open document as the linter sees it. */
export interface OpenDocument {
  uri: string;
  filePath: string;
  text: string;
}

/**
 * Per-file summaries (what an adapter's analysis found), keyed by adapter, path and content hash, reused across
 * requests. Joiners add to a summary during a run (links, inherited facts, notices), so each run gets its own
 * shallow copy and the kept summary stays as the adapter made it.
 */
class SummaryCache {
  private readonly kept = new Map<string, AnalyzedFile>();
  /** The newest summary of each path, which an edit inside a comment of a Python document moves instead of analyzing again. */
  private readonly newest = new Map<string, AnalyzedFile>();
  /** The index of the newest analysis of each of the last few paths, held strongly (see `holdIndex`). */
  private readonly indexes = new Map<string, unknown>();
  /** How many analyses ran (misses): lets tests and the bench see that unchanged files are not analyzed again. */
  analyses = 0;
  /** How many misses were answered by moving the previous summary of the path (src/python/reuse.ts). */
  moved = 0;

  /** `treeOf` gives the language server's own tree of a text, when it has one. */
  constructor(
    private readonly treeOf: (text: string) => Parser.Tree | undefined,
    private readonly limit = 256,
  ) {}

  /** The adapter with its analysis answered from the cache. */
  wrap(adapter: LanguageAdapter): LanguageAdapter {
    return {
      ...adapter,
      analyze: (text, filePath) => {
        const key = `${adapter.name}\0${filePath}\0${contentHash(text)}`;
        const pathKey = `${adapter.name}\0${filePath}`;
        let summary = this.kept.get(key);
        if (summary) {
          this.kept.delete(key);
        } else {
          summary = this.afterLocalEdit(adapter, pathKey, text, analysisAfterCommentEdit);
          if (summary) this.moved++;
          else {
            this.analyses++;
            const afterNumberEdit = (previous: AnalyzedFile, body: string, tree: Parser.Tree) => analysisAfterNumberEdit(previous, body, tree, filePath);
            summary = this.afterLocalEdit(adapter, pathKey, text, afterNumberEdit) ?? adapter.analyze(text, filePath);
          }
          this.holdIndex(pathKey, summary);
        }
        this.kept.set(key, summary);
        while (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value!);
        this.newest.delete(pathKey);
        this.newest.set(pathKey, summary);
        while (this.newest.size > this.limit) this.newest.delete(this.newest.keys().next().value!);
        return copyForRun(summary);
      },
    };
  }

  /**
   * Holds the index fact extraction built for the newest summary of a path, which the analysis keeps only weakly (for
   * the command line's memory): between two requests the collector would free it, and the call-site joiner would
   * index the document again on every keystroke.
   */
  private holdIndex(pathKey: string, summary: AnalyzedFile): void {
    this.indexes.delete(pathKey);
    const index = builtIndex(summary);
    if (!index) return;
    this.indexes.set(pathKey, index);
    while (this.indexes.size > HELD_INDEXES) this.indexes.delete(this.indexes.keys().next().value!);
  }

  /**
   * A Python document's summary made from its previous one after a local edit (`reuse`: inside a comment, the previous
   * summary moved; inside a number, analyzed with the previous index moved), when the server has the text's tree.
   */
  private afterLocalEdit(adapter: LanguageAdapter, pathKey: string, text: string, reuse: (previous: AnalyzedFile, body: string, tree: Parser.Tree) => AnalyzedFile | undefined): AnalyzedFile | undefined {
    const previous = this.newest.get(pathKey);
    if (adapter.name !== "python" || !previous) return undefined;
    const body = stripBom(text);
    // The server's tree is of the text as written; a Databricks export is parsed with its IPython lines masked.
    if (isDatabricksSource(body)) return undefined;
    const tree = this.treeOf(body);
    return tree && reuse(previous, body, tree);
  }
}

/**
 * A copy of a summary that a run's joiners may add to without changing the kept one. Joiners push to the facts'
 * lists, replace their items, and set fields of list items (a construction judged per call widens the sites a
 * checkpoint or a distributed sign names), so each fact list and each item in it is copied, one level down for the
 * fact objects (`modelHints`, `distributed`, `resume`, `batch`); values below items are shared, never written.
 */
function copyForRun(summary: AnalyzedFile): AnalyzedFile {
  const { links: _links, ...rest } = summary;
  const facts = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(summary.facts)) facts[key] = copyFact(value, 2);
  const copy: AnalyzedFile = { ...rest, facts: facts as unknown as TrainingFacts, syntaxErrors: [...summary.syntaxErrors] };
  shareKeptIndex(summary, copy);
  return copy;
}

/** A list with each item copied, or a plain object with its fields copied `depth - 1` levels down; anything else as is. */
function copyFact(value: unknown, depth: number): unknown {
  if (depth === 0 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => copyFact(item, 1));
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = copyFact(field, depth - 1);
  return out;
}

/** Each open Python document's syntax tree and the text it was parsed from. */
interface DocumentTree {
  text: string;
  tree: Parser.Tree;
}

/** Whether a path names a configuration file. */
export function isConfigFile(filePath: string): boolean {
  return (CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(filePath));
}

/**
 * The file path a document stands for: its file on disk, or for an unsaved buffer a path in the root
 * folder, with `.py` added to a Python buffer whose name has no extension an adapter handles.
 */
export function documentPath(uri: string, languageId: string, root: string): string {
  let filePath: string;
  if (uri.startsWith("file:")) {
    filePath = fileURLToPath(uri);
  } else {
    const name = decodeURIComponent(uri.replace(/^[a-z][a-z0-9+.-]*:/i, "").split(/[/\\]/).pop() || "untitled");
    filePath = path.join(root, name);
  }
  if (languageId === "python" && !adapterFor(filePath)) filePath += ".py";
  return filePath;
}

/** A key that changes when the rules, their severities or their options change. */
function settingsKey(settings: RuleSetting[]): string {
  return settings.map((s) => `${s.rule.meta.code}:${s.severity}:${JSON.stringify(s.options)}`).join("|");
}

/** Lints documents under the project's configuration, keeping each document's last result. */
export class WorkspaceLinter {
  private configs!: ConfigFinder;
  private resolver!: SettingsResolver;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly summaries = new SummaryCache((text) => [...this.trees.values()].find((kept) => kept.text === text)?.tree);
  private readonly linter = new Linter({ adapters: ADAPTERS.map((adapter) => this.summaries.wrap(adapter)), joiners: JOINERS, knowledge });
  private readonly trees = new Map<string, DocumentTree>();
  /** Bumped whenever a document or a file on disk changes: kept results are then recomputed (from kept summaries). */
  private generation = 0;
  /** For each file linted, the other files its last result depended on (a `_base_`, a Hydra group option). */
  private readonly dependencies = new Map<string, string[]>();
  /** How many lint runs were not answered from the per-document cache. */
  analyses = 0;
  /** How many incremental re-parses of a document's tree were made. */
  reparses = 0;

  /** The open documents, whose text stands for their file's (set by the server). */
  openDocuments: () => readonly OpenDocument[] = () => [];

  constructor(readonly root: string) {
    this.reloadConfiguration();
  }

  /** How many files the adapters analyzed (summaries not found in the cache, nor moved past an edit in a comment). */
  get fileAnalyses(): number {
    return this.summaries.analyses;
  }

  /** How many summaries were the previous summary of their document moved past an edit inside a comment. */
  get movedSummaries(): number {
    return this.summaries.moved;
  }

  /** Forgets every configuration file read so far; the next lint of each document reads them again. */
  reloadConfiguration(): void {
    this.configs = new ConfigFinder(RULES, this.root);
    this.resolver = new SettingsResolver({ rules: RULES, cli: { selection: {}, rules: new Map() } });
    this.generation++;
  }

  /** Notes that a document's text or a file on disk changed: results that depend on other files are stale. */
  changed(): void {
    this.generation++;
  }

  /** The rule settings for a file, resolved the way the CLI resolves them; throws on a broken configuration. */
  settingsFor(filePath: string): RuleSetting[] {
    return this.resolver.settingsFor(filePath, this.configs.forDirectory(path.dirname(filePath)));
  }

  /**
   * The open documents a change in `filePath` can change the findings of: those whose results depended on it, and
   * those it depended on (findings it causes are shown there).
   */
  relatedDocuments(filePath: string): OpenDocument[] {
    const own = new Set(this.dependencies.get(filePath) ?? []);
    return this.openDocuments().filter((d) => d.filePath !== filePath && (own.has(d.filePath) || (this.dependencies.get(d.filePath) ?? []).includes(filePath)));
  }

  /**
   * The lint outcome of a document's text, linted with the open documents that depend on it (so that the findings they
   * cause in it are shown) and reading the files it refers to (open documents first, then the disk). The result is
   * kept until the text, its settings or any other document changes.
   */
  lint(uri: string, filePath: string, text: string): LintOutcome {
    let settings: RuleSetting[];
    try {
      settings = this.settingsFor(filePath);
    } catch (error) {
      const outcome = { configError: (error as Error).message };
      this.cache.delete(uri);
      return outcome;
    }
    const key = settingsKey(settings);
    const cached = this.cache.get(uri);
    if (cached && cached.text === text && cached.settingsKey === key && cached.generation === this.generation) return cached.outcome;
    this.analyses++;
    this.parseIncrementally(uri, filePath, text);
    const inputs: LintInput[] = [{ filePath, text, rules: settings }];
    for (const other of this.relatedDocuments(filePath)) {
      try {
        inputs.push({ filePath: other.filePath, text: other.text, rules: this.settingsFor(other.filePath) });
      } catch {
        // A document under a broken configuration is linted on its own, where its error is shown.
      }
    }
    const dependencies = new Map<string, string[]>();
    const result = this.lintSafely(inputs, dependencies);
    for (const input of inputs) this.dependencies.set(input.filePath, dependencies.get(input.filePath) ?? []);
    const outcome: LintOutcome = { result };
    this.cache.set(uri, { text, settingsKey: key, generation: this.generation, outcome });
    return outcome;
  }

  /**
   * Keeps an open Python document's tree current: the previous tree is edited with the change and parsed again
   * incrementally (tree-sitter reuses what the edit left alone), and offered to the analysis of this text.
   */
  private parseIncrementally(uri: string, filePath: string, text: string): void {
    if (adapterFor(filePath)?.name !== "python") return;
    const body = stripBom(text);
    const previous = this.trees.get(uri);
    let tree: Parser.Tree;
    if (previous && previous.text !== body) {
      tree = reparse(previous.tree, previous.text, body);
      this.reparses++;
    } else {
      tree = previous?.tree ?? parse(body);
      // Its copy is kept, so that after an edit only what the edit touched is copied again.
      trackTree(tree);
    }
    this.trees.set(uri, { text: body, tree });
    rememberTree(body, tree);
  }

  /** The text with every safe fix applied (the CLI's fix loop), or undefined when nothing changes. */
  fixAll(filePath: string, text: string): string | undefined {
    const [result] = this.linter.lintProject([{ filePath, text, rules: this.settingsFor(filePath) }], { fix: true, host: this.host() });
    return result.output;
  }

  /** Drops a closed document's result and tree. */
  forget(uri: string): void {
    this.cache.delete(uri);
    this.trees.delete(uri);
  }

  /** Reads other files: an open document's text, else the file on disk (decoded as the CLI decodes it). */
  private host(): ProjectHost {
    const open = new Map(this.openDocuments().map((d) => [d.filePath, d.text]));
    return {
      read: (filePath) => {
        const text = open.get(filePath);
        if (text !== undefined) return text;
        const source = readSource(filePath);
        return "text" in source ? source.text : undefined;
      },
      exists: (filePath) => {
        if (open.has(filePath)) return true;
        try {
          return statSync(filePath).isFile();
        } catch {
          return false;
        }
      },
    };
  }

  /** The first input's result; a crash becomes one fatal message so that a broken document cannot stop the server. */
  private lintSafely(inputs: LintInput[], dependencies: Map<string, string[]>): FileResult {
    try {
      return this.linter.lintProject(inputs, { host: this.host(), dependencies })[0];
    } catch (error) {
      return fileErrorResult(inputs[0].filePath, `Internal error while linting this file: ${(error as Error).message}`);
    }
  }
}
