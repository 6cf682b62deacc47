/**
 * The contracts between the engine, the language adapters and the rules.
 * Rules only look and report; the engine owns files, configuration, severity, suppression and output.
 */
import type { ResolvedValue, Span, TrainingFacts } from "./facts.js";
import type { Knowledge } from "../knowledge/index.js";

export type Severity = "info" | "warning" | "error";
export type SeveritySetting = Severity | "off";

/** A value an edit writes, rendered by each adapter in its own syntax (Python `True`, YAML `true`). */
export type LiteralValue = number | boolean | string | null | number[];

/** An edit a rule asks for on a fact; the adapter that produced the fact turns it into text edits. */
export type FixRequest =
  /** Construct a different optimizer (canonical name from the knowledge table), keeping the import style and leaving no unused or undefined name. */
  | { kind: "rename-optimizer"; site: string; to: string }
  /**
   * Set a keyword argument at the construction: replace its value if given, otherwise add it. The value is changed
   * where it is defined (the argparse default) unless `atCall`, which writes the literal at the call only (a value
   * shared with other constructions).
   */
  | { kind: "set-argument"; site: string; name: string; value: LiteralValue; atCall?: boolean }
  /** Swap the two items of the sequence literal a value came from (where it is defined, e.g. the argparse default). */
  | { kind: "swap-sequence-items"; value: ResolvedValue }
  /** Replace whole-model parameters with two groups: decayed matrices, undecayed biases and norm weights. */
  | { kind: "split-decay-groups"; site: string }
  /** Multiply an argument's value by the number of data-parallel workers. */
  | { kind: "scale-by-world-size"; site: string; name: string }
  /** Divide the moments a hand-written Adam update reads by 1 - beta**t (the `ManualAdamUpdate` with this id). */
  | { kind: "correct-adam-update"; update: string }
  /** After the model load at `load`, load the optimizer's state from the same checkpoint. */
  | { kind: "restore-optimizer-state"; load: Span; site: string }
  /** Add the optimizer's state to what the save at `save` writes. */
  | { kind: "save-optimizer-state"; save: Span; site: string }
  /**
   * Build a cosine-annealing scheduler on the optimizer after its construction, over the loop whose `range(...)` is at
   * `loop`, and step it once per pass of that loop (`per`: epoch or optimizer step).
   */
  | { kind: "add-lr-scheduler"; site: string; loop: Span; per: "epoch" | "step" };

/** A text replacement on UTF-16 offsets. */
export interface TextEdit {
  span: Span;
  text: string;
}

/** An optimizer and its settings, as the simulation needs them. */
export interface OptimizerConfig {
  /** Short torch-style name: `Adam`, `AdamW`, `SGD`, ... */
  optimizer: string;
  options: Record<string, number | boolean | number[]>;
}

/**
 * One optimizer argument a finding is about: the construction (`OptimizerSite.id`) and the argument's canonical
 * name (`lr`, `momentum`, `betas`). The engine uses these to keep one problem to one report.
 */
export interface ArgumentRef {
  site: string;
  name: string;
}

/** What a rule reports. */
export interface Report {
  span: Span;
  message: string;
  messageId?: string;
  /** Where resolved values came from, e.g. the argparse default that set weight_decay. */
  related?: { span: Span; message: string }[];
  /**
   * A canonical remedy. `safe` keeps what the user tuned (`--fix` applies it); `unsafe` changes training dynamics the
   * user must re-tune (applied only with `--unsafe-fixes`), as Ruff's fix applicability.
   */
  fix?: { title: string; requests: FixRequest[]; applicability: FixApplicability };
  /** Judgement calls: listed, never applied by `--fix`. `requests` may be empty when no concrete edit exists. */
  suggestions?: { desc: string; messageId?: string; requests: FixRequest[] }[];
  /** The optimizer settings before and after the fix or suggestion, for `optim-lint simulate`. */
  settingsChange?: { before: OptimizerConfig; after: OptimizerConfig };
  /**
   * The arguments whose values this finding rests on (passed or the class default). When another finding of the
   * same file declares one of them invalid, this one is dropped: one problem, one report.
   */
  reads?: ArgumentRef[];
  /**
   * The arguments this finding declares invalid: a value PyTorch rejects or that cannot train, or one that is wrong
   * for what trains whatever else is said of it (weight decay on an RL network, where the remedy is none).
   */
  invalidates?: ArgumentRef[];
}

/** Whether a fix keeps what the user tuned (`safe`) or changes dynamics they must re-tune (`unsafe`). */
export type FixApplicability = "safe" | "unsafe";

/**
 * Where a finding sits in the seed's debugging order, first to last: the learning rate, numerical stability, the
 * batch size, gradient issues, and the choice of optimizer.
 */
export type RulePriority = "learning-rate" | "numerical-stability" | "batch-size" | "gradient" | "optimizer-choice";

/** Documentation that lives beside a rule's logic; pages, `explain` and SARIF help are generated from it. */
export interface RuleDocs {
  /** One sentence: what the rule finds. */
  summary: string;
  whatItDoes: string;
  whyBad: string;
  /** Python code that must trigger the rule. */
  badExample: string;
  /** Python code that must not trigger the rule. */
  goodExample: string;
  /** Why the fix is safe or unsafe, or why there is none; shown under "Fix safety". */
  fixSafety?: string;
  /** Why the rule's default severity is what it is (a likely bug, a better way, a judgement call). */
  severityRationale?: string;
  /** A training config (YAML, JSON or a Python config dict) that triggers the rule, when the rule reads configs. */
  configExample?: { language: "yaml" | "json" | "python"; code: string };
  /** Each option: name → description (the default comes from `defaultOptions`). */
  options?: Record<string, string>;
}

export interface RuleMeta {
  /** Stable code such as `OPT001`; never reused. */
  code: string;
  /** Stable kebab-case name such as `adam-weight-decay`. */
  name: string;
  /** ESLint's rule type: a likely bug (`problem`) or a better way (`suggestion`). */
  type: "problem" | "suggestion";
  defaultSeverity: Severity;
  /** The debugging order's step this rule's findings belong to. */
  priority: RulePriority;
  fixable: boolean;
  /** The tier of every fix the rule reports (required when `fixable`): `--fix` applies `safe` ones, `--unsafe-fixes` the others. */
  fixApplicability?: FixApplicability;
  hasSuggestions: boolean;
  docs: RuleDocs;
}

export interface RuleContext<O> {
  facts: TrainingFacts;
  /** Texts of other files that facts point into (`Span.file`), for rules that quote a value. */
  textOf?(filePath: string): string | undefined;
  options: O;
  knowledge: Knowledge;
  text: string;
  filePath: string;
  report(report: Report): void;
}

export interface Rule<O = Record<string, unknown>> {
  meta: RuleMeta;
  /**
   * The facts this rule's findings rest on: on a file whose facts hold none of these kinds it reports nothing. The
   * linter uses them, with each adapter's `factWords`, to skip before parsing the files that cannot hold a finding.
   * A rule that does not say makes every file worth analyzing.
   */
  needs?: readonly FactKind[];
  /**
   * Kinds every finding rests on as well, besides one of `needs`: a file whose facts lack any of them gets no finding
   * (a report about resuming names the optimizer the file steps). Narrows the prefilter; absent: none.
   */
  needsAlso?: readonly FactKind[];
  defaultOptions: O;
  check(context: RuleContext<O>): void;
}

/** A comment in the source, as the engine needs it for suppression directives. */
export interface SourceComment {
  /** 0-based line of the comment. */
  line: number;
  /** The comment text including its marker (`# noqa: OPT001`). */
  text: string;
  /** True when nothing but whitespace precedes the comment on its line. */
  ownLine: boolean;
}

/** A file another file's analysis depends on: an imported module, a `_base_` config, a Hydra group option. */
export interface FileReference {
  kind: "import" | "base" | "config-group";
  /** What the file wrote: a module name (`model`, `.optim`), a relative path (`../_base_/sgd.py`), a group option. */
  target: string;
  /** Where it is written in this file. */
  span: Span;
}

/** The result of analyzing one file with a language adapter: its summary for the project pass. */
export interface AnalyzedFile {
  /** The text that was analyzed (BOM already stripped). */
  text: string;
  facts: TrainingFacts;
  /**
   * Problems reading the file. Without `severity` an error is fatal; with one it is a notice about a part
   * that was skipped while the rest was analyzed (a statement tree-sitter wrongly rejects, a notebook cell
   * that does not parse). `internal` when the linter itself failed on the file.
   */
  syntaxErrors: { span: Span; message: string; severity?: "warning" | "info"; internal?: boolean }[];
  comments: SourceComment[];
  /** Config documents as neutral trees (`mapping` values), for joiners that merge configs across files. */
  configRoots?: ResolvedValue[];
  /** A Python file's TrainingArguments mappings that name a DeepSpeed config file, read by the project pass. */
  trainerArguments?: ResolvedValue[];
  /** Files this one refers to, for the project pass. */
  references?: FileReference[];
  /**
   * Programs the file holds besides its own, each run apart from it (a notebook's `%%writefile` scripts): the rules
   * judge each one's facts alone, with spans in this file's text. The project pass reads only `facts`.
   */
  units?: Pick<AnalyzedFile, "facts">[];
  /**
   * Set by the project pass: for each other file whose values reach this file's facts, the place in this
   * file that leads there (the `_base_` entry, the call). A finding about a value in a file that is not
   * linted in the run is shown there.
   */
  links?: Map<string, Span>;
}

/** A kind of training fact: one field of `TrainingFacts`. */
export type FactKind = keyof TrainingFacts;

/** Words without which an adapter finds no fact of one kind in a text (see `LanguageAdapter.factWords`). */
export interface FactWords {
  /** Matched as whole words (`AdamW` but not `FusedAdamWrapper`). */
  words?: readonly string[];
  /** Matched anywhere (`optim` in `optimizer:` and `OPTIM_TYPE`). */
  fragments?: readonly string[];
  /** Whether case is ignored (config keys that frameworks lower-case). */
  ignoreCase?: boolean;
  /**
   * Patterns a text must also match, each of them, besides holding one of the words: what the collector itself
   * requires before it can produce a fact of the kind (a hand-written Adam update needs a square and a moment).
   */
  also?: readonly RegExp[];
  /**
   * A last test of a text that holds the words and matches every pattern, for what patterns cannot say (how many
   * times something occurs, or whether it occurs outside comments): false when no fact of the kind that a rule
   * reports on can come from the text.
   */
  check?: (text: string) => boolean;
}

/** Knows one input language: how to read facts from it and how to make requested edits in its syntax. */
export interface LanguageAdapter {
  name: string;
  /** Whether this adapter handles a path (by extension). */
  handles(filePath: string): boolean;
  /**
   * Whether a file found by walking a folder can hold anything the rules read, decided from its text
   * before any parsing (a GitHub workflow or a package.json cannot). Files named explicitly are always read.
   */
  mayMatter?(text: string): boolean;
  /**
   * For each kind of fact this adapter produces: the words without which a text yields none of that kind, derived
   * from the knowledge tables its collectors read. A kind left out means the adapter cannot tell (no file is skipped).
   */
  factWords?: Partial<Record<FactKind, FactWords>>;
  analyze(text: string, filePath: string): AnalyzedFile;
  /** Text edits for a request on a file this adapter analyzed; a string explains why it cannot be done. */
  edits(file: AnalyzedFile, request: FixRequest): TextEdit[] | string;
  /** Where an offset lies in a notebook: the cell and the line and column in it, all counted from 1 (notebook adapters only). */
  cellAt?(file: AnalyzedFile, offset: number): { index: number; line: number; column: number } | undefined;
  /** Whether the text parses without syntax errors (used to refuse a fix that breaks the file). */
  parses(text: string): boolean;
  /**
   * For languages whose files are mostly not training code (YAML, JSON): a cheap test of the text of a file
   * found by walking a folder, before any parsing; false skips the file without a result. Files named
   * explicitly are always analyzed.
   */
  mayMatter?(text: string): boolean;
  /** Files found by walking that are larger than this many bytes are skipped unread (absent: no limit). */
  walkSizeLimit?: number;
}

/** One file in a project run: its adapter, its text and its analysis (the summary the project pass joins). */
export interface ProjectFile {
  path: string;
  /** The text without its BOM. */
  text: string;
  /** Hash of the text: the key under which a summary can be reused (cache, editor server). */
  hash: string;
  adapter: LanguageAdapter;
  analyzed: AnalyzedFile;
  /** Whether the file was given to the run (its findings are reported), or read because another file needs it. */
  given: boolean;
}

/** What the project pass can see: the files of the run, and any other file it asks for. */
export interface ProjectContext {
  readonly files: readonly ProjectFile[];
  /** A file of the run, or another file read and analyzed on demand (undefined when it cannot be read or no adapter handles it). */
  file(path: string): ProjectFile | undefined;
  /** Whether a path exists as a file (for module lookup), without reading it. */
  exists(path: string): boolean;
  /** Whether a path is a folder; undefined when the host cannot tell (module lookup then asks about the files below it). */
  isFolder?(path: string): boolean | undefined;
  /** Whether files beyond those given can be read at all (a single text linted alone cannot see its neighbours). */
  readonly readsFiles: boolean;
  /**
   * Other files of the run whose results come from elsewhere (a cache) and that the given files' results last
   * depended on: not linted again, but a joiner may read them (the callers of a function whose file changed).
   */
  readonly related: readonly string[];
  /** Files of a larger run this project is one part of (a worker's chunk); empty when the project is the whole run. */
  readonly runFiles: readonly string[];
  /** A file's text without analyzing it or counting it as a lookup (to search other files of the run cheaply). */
  peek(filePath: string): string | undefined;
  /**
   * A file read for its code (a module's values, a caller's calls): a file of the run is not analyzed for it, and one
   * linted in another part of the run is read without counting as a lookup, since what its code says does not depend
   * on where it is linted. Other files are read as `file` reads them.
   */
  code(filePath: string): ProjectCode | undefined;
}

/** A file's text as read for its code (`ProjectContext.code`). */
export interface ProjectCode {
  path: string;
  text: string;
  adapter: LanguageAdapter;
  /** Its analysis, when it was analyzed (a given file the prefilter did not skip, or a file read from outside the run). */
  analyzed?: AnalyzedFile;
  /** Whether it is a file of the run (given to this project or to another part of it). */
  inRun: boolean;
}

/** Joins per-file summaries: values that cross files (`_base_`, Hydra groups, imports, call sites). */
export interface ProjectJoiner {
  name: string;
  join(project: ProjectContext): void;
}

/** How the project pass reads files that were not given to the run. */
export interface ProjectHost {
  read(path: string): string | undefined;
  exists(path: string): boolean;
  /** Whether a path is a folder; undefined when the host cannot tell. */
  isFolder?(path: string): boolean | undefined;
}
