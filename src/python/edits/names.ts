/** Which names a Python module binds by import, where each name is bound otherwise, and where it is used. */
import { ancestorOf, type SyntaxNode } from "./syntax.js";

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

/** Every name bound by an import anywhere in the module, by local name. */
export function importBindings(root: SyntaxNode): Map<string, ImportBinding[]> {
  const bindings = new Map<string, ImportBinding[]>();
  const add = (binding: ImportBinding) => bindings.set(binding.local, [...(bindings.get(binding.local) ?? []), binding]);
  for (const statement of root.descendantsOfType(["import_statement", "import_from_statement"])) {
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

/** Identifiers spelled `name` inside `scope` that refer to a variable: not attribute names, keyword names or import statements. */
export function nameOccurrences(scope: SyntaxNode, name: string): SyntaxNode[] {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?<!${IDENTIFIER_CHAR})${escaped}(?!${IDENTIFIER_CHAR})`, "gu");
  const found: SyntaxNode[] = [];
  for (const match of scope.text.matchAll(pattern)) {
    const start = scope.startIndex + match.index;
    const identifier = scope.descendantForIndex(start, start + name.length);
    if (identifier.type !== "identifier" || identifier.startIndex !== start || identifier.endIndex !== start + name.length) continue;
    const parent = identifier.parent;
    if (parent?.type === "attribute" && sameNode(parent.childForFieldName("attribute"), identifier)) continue;
    if (parent?.type === "keyword_argument" && sameNode(parent.childForFieldName("name"), identifier)) continue;
    if (!ancestorOf(identifier, IMPORT_STATEMENTS)) found.push(identifier);
  }
  return found;
}

/** Whether anything other than an import binds `name` somewhere in the module. */
export function isBoundOtherwise(root: SyntaxNode, name: string): boolean {
  return nameOccurrences(root, name).some(isBindingOccurrence);
}

/** The import that alone binds `name` in the module (repeats of the same path allowed), or undefined. */
export function soleImport(root: SyntaxNode, bindings: Map<string, ImportBinding[]>, name: string): ImportBinding | undefined {
  const found = bindings.get(name);
  if (!found || found.some((b) => b.path !== found[0].path) || isBoundOtherwise(root, name)) return undefined;
  return found[0];
}

const SCOPES = ["function_definition", "lambda", "class_definition"];

/** Whether names a statement binds are visible at `node`: its scope (function, class body or module) encloses it. */
export function scopeEncloses(statement: SyntaxNode, node: SyntaxNode): boolean {
  const scope = ancestorOf(statement, SCOPES);
  if (!scope) return true;
  const innermost = ancestorOf(node, SCOPES);
  if (scope.type === "class_definition") return sameNode(innermost, scope);
  for (let up = node.parent; up; up = up.parent) if (sameNode(up, scope)) return true;
  return false;
}
