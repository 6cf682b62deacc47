/**
 * Python scopes and name bindings: what each name is bound to, where, and which binding a use sees.
 * One walk over the plain tree also indexes the nodes the fact extraction needs (calls, writes, ...).
 */
import { contains, fieldChild, namedChildren, textOf, type PyNode } from "./parser.js";

export type BindingKind = "assign" | "aug" | "import" | "def" | "class" | "param" | "other";

/** One place where a name gets bound. */
export interface Binding {
  name: string;
  kind: BindingKind;
  /** Start of the bound identifier, for ordering. */
  pos: number;
  /** The statement that binds (assignment's statement, import, def, class) or the parameter node. */
  stmt: PyNode;
  /** The expression assigned to this name, when known. */
  value?: PyNode;
  /** When the name is one target of a tuple unpacking whose right side is not a literal: its index. */
  unpackIndex?: number;
  /** The dotted path an import binds the name to (`torch.optim` for `from torch import optim`); absent for relative imports. */
  importPath?: string;
  /** A relative import's target, its leading dots kept (`.optim.build` for `from .optim import build`), for module lookup. */
  relativePath?: string;
  /** A parameter's annotation or an annotated assignment's type. */
  annotation?: PyNode;
  /** Bound from a nested function through `global`/`nonlocal`: trusted only as the name's single binding. */
  fromNested?: boolean;
}

export interface Scope {
  kind: "module" | "function" | "class";
  node: PyNode;
  parent: Scope | null;
  bindings: Map<string, Binding[]>;
  globals: Set<string>;
  nonlocals: Set<string>;
  /** Modules imported with `from m import *` (module scope only). */
  starImports: string[];
}

/** Nodes the fact extraction looks at, collected during the scope walk. */
export interface FileIndex {
  text: string;
  module: Scope;
  /** Scope of each function, lambda and class node. */
  scopes: Map<PyNode, Scope>;
  calls: PyNode[];
  subscripts: PyNode[];
  /** Plain and augmented assignments (the assignment nodes). */
  assignments: PyNode[];
  binaryDivisions: PyNode[];
  /** Binary `*` expressions. */
  binaryProducts: PyNode[];
  /** Keyword arguments (`max_lr=...`) and dict pairs (`"lr": ...`): places a value is named without an assignment. */
  namedValues: PyNode[];
  inComparisons: PyNode[];
  /** Every name bound anywhere in the file: a call of any other name is a builtin or undefined. */
  boundNames: Set<string>;
  /** Attribute names written through a receiver other than `self` (`args.lr = ...`). */
  foreignAttrWrites: Set<string>;
  /** Receivers (by text) whose items are written or updated (`cfg["lr"] = ...`, `cfg.update(...)`): key, or "*" for any. */
  mutatedItems: Map<string, Set<string>>;
}

const SCOPE_NODES = new Set(["function_definition", "class_definition", "lambda"]);
const MUTATING_METHODS = new Set(["update", "setdefault", "pop", "popitem", "clear", "__setitem__"]);

/** Build scopes and bindings for a module, and index the nodes fact extraction reads. */
export function indexFile(root: PyNode, text: string): FileIndex {
  const module = newScope("module", root, null);
  const index: FileIndex = {
    text,
    module,
    scopes: new Map(),
    calls: [],
    subscripts: [],
    assignments: [],
    binaryDivisions: [],
    binaryProducts: [],
    namedValues: [],
    inComparisons: [],
    boundNames: new Set(),
    foreignAttrWrites: new Set(),
    mutatedItems: new Map(),
  };
  const walker = new ScopeWalker(index, text);
  walker.visitChildren(root, module);
  return index;
}

const callsBySpan = new WeakMap<PyNode[], Map<string, PyNode>>();

/**
 * The indexed call that spans exactly `start`..`end` (the first in file order), looked up in a map made once per
 * list of calls: the project pass and the model facts find each construction's call this way, which a scan of the
 * file's calls per construction made quadratic in a large training module.
 */
export function callWithSpan(index: FileIndex, start: number, end: number): PyNode | undefined {
  let bySpan = callsBySpan.get(index.calls);
  if (!bySpan) {
    bySpan = new Map();
    for (const call of index.calls) {
      const key = `${call.start}:${call.end}`;
      if (!bySpan.has(key)) bySpan.set(key, call);
    }
    callsBySpan.set(index.calls, bySpan);
  }
  return bySpan.get(`${start}:${end}`);
}

const importsOfIndex = new WeakMap<FileIndex, Binding[]>();

/** Every import binding of a file, in any scope (listed once per index: several collectors read them). */
export function importBindingsOf(index: FileIndex): Binding[] {
  let found = importsOfIndex.get(index);
  if (found) return found;
  found = [];
  for (const scope of [index.module, ...index.scopes.values()]) {
    for (const bindings of scope.bindings.values()) for (const binding of bindings) if (binding.kind === "import") found.push(binding);
  }
  importsOfIndex.set(index, found);
  return found;
}

/** An empty scope of a module, function or class node. */
function newScope(kind: Scope["kind"], node: PyNode, parent: Scope | null): Scope {
  return { kind, node, parent, bindings: new Map(), globals: new Set(), nonlocals: new Set(), starImports: [] };
}

class ScopeWalker {
  constructor(
    private readonly index: FileIndex,
    private readonly text: string,
  ) {}

  visitChildren(node: PyNode, scope: Scope): void {
    for (const child of node.children) this.visit(child, scope);
  }

  visit(node: PyNode, scope: Scope): void {
    switch (node.type) {
      case "function_definition":
        return this.visitFunction(node, scope);
      case "lambda":
        return this.visitLambda(node, scope);
      case "class_definition":
        return this.visitClass(node, scope);
      case "import_statement":
      case "import_from_statement":
      case "future_import_statement":
        return this.visitImport(node, scope);
      case "global_statement":
      case "nonlocal_statement":
        for (const id of namedChildren(node)) {
          if (id.type === "identifier") (node.type === "global_statement" ? scope.globals : scope.nonlocals).add(this.textOf(id));
        }
        return;
      case "assignment":
        this.visitAssignment(node, scope);
        break;
      case "augmented_assignment":
        this.visitAugmented(node, scope);
        break;
      case "named_expression": {
        const name = fieldChild(node, "name");
        if (name) this.bind(scope, name, { kind: "assign", stmt: statementOf(node), value: fieldChild(node, "value") });
        break;
      }
      case "for_statement":
        this.bindTargets(fieldChild(node, "left"), scope, statementOf(node));
        break;
      case "as_pattern_target":
        this.bindTargets(node.children[0], scope, statementOf(node));
        break;
      case "delete_statement":
        for (const target of namedChildren(node)) this.bindTargets(target, scope, node);
        break;
      case "call":
        this.index.calls.push(node);
        this.noteMutatingCall(node);
        break;
      case "subscript":
        this.index.subscripts.push(node);
        break;
      case "binary_operator": {
        const op = fieldChild(node, "operator");
        if (op && (op.type === "/" || op.type === "//")) this.index.binaryDivisions.push(node);
        else if (op?.type === "*") this.index.binaryProducts.push(node);
        break;
      }
      case "keyword_argument":
      case "pair":
        this.index.namedValues.push(node);
        break;
      case "comparison_operator":
        if (node.children.some((c) => c.type === "in")) this.index.inComparisons.push(node);
        break;
    }
    this.visitChildren(node, scope);
  }

  private visitFunction(node: PyNode, scope: Scope): void {
    const name = fieldChild(node, "name");
    if (name) this.bind(scope, name, { kind: "def", stmt: statementOf(node) });
    const inner = newScope("function", node, scope);
    this.index.scopes.set(node, inner);
    for (const child of node.children) {
      if (child.field === "parameters") this.visitParameters(child, scope, inner);
      else if (child.field === "body") this.visitChildren(child, inner);
      else if (child.field !== "name") this.visit(child, scope);
    }
  }

  private visitLambda(node: PyNode, scope: Scope): void {
    const inner = newScope("function", node, scope);
    this.index.scopes.set(node, inner);
    for (const child of node.children) {
      if (child.field === "parameters") this.visitParameters(child, scope, inner);
      else if (child.field === "body") this.visit(child, inner);
    }
  }

  /** Bind parameters in the function's scope; defaults and annotations belong to the enclosing scope. */
  private visitParameters(params: PyNode, outer: Scope, inner: Scope): void {
    for (const param of params.children) {
      if (!param.named) continue;
      const id = param.type === "identifier" ? param : firstIdentifier(param);
      if (id) {
        this.bind(inner, id, {
          kind: "param",
          stmt: param,
          annotation: fieldChild(param, "type"),
        });
      }
      for (const child of param.children) if (child.field === "value" || child.field === "type") this.visit(child, outer);
    }
  }

  private visitClass(node: PyNode, scope: Scope): void {
    const name = fieldChild(node, "name");
    if (name) this.bind(scope, name, { kind: "class", stmt: statementOf(node) });
    const inner = newScope("class", node, scope);
    this.index.scopes.set(node, inner);
    for (const child of node.children) {
      if (child.field === "body") this.visitChildren(child, inner);
      else if (child.field !== "name") this.visit(child, scope);
    }
  }

  private visitImport(node: PyNode, scope: Scope): void {
    const stmt = statementOf(node);
    if (node.type === "import_statement") {
      for (const item of node.children) {
        if (item.type === "dotted_name") {
          this.bind(scope, item.children[0], { kind: "import", stmt, importPath: this.dotted(item).split(".")[0] });
        } else if (item.type === "aliased_import") {
          const alias = fieldChild(item, "alias");
          const dotted = fieldChild(item, "name");
          if (alias && dotted) this.bind(scope, alias, { kind: "import", stmt, importPath: this.dotted(dotted) });
        }
      }
      return;
    }
    const moduleNode = fieldChild(node, "module_name");
    const modulePath = moduleNode && moduleNode.type === "dotted_name" ? this.dotted(moduleNode) : undefined;
    const relative = moduleNode?.type === "relative_import" ? this.dotted(moduleNode) : undefined;
    const relativeTo = (name: string) => (relative === undefined ? {} : { relativePath: relative.endsWith(".") ? `${relative}${name}` : `${relative}.${name}` });
    for (const item of node.children) {
      if (item.type === "wildcard_import") {
        if (modulePath) this.index.module.starImports.push(modulePath);
      } else if (item.field === "name" && item.type === "dotted_name") {
        const imported = this.dotted(item);
        this.bind(scope, item.children[item.children.length - 1], {
          kind: "import",
          stmt,
          importPath: modulePath ? `${modulePath}.${imported}` : undefined,
          ...relativeTo(imported),
        });
      } else if (item.field === "name" && item.type === "aliased_import") {
        const alias = fieldChild(item, "alias");
        const dotted = fieldChild(item, "name");
        if (alias && dotted) {
          this.bind(scope, alias, { kind: "import", stmt, importPath: modulePath ? `${modulePath}.${this.dotted(dotted)}` : undefined, ...relativeTo(this.dotted(dotted)) });
        }
      }
    }
  }

  private visitAssignment(node: PyNode, scope: Scope): void {
    this.index.assignments.push(node);
    if (node.parent?.type === "assignment") return; // a chained target; the outermost assignment binds all
    const stmt = statementOf(node);
    const targets: PyNode[] = [];
    let value: PyNode | undefined = node;
    let annotation: PyNode | undefined;
    while (value && value.type === "assignment") {
      const left = fieldChild(value, "left");
      if (left) targets.push(left);
      annotation ??= fieldChild(value, "type");
      value = fieldChild(value, "right");
    }
    // An annotation without a value binds nothing.
    if (!value) return;
    for (const target of targets) this.bindAssigned(target, value, scope, stmt, annotation);
  }

  /** Bind `target = value`, splitting tuple targets over a tuple value of the same length. */
  private bindAssigned(target: PyNode, value: PyNode, scope: Scope, stmt: PyNode, annotation?: PyNode): void {
    if (target.type === "identifier") {
      this.bind(scope, target, { kind: "assign", stmt, value, annotation });
      return;
    }
    if (target.type === "attribute" || target.type === "subscript") {
      this.noteWrite(target);
      return;
    }
    if (!isSequenceTarget(target)) return;
    const items = namedChildren(target);
    const values = isSequenceValue(value) ? namedChildren(value) : undefined;
    const splat = items.some((i) => i.type === "list_splat_pattern") || values?.some((v) => v.type === "list_splat");
    items.forEach((item, i) => {
      if (values && !splat && values.length === items.length) this.bindAssigned(item, values[i], scope, stmt);
      else if (item.type === "identifier") this.bind(scope, item, { kind: "assign", stmt, value: splat ? undefined : value, unpackIndex: splat ? undefined : i });
      else this.bindTargets(item, scope, stmt);
    });
  }

  private visitAugmented(node: PyNode, scope: Scope): void {
    this.index.assignments.push(node);
    const left = fieldChild(node, "left");
    if (!left) return;
    if (left.type === "identifier") {
      this.bind(scope, left, { kind: "aug", stmt: statementOf(node), value: fieldChild(node, "right") });
      if (fieldChild(node, "operator")?.type === "|=") this.noteItems(this.textOf(left), "*");
    } else {
      this.noteWrite(left);
    }
  }

  /** Bind every identifier in a target with an unknown value (loop variables, `with ... as`, `del`). */
  private bindTargets(target: PyNode | undefined, scope: Scope, stmt: PyNode): void {
    if (!target) return;
    if (target.type === "identifier") this.bind(scope, target, { kind: "other", stmt });
    else if (target.type === "attribute" || target.type === "subscript") this.noteWrite(target);
    else for (const child of namedChildren(target)) this.bindTargets(child, scope, stmt);
  }

  /** Records a write through an attribute (foreign receivers only) or a subscript. */
  private noteWrite(target: PyNode): void {
    const receiver = target.children[0];
    if (target.type === "attribute") {
      const attr = fieldChild(target, "attribute");
      if (attr && !(receiver.type === "identifier" && this.textOf(receiver) === "self")) this.index.foreignAttrWrites.add(this.textOf(attr));
    } else {
      const key = fieldChild(target, "subscript");
      this.noteItems(this.textOf(receiver), key && isPlainString(key) ? stringBody(this.textOf(key)) : "*");
    }
  }

  /** Records a call of a dict-mutating method (`cfg.update(...)`) on its receiver. */
  private noteMutatingCall(call: PyNode): void {
    const callee = fieldChild(call, "function");
    if (callee?.type !== "attribute") return;
    const method = fieldChild(callee, "attribute");
    if (method && MUTATING_METHODS.has(this.textOf(method))) this.noteItems(this.textOf(callee.children[0]), "*");
  }

  /** Records that a receiver's item `key` ("*" for any) is changed. */
  private noteItems(receiver: string, key: string): void {
    let keys = this.index.mutatedItems.get(receiver);
    if (!keys) this.index.mutatedItems.set(receiver, (keys = new Set()));
    keys.add(key);
  }

  /** Adds a binding of an identifier to the scope it lands in (the module for `global`, an outer function for `nonlocal`). */
  private bind(scope: Scope, id: PyNode, binding: Omit<Binding, "name" | "pos">): void {
    const name = this.textOf(id);
    let target = scope;
    let fromNested = false;
    if (scope.kind !== "module" && scope.globals.has(name)) {
      target = this.index.module;
      fromNested = true;
    } else if (scope.nonlocals.has(name)) {
      let outer = scope.parent;
      while (outer && (outer.kind !== "function" || !outer.bindings.has(name))) outer = outer.parent;
      if (!outer) return;
      target = outer;
      fromNested = true;
    }
    this.index.boundNames.add(name);
    let list = target.bindings.get(name);
    if (!list) target.bindings.set(name, (list = []));
    list.push({ ...binding, name, pos: id.start, fromNested });
  }

  private textOf(node: PyNode): string {
    return textOf(node, this.text);
  }

  private dotted(node: PyNode): string {
    return this.textOf(node).replace(/\s+/g, "");
  }
}

/** The first identifier among a node's children (a typed or default parameter's name). */
function firstIdentifier(node: PyNode): PyNode | undefined {
  for (const child of node.children) if (child.type === "identifier") return child;
  return undefined;
}

/** Whether an assignment target unpacks into several names. */
function isSequenceTarget(node: PyNode): boolean {
  return node.type === "pattern_list" || node.type === "tuple_pattern" || node.type === "list_pattern" || node.type === "tuple" || node.type === "list";
}

/** Whether a value is a sequence display whose items can be matched to unpacked targets. */
function isSequenceValue(node: PyNode): boolean {
  return node.type === "expression_list" || node.type === "tuple" || node.type === "list";
}

/**
 * Calls `visit` on every node under a node, the node included, in source order (parents before their children). A
 * callback rather than a generator: whole-module walks run on every file, and resuming a generator per node costs
 * more than the call.
 */
export function forEachDescendant(node: PyNode, visit: (node: PyNode) => void): void {
  visit(node);
  for (const child of node.children) forEachDescendant(child, visit);
}

/** A plain function: a `def` that is neither decorated nor inside a class (at any depth), so its name calls it as written. */
export function isPlainFunction(fn: PyNode): boolean {
  if (fn.type !== "function_definition" || fn.parent?.type === "decorated_definition") return false;
  for (let p = fn.parent; p; p = p.parent) if (p.type === "class_definition") return false;
  return true;
}

/** A string literal without interpolation or implicit concatenation. */
export function isPlainString(node: PyNode): boolean {
  return node.type === "string" && !node.children.some((c) => c.type === "interpolation");
}

/** The body of a simple quoted string literal's source (prefix and quotes removed, escapes kept raw). */
export function stringBody(source: string): string {
  const m = /^[a-zA-Z]*("""|'''|"|')([\s\S]*)\1$/.exec(source);
  return m ? m[2] : source;
}

/** The statement (child of a block or module) that contains a node. */
export function statementOf(node: PyNode): PyNode {
  let stmt = node;
  while (stmt.parent && stmt.parent.type !== "block" && stmt.parent.type !== "module") stmt = stmt.parent;
  return stmt;
}

/** The scope whose code a node belongs to (parameter defaults and decorators belong to the enclosing one). */
export function scopeOf(node: PyNode, index: FileIndex): Scope {
  let child = node;
  for (let parent = node.parent; parent; child = parent, parent = parent.parent) {
    if (SCOPE_NODES.has(parent.type) && child.field === "body") return index.scopes.get(parent) ?? index.module;
  }
  return index.module;
}

/** The scope that defines a name for a use in `scope`, following Python's rules (class bodies do not enclose functions). */
export function definingScope(name: string, scope: Scope, index: FileIndex): Scope | undefined {
  if (scope.globals.has(name)) return index.module.bindings.has(name) ? index.module : undefined;
  for (let s: Scope | null = scope, first = true; s; s = s.parent, first = false) {
    if (s.kind === "class" && !first) continue;
    if (s.bindings.has(name)) return s;
  }
  return undefined;
}

const LOOP_TYPES = new Set(["for_statement", "while_statement"]);

/**
 * The binding a use of a name sees, when exactly one can: a name bound once in its scope, or the last plain
 * assignment before the use in straight-line code. Undefined when branches, loops or nested writes make it uncertain.
 */
export function bindingForUse(name: string, use: PyNode, index: FileIndex): Binding | undefined {
  const useScope = scopeOf(use, index);
  if (insideComprehensionBinding(name, use, index.text)) return undefined;
  const scope = definingScope(name, useScope, index);
  if (!scope) return undefined;
  const bindings = scope.bindings.get(name)!;
  // A write from a nested function through `global`/`nonlocal` is trusted only when it is the name's one binding.
  if (bindings.length > 1 && bindings.some((b) => b.fromNested)) return undefined;
  const chosen = scope === useScope ? straightLineBinding(bindings, use) : bindings.length === 1 ? bindings[0] : undefined;
  return chosen ?? sameImport(bindings);
}

/** The binding in the use's own scope that the use sees in straight-line code, if certain. */
function straightLineBinding(bindings: Binding[], use: PyNode): Binding | undefined {
  let candidate: Binding | undefined;
  for (const b of bindings) {
    const before = b.kind === "param" || (b.pos < use.start && !contains(b.stmt, use));
    if (before && (!candidate || b.pos > candidate.pos)) candidate = b;
  }
  if (!candidate || candidate.kind === "aug" || candidate.kind === "other") return undefined;
  if (bindings.length === 1) return candidate;
  if (candidate.kind !== "param" && (!candidate.stmt.parent || !contains(candidate.stmt.parent, use))) return undefined;
  for (const b of bindings) {
    if (b !== candidate && enclosingLoops(b.stmt).some((loop) => contains(loop, use))) return undefined;
  }
  return candidate;
}

/** All bindings are the same import, or `None` fallbacks of it (`try: import x` / `except ImportError: x = None`). */
function sameImport(bindings: Binding[]): Binding | undefined {
  const imports = bindings.filter((b) => b.kind === "import");
  if (imports.length === 0 || imports.some((b) => !b.importPath || b.importPath !== imports[0].importPath)) return undefined;
  const others = bindings.filter((b) => b.kind !== "import");
  return others.every((b) => b.kind === "assign" && b.value?.type === "none") ? imports[0] : undefined;
}

/** Loops around a node, up to its function. */
function enclosingLoops(node: PyNode): PyNode[] {
  const loops: PyNode[] = [];
  for (let p = node.parent; p && !SCOPE_NODES.has(p.type); p = p.parent) if (LOOP_TYPES.has(p.type)) loops.push(p);
  return loops;
}

const COMPREHENSIONS = new Set(["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"]);

/** Whether a comprehension around the use binds the name itself (its loop variable). */
function insideComprehensionBinding(name: string, use: PyNode, text: string): boolean {
  for (let p = use.parent; p && !SCOPE_NODES.has(p.type); p = p.parent) {
    if (!COMPREHENSIONS.has(p.type)) continue;
    for (const clause of p.children) {
      if (clause.type !== "for_in_clause") continue;
      const left = fieldChild(clause, "left");
      if (left && identifiersIn(left, text).includes(name)) return true;
    }
  }
  return false;
}

/** Every identifier in a target, in order. */
function identifiersIn(node: PyNode, text: string): string[] {
  if (node.type === "identifier") return [text.slice(node.start, node.end)];
  return namedChildren(node).flatMap((child) => identifiersIn(child, text));
}
