/**
 * What an expert reader resolves in one file: what a name refers to (an imported class, a local class,
 * an argparse namespace, a dict) and what an expression evaluates to, with where the value was defined.
 * Anything not resolved with certainty is unknown.
 */
import type { Dependency, MappingEntry, Origin, ResolvedValue, Value } from "../core/facts.js";
import { mapValueSpans } from "../core/spans.js";
import { lastSegment } from "../knowledge/dotted.js";
import { OPTIMIZER_MODULE_ROOTS, optimizerByName } from "../knowledge/optimizers.js";
import { isBatchName, isWorldSizeCall, isWorldSizePath, nameDependencies, unionDependencies } from "./names.js";
import { fieldChild, namedChildren, spanOf, textOf, type PyNode } from "./parser.js";
import { arithmetic } from "../core/arithmetic.js";
import { bindingForUse, definingScope, importBindingsOf, isPlainString, scopeOf, statementOf, stringBody, type Binding, type FileIndex, type Scope } from "./scope.js";

/** A class defined in the file, with what its body and methods say about its attributes. */
export interface ClassModel {
  name: string;
  node: PyNode;
  isDataclass: boolean;
  /** Class-body attributes in order: the statement and the default expression, if any. */
  fields: Map<string, { stmt: PyNode; value?: PyNode }>;
  /** The class's own `__init__`, if it defines one. */
  init?: PyNode;
  /** `self.<attr> = ...` writes in the class's methods. */
  selfWrites: Map<string, { stmt: PyNode; value?: PyNode; method: PyNode }[]>;
}

/**
 * An argument a construction passes, with the resolver of the file it is written in. With `namespace`, `arg` spreads
 * a parsed namespace (`**vars(args)`) and `value` is that namespace: the option of the parameter's name is passed.
 */
interface PassedArgument {
  arg: PyNode;
  value: PyNode;
  resolver: Resolver;
  namespace?: true;
}

/** One `add_argument` call. */
interface ArgumentModel {
  call: PyNode;
  flag: string;
  defaultNode?: PyNode;
  type?: string;
  action?: string;
  required: boolean;
}

/** An `argparse.ArgumentParser` built in the file. */
interface ParserModel {
  node: PyNode;
  arguments: Map<string, ArgumentModel[]>;
  /** `set_defaults` keys ("*" for an unpacked dict): those defaults are not the add_argument ones. */
  overridden: Set<string>;
}

/** A dict whose keys are known (a literal or a `dict(...)` call). */
export interface DictModel {
  entries: Map<string, { entry: PyNode; value: PyNode }>;
  /** Keys may exist beyond `entries` (`**other` inside, a positional mapping). */
  open: boolean;
  /** The name it is held by, for mutation checks and descriptions. */
  holder?: string;
}

/** What an expression refers to, beyond a plain value. */
export type Ref =
  | { kind: "path"; path: string }
  | { kind: "class"; cls: ClassModel }
  | { kind: "function"; node: PyNode }
  /** An instance of a class; `call` builds it, in `caller`'s file when that is another resolver (a class imported from a module). */
  | { kind: "instance"; cls: ClassModel; call?: PyNode; caller?: Resolver }
  | { kind: "parser"; parser: ParserModel }
  | { kind: "namespace"; parser: ParserModel }
  | { kind: "known-args"; parser: ParserModel }
  | { kind: "dict"; dict: DictModel }
  /** Something another resolver (another module, or the caller of a function) refers to; `via` names the call it came through. */
  | { kind: "foreign"; resolver: Resolver; ref: Ref; via?: string };

/**
 * A call that binds a function's parameters for one judgement: each parameter holds what this call passes
 * (set by the project pass, which judges a construction once per call site).
 */
export interface CallFrame {
  /** The function or method definition, in this resolver's file. */
  fn: PyNode;
  /** The call, in the caller's file. */
  call: PyNode;
  /** Resolves the call's arguments in the caller's file (itself framed when its own parameters are bound). */
  caller: Resolver;
  /** The call goes through an instance (`model.configure_optimizers(...)`): the first parameter is `self`, not passed. */
  bound: boolean;
  /** Words for the call in messages: `configure_optimizers() at train.py:331`. */
  label: string;
  /**
   * The call starts the function in another process or thread rather than calling it (`mp.spawn(fn, args=(...))`,
   * `Process(target=fn, args=(...), kwargs={...})`): the function receives `leading` values the launcher supplies
   * (the process index of `spawn`), then the items of `args`, with the entries of `kwargs` as keywords; each is the
   * node the call passes, null when it passes none.
   */
  launch?: { leading: number; args: PyNode | null; kwargs: PyNode | null; whole?: true };
}

/**
 * One argument a call passes, as a parameter receives it: by position (`node` null: a value the caller cannot see), by
 * keyword, the attributes of a parsed namespace as keywords (`**vars(args)`: `namespace` is `args`, `splat` the whole
 * argument), or a spread.
 */
type FrameArgument = { name?: string; node: PyNode | null } | { namespace: PyNode; splat: PyNode } | "spread";

/** How a resolver reaches the project's other modules (set by the project pass). */
export interface ModuleLinks {
  /** The resolver of the project module an import path names, and the module-level name read there (absent: the module itself). */
  member(fromFile: string, importPath: string): { resolver: Resolver; name?: string } | undefined;
}

/** What a resolver may see beyond its file: the call binding its function's parameters, the project's modules. */
export interface ResolverContext {
  frame?: CallFrame;
  modules?: ModuleLinks;
}

/** Import roots that are libraries, never a project's own modules: reading them is no reason to look into the project. */
const LIBRARY_ROOTS = new Set([...OPTIMIZER_MODULE_ROOTS, "argparse", "builtins", "dataclasses", "math", "os", "sys", "typing", "numpy", "inspect", "functools"]);

const MAX_DEPTH = 40;
/** Values may pass through this many resolvers (modules, callers) before the rest is unknown. */
const MAX_CROSSINGS = 12;
let crossings = 0;
const FREE_MODULES = new Set(OPTIMIZER_MODULE_ROOTS);

/**
 * Whether a text writes a namespace's attributes through its dict: `vars(args)["lr"] = ...`, `args.__dict__[k] = ...`,
 * or a name bound to that dict (`d = vars(args)`) written into (`d["lr"] = ...`, `d.update(...)`). The dict of an
 * imported module (`models.__dict__[name] = ...`, registering models) or of `self`/`cls` is no namespace's.
 */
function writesThroughDict(text: string, index: FileIndex): boolean {
  if (!/\bvars\(|\.__dict__\b/.test(text)) return false;
  const imported = new Set(importBindingsOf(index).map((b) => b.name));
  const namespaceLike = (receiver: string) => {
    const root = receiver.split(".")[0];
    return root !== "self" && root !== "cls" && !imported.has(root);
  };
  const write = String.raw`\s*\[[^\]]*\]\s*(?:[-+*/]?=)(?!=)`;
  // The receiver starts where no word character or dot comes before it: the leftmost match starts there anyway (a
  // match from inside a run of them is one from its start, and a match ends with `=` or `(`), but without the
  // lookbehind the expression ran to the end of the run and back from every character of it (a third of the time).
  const dict = String.raw`(?:\bvars\(\s*([\w.]+)\s*\)|(?<![\w.])([\w.]+)\.__dict__)`;
  for (const m of text.matchAll(new RegExp(String.raw`${dict}(?:${write}|\.(?:setdefault|pop)\s*\()`, "g"))) if (namespaceLike(m[1] ?? m[2])) return true;
  for (const m of text.matchAll(new RegExp(String.raw`^[ \t]*(\w+)\s*=\s*${dict}[ \t]*(?:#.*)?$`, "gm"))) {
    if (!namespaceLike(m[2] ?? m[3])) continue;
    const alias = m[1];
    if (new RegExp(String.raw`(?<![\w.])${alias}${write}|(?<![\w.])${alias}\.(?:update|setdefault|pop)\s*\(`).test(text)) return true;
  }
  return false;
}

/** The object whose dict an update call's callee names: `X` of `X.__dict__.update` or of `vars(X).update` (none for `vars()`). */
function dictOwner(callee: PyNode): PyNode | undefined {
  const dict = fieldChild(callee, "object");
  if (dict?.type === "attribute") return fieldChild(dict, "object") ?? undefined;
  if (dict?.type === "call") return namedChildren(fieldChild(dict, "arguments") ?? dict).find((a) => a.type !== "comment");
  return undefined;
}

/** The name an attribute chain starts from (`a` of `a.b.c`), if it starts from a name. */
function leftmostName(node: PyNode): PyNode | undefined {
  let at: PyNode | null = node;
  while (at?.type === "attribute") at = fieldChild(at, "object") ?? null;
  return at?.type === "identifier" ? at : undefined;
}

/** Whether a reference is an argparse namespace (or its parse_known_args pair), here or through another resolver. */
function holdsNamespace(ref: Ref | null): boolean {
  if (ref?.kind === "foreign") return holdsNamespace(ref.ref);
  return ref?.kind === "namespace" || ref?.kind === "known-args";
}

/**
 * What a frame's call passes, in order: the arguments of a plain call; for a launch, the values the launcher supplies
 * first, then the items of `args` and the entries of `kwargs` (anything but a literal tuple, list or dict, or a
 * `dict(...)` of keywords, is a spread). Undefined when the call's arguments cannot be read.
 */
function frameArguments(frame: CallFrame): FrameArgument[] | undefined {
  if (FRAME_ARGUMENTS.has(frame)) return FRAME_ARGUMENTS.get(frame);
  const passed = readFrameArguments(frame);
  FRAME_ARGUMENTS.set(frame, passed);
  return passed;
}

/** Per frame: what its call passes (`frameArguments`), read once however many parameters the frame binds. */
const FRAME_ARGUMENTS = new WeakMap<CallFrame, FrameArgument[] | undefined>();

/** `frameArguments` uncached. */
function readFrameArguments(frame: CallFrame): FrameArgument[] | undefined {
  const caller = frame.caller;
  const launch = frame.launch;
  if (!launch) {
    const argumentList = fieldChild(frame.call, "arguments");
    if (argumentList?.type !== "argument_list") return undefined;
    return keywordsAndPositionals(caller, argumentList);
  }
  const out: FrameArgument[] = Array.from({ length: launch.leading }, () => ({ node: null }));
  const { args, kwargs } = launch;
  // A config handed whole is the function's one argument (none passed: the launcher's own, unknown).
  if (launch.whole) return [...out, { node: args }];
  if (args && (args.type === "tuple" || args.type === "list")) {
    for (const item of namedChildren(args)) if (item.type !== "comment") out.push(item.type === "list_splat" ? "spread" : { node: item });
  } else if (args) out.push("spread");
  if (!kwargs || kwargs.type === "none") return out;
  if (kwargs.type === "dictionary") {
    for (const entry of namedChildren(kwargs)) {
      if (entry.type === "comment") continue;
      const key = entry.type === "pair" ? fieldChild(entry, "key") : null;
      const value = entry.type === "pair" ? fieldChild(entry, "value") : null;
      out.push(key && value && isPlainString(key) ? { name: stringBody(caller.textOf(key)), node: value } : "spread");
    }
    return out;
  }
  const callee = kwargs.type === "call" ? fieldChild(kwargs, "function") : null;
  const argumentList = kwargs.type === "call" ? fieldChild(kwargs, "arguments") : null;
  const dict = callee && caller.ref(callee);
  if (dict?.kind === "path" && dict.path === "builtins.dict" && argumentList?.type === "argument_list") {
    // `dict(k=v)` passes its keywords; a positional mapping is a spread.
    out.push(...keywordsAndPositionals(caller, argumentList).map((a) => (a !== "spread" && "node" in a && a.name === undefined ? "spread" : a)));
    return out;
  }
  out.push("spread");
  return out;
}

/** A call's arguments as passed: keywords by name, positionals in order, a namespace's attributes (`splattedNamespace`), other `*`/`**` as spreads. */
function keywordsAndPositionals(caller: Resolver, argumentList: PyNode): FrameArgument[] {
  const out: FrameArgument[] = [];
  for (const arg of namedChildren(argumentList)) {
    const namespace = arg.type === "dictionary_splat" ? splattedNamespace(caller, arg) : undefined;
    if (namespace) out.push({ namespace, splat: arg });
    else if (arg.type === "list_splat" || arg.type === "dictionary_splat") out.push("spread");
    else if (arg.type === "keyword_argument") {
      const key = fieldChild(arg, "name");
      const value = fieldChild(arg, "value");
      if (key && value) out.push({ name: caller.textOf(key), node: value });
    } else if (arg.type !== "comment") out.push({ node: arg });
  }
  return out;
}

/**
 * Per file index, then per the module links of the resolvers that ask (`NO_MODULES` for those without): whether the
 * file rewrites argparse namespace attributes wholesale (see `namespaceRewritten`). The answer depends on the links
 * as well as the file: an imported name (`vars(opts.args).update(...)`) holds a namespace only where modules are read.
 */
const REWRITTEN = new WeakMap<FileIndex, WeakMap<ModuleLinks | typeof NO_MODULES, boolean>>();
const NO_MODULES = {};

/**
 * The object a `**` argument spreads the attributes of, as keywords: `X` of `**vars(X)` or `**X.__dict__`, or of a name
 * bound once in its scope to one of those (`kw = vars(args)` then `**kw`) and used there only in `**kw` (anything else
 * may change the dict). Undefined for any other spread. Whether `X` is a parsed namespace is the caller's to resolve.
 */
function splattedNamespace(resolver: Resolver, splat: PyNode): PyNode | undefined {
  const dictOf = (value: PyNode): PyNode | undefined => {
    if (value.type === "attribute") return resolver.textOf(fieldChild(value, "attribute")!) === "__dict__" ? (fieldChild(value, "object") ?? undefined) : undefined;
    const callee = value.type === "call" ? fieldChild(value, "function") : null;
    const argumentList = value.type === "call" ? fieldChild(value, "arguments") : null;
    if (callee?.type !== "identifier" || argumentList?.type !== "argument_list" || resolver.pathOf(callee) !== "builtins.vars") return undefined;
    const args = namedChildren(argumentList).filter((a) => a.type !== "comment");
    return args.length === 1 && !["keyword_argument", "list_splat", "dictionary_splat"].includes(args[0].type) ? args[0] : undefined;
  };
  const value = namedChildren(splat).find((c) => c.type !== "comment");
  if (!value) return undefined;
  if (value.type !== "identifier") return dictOf(value);
  const name = resolver.textOf(value);
  const binding = bindingForUse(name, value, resolver.index);
  const scope = binding && scopeOf(binding.stmt, resolver.index);
  if (binding?.kind !== "assign" || !binding.value || binding.unpackIndex !== undefined || scope?.bindings.get(name)?.length !== 1) return undefined;
  const body = resolver.textOf(scope.node);
  const uses = body.match(new RegExp(String.raw`(?<![\w.])${name}\b`, "g"))?.length ?? 0;
  const splats = body.match(new RegExp(String.raw`\*\*\s*${name}\b`, "g"))?.length ?? 0;
  return uses === splats + 1 ? dictOf(binding.value) : undefined;
}

/** Per file index: the attribute names its `setattr` calls write by a literal name (see `setattrNames`). */
const SETATTR_NAMES = new WeakMap<FileIndex, Set<string>>();

/** The attribute a `setattr(obj, "name", value)` call writes, when it names it by a plain string literal. */
function literalSetattr(call: PyNode, text: string): string | undefined {
  const args = namedChildren(fieldChild(call, "arguments")!).filter((a) => a.type !== "comment");
  const name = args[1];
  if (args.length !== 3 || args.some((a) => a.type === "keyword_argument" || a.type === "list_splat" || a.type === "dictionary_splat")) return undefined;
  return name.type === "string" && isPlainString(name) ? stringBody(text.slice(name.start, name.end)) : undefined;
}

/** The calls of a file that build an argparse parser or add to one, by callee name alone (see `parserCalls`). */
interface ParserCalls {
  /** The text the calls were read in. */
  text: string;
  /** Calls whose callee's last name is `ArgumentParser`, in file order. */
  creations: PyNode[];
  /** `<receiver>.add_argument(...)` and `<receiver>.set_defaults(...)`, in file order. */
  methods: { call: PyNode; method: string; receiver: PyNode }[];
}

/** Per file index: its parser calls, read once (every resolver of the file, the project pass's included, asks). */
const PARSER_CALLS = new WeakMap<FileIndex, ParserCalls>();

function parserCalls(index: FileIndex, text: string): ParserCalls {
  let found = PARSER_CALLS.get(index);
  if (found?.text === text) return found;
  found = { text, creations: [], methods: [] };
  for (const call of index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee ? lastName(callee, text) : undefined;
    if (last === "ArgumentParser") found.creations.push(call);
    else if (callee?.type === "attribute" && (last === "add_argument" || last === "set_defaults")) {
      found.methods.push({ call, method: last, receiver: fieldChild(callee, "object")! });
    }
  }
  PARSER_CALLS.set(index, found);
  return found;
}

/**
 * Hands the parser calls read for `from` to `to`, an index of the same tree moved in place to a text whose identifiers
 * are all as they were (the language server's reuse after an edit inside a number): they are found by callee name.
 */
export function handOverParserCalls(from: FileIndex, to: FileIndex): void {
  const found = PARSER_CALLS.get(from);
  if (found?.text === from.text) PARSER_CALLS.set(to, { ...found, text: to.text });
}

/**
 * A reference read from names and imports alone: a name bound by an import or bound nowhere (a builtin, a star
 * import's optimizer), an attribute of one, or one in parentheses. With no project modules to look into, it depends
 * on the file's identifiers, scopes and tree shape only, so every resolver of the index without modules (the
 * analysis's, the probes') shares it, and an edit inside a number or a comment hands it on with the index.
 */
interface NameRef {
  ref: Ref | null;
  /** The import paths its resolution records as hits (`importHits`), its parts' included. */
  hits: readonly string[];
  /** How many nested `ref` calls its resolution makes below the node's own: it is shared only within `MAX_DEPTH`. */
  height: number;
}

/** No import hits. */
const NO_HITS: readonly string[] = [];

/**
 * How many references read from names and imports were resolved and kept for the index (`made`), and how many were
 * answered from those kept, by another resolver of the index or of the index before an edit (`served`); tests read it.
 */
export const nameRefReuse = { made: 0, served: 0 };

/** Per file index: the references resolved from names and imports alone (see `NameRef`). */
const NAME_REFS = new WeakMap<FileIndex, Map<PyNode, NameRef>>();

function nameRefsOf(index: FileIndex): Map<PyNode, NameRef> {
  let refs = NAME_REFS.get(index);
  if (!refs) NAME_REFS.set(index, (refs = new Map()));
  return refs;
}

/**
 * Hands the references read from names and imports for `from` to `to`, an index of the same tree moved in place to a
 * text whose identifiers are all as they were (the language server's reuse after an edit inside a number or a comment).
 */
export function handOverNameRefs(from: FileIndex, to: FileIndex): void {
  const refs = NAME_REFS.get(from);
  if (!refs) return;
  NAME_REFS.delete(from);
  NAME_REFS.set(to, refs);
}

/** Whether an import path's root is a library's, by path (asked for every use of an imported name). */
const libraryPaths = new Map<string, boolean>();

function isLibraryPath(importPath: string): boolean {
  let library = libraryPaths.get(importPath);
  if (library === undefined) {
    library = LIBRARY_ROOTS.has(importPath.split(".")[0]);
    if (libraryPaths.size > 4096) libraryPaths.clear();
    libraryPaths.set(importPath, library);
  }
  return library;
}

/** The return statements of each function definition, read once (they depend on the function's own nodes only). */
const returnsOfFunction = new WeakMap<PyNode, PyNode[]>();

/** Resolves names and values in one analyzed file; results are cached per node. */
export class Resolver {
  private readonly values = new Map<PyNode, ResolvedValue>();
  private readonly refs = new Map<PyNode, Ref | null>();
  private readonly classes = new Map<PyNode, ClassModel>();
  private readonly parsers = new Map<PyNode, ParserModel>();
  private readonly dicts = new Map<PyNode, DictModel>();
  private readonly argparseNames = new Map<string, Ref | null>();
  private readonly constructions = new Map<ClassModel, PyNode[]>();
  private parsersIndexed = false;
  private rewritten: boolean | undefined;
  private readonly refsInProgress = new Set<PyNode>();
  /** The references of this resolver's index read from names and imports alone, when it has no modules to look into. */
  private nameRefsOfIndex: Map<PyNode, NameRef> | null | undefined;
  /**
   * Whether a resolution here was cut at `MAX_DEPTH`: what it kept may differ from what a shallower one reads, so the
   * shared references are then neither read nor added to.
   */
  private cut = false;
  private readonly valuesInProgress = new Set<PyNode>();
  /** Functions whose parameters a resolution read without knowing what they hold (no call binds them). */
  readonly paramHits = new Set<PyNode>();
  /** Import paths whose values a resolution needed from a module it cannot see. */
  readonly importHits = new Set<string>();

  constructor(
    readonly index: FileIndex,
    readonly text: string,
    /** The analyzed file's path: site ids are made unique across a run with it. */
    readonly filePath = "<text>",
    readonly context: ResolverContext = {},
  ) {}

  textOf(node: PyNode): string {
    return textOf(node, this.text);
  }

  /** The references read from names and imports alone that this resolver shares (none when it looks into project modules). */
  private get nameRefs(): Map<PyNode, NameRef> | undefined {
    if (this.nameRefsOfIndex === undefined) this.nameRefsOfIndex = this.context.modules ? null : nameRefsOf(this.index);
    return this.cut ? undefined : (this.nameRefsOfIndex ?? undefined);
  }

  /**
   * Shares a reference read from names and imports alone: a name's (no `part`), or one read from `part`'s alone (an
   * attribute's object, a parenthesized expression), when `part`'s is shared and this resolver has it as shared.
   */
  private shareNameRef(node: PyNode, ref: Ref | null, hit: string | undefined, part?: PyNode): void {
    const refs = this.nameRefs;
    if (!refs) return;
    const below = part ? refs.get(part) : undefined;
    if (part && !below) return;
    const hits = below?.hits ?? NO_HITS;
    refs.set(node, { ref, hits: hit !== undefined && !isLibraryPath(hit) ? [...hits, hit] : hits, height: below ? below.height + 1 : 0 });
    nameRefReuse.made++;
  }

  // ---------------------------------------------------------------- references

  /** What an expression refers to (an imported path, a local class or instance, a parser, a dict), or null. */
  ref(node: PyNode | undefined, depth = 0): Ref | null {
    if (!node) return null;
    if (depth > MAX_DEPTH) {
      this.cut = true;
      return null;
    }
    if (this.refs.has(node)) return this.refs.get(node)!;
    if (this.refsInProgress.has(node)) return null;
    const shared = this.nameRefs?.get(node);
    if (shared && depth + shared.height <= MAX_DEPTH) {
      for (const hit of shared.hits) this.importHits.add(hit);
      this.refs.set(node, shared.ref);
      nameRefReuse.served++;
      return shared.ref;
    }
    this.refsInProgress.add(node);
    const result = this.computeRef(node, depth + 1);
    this.refsInProgress.delete(node);
    this.refs.set(node, result);
    return result;
  }

  /** The dotted path an expression names through imports (`torch.optim.AdamW`), if any. */
  pathOf(node: PyNode | undefined): string | undefined {
    const r = this.ref(node);
    return r?.kind === "path" ? r.path : undefined;
  }

  private computeRef(node: PyNode, depth: number): Ref | null {
    switch (node.type) {
      case "identifier":
        return this.nameRef(node, depth);
      case "parenthesized_expression": {
        const inner = namedChildren(node)[0];
        const ref = this.ref(inner, depth);
        if (inner) this.shareNameRef(node, ref, undefined, inner);
        return ref;
      }
      case "attribute":
        return this.attributeRef(node, depth);
      case "call":
        return this.callRef(node, depth);
      case "dictionary":
        return { kind: "dict", dict: this.dictLiteral(node) };
      case "subscript": {
        const target = this.ref(fieldChild(node, "value"), depth);
        const key = fieldChild(node, "subscript");
        if (target?.kind === "known-args" && key && this.textOf(key) === "0") return { kind: "namespace", parser: target.parser };
        return key && isPlainString(key) ? this.itemRef(target, stringBody(this.textOf(key)), depth) : null;
      }
      case "conditional_expression": {
        // `parser.parse_known_args()[0] if known else parser.parse_args()`: either way, that parser's namespace.
        const [body, , alternative] = namedChildren(node).filter((c) => c.type !== "comment");
        const a = this.ref(body, depth);
        const b = this.ref(alternative, depth);
        return a?.kind === "namespace" && b?.kind === "namespace" && a.parser === b.parser ? a : null;
      }
      default:
        return null;
    }
  }

  private nameRef(node: PyNode, depth: number): Ref | null {
    const name = this.textOf(node);
    const binding = bindingForUse(name, node, this.index);
    if (!binding) {
      const ref = definingScope(name, scopeOf(node, this.index), this.index) ? null : this.freeNameRef(name);
      this.shareNameRef(node, ref, undefined);
      return ref;
    }
    switch (binding.kind) {
      case "import": {
        const imported = this.importedRef(binding.importPath ?? binding.relativePath);
        if (imported) return imported;
        const ref: Ref | null = binding.importPath ? { kind: "path", path: binding.importPath } : null;
        this.shareNameRef(node, ref, binding.importPath ?? binding.relativePath);
        return ref;
      }
      case "class": {
        const cls = this.classModel(definitionNode(binding.stmt));
        return cls ? { kind: "class", cls } : null;
      }
      case "def":
        return { kind: "function", node: definitionNode(binding.stmt) };
      case "param":
        return this.parameterRef(binding, depth);
      case "assign": {
        if (!binding.value) return null;
        const target = this.ref(binding.value, depth);
        if (binding.unpackIndex !== undefined) {
          return target?.kind === "known-args" && binding.unpackIndex === 0 ? { kind: "namespace", parser: target.parser } : null;
        }
        if (target?.kind === "dict" && binding.value.type !== "identifier") return { kind: "dict", dict: { ...target.dict, holder: name } };
        return target;
      }
      default:
        return null;
    }
  }

  /** A name bound nowhere in the file: a star import, a framework root used without import, or a builtin. */
  private freeNameRef(name: string): Ref {
    for (const star of this.index.module.starImports) {
      if (optimizerByName(`${star}.${name}`)) return { kind: "path", path: `${star}.${name}` };
    }
    if (FREE_MODULES.has(name)) return { kind: "path", path: name };
    return { kind: "path", path: `builtins.${name}` };
  }

  /** `self` in a method, a parameter annotated with a local class, or an argparse namespace passed around. */
  private parameterRef(binding: Binding, depth: number): Ref | null {
    const passed = this.passedToParameter(binding);
    if (passed === "unknown") return null;
    if (passed?.kind === "argument") {
      const frame = this.context.frame!;
      return this.crossing(() => frame.caller.ref(passed.node), (r) => r && this.foreign(frame.caller, r, frame.label), null);
    }
    if (passed?.kind === "default") return this.ref(passed.node, depth);
    if (passed?.kind === "namespace") return null;
    const fn = binding.stmt.parent?.parent;
    if (fn?.type === "function_definition") {
      const params = namedChildren(binding.stmt.parent!);
      const owner = fn.parent?.type === "block" ? fn.parent.parent : fn.parent?.parent?.parent;
      if (params[0] === binding.stmt && owner?.type === "class_definition" && !this.hasDecorator(fn, /staticmethod|classmethod/)) {
        const cls = this.classModel(owner);
        return cls ? { kind: "instance", cls } : null;
      }
    }
    let expected: "parser" | "namespace" | undefined;
    if (binding.annotation) {
      const annotated = this.ref(namedChildren(binding.annotation)[0] ?? binding.annotation, depth);
      if (annotated?.kind === "class") return { kind: "instance", cls: annotated.cls };
      if (annotated?.kind !== "path") return null;
      if (annotated.path === "argparse.Namespace") expected = "namespace";
      else if (annotated.path === "argparse.ArgumentParser") expected = "parser";
      else return null;
    }
    const shared = this.argparseObjectByName(binding.name);
    return shared && (!expected || shared.kind === expected) ? shared : null;
  }

  /** Whether a parameter is the receiver of a method (`self`, `cls`): the first one of a function in a class body that is not a staticmethod. */
  private isReceiver(binding: Binding): boolean {
    const fn = binding.stmt.parent?.parent;
    if (fn?.type !== "function_definition" || namedChildren(binding.stmt.parent!)[0] !== binding.stmt) return false;
    const owner = fn.parent?.type === "block" ? fn.parent.parent : fn.parent?.parent?.parent;
    return owner?.type === "class_definition" && !this.hasDecorator(fn, /staticmethod/);
  }

  /** Whether a class or function definition carries a decorator whose text matches `pattern`. */
  private hasDecorator(definition: PyNode, pattern: RegExp): boolean {
    const decorated = definition.parent?.type === "decorated_definition" ? definition.parent : undefined;
    return !!decorated?.children.some((d) => d.type === "decorator" && pattern.test(this.textOf(d)));
  }

  /**
   * The argparse parser or namespace a parameter of this name carries (`def main_worker(gpu, args)`,
   * `def add_args(parser)`): when the file has one parser, and elsewhere binds that name to it.
   */
  private argparseObjectByName(name: string): Ref | null {
    if (this.argparseNames.has(name)) return this.argparseNames.get(name)!;
    this.argparseNames.set(name, null);
    this.indexParsers();
    let found: Ref | null = null;
    if (this.parsers.size === 1) {
      const scopes: Scope[] = [this.index.module, ...this.index.scopes.values()];
      for (const b of scopes.flatMap((scope) => scope.bindings.get(name) ?? [])) {
        if (b.kind !== "assign" || !b.value) continue;
        const r = this.ref(b.value);
        let object: Ref | null = null;
        if (r?.kind === "known-args" && b.unpackIndex === 0) object = { kind: "namespace", parser: r.parser };
        else if ((r?.kind === "namespace" || r?.kind === "parser") && b.unpackIndex === undefined) object = r;
        if (!object) continue;
        if (found && found.kind !== object.kind) {
          found = null;
          break;
        }
        found = object;
      }
    }
    this.argparseNames.set(name, found);
    return found;
  }

  private attributeRef(node: PyNode, depth: number): Ref | null {
    const object = fieldChild(node, "object");
    const attr = fieldChild(node, "attribute");
    if (!object || !attr) return null;
    const target = this.ref(object, depth);
    const ref = this.memberRef(target, this.textOf(attr), depth);
    if (target === null || target.kind === "path") this.shareNameRef(node, ref, target ? `${target.path}.${this.textOf(attr)}` : undefined, object);
    return ref;
  }

  /** What `<target>.<name>` refers to. */
  memberRef(target: Ref | null, name: string, depth: number): Ref | null {
    if (target?.kind === "foreign") {
      const { resolver, via } = target;
      return this.crossing(() => resolver.memberRef(target.ref, name, 0), (r) => r && this.foreign(resolver, r, via), null);
    }
    if (target?.kind === "path") {
      return this.importedRef(`${target.path}.${name}`) ?? { kind: "path", path: `${target.path}.${name}` };
    }
    if (target?.kind === "instance") {
      const write = this.initWrite(target.cls, name);
      if (write?.value) return this.ref(write.value, depth);
      if (target.cls.isDataclass && !target.cls.selfWrites.has(name)) return this.nestedConfig(target.cls, target.call, name, depth, target.caller);
    }
    return null;
  }

  /**
   * A dataclass field holding another config (`optim: OptimConfig = field(default_factory=OptimConfig)`): the
   * instance the construction passes, else the one the default factory builds, read through its class defaults.
   */
  private nestedConfig(cls: ClassModel, call: PyNode | undefined, name: string, depth: number, caller?: Resolver): Ref | null {
    const field = cls.fields.get(name);
    if (!field || this.index.foreignAttrWrites.has(name)) return null;
    const passed = this.passedArgument(cls, call, name, this.fieldPosition(cls, name), caller);
    if (passed === "unknown" || passed?.namespace) return null;
    if (passed && caller && caller !== this) return this.crossing(() => caller.ref(passed.value), (r) => r && this.foreign(caller, r, undefined), null);
    if (passed) return this.ref(passed.value, depth);
    const assign = field.stmt.children[0];
    const right = assign?.type === "assignment" ? fieldChild(assign, "right") : undefined;
    const callee = right?.type === "call" ? fieldChild(right, "function") : undefined;
    if (!right || !callee || !/^(?:dataclasses\.)?field$/.test(this.textOf(callee))) return null;
    const factory = this.ref(keywordArgument(right, "default_factory", this.text), depth);
    return factory?.kind === "class" && factory.cls.isDataclass ? { kind: "instance", cls: factory.cls } : null;
  }

  /** What `<target>["<key>"]` refers to. */
  itemRef(target: Ref | null, key: string, depth: number): Ref | null {
    if (target?.kind === "foreign") {
      const { resolver, via } = target;
      return this.crossing(() => resolver.itemRef(target.ref, key, 0), (r) => r && this.foreign(resolver, r, via), null);
    }
    if (target?.kind === "known-args" && key === "0") return { kind: "namespace", parser: target.parser };
    if (target?.kind !== "dict") return null;
    const entry = this.liveEntry(target.dict, key);
    return entry ? this.ref(entry.value, depth) : null;
  }

  /** A reference another resolver made, usable here (import paths are the same everywhere). */
  private foreign(resolver: Resolver, ref: Ref, via: string | undefined): Ref {
    if (ref.kind === "path" || resolver === this) return ref;
    if (ref.kind === "foreign") return ref.resolver === this ? ref.ref : { ...ref, via: ref.via ?? via };
    return { kind: "foreign", resolver, ref, via };
  }

  /** Runs a resolution that crosses into another resolver, giving `fallback` once too many crossings are under way. */
  private crossing<T, R>(run: () => T, then: (result: T) => R, fallback: R): R {
    if (crossings >= MAX_CROSSINGS) return fallback;
    crossings++;
    try {
      return then(run());
    } finally {
      crossings--;
    }
  }

  /** What a project module's name refers to, when the project pass links modules (undefined: not a project module). */
  private importedRef(importPath: string | undefined): Ref | undefined {
    if (!importPath) return undefined;
    if (!this.context.modules) {
      if (!isLibraryPath(importPath)) this.importHits.add(importPath);
      return undefined;
    }
    const target = this.context.modules.member(this.filePath, importPath);
    if (!target?.name) return undefined;
    const { resolver, name } = target;
    return this.crossing(() => resolver.moduleLevelRef(name), (r) => (r ? this.foreign(resolver, r, undefined) : undefined), undefined);
  }

  /** What a module-level name of this file refers to, when it is bound once. */
  moduleLevelRef(name: string): Ref | null {
    const bindings = this.index.module.bindings.get(name);
    if (bindings?.length !== 1) return null;
    const [binding] = bindings;
    switch (binding.kind) {
      case "class": {
        const cls = this.classModel(definitionNode(binding.stmt));
        return cls ? { kind: "class", cls } : null;
      }
      case "def":
        return { kind: "function", node: definitionNode(binding.stmt) };
      case "assign":
        return binding.value && binding.unpackIndex === undefined ? this.ref(binding.value) : null;
      case "import":
        return this.importedRef(binding.importPath ?? binding.relativePath) ?? (binding.importPath ? { kind: "path", path: binding.importPath } : null);
      default:
        return null;
    }
  }

  /** The value of a module-level name of this file read at `use` (a node of any file: only its span is used), when it is bound once. */
  moduleLevelValue(use: PyNode, name: string): ResolvedValue {
    const bindings = this.index.module.bindings.get(name);
    const binding = bindings?.length === 1 ? bindings[0] : undefined;
    if (!bindings?.length) return this.starValue(use, name, []);
    if (binding?.kind === "import") return this.importedValue(use, binding.importPath ?? binding.relativePath, []);
    if (binding?.kind !== "assign" || !binding.value || binding.unpackIndex !== undefined) return unknownAt(use, []);
    return this.through(use, this.value(binding.value), { span: spanOf(binding.stmt), description: `constant ${name}`, overridable: false }, []);
  }

  /**
   * A name this file never binds, read through its star imports (`from conf import *`): the last one that binds it
   * wins, as in Python. Unknown unless each later star import is a project module seen not to bind it, the one
   * that binds it exports it (no `__all__`, no leading underscore), and the project pass links modules.
   */
  private starValue(use: PyNode, name: string, dependsOn: Dependency[]): ResolvedValue {
    const stars = this.index.module.starImports;
    if (stars.length === 0 || name.startsWith("_")) return unknownAt(use, dependsOn);
    for (const star of [...stars].reverse()) {
      if (!this.context.modules) {
        if (!LIBRARY_ROOTS.has(star.split(".")[0])) this.importHits.add(`${star}.${name}`);
        return unknownAt(use, dependsOn);
      }
      const module = this.context.modules.member(this.filePath, star);
      if (!module || module.name !== undefined) return unknownAt(use, dependsOn);
      const { resolver } = module;
      const own = resolver.index.module;
      if (own.bindings.has("__all__")) {
        // Only the names a literal `__all__` lists are exported.
        const all = resolver.moduleLevelValue(use, "__all__").value;
        const listed = all.kind === "sequence" ? all.items.map((item) => (item.value.kind === "string" ? item.value.value : undefined)) : [undefined];
        if (listed.includes(undefined)) return unknownAt(use, dependsOn);
        if (!listed.includes(name)) continue;
      } else if (!own.bindings.has(name) && own.starImports.length === 0) continue;
      return this.crossing(() => resolver.moduleLevelValue(use, name), (v) => this.adopt(use, resolver, v, undefined, dependsOn), unknownAt(use, dependsOn));
    }
    return unknownAt(use, dependsOn);
  }

  /** The value an import names in a project module, read at `use`; unknown when it is not one (recorded for the project pass). */
  private importedValue(use: PyNode, importPath: string | undefined, dependsOn: Dependency[]): ResolvedValue {
    if (!importPath) return unknownAt(use, dependsOn);
    const target = this.context.modules?.member(this.filePath, importPath);
    if (!this.context.modules) this.importHits.add(importPath);
    if (!target?.name) return unknownAt(use, dependsOn);
    const { resolver, name } = target;
    return this.crossing(() => resolver.moduleLevelValue(use, name), (v) => this.adopt(use, resolver, v, undefined, dependsOn), unknownAt(use, dependsOn));
  }

  /**
   * A value another resolver computed, read at `use` here: its spans name that resolver's file, and `via` (the call it
   * was passed to) is added to its origin, or becomes its origin at `argument` when it has none.
   */
  private adopt(use: PyNode, from: Resolver, value: ResolvedValue, via: string | undefined, dependsOn: Dependency[], argument?: PyNode): ResolvedValue {
    const deps = unionDependencies(value.dependsOn, dependsOn);
    if (value.value.kind === "unknown") return unknownAt(use, deps);
    const file = from.filePath;
    const moved = file === this.filePath ? value : mapValueSpans(value, (s) => ({ ...s, file }));
    const result: ResolvedValue = { ...moved, span: spanOf(use), dependsOn: deps };
    // Through a parameter, another call may pass something else: the value is the caller's to change.
    if (via && moved.origin) result.origin = { ...moved.origin, description: `${moved.origin.description}, passed to ${via}`, overridable: true };
    else if (via && argument) result.origin = { span: file === this.filePath ? spanOf(argument) : { ...spanOf(argument), file }, description: `passed to ${via}`, overridable: true };
    return result;
  }

  /**
   * What the call of this resolver's frame passes for a parameter: the argument, the parameter's default when the
   * call passes nothing for it, the namespace whose attributes a `**vars(args)` passes as keywords (`namespace`, the
   * splat at `node`), "unknown" when a spread may pass it; undefined when no frame binds it.
   */
  private passedToParameter(binding: Binding): { kind: "argument" | "default"; node: PyNode } | { kind: "namespace"; node: PyNode; namespace: PyNode } | "unknown" | undefined {
    const frame = this.context.frame;
    const params = binding.stmt.parent;
    const fn = params?.parent;
    if (fn?.type === "function_definition" && params?.type === "parameters" && frame?.fn !== fn) {
      if (binding.stmt.type !== "list_splat_pattern" && binding.stmt.type !== "dictionary_splat_pattern" && !this.isReceiver(binding)) this.paramHits.add(fn);
      return undefined;
    }
    if (!frame || !params || fn !== frame.fn) return undefined;
    const all = namedChildren(params);
    const declared = frame.bound ? all.slice(1) : all;
    const at = declared.indexOf(binding.stmt);
    if (at < 0) return undefined;
    if (binding.stmt.type === "list_splat_pattern" || binding.stmt.type === "dictionary_splat_pattern") return "unknown";
    const keywordOnly = declared.slice(0, at).some((p) => p.type === "list_splat_pattern" || p.type === "keyword_separator");
    const position = keywordOnly ? -1 : declared.slice(0, at).filter((p) => p.type !== "positional_separator").length;
    const positionalOnly = declared.slice(at + 1).some((p) => p.type === "positional_separator");
    const passed = frameArguments(frame);
    if (!passed) return "unknown";
    let positional = 0;
    let spread = false;
    // A namespace splatted as keywords (`**vars(args)`) that may pass the parameter; `several` when more than one may.
    let namespace: { namespace: PyNode; splat: PyNode } | undefined;
    let several = false;
    for (const arg of passed) {
      if (arg === "spread") {
        spread = true;
        continue;
      }
      if ("namespace" in arg) {
        // Keywords never fill a positional-only parameter.
        if (!positionalOnly) {
          several ||= namespace !== undefined;
          namespace = arg;
        }
        continue;
      }
      if (arg.name !== undefined) {
        if (!positionalOnly && arg.name === binding.name) return spread || !arg.node ? "unknown" : { kind: "argument", node: arg.node };
      } else {
        if (positional === position) return spread || !arg.node ? "unknown" : { kind: "argument", node: arg.node };
        positional++;
      }
    }
    if (spread || several) return "unknown";
    // Whether the namespace holds the parameter's name is the caller's to say (`namespaceKeyword`).
    if (namespace) return { kind: "namespace", node: namespace.splat, namespace: namespace.namespace };
    const fallback = fieldChild(binding.stmt, "value");
    return fallback ? { kind: "default", node: fallback } : "unknown";
  }

  /**
   * What `**vars(X)` (or `**X.__dict__`) passes for a keyword, read at `use`: `X.<name>` when `X` is a parsed argparse
   * namespace (here or in a project module) and nothing in this file rewrites it; unknown otherwise, also when the
   * parser defines no such option (the namespace may still hold it, or the parameter's default applies).
   */
  namespaceKeyword(use: PyNode, namespace: PyNode, name: string): ResolvedValue {
    const target = this.ref(namespace);
    const inner = target?.kind === "foreign" ? target.ref : target;
    if (inner?.kind !== "namespace" || this.index.foreignAttrWrites.has(name) || this.namespaceRewritten() || this.setattrNames().has(name)) return unknownAt(use, nameDependencies(name));
    return this.memberValue(use, target, name, 0);
  }

  private callRef(node: PyNode, depth: number): Ref | null {
    const callee = fieldChild(node, "function");
    const args = fieldChild(node, "arguments");
    if (!callee || !args) return null;
    if (callee.type === "attribute") {
      const method = this.textOf(fieldChild(callee, "attribute") ?? callee);
      const receiver = this.ref(fieldChild(callee, "object"), depth);
      if (receiver?.kind === "parser") {
        if (method === "add_argument_group" || method === "add_mutually_exclusive_group") return receiver;
        if (method === "parse_args") return { kind: "namespace", parser: receiver.parser };
        if (method === "parse_known_args") return { kind: "known-args", parser: receiver.parser };
        return null;
      }
      if ((receiver?.kind === "dict" || (receiver?.kind === "foreign" && receiver.ref.kind === "dict")) && method === "copy") return receiver;
    }
    const target = this.ref(callee, depth);
    if (!target) return null;
    if (target.kind === "foreign") return this.foreignCallRef(target, node);
    if (target.kind === "class") return { kind: "instance", cls: target.cls, call: node };
    if (target.kind === "function") return this.returnedRef(target.node, depth);
    if (target.kind !== "path") return null;
    switch (target.path) {
      case "builtins.getattr": {
        const [object, attr] = namedChildren(args);
        const base = this.ref(object, depth);
        if (base?.kind === "path" && attr && isPlainString(attr) && namedChildren(args).length === 2) {
          return { kind: "path", path: `${base.path}.${stringBody(this.textOf(attr))}` };
        }
        return null;
      }
      case "builtins.dict":
        return { kind: "dict", dict: this.dictCall(node) };
      case "argparse.ArgumentParser":
        return { kind: "parser", parser: this.parserModel(node) };
      case "tyro.cli": {
        // tyro fills a dataclass from the command line; without flags every field keeps its default.
        const [target] = namedChildren(args);
        const cls = target && target.type !== "keyword_argument" ? this.ref(target, depth) : null;
        return cls?.kind === "class" && cls.cls.isDataclass ? { kind: "instance", cls: cls.cls } : null;
      }
      default: {
        // detectron2-style `LazyCall(torch.optim.SGD)(lr=...)` records a construction of the class it wraps.
        const [wrapped, ...rest] = namedChildren(args);
        if (isLazyCallPath(target.path) && wrapped && rest.length === 0 && wrapped.type !== "keyword_argument") return this.ref(wrapped, depth);
        return null;
      }
    }
  }

  /**
   * A call here of a class or function another resolver knows: a function's return (called without arguments), or an
   * instance of the class, whose arguments are read here when its resolver asks for them.
   */
  private foreignCallRef(target: Extract<Ref, { kind: "foreign" }>, call: PyNode): Ref | null {
    const { resolver, ref, via } = target;
    const args = namedChildren(fieldChild(call, "arguments")!);
    if (ref.kind === "function" && args.length === 0) return this.crossing(() => resolver.returnedRef(ref.node, 0), (r) => r && this.foreign(resolver, r, via), null);
    if (ref.kind !== "class" || resolver.hasSubclass(ref.cls)) return null;
    // Arguments written here are read here: the instance keeps the call and this resolver, which the class's resolver reads them with.
    return this.foreign(resolver, args.length === 0 ? { kind: "instance", cls: ref.cls } : { kind: "instance", cls: ref.cls, call, caller: this }, via);
  }

  /** What a local function returns, when every `return` refers to the same thing. */
  returnedRef(fn: PyNode, depth: number): Ref | null {
    if (fn.type !== "function_definition") return null;
    let result: Ref | null = null;
    for (const ret of returnStatementsOf(fn)) {
      const r = this.ref(namedChildren(ret)[0], depth);
      if (!r || (result && !sameRef(result, r))) return null;
      result = r;
    }
    return result;
  }

  // ---------------------------------------------------------------- models

  /** The model of a class defined in the file. */
  classModel(node: PyNode): ClassModel | undefined {
    if (node.type !== "class_definition") return undefined;
    let cls = this.classes.get(node);
    if (cls) return cls;
    const nameNode = fieldChild(node, "name");
    cls = {
      name: nameNode ? this.textOf(nameNode) : "",
      node,
      isDataclass: this.hasDecorator(node, /\bdataclass\b/),
      fields: new Map(),
      selfWrites: new Map(),
    };
    this.classes.set(node, cls);
    const body = fieldChild(node, "body");
    const seen = new Set<string>();
    for (const stmt of body?.children ?? []) {
      const assign = stmt.type === "expression_statement" ? stmt.children[0] : undefined;
      const target = assign?.type === "assignment" ? fieldChild(assign, "left") : undefined;
      if (assign && target?.type === "identifier") {
        const name = this.textOf(target);
        if (seen.has(name)) cls.fields.delete(name);
        else cls.fields.set(name, { stmt, value: this.fieldDefault(fieldChild(assign, "right")) });
        seen.add(name);
      }
      const method = definitionNode(stmt);
      if (method.type !== "function_definition") continue;
      this.collectSelfWrites(cls, method);
      const methodName = fieldChild(method, "name");
      if (methodName && this.textOf(methodName) === "__init__") cls.init = method;
    }
    return cls;
  }

  /** A field's default expression: the value itself, or `default=` of `field(...)`; undefined for `default_factory`. */
  private fieldDefault(value: PyNode | undefined): PyNode | undefined {
    if (value?.type !== "call") return value;
    const callee = fieldChild(value, "function");
    if (!callee || !/^(?:dataclasses\.)?field$/.test(this.textOf(callee))) return value;
    return keywordArgument(value, "default", this.text);
  }

  private collectSelfWrites(cls: ClassModel, method: PyNode): void {
    const params = fieldChild(method, "parameters");
    const selfNode = params ? namedChildren(params)[0] : undefined;
    if (selfNode?.type !== "identifier") return;
    const self = this.textOf(selfNode);
    const visit = (node: PyNode): void => {
      if (node.type === "function_definition" || node.type === "class_definition" || node.type === "lambda") return;
      if (node.type === "assignment" || node.type === "augmented_assignment") {
        const left = fieldChild(node, "left");
        const object = left?.type === "attribute" ? fieldChild(left, "object") : undefined;
        const attr = left?.type === "attribute" ? fieldChild(left, "attribute") : undefined;
        if (object && attr && this.textOf(object) === self) {
          const name = this.textOf(attr);
          let writes = cls.selfWrites.get(name);
          if (!writes) cls.selfWrites.set(name, (writes = []));
          const right = fieldChild(node, "right");
          writes.push({ stmt: statementOf(node), value: node.type === "assignment" && right?.type !== "assignment" ? right : undefined, method });
        } else if (left && left.type !== "identifier" && left.type !== "attribute") {
          for (const item of namedChildren(left)) {
            if (item.type === "attribute" && this.textOf(fieldChild(item, "object") ?? item) === self) {
              const name = this.textOf(fieldChild(item, "attribute") ?? item);
              cls.selfWrites.set(name, [...(cls.selfWrites.get(name) ?? []), { stmt: statementOf(node), method }]);
            }
          }
        }
      }
      for (const child of node.children) visit(child);
    };
    for (const child of fieldChild(method, "body")?.children ?? []) visit(child);
  }

  /** The only write of `self.<attr>`, when it is in `__init__`. */
  private initWrite(cls: ClassModel, attr: string): { stmt: PyNode; value?: PyNode; method: PyNode } | undefined {
    const writes = cls.selfWrites.get(attr);
    if (!writes || writes.length !== 1) return undefined;
    const name = fieldChild(writes[0].method, "name");
    return name && this.textOf(name) === "__init__" ? writes[0] : undefined;
  }

  private parserModel(node: PyNode): ParserModel {
    let parser = this.parsers.get(node);
    if (!parser) {
      parser = { node, arguments: new Map(), overridden: new Set() };
      this.parsers.set(node, parser);
    }
    return parser;
  }

  /** Model every parser built in the file and register its `add_argument` and `set_defaults` calls. */
  private indexParsers(): void {
    if (this.parsersIndexed) return;
    this.parsersIndexed = true;
    const { creations, methods } = parserCalls(this.index, this.text);
    for (const call of creations) this.ref(call);
    for (const { call, method, receiver } of methods) {
      const target = this.ref(receiver);
      if (target?.kind !== "parser") continue;
      if (method === "add_argument") {
        this.addArgument(target.parser, call);
        continue;
      }
      for (const arg of namedChildren(fieldChild(call, "arguments")!)) {
        const key = arg.type === "keyword_argument" ? fieldChild(arg, "name") : undefined;
        target.parser.overridden.add(key ? this.textOf(key) : "*");
      }
    }
  }

  private addArgument(parser: ParserModel, call: PyNode): void {
    const args = namedChildren(fieldChild(call, "arguments")!);
    const flags = args.filter((a) => isPlainString(a)).map((a) => stringBody(this.textOf(a)));
    if (flags.length === 0) return;
    const long = flags.find((f) => f.startsWith("--"));
    const explicit = keywordArgument(call, "dest", this.text);
    const dest =
      explicit && isPlainString(explicit)
        ? stringBody(this.textOf(explicit))
        : (long ?? flags[0]).replace(/^-+/, "").replace(/-/g, "_");
    const type = keywordArgument(call, "type", this.text);
    const action = keywordArgument(call, "action", this.text);
    const required = keywordArgument(call, "required", this.text);
    const model: ArgumentModel = {
      call,
      flag: long ?? flags[0],
      defaultNode: keywordArgument(call, "default", this.text),
      type: type ? this.textOf(type) : undefined,
      action: action && isPlainString(action) ? stringBody(this.textOf(action)) : undefined,
      required: !!required && this.textOf(required) !== "False",
    };
    const list = parser.arguments.get(dest) ?? [];
    list.push(model);
    parser.arguments.set(dest, list);
  }

  private dictLiteral(node: PyNode): DictModel {
    let dict = this.dicts.get(node);
    if (dict) return dict;
    dict = { entries: new Map(), open: false };
    for (const child of namedChildren(node)) {
      const key = child.type === "pair" ? fieldChild(child, "key") : undefined;
      const value = child.type === "pair" ? fieldChild(child, "value") : undefined;
      if (key && value && isPlainString(key)) dict.entries.set(stringBody(this.textOf(key)), { entry: child, value });
      else dict.open = true;
    }
    this.dicts.set(node, dict);
    return dict;
  }

  private dictCall(node: PyNode): DictModel {
    let dict = this.dicts.get(node);
    if (dict) return dict;
    dict = { entries: new Map(), open: false };
    for (const arg of namedChildren(fieldChild(node, "arguments")!)) {
      const name = arg.type === "keyword_argument" ? fieldChild(arg, "name") : undefined;
      const value = arg.type === "keyword_argument" ? fieldChild(arg, "value") : undefined;
      if (name && value) dict.entries.set(this.textOf(name), { entry: arg, value });
      else dict.open = true;
    }
    this.dicts.set(node, dict);
    return dict;
  }

  /** A dict entry that no later write or update can have changed. */
  liveEntry(dict: DictModel, key: string): { entry: PyNode; value: PyNode } | undefined {
    if (this.dictMutated(dict, key)) return undefined;
    return dict.entries.get(key);
  }

  private dictMutated(dict: DictModel, key: string): boolean {
    if (!dict.holder) return false;
    const keys = this.index.mutatedItems.get(dict.holder);
    return !!keys && (keys.has("*") || keys.has(key));
  }

  /** Whether every key of the dict is known and none is changed later (so a missing key is really missing). */
  dictIsClosed(dict: DictModel): boolean {
    return !dict.open && !this.dictMutated(dict, "*") && !(dict.holder && this.index.mutatedItems.has(dict.holder));
  }

  // ---------------------------------------------------------------- values

  /** The value of an expression, with provenance; unknown unless resolved with certainty. */
  value(node: PyNode, depth = 0): ResolvedValue {
    const cached = this.values.get(node);
    if (cached) return cached;
    if (depth > MAX_DEPTH || this.valuesInProgress.has(node)) return unknownAt(node, []);
    this.valuesInProgress.add(node);
    const result = this.computeValue(node, depth + 1);
    this.valuesInProgress.delete(node);
    this.values.set(node, result);
    return result;
  }

  private computeValue(node: PyNode, depth: number): ResolvedValue {
    switch (node.type) {
      case "integer":
      case "float": {
        const n = parseNumber(this.textOf(node));
        return n === undefined ? unknownAt(node, []) : literalAt(node, { kind: "number", value: n });
      }
      case "true":
      case "false":
        return literalAt(node, { kind: "bool", value: node.type === "true" });
      case "none":
        return literalAt(node, { kind: "none" });
      case "string":
      case "concatenated_string": {
        const s = this.stringValue(node);
        return s === undefined ? unknownAt(node, []) : literalAt(node, { kind: "string", value: s });
      }
      case "parenthesized_expression": {
        const inner = namedChildren(node)[0];
        return inner ? { ...this.value(inner, depth), span: spanOf(node) } : unknownAt(node, []);
      }
      case "unary_operator":
        return this.unaryValue(node, depth);
      case "binary_operator":
        return this.binaryValue(node, depth);
      case "tuple":
      case "list":
      case "expression_list":
        return this.sequenceValue(node, depth);
      case "identifier":
        return this.nameValue(node, depth);
      case "attribute":
        return this.attributeValue(node, depth);
      case "subscript":
        return this.subscriptValue(node, depth);
      case "call":
        return this.callValue(node, depth);
      case "lambda":
      case "list_comprehension":
      case "dictionary_comprehension":
      case "set_comprehension":
      case "generator_expression":
        return unknownAt(node, []);
      case "dictionary":
        return this.mappingValue(node, this.dictLiteral(node), depth);
      case "set": {
        // mmengine's `{{_base_.x}}`: a placeholder its loader replaces with the base's value before running the file.
        const inner = namedChildren(node);
        const chain = inner.length === 1 && inner[0].type === "set" ? namedChildren(inner[0]) : [];
        const reference = chain.length === 1 ? this.baseReference(chain[0]) : undefined;
        return reference ? { ...reference, span: spanOf(node) } : unknownAt(node, this.childDependencies(node, depth));
      }
      default:
        return unknownAt(node, this.childDependencies(node, depth));
    }
  }

  private childDependencies(node: PyNode, depth: number): Dependency[] {
    return unionDependencies(...namedChildren(node).map((c) => this.value(c, depth).dependsOn));
  }

  private stringValue(node: PyNode): string | undefined {
    if (node.type === "concatenated_string") {
      const parts = namedChildren(node).map((part) => this.stringValue(part));
      return parts.every((p) => p !== undefined) ? parts.join("") : undefined;
    }
    if (!isPlainString(node)) return undefined;
    const source = this.textOf(node);
    const prefix = /^[a-zA-Z]*/.exec(source)![0].toLowerCase();
    if (prefix.includes("b")) return undefined;
    const body = stringBody(source);
    return prefix.includes("r") ? body : unescapePython(body);
  }

  private unaryValue(node: PyNode, depth: number): ResolvedValue {
    const operand = fieldChild(node, "argument");
    const op = fieldChild(node, "operator")?.type;
    if (!operand) return unknownAt(node, []);
    const inner = this.value(operand, depth);
    const n = inner.value.kind === "number" ? inner.value.value : undefined;
    if (n === undefined || (op !== "-" && op !== "+")) return unknownAt(node, inner.dependsOn);
    const result: ResolvedValue = { value: { kind: "number", value: op === "-" ? -n : n }, span: spanOf(node), dependsOn: inner.dependsOn };
    if (operand.type === "integer" || operand.type === "float") result.literalSpan = spanOf(node);
    else if (op === "+") return { ...inner, span: spanOf(node) };
    else if (inner.origin) result.origin = inner.origin;
    return result;
  }

  private binaryValue(node: PyNode, depth: number): ResolvedValue {
    const leftNode = fieldChild(node, "left");
    const rightNode = fieldChild(node, "right");
    const op = fieldChild(node, "operator")?.type;
    if (!leftNode || !rightNode || !op) return unknownAt(node, []);
    const left = this.value(leftNode, depth);
    const right = this.value(rightNode, depth);
    let dependsOn = unionDependencies(left.dependsOn, right.dependsOn);
    if (op === "*" && (this.mentionsBatch(leftNode) || this.mentionsBatch(rightNode))) dependsOn = unionDependencies(dependsOn, ["batch-size"]);
    const a = left.value.kind === "number" ? left.value.value : undefined;
    const b = right.value.kind === "number" ? right.value.value : undefined;
    // `_base_.lr * 2`: arithmetic on a value the merged bases supply, done when they are joined.
    const reference = (side: ResolvedValue, other: number | undefined, at: "left" | "right") =>
      side.value.kind === "unknown" && side.value.reference?.scheme === "base" && other !== undefined && !dependsOn.includes("world-size")
        ? { ...unknownAt(node, dependsOn), value: { kind: "unknown" as const, reference: { ...side.value.reference, ops: [...side.value.reference.ops, { op, operand: other, side: at }] } } }
        : undefined;
    const deferred = reference(left, b, "left") ?? reference(right, a, "right");
    if (deferred) return deferred;
    const n = a === undefined || b === undefined ? undefined : arithmetic(op, a, b);
    if (n === undefined || dependsOn.includes("world-size")) return unknownAt(node, dependsOn);
    return { value: { kind: "number", value: n }, span: spanOf(node), dependsOn };
  }

  /** Whether an operand names a batch size (`batch_size`, `args.batch_size`). */
  private mentionsBatch(node: PyNode): boolean {
    const name = lastName(node, this.text);
    return !!name && isBatchName(name);
  }

  private sequenceValue(node: PyNode, depth: number): ResolvedValue {
    const itemNodes = namedChildren(node);
    if (itemNodes.some((i) => i.type === "list_splat" || i.type === "parenthesized_list_splat")) return unknownAt(node, []);
    const items = itemNodes.map((item) => this.value(item, depth));
    const result: ResolvedValue = {
      value: { kind: "sequence", items },
      span: spanOf(node),
      dependsOn: unionDependencies(...items.map((i) => i.dependsOn)),
    };
    if (items.every((item, i) => item.literalSpan && item.literalSpan.start === itemNodes[i].start && item.literalSpan.end === itemNodes[i].end)) {
      result.literalSpan = spanOf(node);
    }
    return result;
  }

  private nameValue(node: PyNode, depth: number): ResolvedValue {
    const name = this.textOf(node);
    const dependsOn = nameDependencies(name);
    if (dependsOn.includes("world-size")) return unknownAt(node, dependsOn);
    const binding = bindingForUse(name, node, this.index);
    if (binding?.kind === "param") return this.parameterValue(node, binding, depth, dependsOn);
    if (binding?.kind === "import") return this.importedValue(node, binding.importPath ?? binding.relativePath, dependsOn);
    if (!binding && !definingScope(name, scopeOf(node, this.index), this.index)) return this.starValue(node, name, dependsOn);
    if (!binding || binding.kind !== "assign" || !binding.value || binding.unpackIndex !== undefined) return unknownAt(node, dependsOn);
    const inner = this.value(binding.value, depth);
    const description = scopeOf(binding.stmt, this.index).kind === "module" ? `constant ${name}` : `local variable ${name}`;
    return this.through(node, inner, { span: spanOf(binding.stmt), description, overridable: false }, dependsOn);
  }

  /** A parameter's value: what the frame's call passes (or the default it leaves), else unknown. */
  private parameterValue(use: PyNode, binding: Binding, depth: number, dependsOn: Dependency[]): ResolvedValue {
    const passed = this.passedToParameter(binding);
    if (passed === undefined || passed === "unknown") return unknownAt(use, dependsOn);
    const frame = this.context.frame!;
    if (passed.kind === "default") {
      const origin = { span: spanOf(binding.stmt), description: `default of parameter ${binding.name}, not passed by ${frame.label}`, overridable: true };
      return this.through(use, this.value(passed.node, depth), origin, dependsOn);
    }
    const read = passed.kind === "namespace" ? () => frame.caller.namespaceKeyword(passed.node, passed.namespace, binding.name) : () => frame.caller.value(passed.node);
    return this.crossing(read, (v) => this.adopt(use, frame.caller, v, frame.label, dependsOn, passed.node), unknownAt(use, dependsOn));
  }

  /** A value read at `use` from a definition: keeps the innermost origin, or names this definition. */
  private through(use: PyNode, inner: ResolvedValue, origin: Origin, dependsOn: Dependency[]): ResolvedValue {
    const deps = unionDependencies(inner.dependsOn, dependsOn);
    if (inner.value.kind === "unknown") return inner.value.reference ? { ...unknownAt(use, deps), value: inner.value } : unknownAt(use, deps);
    const result: ResolvedValue = { value: inner.value, span: spanOf(use), origin: inner.origin ?? origin, dependsOn: deps };
    if (inner.literalSpan) result.literalSpan = inner.literalSpan;
    return result;
  }

  private attributeValue(node: PyNode, depth: number): ResolvedValue {
    const object = fieldChild(node, "object");
    const attrNode = fieldChild(node, "attribute");
    if (!object || !attrNode) return unknownAt(node, []);
    const attr = this.textOf(attrNode);
    const dependsOn = nameDependencies(attr);
    if (dependsOn.includes("world-size")) return unknownAt(node, dependsOn);
    const reference = this.baseReference(node);
    if (reference) return reference;
    const hyperparameter = this.hyperparameterValue(node, object, attr, depth);
    if (hyperparameter) return hyperparameter;
    const target = this.ref(object, depth);
    // A value handed in from another file can be rewritten here before it is read (`args.lr = ...`).
    if (target?.kind === "foreign" && this.index.foreignAttrWrites.has(attr)) return unknownAt(node, dependsOn);
    return this.memberValue(node, target, attr, depth);
  }

  /** The value of `<target>.<attr>` read at `use` (a node of any file: only its span is used). */
  memberValue(node: PyNode, target: Ref | null, attr: string, depth: number): ResolvedValue {
    const dependsOn = nameDependencies(attr);
    if (target?.kind === "foreign") {
      const { resolver, via } = target;
      return this.crossing(() => resolver.memberValue(node, target.ref, attr, 0), (v) => this.adopt(node, resolver, v, via, dependsOn), unknownAt(node, dependsOn));
    }
    if (target?.kind === "path") return this.importedValue(node, `${target.path}.${attr}`, dependsOn);
    if (target?.kind === "namespace") return this.argparseValue(node, target.parser, attr, depth);
    if (target?.kind === "instance") return this.instanceValue(node, target.cls, target.call, attr, depth, target.caller);
    if (target?.kind === "class") return this.classAttributeValue(node, target.cls, attr, depth);
    return unknownAt(node, dependsOn);
  }

  /**
   * `_base_.optim_wrapper.optimizer.lr` in an mmengine/mmcv config (a module that assigns `_base_`): mmengine runs
   * the file with `_base_` bound to its merged bases, so the value is a reference the `_base_` joiner resolves.
   */
  private baseReference(node: PyNode): ResolvedValue | undefined {
    const path: string[] = [];
    let at = node;
    while (at.type === "attribute") {
      const object = fieldChild(at, "object");
      const attr = fieldChild(at, "attribute");
      if (!object || !attr) return undefined;
      path.unshift(this.textOf(attr));
      at = object;
    }
    if (at.type !== "identifier" || this.textOf(at) !== "_base_" || path.length === 0) return undefined;
    const binding = bindingForUse("_base_", at, this.index);
    if (binding?.kind !== "assign" || scopeOf(binding.stmt, this.index).kind !== "module") return undefined;
    return { value: { kind: "unknown", reference: { scheme: "base", path, ops: [] } }, span: spanOf(node), dependsOn: [] };
  }

  private argparseValue(node: PyNode, parser: ParserModel, dest: string, depth: number): ResolvedValue {
    this.indexParsers();
    const dependsOn = nameDependencies(dest);
    const arg = this.argumentDefinition(parser, dest, depth, new Set());
    if (typeof arg === "string" || this.index.foreignAttrWrites.has(dest) || this.namespaceRewritten() || this.setattrNames().has(dest)) return unknownAt(node, dependsOn);
    if (arg.required) return unknownAt(node, dependsOn);
    const origin = { span: spanOf(arg.call), description: `argparse default of ${arg.flag}`, overridable: true };
    if (!arg.defaultNode) {
      if (arg.action === "store_true" || arg.action === "store_false") {
        return { value: { kind: "bool", value: arg.action === "store_false" }, span: spanOf(node), origin, dependsOn };
      }
      return unknownAt(node, dependsOn);
    }
    let inner = this.value(arg.defaultNode, depth);
    if (inner.value.kind === "string" && (arg.type === "float" || arg.type === "int")) {
      const n = arg.type === "float" ? parseFloatString(inner.value.value) : parseIntString(inner.value.value);
      inner = n === undefined ? unknownAt(arg.defaultNode, inner.dependsOn) : { ...inner, value: { kind: "number", value: n } };
    }
    return this.through(node, inner, origin, dependsOn);
  }

  /**
   * The one `add_argument` that gives a parser's `dest` its default: the parser's own, or one of the parsers in its
   * `parents=[...]` list (argparse copies their arguments and defaults). `none` when no parser defines it; `unknown`
   * when it is defined twice, when a `set_defaults` may change it, or when a parent is not a parser of this file.
   */
  private argumentDefinition(parser: ParserModel, dest: string, depth: number, seen: Set<ParserModel>): ArgumentModel | "none" | "unknown" {
    if (seen.has(parser) || parser.overridden.has(dest) || parser.overridden.has("*")) return "unknown";
    seen.add(parser);
    const defs = [...(parser.arguments.get(dest) ?? [])];
    const parents = keywordArgument(parser.node, "parents", this.text);
    if (parents && parents.type !== "list" && parents.type !== "tuple") return "unknown";
    for (const item of parents ? namedChildren(parents) : []) {
      const parent = this.ref(item, depth);
      if (parent?.kind !== "parser") return "unknown";
      const found = this.argumentDefinition(parent.parser, dest, depth, seen);
      if (found === "unknown") return "unknown";
      if (found !== "none") defs.push(found);
    }
    return defs.length === 0 ? "none" : defs.length === 1 ? defs[0] : "unknown";
  }

  /** The attribute names `setattr(obj, "name", value)` calls of the file write, each a write like `obj.name = value`. */
  private setattrNames(): Set<string> {
    let names = SETATTR_NAMES.get(this.index);
    if (!names) {
      names = new Set();
      for (const call of this.index.calls) {
        const callee = fieldChild(call, "function");
        const name = callee?.type === "identifier" && this.textOf(callee) === "setattr" ? literalSetattr(call, this.text) : undefined;
        if (name !== undefined) names.add(name);
      }
      SETATTR_NAMES.set(this.index, names);
    }
    return names;
  }

  /** Whether the file rewrites namespace attributes wholesale (`vars(args).update`, `setattr(args, ...)`, `args.__dict__`). */
  private namespaceRewritten(): boolean {
    // A fact of the file and the module links: kept per both, since the project pass reads one file with many resolvers.
    let known = REWRITTEN.get(this.index);
    if (!known) REWRITTEN.set(this.index, (known = new WeakMap()));
    const links = this.context.modules ?? NO_MODULES;
    this.rewritten ??= known.get(links);
    if (this.rewritten === undefined) {
      this.rewritten = this.index.calls.some((call) => {
        const callee = fieldChild(call, "function");
        const text = callee ? this.textOf(callee) : "";
        if (text === "setattr") return literalSetattr(call, this.text) === undefined;
        if (!/^vars\(.*\)\.update$/s.test(text) && !/\.__dict__\.update$/.test(text)) return false;
        // Read without the frame: this is kept for the file, whatever call binds its parameters.
        const probe = this.context.frame ? new Resolver(this.index, this.text, this.filePath, this.context.modules ? { modules: this.context.modules } : {}) : this;
        return probe.mayHoldNamespace(dictOwner(callee!));
      }) || writesThroughDict(this.text, this.index);
      known.set(links, this.rewritten);
    }
    return this.rewritten;
  }

  /**
   * Whether the object whose dict a call updates (`X.__dict__.update(...)`, `vars(X).update(...)`) may be an argparse
   * namespace: not an object's own dict (`self`, `cls`, or an attribute of theirs, as `writesThroughDict` takes them),
   * not an imported module's, nor a name every binding of which builds something else (a call that is not handed
   * a namespace and returns none, a literal). A parameter, an alias or anything else unresolved may be it.
   */
  private mayHoldNamespace(owner: PyNode | undefined): boolean {
    if (!owner) return true;
    const root = owner.type === "attribute" ? leftmostName(owner) : owner;
    if (root?.type === "identifier") {
      const name = this.textOf(root);
      if (name === "self" || name === "cls") return false;
      // An imported module's dict, or an imported object's, unless the import is the namespace itself (`from opts import args`).
      if (importBindingsOf(this.index).some((b) => b.name === name)) return holdsNamespace(this.ref(owner));
    }
    if (owner.type !== "identifier") return true;
    const scope = definingScope(this.textOf(owner), scopeOf(owner, this.index), this.index);
    const bindings = scope?.bindings.get(this.textOf(owner)) ?? [];
    if (bindings.length === 0) return true;
    return bindings.some((b) => {
      if (b.kind !== "assign" || !b.value || b.unpackIndex !== undefined) return true;
      const value = b.value;
      if (["dictionary", "list", "tuple", "string", "integer", "float", "none"].includes(value.type)) return false;
      if (value.type !== "call") return true;
      if (holdsNamespace(this.ref(value))) return true;
      const args = fieldChild(value, "arguments");
      // A call handed the namespace itself may return it.
      return namedChildren(args ?? value).some((a) => {
        const passed = a.type === "keyword_argument" ? fieldChild(a, "value") : a;
        return (passed?.type === "identifier" || passed?.type === "attribute") && holdsNamespace(this.ref(passed));
      });
    });
  }

  private instanceValue(node: PyNode, cls: ClassModel, call: PyNode | undefined, attr: string, depth: number, caller?: Resolver): ResolvedValue {
    const dependsOn = nameDependencies(attr);
    if (this.index.foreignAttrWrites.has(attr)) return unknownAt(node, dependsOn);
    const writes = cls.selfWrites.get(attr);
    if (writes) {
      const write = this.initWrite(cls, attr);
      if (!write?.value) return unknownAt(node, dependsOn);
      if (write.value.type === "identifier" && this.initParameter(write.method, this.textOf(write.value))) {
        return this.initArgumentValue(node, cls, call, write.method, this.textOf(write.value), depth, caller);
      }
      const inner = this.value(write.value, depth);
      return this.through(node, inner, { span: spanOf(write.stmt), description: `value of ${cls.name}.${attr} set in __init__`, overridable: false }, dependsOn);
    }
    const field = cls.fields.get(attr);
    if (!field) return unknownAt(node, dependsOn);
    if (cls.isDataclass) {
      const passed = this.passedArgument(cls, call, attr, this.fieldPosition(cls, attr), caller);
      if (passed === "unknown") return unknownAt(node, dependsOn);
      if (passed) return this.argumentValue(node, cls, attr, passed, depth, dependsOn);
    }
    // Without a construction in sight the instance came in through a parameter, built from settings elsewhere.
    return this.classAttributeValue(node, cls, attr, depth, !call);
  }

  /** What an `__init__` parameter holds: the argument a known construction passes, else its default when nothing may override it. */
  private initArgumentValue(node: PyNode, cls: ClassModel, call: PyNode | undefined, init: PyNode, name: string, depth: number, caller?: Resolver): ResolvedValue {
    const dependsOn = nameDependencies(name);
    const param = this.initParameter(init, name);
    if (!param || this.index.foreignAttrWrites.has(name)) return unknownAt(node, dependsOn);
    const passed = this.passedArgument(cls, call, param.name, param.index, caller);
    if (passed === "unknown") return unknownAt(node, dependsOn);
    if (passed) return this.argumentValue(node, cls, param.name, passed, depth, dependsOn);
    if (!param.default) return unknownAt(node, dependsOn);
    const origin = { span: spanOf(param.node), description: `default of parameter ${param.name} of __init__`, overridable: true };
    return this.through(node, this.value(param.default, depth), origin, dependsOn);
  }

  /**
   * The value a construction passes for a constructor parameter, read at `use`, its origin the argument. An argument
   * written in another file (a class imported from this module, built there) is read by that file's resolver, and
   * every span of it names that file.
   */
  private argumentValue(use: PyNode, cls: ClassModel, name: string, passed: PassedArgument, depth: number, dependsOn: Dependency[]): ResolvedValue {
    const { resolver } = passed;
    const description = `argument ${name} of ${cls.name}(...)`;
    const read = (depthThere: number) => (passed.namespace ? resolver.namespaceKeyword(passed.arg, passed.value, name) : resolver.value(passed.value, depthThere));
    if (resolver === this) return this.through(use, read(depth), { span: spanOf(passed.arg), description, overridable: false }, dependsOn);
    const file = resolver.filePath;
    const inner = this.crossing(() => read(0), (v) => mapValueSpans(v, (s) => ({ ...s, file })), undefined);
    if (!inner) return unknownAt(use, dependsOn);
    return this.through(use, inner, { span: { ...spanOf(passed.arg), file }, description, overridable: false }, dependsOn);
  }

  /** `self.hparams.<name>` in a Lightning module whose `__init__` calls `self.save_hyperparameters()`: the `__init__` argument. */
  private hyperparameterValue(node: PyNode, object: PyNode, name: string, depth: number): ResolvedValue | undefined {
    if (object.type !== "attribute" || this.textOf(fieldChild(object, "attribute") ?? object) !== "hparams") return undefined;
    const host = this.ref(fieldChild(object, "object"), depth);
    if (host?.kind !== "instance" || !host.cls.init) return undefined;
    const body = fieldChild(host.cls.init, "body");
    if (!body || !/\.save_hyperparameters\(\s*\)/.test(this.textOf(body))) return undefined;
    return this.initArgumentValue(node, host.cls, host.call, host.cls.init, name, depth, host.caller);
  }

  private classAttributeValue(node: PyNode, cls: ClassModel, attr: string, depth: number, overridable = false): ResolvedValue {
    const dependsOn = nameDependencies(attr);
    const field = cls.fields.get(attr);
    if (!field?.value || this.index.foreignAttrWrites.has(attr)) return unknownAt(node, dependsOn);
    return this.through(node, this.value(field.value, depth), { span: spanOf(field.stmt), description: `default of ${cls.name}.${attr}`, overridable }, dependsOn);
  }

  /** A parameter of `__init__` by name: its node, position (after self) and default. */
  private initParameter(method: PyNode, name: string): { name: string; node: PyNode; index: number; default?: PyNode } | undefined {
    const params = namedChildren(fieldChild(method, "parameters")!).slice(1);
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const id = p.type === "identifier" ? p : p.children.find((c) => c.type === "identifier");
      if (id && this.textOf(id) === name && p.type !== "list_splat_pattern" && p.type !== "dictionary_splat_pattern") {
        return { name, node: p, index: params.slice(0, i).some((q) => q.type === "list_splat_pattern" || q.type === "keyword_separator") ? -1 : i, default: fieldChild(p, "value") };
      }
    }
    return undefined;
  }

  /**
   * What a construction passes for a constructor parameter: the argument, undefined when nothing is
   * passed, "unknown" when a spread may pass it. Without a known construction, any construction in the
   * file that may pass it makes it unknown. `position` is the parameter's place among the positional
   * arguments (-1: keyword-only; undefined: not known, so any positional argument may pass it); `caller`
   * reads a call written in another file.
   */
  private passedArgument(cls: ClassModel, call: PyNode | undefined, name: string, position: number | undefined, caller: Resolver = this): PassedArgument | "unknown" | undefined {
    if (!call && this.hasSubclass(cls)) return "unknown";
    const calls = call ? [call] : this.constructionsOf(cls);
    const reader = call ? caller : this;
    for (const c of calls) {
      const args = namedChildren(fieldChild(c, "arguments")!);
      let positional = 0;
      // A known construction may spread one parsed namespace (`Model(**vars(args))`), which passes what it is not passed otherwise.
      let spread: PassedArgument | undefined;
      for (const arg of args) {
        const namespace = call && !spread && arg.type === "dictionary_splat" ? splattedNamespace(reader, arg) : undefined;
        if (namespace) {
          spread = { arg, value: namespace, resolver: reader, namespace: true };
          continue;
        }
        if (arg.type === "list_splat" || arg.type === "dictionary_splat") return "unknown";
        if (arg.type === "keyword_argument") {
          const key = fieldChild(arg, "name");
          if (key && reader.textOf(key) === name) return call ? { arg, value: fieldChild(arg, "value")!, resolver: reader } : "unknown";
        } else if (arg.type !== "comment") {
          if (position === undefined) return "unknown";
          if (positional === position) return call ? { arg, value: arg, resolver: reader } : "unknown";
          positional++;
        }
      }
      if (spread) return spread;
    }
    return undefined;
  }

  /**
   * A dataclass field's place among the generated `__init__`'s positional parameters: the annotated fields in
   * order; undefined when base classes may add fields before them.
   */
  private fieldPosition(cls: ClassModel, name: string): number | undefined {
    if (fieldChild(cls.node, "superclasses")) return undefined;
    const annotated = [...cls.fields].filter(([, f]) => f.stmt.children[0] && fieldChild(f.stmt.children[0], "type"));
    return annotated.findIndex(([n]) => n === name);
  }

  /** Whether a class in the file derives from this one (its constructions and `super().__init__` calls may pass anything). */
  hasSubclass(cls: ClassModel): boolean {
    for (const node of this.index.scopes.keys()) {
      const bases = node.type === "class_definition" ? fieldChild(node, "superclasses") : undefined;
      for (const base of bases ? namedChildren(bases) : []) {
        const r = this.ref(base);
        if (r?.kind === "class" && r.cls === cls) return true;
      }
    }
    return false;
  }

  /** Every call in the file that constructs the class, by its name or from inside it (`cls(...)`, `type(self)(...)`). */
  private constructionsOf(cls: ClassModel): PyNode[] {
    const cached = this.constructions.get(cls);
    if (cached) return cached;
    const found = this.index.calls.filter((call) => {
      const callee = fieldChild(call, "function");
      if (!callee) return false;
      if (this.buildsOwnClass(callee, cls)) return true;
      if (!this.textOf(callee).endsWith(cls.name)) return false;
      const r = this.ref(callee);
      return r?.kind === "class" && r.cls === cls;
    });
    this.constructions.set(cls, found);
    return found;
  }

  /**
   * Whether a callee inside one of the class's methods builds the class itself (or a subclass, which runs the same
   * `__init__` unless it has its own): the receiver of a classmethod (`cls(...)`), `type(self)` or `self.__class__`
   * in any other method that is not a staticmethod.
   */
  private buildsOwnClass(callee: PyNode, cls: ClassModel): boolean {
    if (callee.start < cls.node.start || callee.end > cls.node.end) return false;
    let method: PyNode | undefined;
    for (let p = callee.parent; p && p !== cls.node; p = p.parent) {
      const owner = p.parent?.type === "decorated_definition" ? p.parent.parent?.parent : p.parent?.parent;
      if (p.type === "function_definition" && owner === cls.node) method = p;
    }
    const receiver = method && namedChildren(fieldChild(method, "parameters")!)[0];
    if (!method || receiver?.type !== "identifier" || this.hasDecorator(method, /staticmethod/)) return false;
    const name = this.textOf(receiver);
    if (this.hasDecorator(method, /classmethod/)) return callee.type === "identifier" && this.textOf(callee) === name;
    const text = this.textOf(callee).replace(/\s+/g, "");
    return text === `type(${name})` || text === `${name}.__class__`;
  }

  private subscriptValue(node: PyNode, depth: number): ResolvedValue {
    const object = fieldChild(node, "value");
    const key = fieldChild(node, "subscript");
    if (!object || !key) return unknownAt(node, []);
    const target = this.ref(object, depth);
    if (target?.kind === "path" && target.path === "os.environ") return unknownAt(node, this.environmentDependencies(key));
    if ((target?.kind === "dict" || target?.kind === "foreign") && isPlainString(key)) return this.itemValue(node, object, target, stringBody(this.textOf(key)), depth);
    const container = this.value(object, depth);
    const index = this.value(key, depth);
    if (container.value.kind === "sequence" && index.value.kind === "number" && Number.isInteger(index.value.value)) {
      const items = container.value.items;
      const item = items[index.value.value < 0 ? items.length + index.value.value : index.value.value];
      if (item) return { ...item, span: spanOf(node), dependsOn: unionDependencies(item.dependsOn, container.dependsOn) };
    }
    return unknownAt(node, unionDependencies(container.dependsOn, index.dependsOn));
  }

  private environmentDependencies(key: PyNode | undefined): Dependency[] {
    const name = key && isPlainString(key) ? stringBody(this.textOf(key)) : "";
    return /WORLD_SIZE/.test(name) ? ["world-size"] : [];
  }

  /**
   * `<object>["<key>"]` (or `.get("<key>", fallback)`) read at `use`, where `object` refers to `target`. A dict handed
   * in from another file is read there, unless this file changes its items.
   */
  private itemValue(use: PyNode, object: PyNode, target: Ref, key: string, depth: number, fallback?: PyNode): ResolvedValue {
    if (target.kind === "dict") return this.dictEntryValue(use, target.dict, key, depth, fallback);
    if (target.kind !== "foreign") return unknownAt(use, []);
    const changed = this.index.mutatedItems.get(this.textOf(object));
    if (changed && (changed.has("*") || changed.has(key))) return unknownAt(use, []);
    const { resolver, via } = target;
    const read = this.crossing(() => resolver.foreignItem(use, target.ref, key), (v) => v, undefined);
    if (read === "missing") return fallback ? this.value(fallback, depth) : unknownAt(use, []);
    return read ? this.adopt(use, resolver, read, via, []) : unknownAt(use, []);
  }

  /** A dict entry of a dict this resolver knows, read at `use` in another file: "missing" when the closed dict lacks the key. */
  foreignItem(use: PyNode, target: Ref, key: string): ResolvedValue | "missing" | undefined {
    if (target.kind === "foreign") {
      const { resolver, via } = target;
      const read = this.crossing(() => resolver.foreignItem(use, target.ref, key), (v) => v, undefined);
      return read && read !== "missing" ? this.adopt(use, resolver, read, via, []) : read;
    }
    if (target.kind !== "dict") return undefined;
    if (!this.liveEntry(target.dict, key) && this.dictIsClosed(target.dict) && !target.dict.entries.has(key)) return "missing";
    return this.dictEntryValue(use, target.dict, key, 0);
  }

  /** A dict entry read at `use`, described as "dict entry 'lr' of config". */
  dictEntryValue(use: PyNode, dict: DictModel, key: string, depth: number, fallback?: PyNode): ResolvedValue {
    const entry = this.liveEntry(dict, key);
    if (!entry) {
      if (fallback && this.dictIsClosed(dict) && !dict.entries.has(key)) return this.value(fallback, depth);
      return unknownAt(use, []);
    }
    const description = dict.holder ? `dict entry '${key}' of ${dict.holder}` : `dict entry '${key}'`;
    return this.through(use, this.value(entry.value, depth), { span: spanOf(entry.entry), description, overridable: false }, []);
  }

  /**
   * A dict literal or `dict(...)` as a config tree node: its entries in source order, each with its key's span and
   * its value's provenance; `open` when keys may exist beyond them (`**spread`, a key that is not a plain string).
   */
  private mappingValue(node: PyNode, dict: DictModel, depth: number): ResolvedValue {
    const entries: MappingEntry[] = [];
    for (const [key, { entry, value }] of dict.entries) {
      const keyNode = entry.type === "pair" ? fieldChild(entry, "key") : fieldChild(entry, "name");
      entries.push({ key, keySpan: spanOf(keyNode ?? entry), value: this.value(value, depth), span: spanOf(entry) });
    }
    entries.sort((a, b) => a.span.start - b.span.start);
    const mapping: Value = { kind: "mapping", entries, ...(dict.open ? { open: true } : {}) };
    return { value: mapping, span: spanOf(node), dependsOn: unionDependencies(...entries.map((e) => e.value.dependsOn)) };
  }

  private callValue(node: PyNode, depth: number): ResolvedValue {
    const callee = fieldChild(node, "function");
    const argsNode = fieldChild(node, "arguments");
    if (!callee || !argsNode) return unknownAt(node, []);
    const args = namedChildren(argsNode);
    const last = lastName(callee, this.text) ?? "";
    if (isWorldSizeCall(last)) return unknownAt(node, ["world-size"]);
    if (callee.type === "attribute" && last === "get") {
      const receiver = this.ref(fieldChild(callee, "object"), depth);
      const [key, fallback] = args;
      if (receiver?.kind === "path" && receiver.path === "os.environ") return unknownAt(node, this.environmentDependencies(key));
      if ((receiver?.kind === "dict" || receiver?.kind === "foreign") && key && isPlainString(key) && args.length <= 2 && (!fallback || fallback.type !== "keyword_argument")) {
        return this.itemValue(node, fieldChild(callee, "object")!, receiver, stringBody(this.textOf(key)), depth, fallback);
      }
    }
    const path = this.pathOf(callee);
    if (path === "builtins.dict" && args.every((a) => a.type === "keyword_argument" || a.type === "dictionary_splat")) {
      return this.mappingValue(node, this.dictCall(node), depth);
    }
    if (path === "os.getenv") return unknownAt(node, this.environmentDependencies(args[0]));
    if (path && isWorldSizePath(path)) return unknownAt(node, ["world-size"]);
    const argValues = args.map((a) => this.value(a.type === "keyword_argument" ? (fieldChild(a, "value") ?? a) : a, depth));
    const dependsOn = unionDependencies(...argValues.map((v) => v.dependsOn));
    if (dependsOn.includes("world-size") || args.some((a) => a.type === "keyword_argument" || a.type.endsWith("splat"))) return unknownAt(node, dependsOn);
    const converted = path ? builtinCall(path, argValues) : undefined;
    if (!converted) return unknownAt(node, dependsOn);
    const single = argValues.length === 1 ? argValues[0] : undefined;
    const result: ResolvedValue = { value: converted, span: spanOf(node), dependsOn };
    if (single?.origin) result.origin = single.origin;
    if (single?.literalSpan && PASS_THROUGH_CONVERSIONS.has(path!)) result.literalSpan = single.literalSpan;
    return result;
  }
}

/** The class or function node a def/class binding's statement defines. */
function definitionNode(stmt: PyNode): PyNode {
  return stmt.type === "decorated_definition" ? (fieldChild(stmt, "definition") ?? stmt) : stmt;
}

/** The return statements of a function's body, not those of nested functions, classes or lambdas (read once per definition). */
export function returnStatementsOf(fn: PyNode): PyNode[] {
  let returns = returnsOfFunction.get(fn);
  if (!returns) {
    returns = [];
    collectReturns(fieldChild(fn, "body"), returns);
    returnsOfFunction.set(fn, returns);
  }
  return returns;
}

/** The return statements of a function body, not those of nested functions, classes or lambdas. */
function collectReturns(node: PyNode | undefined, out: PyNode[]): void {
  if (!node) return;
  for (const child of node.children) {
    if (child.type === "return_statement") out.push(child);
    else if (child.type !== "function_definition" && child.type !== "class_definition" && child.type !== "lambda") collectReturns(child, out);
  }
}

/** Whether two references name the same import path or the same argparse parser. */
function sameRef(a: Ref, b: Ref): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "path" && b.kind === "path") return a.path === b.path;
  if ((a.kind === "namespace" || a.kind === "parser" || a.kind === "known-args") && (b.kind === "namespace" || b.kind === "parser" || b.kind === "known-args")) return a.parser === b.parser;
  return false;
}

/** The value node of a call's keyword argument. */
function keywordArgument(call: PyNode, name: string, text: string): PyNode | undefined {
  const args = fieldChild(call, "arguments");
  for (const arg of args?.children ?? []) {
    if (arg.type !== "keyword_argument") continue;
    const key = fieldChild(arg, "name");
    if (key && text.slice(key.start, key.end) === name) return fieldChild(arg, "value");
  }
  return undefined;
}

/** The last identifier of a name or attribute chain (`batch_size` of `args.batch_size`). */
export function lastName(node: PyNode, text: string): string | undefined {
  if (node.type === "identifier") return text.slice(node.start, node.end);
  if (node.type === "attribute") {
    const attr = fieldChild(node, "attribute");
    return attr ? text.slice(attr.start, attr.end) : undefined;
  }
  if (node.type === "parenthesized_expression") {
    const inner = namedChildren(node)[0];
    return inner ? lastName(inner, text) : undefined;
  }
  return undefined;
}

/** A value that cannot be resolved, at a node, with what it is known to depend on. */
export function unknownAt(node: PyNode, dependsOn: Dependency[]): ResolvedValue {
  return { value: { kind: "unknown" }, span: spanOf(node), dependsOn };
}

/** A value written as a literal at a node. */
function literalAt(node: PyNode, value: Value): ResolvedValue {
  return { value, span: spanOf(node), literalSpan: spanOf(node), dependsOn: [] };
}

/** A Python int or float literal (`1_000`, `0x10`, `1e-3`); undefined for complex numbers. */
function parseNumber(source: string): number | undefined {
  const s = source.replace(/_/g, "").toLowerCase();
  if (/j$/.test(s)) return undefined;
  if (/^0[xob]/.test(s)) return Number(s);
  const n = Number(s.replace(/l$/, ""));
  return Number.isFinite(n) ? n : undefined;
}

/** What `float("...")` gives for a string, if it is a plain number. */
function parseFloatString(s: string): number | undefined {
  const t = s.trim();
  if (!/^[+-]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t.replace(/_/g, ""));
}

/** What `int("...")` gives for a string, if it is a plain integer. */
function parseIntString(s: string): number | undefined {
  const t = s.trim();
  return /^[+-]?\d[\d_]*$/.test(t) ? Number(t.replace(/_/g, "")) : undefined;
}

/** Conversions whose result is written by the literal they convert, so a fix may edit that literal. */
const PASS_THROUGH_CONVERSIONS = new Set(["builtins.float", "builtins.int", "builtins.tuple", "builtins.list"]);

/** `int`, `float`, `abs`, `min`, `max` on known values; `tuple` and `list` of a known sequence. */
function builtinCall(path: string, args: ResolvedValue[]): Value | undefined {
  const numbers = args.map((a) => (a.value.kind === "number" ? a.value.value : undefined));
  const allNumbers = numbers.every((n) => n !== undefined) && numbers.length > 0;
  switch (path) {
    case "builtins.float": {
      if (args.length !== 1) return undefined;
      const v = args[0].value;
      const n = v.kind === "number" ? v.value : v.kind === "string" ? parseFloatString(v.value) : undefined;
      return n === undefined ? undefined : { kind: "number", value: n };
    }
    case "builtins.int": {
      if (args.length !== 1) return undefined;
      const v = args[0].value;
      const n = v.kind === "number" ? Math.trunc(v.value) : v.kind === "string" ? parseIntString(v.value) : undefined;
      return n === undefined ? undefined : { kind: "number", value: n };
    }
    case "builtins.tuple":
    case "builtins.list":
      return args.length === 1 && args[0].value.kind === "sequence" ? args[0].value : undefined;
    case "builtins.abs":
      return allNumbers && args.length === 1 ? { kind: "number", value: Math.abs(numbers[0]!) } : undefined;
    case "builtins.min":
    case "builtins.max":
      return allNumbers && args.length >= 2 ? { kind: "number", value: (path === "builtins.min" ? Math.min : Math.max)(...(numbers as number[])) } : undefined;
    default:
      return undefined;
  }
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "\n": "" };

/** Decode the common escapes of a non-raw string body. */
function unescapePython(body: string): string {
  return body.replace(/\\(.)/gs, (whole, ch: string) => ESCAPES[ch] ?? whole);
}

/** Whether an import path names a LazyCall wrapper (`detectron2.config.LazyCall`), which defers a construction as a config. */
export function isLazyCallPath(path: string): boolean {
  return lastSegment(path) === "LazyCall";
}
