/** Which names a Python module binds by import, where each name is bound otherwise, and where it is used. */
import { ancestorOf, perModule, type SyntaxNode } from "./syntax.js";

/** A name an import statement binds. */
export interface ImportBinding {
  local: string;
  /** The dotted path the name refers to: `torch` for `import torch.optim`, `torch.optim.Adam` for `from torch.optim import Adam`. */
  path: string;
  statement: SyntaxNode;
  /** The statement's entry that binds the name (`Adam`, `Adam as Opt`, `torch.optim as O`). */
  entry: SyntaxNode;
  kind: "import" | "from";
}

const IMPORT_STATEMENTS = ["import_statement", "import_from_statement", "future_import_statement"];

/** Containers a bound name can sit in between the name and the construct that binds it. */
const TARGET_WRAPPERS = new Set([
  "pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "dictionary_splat_pattern",
  "typed_parameter", "as_pattern_target", "tuple", "list", "parenthesized_expression",
]);

/** Whether two nodes are the same node of the tree. */
export function sameNode(a: SyntaxNode | null | undefined, b: SyntaxNode | null | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.startIndex === b.startIndex && a.endIndex === b.endIndex;
}

/** The entries of an import statement (dotted names and `x as y`), without a wildcard. */
export function importEntries(statement: SyntaxNode): SyntaxNode[] {
  return statement.childrenForFieldName("name");
}

/** Every name bound by an import anywhere in the module, by local name (computed once per module; do not change it). */
export const importBindings = perModule(collectImportBindings);

function collectImportBindings(root: SyntaxNode): Map<string, ImportBinding[]> {
  const bindings = new Map<string, ImportBinding[]>();
  const add = (binding: ImportBinding) => bindings.set(binding.local, [...(bindings.get(binding.local) ?? []), binding]);
  for (const statement of importStatements(root)) {
    const from = statement.type === "import_from_statement" ? statement.childForFieldName("module_name")?.text : undefined;
    for (const entry of importEntries(statement)) {
      const dotted = entry.type === "aliased_import" ? entry.childForFieldName("name")!.text : entry.text;
      const alias = entry.type === "aliased_import" ? entry.childForFieldName("alias")!.text : undefined;
      if (from !== undefined) {
        add({ local: alias ?? dotted, path: `${from}.${dotted}`, statement, entry, kind: "from" });
      } else {
        add({ local: alias ?? dotted.split(".")[0], path: alias ? dotted : dotted.split(".")[0], statement, entry, kind: "import" });
      }
    }
  }
  return bindings;
}

/**
 * The import statements of a module, in order. Every one has the keyword `import`: the keyword's occurrences in the
 * text are looked up in the tree (a word in a comment or a string is not a keyword token), which costs far less than
 * walking the whole tree.
 */
function importStatements(root: SyntaxNode): SyntaxNode[] {
  const statements: SyntaxNode[] = [];
  const text = root.text;
  for (const match of text.matchAll(/(?<![\p{L}\p{N}_.])import(?![\p{L}\p{N}_])/gu)) {
    const start = root.startIndex + match.index;
    const keyword = root.descendantForIndex(start, start + "import".length);
    if (keyword.type !== "import" || keyword.startIndex !== start) continue;
    const statement = keyword.parent;
    // One `import` keyword per statement, so each statement is found once.
    if (statement?.type === "import_statement" || statement?.type === "import_from_statement") statements.push(statement);
  }
  return statements;
}

/** Whether an identifier is a place that binds its name (assignment target, definition, parameter, ...), not a read. */
export function isBindingOccurrence(identifier: SyntaxNode): boolean {
  let node = identifier;
  let parent = identifier.parent;
  while (parent && TARGET_WRAPPERS.has(parent.type)) {
    node = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  switch (parent.type) {
    case "function_definition":
    case "class_definition":
    case "named_expression":
    case "default_parameter":
    case "typed_default_parameter":
      return sameNode(parent.childForFieldName("name"), node);
    case "assignment":
    case "augmented_assignment":
    case "for_statement":
    case "for_in_clause":
      return sameNode(parent.childForFieldName("left"), node);
    case "as_pattern":
      return sameNode(parent.childForFieldName("alias"), node);
    case "parameters":
    case "lambda_parameters":
    case "global_statement":
    case "nonlocal_statement":
      return true;
    default:
      return false;
  }
}

/** Letters, digits and underscores: what may continue a Python identifier. */
const IDENTIFIER_CHAR = "[\\p{L}\\p{N}\\p{Mn}\\p{Mc}_]";

/** The module-wide occurrences of each name already looked up, per module. */
const moduleOccurrences = perModule(() => new Map<string, SyntaxNode[]>());
/** The module-wide occurrences of each name that bind it (`isBindingOccurrence`), per module. */
const moduleBindings = perModule(() => new Map<string, SyntaxNode[]>());

/** The occurrences of `name` in `scope` that bind it; for the whole module kept, as `nameOccurrences` is. */
function bindingOccurrences(scope: SyntaxNode, name: string): SyntaxNode[] {
  if (scope.type !== "module") return nameOccurrences(scope, name).filter(isBindingOccurrence);
  const memo = moduleBindings(scope);
  let found = memo.get(name);
  if (!found) {
    // In a tree without errors a name followed by `.` is an attribute's object, which binds nothing: such places
    // (most of a module's `torch`) need no look-up in the tree, unless the module's occurrences are known already.
    const all = moduleOccurrences(scope).get(name) ?? (scope.hasError ? nameOccurrences(scope, name) : occurrencesIn(scope, name, ATTRIBUTE_OBJECT));
    memo.set(name, (found = all.filter(isBindingOccurrence)));
  }
  return found;
}

/** What follows a name that is the object of an attribute (`torch.optim`, `torch .optim`). */
const ATTRIBUTE_OBJECT = /[ \t]*\./y;

/**
 * The types an identifier's parent can have inside an import statement of a tree without errors (the grammar's
 * node types): any other parent needs no walk up to the statements above it.
 */
const IMPORT_PARTS = new Set(["dotted_name", "aliased_import", "relative_import", ...IMPORT_STATEMENTS]);

/**
 * Identifiers spelled `name` inside `scope` that refer to a variable: not attribute names, keyword names or import
 * statements. For the whole module the answer is kept (many fixes on one file ask about the same names); do not change it.
 */
export function nameOccurrences(scope: SyntaxNode, name: string): SyntaxNode[] {
  if (scope.type !== "module") return occurrencesIn(scope, name);
  const memo = moduleOccurrences(scope);
  let found = memo.get(name);
  if (!found) memo.set(name, (found = occurrencesIn(scope, name)));
  return found;
}

/** The occurrences of `name` in `scope` (see `nameOccurrences`), but for places where `skipAfter` matches right after the name. */
function occurrencesIn(scope: SyntaxNode, name: string, skipAfter?: RegExp): SyntaxNode[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?<!${IDENTIFIER_CHAR})${escaped}(?!${IDENTIFIER_CHAR})`, "gu");
  const found: SyntaxNode[] = [];
  let hasError: boolean | undefined;
  const text = scope.text;
  for (const match of text.matchAll(pattern)) {
    if (skipAfter) {
      skipAfter.lastIndex = match.index + name.length;
      if (skipAfter.test(text)) continue;
    }
    const start = scope.startIndex + match.index;
    const identifier = scope.descendantForIndex(start, start + name.length);
    if (identifier.type !== "identifier" || identifier.startIndex !== start || identifier.endIndex !== start + name.length) continue;
    const parent = identifier.parent;
    if (parent?.type === "attribute" && sameNode(parent.childForFieldName("attribute"), identifier)) continue;
    if (parent?.type === "keyword_argument" && sameNode(parent.childForFieldName("name"), identifier)) continue;
    // Where the tree has an error, anything can sit below an import statement: walk up every time.
    if (parent && !IMPORT_PARTS.has(parent.type) && !(hasError ??= identifier.tree.rootNode.hasError)) found.push(identifier);
    else if (!ancestorOf(identifier, IMPORT_STATEMENTS)) found.push(identifier);
  }
  return found;
}

const SCOPES = ["function_definition", "lambda", "class_definition"];
const COMPREHENSIONS = ["list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"];
const ALL_SCOPES = [...SCOPES, ...COMPREHENSIONS];

/** Whether a function body declares `global name` (in the function itself, not in a nested one). */
function declaresGlobal(fn: SyntaxNode, name: string): boolean {
  return fn.descendantsOfType("global_statement").some(
    (statement) => sameNode(ancestorOf(statement, SCOPES), fn) && statement.namedChildren.some((child) => child.text === name),
  );
}

/**
 * The scope a binding occurrence (or an import statement) binds its name in: a function, lambda, class body
 * or comprehension node, or undefined for the module. A definition's own name binds around it, a walrus in
 * a comprehension binds in the enclosing function, and `global name` sends a function's bindings to the module.
 */
export function bindingScope(node: SyntaxNode, name: string): SyntaxNode | undefined {
  let scope = ancestorOf(node, ALL_SCOPES);
  if (scope && (scope.type === "function_definition" || scope.type === "class_definition") && sameNode(scope.childForFieldName("name"), node)) {
    scope = ancestorOf(scope, ALL_SCOPES);
  }
  if (node.parent?.type === "named_expression") while (scope && COMPREHENSIONS.includes(scope.type)) scope = ancestorOf(scope, ALL_SCOPES);
  if (node.parent?.type === "global_statement") return undefined;
  if (scope?.type === "function_definition" && declaresGlobal(scope, name)) return undefined;
  return scope;
}

/** Whether `name` has a binding (an import or another binding) in exactly this scope (undefined: the module). */
function bindsIn(root: SyntaxNode, name: string, scope: SyntaxNode | undefined, bindings: Map<string, ImportBinding[]>): boolean {
  const same = (other: SyntaxNode | undefined) => (scope === undefined ? other === undefined : sameNode(other, scope));
  if ((bindings.get(name) ?? []).some((b) => same(bindingScope(b.statement, name)))) return true;
  return bindingOccurrences(scope ?? root, name).some((id) => same(bindingScope(id, name)));
}

/**
 * The scope whose binding of `name` a read at `at` sees, as Python resolves it: the innermost enclosing
 * function, lambda or comprehension that binds it (a class body only for code directly in it), else the
 * module (undefined). Without `at`, the module.
 */
export function resolvingScope(root: SyntaxNode, name: string, at?: SyntaxNode, bindings = importBindings(root)): SyntaxNode | undefined {
  let first = true;
  for (let up = at?.parent; up; up = up.parent) {
    if (!ALL_SCOPES.includes(up.type)) continue;
    const skipClass = up.type === "class_definition" && !first;
    first = false;
    if (!skipClass && bindsIn(root, name, up, bindings)) return up;
  }
  return undefined;
}

/**
 * Whether anything other than an import binds `name` in the scope a read at `at` (default: module level)
 * resolves it in. Function parameters, class attributes, dataclass fields and names bound inside other
 * functions do not rebind a module-level name.
 */
export function isBoundOtherwise(root: SyntaxNode, name: string, at?: SyntaxNode): boolean {
  const scope = resolvingScope(root, name, at);
  const same = (other: SyntaxNode | undefined) => (scope === undefined ? other === undefined : sameNode(other, scope));
  return bindingOccurrences(scope ?? root, name).some((id) => same(bindingScope(id, name)));
}

/** The imports of `name` in the scope a read at `at` (default: module level) resolves it in. */
export function importsSeenAt(root: SyntaxNode, bindings: Map<string, ImportBinding[]>, name: string, at?: SyntaxNode): ImportBinding[] {
  const scope = resolvingScope(root, name, at, bindings);
  return (bindings.get(name) ?? []).filter((b) => {
    const own = bindingScope(b.statement, name);
    return scope === undefined ? own === undefined : sameNode(own, scope);
  });
}

/** The import that alone binds `name` where a read at `at` (default: module level) looks it up (repeats of the same path allowed), or undefined. */
export function soleImport(root: SyntaxNode, bindings: Map<string, ImportBinding[]>, name: string, at?: SyntaxNode): ImportBinding | undefined {
  const found = importsSeenAt(root, bindings, name, at);
  if (found.length === 0 || found.some((b) => b.path !== found[0].path) || isBoundOtherwise(root, name, at)) return undefined;
  return found[0];
}

/** Whether names a statement binds are visible at `node`: its scope (function, class body or module) encloses it. */
export function scopeEncloses(statement: SyntaxNode, node: SyntaxNode): boolean {
  const scope = ancestorOf(statement, SCOPES);
  if (!scope) return true;
  const innermost = ancestorOf(node, SCOPES);
  if (scope.type === "class_definition") return sameNode(innermost, scope);
  for (let up = node.parent; up; up = up.parent) if (sameNode(up, scope)) return true;
  return false;
}

/** Node types an `__all__` value may be built of and still be read: string displays in lists and tuples, joined with `+`. */
const LITERAL_EXPORTS = new Set(["list", "tuple", "parenthesized_expression", "binary_operator", "concatenated_string", "string", "string_start", "string_content", "string_end", "escape_sequence", "+", "(", ")", "[", "]", ",", "comment"]);

/**
 * Whether the module may export `name` through `__all__`: a statement that mentions `__all__` (assignment, `+=`,
 * `.append`, `.extend`) lists it as a string, or `__all__` is written from something other than string displays
 * (`__all__ = names`, a comprehension), so what it lists is unknown.
 */
export function exportedByAll(root: SyntaxNode, name: string): boolean {
  if (!root.text.includes("__all__")) return false;
  if (allWrittenUnknown(root)) return true;
  return root.descendantsOfType("string").some((string) => {
    const content = string.namedChildren.filter((child) => child.type === "string_content").map((child) => child.text).join("");
    if (content !== name) return false;
    const statement = ancestorOf(string, ["expression_statement"]);
    return statement !== undefined && /(^|[^\w.])__all__\b/.test(statement.text);
  });
}

/** Whether some write of `__all__` gives it a value that is not made of string displays. */
function allWrittenUnknown(root: SyntaxNode): boolean {
  const readable = (node: SyntaxNode): boolean => LITERAL_EXPORTS.has(node.type) && node.children.every(readable);
  const values: SyntaxNode[] = [];
  for (const node of root.descendantsOfType(["assignment", "augmented_assignment"])) {
    const left = node.childForFieldName("left");
    const right = node.childForFieldName("right");
    if (left?.type === "identifier" && left.text === "__all__" && right) values.push(right);
    // `__all__ = other = [...]` and a tuple target that includes it: the value is not read here.
    else if (left && left.type !== "identifier" && left.descendantsOfType("identifier").some((id) => id.text === "__all__")) return true;
  }
  for (const call of root.descendantsOfType("call")) {
    const callee = call.childForFieldName("function");
    if (callee?.type !== "attribute" || callee.childForFieldName("object")?.text !== "__all__") continue;
    const args = call.childForFieldName("arguments");
    // `__all__.insert(0, "x")` passes a position first.
    const passed = (args?.namedChildren ?? []).filter((arg) => arg.type !== "comment").slice(callee.childForFieldName("attribute")?.text === "insert" ? 1 : 0);
    values.push(...passed);
  }
  return values.some((value) => !readable(value));
}
