/**
 * The linter: a pure core with open registries. Callers (the CLI, the public API, the editor server)
 * register the language adapters and project joiners and pass the rules; the core imports none of them.
 */
import type { Knowledge } from "../knowledge/index.js";
import { Positions, placeReport, type Placed } from "./messages.js";
import { prefilterFor } from "./prefilter.js";
import { Project } from "./project.js";
import { inTestCode } from "./roles.js";
import { appliesFix, byPosition, summarize, type FixJson, type FileResult, type LintMessage, type RuleSetting, type SuppressedMessage } from "./results.js";
import { oneReportPerProblem, runRules, type RuleReport } from "./run-rules.js";
import { restoreBom, splitBom } from "./source-text.js";
import { readSuppressions, type Suppressions } from "./suppress.js";
import { applyNonOverlapping } from "./text-edits.js";
import type { LanguageAdapter, ProjectFile, ProjectHost, ProjectJoiner } from "./types.js";

export interface LinterOptions {
  adapters: readonly LanguageAdapter[];
  joiners?: readonly ProjectJoiner[];
  knowledge: Knowledge;
}

export interface LintTextOptions {
  filePath: string;
  rules: RuleSetting[];
  /** Apply fixes: safe ones, and unsafe ones too with `unsafeFixes`. */
  fix?: boolean;
  /** Let `fix` apply unsafe fixes too (Ruff's `--unsafe-fixes`); fixable counts follow it. */
  unsafeFixes?: boolean;
}

/** One file given to a project run. */
export interface LintInput {
  filePath: string;
  /** The file's text, BOM included when it has one. */
  text: string;
  rules: RuleSetting[];
  /** Leave out findings in test functions, test classes and fixtures (`TrainingFacts.testCode`); see core/roles.ts. */
  hideTestCode?: boolean;
  /** Whether `fix` applies unsafe fixes in this file (default: the run's `unsafeFixes`). */
  unsafeFixes?: boolean;
  /**
   * The text was not kept, since the file fails the prefilter: `text` is empty, and the run reads the file through
   * its host whenever it needs it (analysis on demand, a joiner reading its code or imports). Only without `fix`.
   */
  unread?: boolean;
}

export interface LintProjectOptions {
  /** Apply fixes: safe ones, and unsafe ones where `unsafeFixes` allows. */
  fix?: boolean;
  /** Whether `fix` applies unsafe fixes, for inputs that do not say (default false). */
  unsafeFixes?: boolean;
  /** Reads files the run needs but was not given (a `_base_`, an imported module); none are read without it. */
  host?: ProjectHost;
  /**
   * Filled by the run, when given: for each given file, the other files whose content its result depends on
   * (a `_base_`, a Hydra group option, a file whose findings are placed in it), so a cache can tell when the result
   * went stale.
   */
  dependencies?: Map<string, string[]>;
  /**
   * Files of the run that are not linted again (their results are cached) but that the given files' results
   * depended on last time: joiners may read them through the host (see `ProjectContext.related`).
   */
  related?: readonly string[];
  /**
   * Every file of a larger run this project is one part of (a worker's chunk): joiners that search the run's files
   * (callers of a function) read them through the host, and the ones they take count as lookups.
   */
  runFiles?: readonly string[];
  /** Hears of a file the linter failed on (it is reported with one fatal message; the other files go on). */
  onInternalError?(filePath: string, error: unknown): void;
  /**
   * Leave unanalyzed the given files whose text cannot hold a finding of their rules (`prefilterFor`); the project
   * pass still analyzes one when another file needs it. Their syntax errors are not reported.
   */
  prefilter?: boolean;
  /** Filled by the run, when given: the paths it asked for beyond the given files (read on demand, or tested for existence). */
  lookups?: Set<string>;
}

const MAX_FIX_PASSES = 10;

/** What one analysis of the whole run found, per given file. */
interface Evaluation {
  messages: Map<string, LintMessage[]>;
  suppressed: Map<string, SuppressedMessage[]>;
  /** Fixes of unsuppressed messages, for the fix loop. */
  fixes: Map<string, FixJson[]>;
  /** Findings left out per file because they lie in test code. */
  hidden: Map<string, number>;
}

export class Linter {
  private readonly adapters: readonly LanguageAdapter[];
  private readonly joiners: readonly ProjectJoiner[];
  private readonly knowledge: Knowledge;

  constructor(options: LinterOptions) {
    this.adapters = options.adapters;
    this.joiners = options.joiners ?? [];
    this.knowledge = options.knowledge;
  }

  /** The adapter that handles a path, if any. */
  adapterFor(filePath: string): LanguageAdapter | undefined {
    return this.adapters.find((a) => a.handles(filePath));
  }

  /** Lints one text on its own; with fix, applies fixes in up to 10 passes and reports what remains. */
  lintText(text: string, options: LintTextOptions): FileResult {
    return this.lintProject([{ filePath: options.filePath, text, rules: options.rules }], { fix: options.fix, unsafeFixes: options.unsafeFixes })[0];
  }

  /**
   * Lints files together: values cross files through the joiners, and each finding is shown in the file
   * it is about. Results come in the order of `inputs`.
   */
  lintProject(inputs: readonly LintInput[], options: LintProjectOptions = {}): FileResult[] {
    const steps = this.steps(inputs, options);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * The same run, returning to the event loop after each file through `between` (the CLI lets tree-sitter's
   * native memory go there, on large trees).
   */
  async lintProjectAsync(inputs: readonly LintInput[], options: LintProjectOptions & { between(analyzedChars: number): Promise<void> }): Promise<FileResult[]> {
    const steps = this.steps(inputs, options);
    for (let step = steps.next(); ; step = steps.next()) {
      if (step.done) return step.value;
      await options.between(step.value);
    }
  }

  /** The run as steps: it yields the size of each file it has just analyzed. */
  private *steps(inputs: readonly LintInput[], options: LintProjectOptions): Generator<number, FileResult[]> {
    // Texts that were not kept are read now when the run fixes, or cannot read them later.
    if (inputs.some((input) => input.unread) && (options.fix || !options.host || !options.prefilter)) {
      inputs = inputs.map((input) => (input.unread ? { ...input, unread: false, text: options.host?.read(input.filePath) ?? "" } : input));
    }
    const split = inputs.map((input) => splitBom(input.text));
    const bodies = split.map((s) => s.body);
    const notes = new Map<string, LintMessage>();
    const evaluation = (options.fix ? yield* this.fixLoop(inputs, bodies, options, notes) : undefined) ?? this.evaluate(yield* this.analyze(inputs, bodies, options), inputs, options);
    return inputs.map((input, i) => {
      const note = notes.get(input.filePath);
      const messages = [...(evaluation.messages.get(input.filePath) ?? []), ...(note ? [note] : [])].sort(byPosition);
      const result = summarize(input.filePath, messages, evaluation.suppressed.get(input.filePath) ?? [], input.unsafeFixes ?? options.unsafeFixes);
      const hidden = evaluation.hidden.get(input.filePath);
      if (hidden) result.hiddenInTestCode = hidden;
      if (bodies[i] !== split[i].body) result.output = restoreBom(bodies[i], split[i].bom);
      else if (messages.length > 0) result.source = input.unread ? (options.host?.read(input.filePath) ?? "") : input.text;
      return result;
    });
  }

  /** The fallback adapter for a path no adapter claims (text given on stdin without a name). */
  private adapterOrDefault(filePath: string): LanguageAdapter {
    return this.adapterFor(filePath) ?? this.adapters.find((a) => a.name === "python") ?? this.adapters[0];
  }

  private *analyze(inputs: readonly LintInput[], bodies: readonly string[], options: LintProjectOptions): Generator<number, Project> {
    const project = new Project((p) => this.adapterFor(p), options.host, options.related, options.lookups, options.runFiles);
    for (let i = 0; i < inputs.length; i++) {
      const adapter = this.adapterOrDefault(inputs[i].filePath);
      const test = options.prefilter ? prefilterFor(adapter, inputs[i].rules) : undefined;
      if (inputs[i].unread) {
        project.addUnread(inputs[i].filePath, adapter, options.onInternalError);
        yield 0;
        continue;
      }
      if (test && !test(bodies[i])) {
        project.addUnanalyzed(inputs[i].filePath, bodies[i], adapter, options.onInternalError);
        yield 0;
        continue;
      }
      project.add(inputs[i].filePath, bodies[i], adapter, options.onInternalError);
      yield bodies[i].length;
    }
    project.join(this.joiners);
    return project;
  }

  /** Runs the rules on every given file and places each report in the file it is about. */
  private evaluate(project: Project, inputs: readonly LintInput[], options: Pick<LintProjectOptions, "dependencies" | "unsafeFixes">): Evaluation {
    const { dependencies } = options;
    const out: Evaluation = { messages: new Map(), suppressed: new Map(), fixes: new Map(), hidden: new Map() };
    // Whether fixes in a file may be unsafe: its input's setting, else the run's.
    const unsafeIn = new Map(inputs.map((input) => [input.filePath, input.unsafeFixes ?? options.unsafeFixes]));
    // The rules each given file runs under: a finding another file's analysis places in it follows them, as its own do
    // (a per-file ignore of the config it is shown in silences it; a severity set there is the one shown).
    const rulesIn = new Map(inputs.map((input) => [input.filePath, input.rules]));
    // Texts of other files (for lines of notes there) are peeked: reading one is no reason to analyze it or to link runs.
    const textOf = (p: string) => project.peek(p);
    const positions = new Positions(textOf);
    const suppressions = new Map<string, Suppressions>();
    const suppressionsOf = (file: ProjectFile) => {
      let directives = suppressions.get(file.path);
      if (!directives) suppressions.set(file.path, (directives = readSuppressions(file.analyzed.comments)));
      return directives;
    };
    const seen = new Map<string, { host: string; messages: Set<string>; built?: Map<string, LintMessage> }>();
    // Every placed report, in the order of the files whose analysis made it, and the findings a file's own analysis
    // places in itself: which route of a finding reached through several files is shown is decided once all are known.
    const candidates: { file: ProjectFile; report: RuleReport; placed: Placed; key: string }[] = [];
    const ownFindings = new Set<string>();
    const push = <T>(map: Map<string, T[]>, key: string, item: T) => {
      const list = map.get(key);
      if (list) list.push(item);
      else map.set(key, [item]);
    };
    const depend = (of: string, on: string) => {
      const list = dependencies?.get(of);
      if (!list) dependencies?.set(of, [on]);
      else if (!list.includes(on)) list.push(on);
    };
    project.files.forEach((file, i) => {
      if (dependencies) for (const other of file.analyzed.links?.keys() ?? []) depend(file.path, other);
      const directives = suppressionsOf(file);
      for (const error of file.analyzed.syntaxErrors) {
        const at = positions.range(file.path, error.span);
        if (!error.severity) {
          push(out.messages, file.path, { ruleId: null, severity: 2, fatal: true, message: error.internal ? error.message : `Parsing error: ${error.message}`, ...at });
        } else if (!directives.isSuppressed("", "", at.line - 1, at.line - 1)) {
          // A notice about a skipped part: never fatal, and silenced by a bare `# noqa` or `# optim-lint: disable-file`.
          // In a notebook, the cell position is given as for findings (`cell 3:2:1` in stylish).
          const cell = file.adapter.cellAt?.(file.analyzed, error.span.start);
          push(out.messages, file.path, { ruleId: null, severity: 1, ...(error.severity === "info" ? { level: "info" as const } : {}), message: error.message, ...at, ...(cell ? { cell } : {}) });
        }
      }
      const { reports, crashes } = runRules(file.analyzed, file.path, inputs[i].rules, this.knowledge, textOf);
      for (const crash of crashes) push(out.messages, file.path, crash);
      for (const report of oneReportPerProblem(reports)) {
        // Judged by the test code of the program the report came from: another program's facts may still be pending.
        if (inputs[i].hideTestCode && inTestCode(report.report.span, report.facts.testCode)) {
          out.hidden.set(file.path, (out.hidden.get(file.path) ?? 0) + 1);
          continue;
        }
        const placed = placeReport(report, file, (p) => project.file(p), positions);
        const key = findingKey(placed);
        if (placed.dest === file) ownFindings.add(key);
        candidates.push({ file, report, placed, key });
      }
    });
    for (const { file, report, placed, key } of candidates) {
      const { dest, message } = placed;
      // The same finding reached through two files (a base config linted alone and through its child) is shown
      // once: one rule at one place of one file is one finding, whatever notes the other route adds. The file's
      // own analysis, when it has the finding, is the one shown: another config's words are about that config
      // (a value "inherited from" the very file shown). Within one file, reports at one place that say different
      // things are different findings (a construction judged once per call site that reaches it); the same words
      // twice are one.
      const earlier = seen.get(key);
      // A construction built from a config by several calls is judged once per call: the same words and fix shown
      // in the config are one finding, with a note at each call; different words are different findings.
      const { builtBy } = placed;
      const { meta } = report.setting.rule;
      if (builtBy) {
        // A `# noqa` at the call that builds it silences that call's judgment of the config it builds from.
        const { line, endLine = line } = builtBy.note;
        if (suppressionsOf(file).isSuppressed(meta.code, meta.name, line - 1, endLine - 1)) {
          push(out.suppressed, dest.path, { ...message, suppressions: [{ kind: "directive", justification: "" }] });
          continue;
        }
      }
      const same = builtBy && earlier?.built?.get(builtBy.same);
      if (same) {
        const notes = (same.related ??= []);
        if (!notes.some((n) => n.filePath === builtBy.note.filePath && n.line === builtBy.note.line && n.column === builtBy.note.column)) notes.push(builtBy.note);
        continue;
      }
      if (!builtBy && dest !== file && ownFindings.has(key)) continue;
      if (dest !== file) {
        const there = rulesIn.get(dest.path)?.find((setting) => setting.rule.meta.name === meta.name);
        if (rulesIn.has(dest.path) && !there) continue;
        if (there && there.severity !== report.setting.severity) {
          message.severity = there.severity === "error" ? 2 : 1;
          if (there.severity === "info") message.level = "info";
          else delete message.level;
        }
      }
      if (earlier && !(builtBy && earlier.built) && (earlier.host !== file.path || earlier.messages.has(message.message))) continue;
      if (earlier) earlier.messages.add(message.message);
      else seen.set(key, { host: file.path, messages: new Set([message.message]) });
      if (builtBy) (seen.get(key)!.built ??= new Map()).set(builtBy.same, message);
      if (suppressionsOf(dest).isSuppressed(meta.code, meta.name, placed.startLine, placed.endLine)) {
        push(out.suppressed, dest.path, { ...message, suppressions: [{ kind: "directive", justification: "" }] });
        continue;
      }
      // A finding another file's analysis places here is part of this file's result: it depends on that file.
      if (dest !== file) depend(dest.path, file.path);
      push(out.messages, dest.path, message);
      if (message.fix && appliesFix(message, unsafeIn.get(dest.path))) push(out.fixes, dest.path, { range: message.fix.range, text: message.fix.text });
    }
    return out;
  }

  /**
   * Applies fixes until nothing changes (at most 10 passes). A file whose fixed text does not parse is
   * retried one fix at a time, keeping only fixes that leave it parseable. `bodies` is updated in place.
   */
  private *fixLoop(inputs: readonly LintInput[], bodies: string[], options: LintProjectOptions, notes: Map<string, LintMessage>): Generator<number, Evaluation | undefined> {
    const adapters = inputs.map((input) => this.adapterOrDefault(input.filePath));
    // Whether each file parsed before any fix, asked only of files that get fixes (before their first one).
    const parsedAtStart: (boolean | undefined)[] = [];
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const project = yield* this.analyze(inputs, bodies, options);
      const evaluation = this.evaluate(project, inputs, options);
      let changed = false;
      inputs.forEach((input, i) => {
        const fixes = evaluation.fixes.get(input.filePath);
        if (!fixes?.length || !(parsedAtStart[i] ??= adapters[i].parses(bodies[i]))) return;
        const next = this.fixOne(adapters[i], project.files[i], fixes, notes);
        if (next !== undefined && next !== bodies[i]) {
          bodies[i] = next;
          changed = true;
        }
      });
      // Nothing left to fix: this analysis of the final text is the one to report.
      if (!changed) return evaluation;
    }
    return undefined;
  }

  /** The file's text with its fixes applied, or undefined when no fix leaves it parseable. */
  private fixOne(adapter: LanguageAdapter, file: ProjectFile, fixes: FixJson[], notes: Map<string, LintMessage>): string | undefined {
    const attempt = applyNonOverlapping(file.text, fixes);
    if (adapter.parses(attempt.text)) return attempt.text;
    for (const fix of fixes) {
      const single = applyNonOverlapping(file.text, [fix]);
      if (adapter.parses(single.text)) return single.text;
      const at = new Positions(() => file.text).range(file.path, { start: fix.range[0], end: fix.range[1] });
      notes.set(file.path, { ruleId: null, severity: 1, message: "A fix was not applied because the fixed text would not parse; please fix this by hand.", ...at });
    }
    return undefined;
  }
}

/** One rule at one place of one file: what makes reports reached through different files one finding. */
function findingKey({ dest, message }: Placed): string {
  return `${dest.path}\0${message.line}:${message.column}\0${message.code}`;
}
