/**
 * The project pass: analyze each file with its adapter into a summary, read the other files that summaries
 * refer to on demand, and let the registered joiners connect them (imports, call sites, `_base_`, Hydra groups).
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { emptyFacts } from "./facts.js";
import type { AnalyzedFile, LanguageAdapter, ProjectCode, ProjectContext, ProjectFile, ProjectHost, ProjectJoiner } from "./types.js";
import { stripBom } from "./source-text.js";

/** Hash of a file's text, the key under which its summary can be reused. */
export function contentHash(text: string): string {
  return createHash("sha1").update(text).digest("hex");
}

/** The files of one run and the ones read for them. */
export class Project implements ProjectContext {
  private readonly byPath = new Map<string, ProjectFile>();
  private readonly unreadable = new Set<string>();
  /** Given files the prefilter left unanalyzed, with the crash hook to use when one is analyzed on demand. */
  private readonly deferred = new Map<ProjectFile, ((filePath: string, error: unknown) => void) | undefined>();
  readonly files: ProjectFile[] = [];

  constructor(
    private readonly adapterFor: (filePath: string) => LanguageAdapter | undefined,
    private readonly host: ProjectHost | undefined,
    readonly related: readonly string[] = [],
    /** Files of the larger run (`runFiles`) this part read beyond its own: what links it to the other parts. */
    readonly outside = new Set<string>(),
    readonly runFiles: readonly string[] = [],
  ) {
    this.inRun = new Set(runFiles.map((p) => path.normalize(p)));
  }

  private readonly inRun: ReadonlySet<string>;

  /** The text of a file of the run or on disk, without analyzing it or counting it as a lookup; undefined when unreadable. */
  peek(filePath: string): string | undefined {
    const known = this.byPath.get(path.normalize(filePath)) ?? this.byPath.get(filePath);
    if (known) return known.text;
    const raw = this.host?.read(path.normalize(filePath));
    return raw === undefined ? undefined : stripBom(raw);
  }

  /**
   * Adds a file given to the run, analyzed by its adapter. An adapter that throws on one file does not
   * stop the run: the file gets one fatal message, and `onCrash` hears of it.
   */
  add(filePath: string, text: string, adapter: LanguageAdapter, onCrash?: (filePath: string, error: unknown) => void): ProjectFile {
    const file = this.record(filePath, text, adapter, analyzeGiven(filePath, text, adapter, onCrash), true);
    this.files.push(file);
    return file;
  }

  /**
   * Adds a given file the prefilter says cannot hold a finding, without analyzing it: it counts as a file with no
   * facts and no messages, unless another file's analysis asks for it (`file`), which analyzes it then.
   */
  addUnanalyzed(filePath: string, text: string, adapter: LanguageAdapter, onCrash?: (filePath: string, error: unknown) => void): ProjectFile {
    const file = this.record(filePath, text, adapter, { text, facts: emptyFacts(), syntaxErrors: [], comments: [] }, true);
    this.deferred.set(file, onCrash);
    this.files.push(file);
    return file;
  }

  /**
   * Adds a given file whose text was not kept (it fails the prefilter, see `LintInput.unread`): like `addUnanalyzed`,
   * but its text is read through the host each time it is asked for, and never held.
   */
  addUnread(filePath: string, adapter: LanguageAdapter, onCrash?: (filePath: string, error: unknown) => void): ProjectFile {
    const host = this.host;
    const read = () => stripBom(host?.read(path.normalize(filePath)) ?? "");
    const file = this.record(filePath, read, adapter, { text: "", facts: emptyFacts(), syntaxErrors: [], comments: [] }, true);
    this.deferred.set(file, onCrash);
    this.files.push(file);
    return file;
  }

  private record(filePath: string, text: string | (() => string), adapter: LanguageAdapter, analyzed: AnalyzedFile, given: boolean): ProjectFile {
    let hash: string | undefined;
    const file: ProjectFile = {
      path: filePath,
      get text() {
        return typeof text === "string" ? text : text();
      },
      // Computed when asked for: most runs never need the hash of most files.
      get hash() {
        return (hash ??= contentHash(file.text));
      },
      adapter,
      analyzed,
      given,
    };
    this.byPath.set(filePath, file);
    return file;
  }

  file(filePath: string): ProjectFile | undefined {
    const key = path.normalize(filePath);
    const known = this.byPath.get(key) ?? this.byPath.get(filePath);
    if (known && this.deferred.has(known)) {
      const onCrash = this.deferred.get(known);
      this.deferred.delete(known);
      known.analyzed = analyzeGiven(known.path, known.text, known.adapter, onCrash);
    }
    if (known) return known;
    // Only a file of the larger run can link this part to another; other paths are not kept (module lookup asks about many).
    if (this.inRun.has(key)) this.outside.add(key);
    if (!this.host || this.unreadable.has(key)) return undefined;
    const adapter = this.adapterFor(key);
    const raw = adapter ? this.host.read(key) : undefined;
    if (!adapter || raw === undefined) {
      this.unreadable.add(key);
      return undefined;
    }
    const text = stripBom(raw);
    let analyzed;
    try {
      analyzed = adapter.analyze(text, key);
    } catch {
      this.unreadable.add(key);
      return undefined;
    }
    return this.record(key, text, adapter, analyzed, false);
  }

  code(filePath: string): ProjectCode | undefined {
    const key = path.normalize(filePath);
    const known = this.byPath.get(key) ?? this.byPath.get(filePath);
    if (known) return { path: known.path, text: known.text, adapter: known.adapter, inRun: known.given || this.inRun.has(key), ...(this.deferred.has(known) ? {} : { analyzed: known.analyzed }) };
    if (this.inRun.has(key)) {
      const adapter = this.adapterFor(key);
      const raw = adapter ? this.host?.read(key) : undefined;
      return adapter && raw !== undefined ? { path: key, text: stripBom(raw), adapter, inRun: true } : undefined;
    }
    const file = this.file(key);
    return file && { path: file.path, text: file.text, adapter: file.adapter, analyzed: file.analyzed, inRun: file.given };
  }

  isFolder(filePath: string): boolean | undefined {
    return this.host?.isFolder?.(filePath);
  }

  get readsFiles(): boolean {
    return this.host !== undefined;
  }

  exists(filePath: string): boolean {
    const key = path.normalize(filePath);
    if (this.byPath.has(key)) return true;
    // A file of the larger run exists whichever part reads it: asking does not make this part depend on it.
    return this.host?.exists(filePath) ?? false;
  }

  /** Runs every joiner over the files, in order. */
  join(joiners: readonly ProjectJoiner[]): void {
    for (const joiner of joiners) joiner.join(this);
  }
}

/**
 * A given file's analysis by its adapter. An adapter that throws on one file does not stop the run: the file gets one
 * fatal message, and `onCrash` hears of it.
 */
function analyzeGiven(filePath: string, text: string, adapter: LanguageAdapter, onCrash?: (filePath: string, error: unknown) => void): AnalyzedFile {
  try {
    return adapter.analyze(text, filePath);
  } catch (error) {
    onCrash?.(filePath, error);
    const message = `Internal error while linting this file: ${(error as Error)?.message ?? String(error)}`;
    return { text, facts: emptyFacts(), syntaxErrors: [{ span: { start: 0, end: 0 }, message, internal: true }], comments: [] };
  }
}
