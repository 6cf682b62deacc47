/** `set-argument` and `scale-by-world-size`: edits to one argument of an optimizer construction. */
import type { ArgumentFact, OptimizerSite, Span } from "../../core/facts.js";
import type { LiteralValue, TextEdit } from "../../core/types.js";
import { appendItem } from "./lists.js";
import { importBindings, isBindingOccurrence, nameOccurrences, sameNode, scopeEncloses, soleImport } from "./names.js";
import { preferredQuote, renderLiteral } from "./render.js";
import { codeChildren, nodeAt, spanOf, type SyntaxNode } from "./syntax.js";

/** Names that hold the number of data-parallel workers: `world_size`, `ddp_world_size`, `WORLD_SIZE`. */
const WORLD_SIZE_NAME = /^(?:[A-Za-z0-9]+_)*world_size$/i;

/** Expression kinds that `* factor` can follow without parentheses. */
const TIGHT_EXPRESSIONS = new Set([
  "identifier", "attribute", "call", "subscript", "integer", "float", "parenthesized_expression", "unary_operator",
  "list", "tuple", "dictionary", "true", "false", "none",
]);

/** Binary operators with at least the precedence of `*`, so `a / b * n` still means `(a / b) * n`. */
const TIGHT_OPERATORS = new Set(["*", "/", "//", "%", "@", "**"]);

/** The node covering exactly `span` whose parent is of type `parentType` (an argument-list item, a keyword's value). */
function childAt(root: SyntaxNode, span: Span, parentType: string): SyntaxNode | undefined {
  for (let up: SyntaxNode | null = root.descendantForIndex(span.start, span.end); up; up = up.parent) {
    if (up.startIndex !== span.start || up.endIndex !== span.end) return undefined;
    if (up.parent?.type === parentType) return up;
  }
  return undefined;
}

/** The expression an argument passes: a keyword argument's value, or the positional argument itself. */
function argumentValueNode(root: SyntaxNode, arg: ArgumentFact): SyntaxNode | undefined {
  if (arg.how === "keyword") {
    const keyword = nodeAt(root, arg.span, ["keyword_argument"]);
    return keyword?.childForFieldName("value") ?? childAt(root, arg.value.span, "keyword_argument");
  }
  if (arg.how === "positional") return childAt(root, arg.span, "argument_list") ?? childAt(root, arg.value.span, "argument_list");
  return undefined;
}

/** Whether a literal sits directly as a value in a dict display (`{"lr": 0.1}`) or a `dict(lr=0.1)` call. */
function isDictEntryValue(literal: SyntaxNode): boolean {
  const parent = literal.parent;
  if (parent?.type === "pair") return sameNode(parent.childForFieldName("value"), literal) && parent.parent?.type === "dictionary";
  if (parent?.type === "keyword_argument" && sameNode(parent.childForFieldName("value"), literal)) {
    const call = parent.parent?.parent;
    return call?.type === "call" && call.childForFieldName("function")?.text === "dict";
  }
  return false;
}

/** A keyword argument written at the call, whatever the analysis matched. */
function keywordAt(argumentList: SyntaxNode, name: string): SyntaxNode | undefined {
  return codeChildren(argumentList).find(
    (child) => child.type === "keyword_argument" && child.childForFieldName("name")?.text === name,
  );
}

/** Node types that are a value written out, not read from somewhere else. */
const LITERALS = new Set(["integer", "float", "true", "false", "none", "string", "concatenated_string", "unary_operator", "tuple", "list"]);

/**
 * The edit that gives a passed argument a new value where the value is defined: the literal at the call,
 * or, when the call reads it from elsewhere, the literal it came from (the argparse default, the constant).
 * Writing a literal over `args.lr` would leave the flag silently ignored, so that is refused when the
 * value has no single literal to change.
 */
function valueEdit(text: string, node: SyntaxNode, arg: ArgumentFact, rendered: string, onlyHere = false): TextEdit[] | string {
  if (onlyHere) return [{ span: spanOf(node), text: rendered }];
  const literal = arg.value.literalSpan;
  const atCall = literal && literal.start >= node.startIndex && literal.end <= node.endIndex;
  if (literal && !atCall) return [{ span: literal, text: rendered }];
  if (literal || LITERALS.has(node.type) || !arg.value.origin) return [{ span: spanOf(node), text: rendered }];
  return `${arg.name} is read from the ${arg.value.origin.description}, which is not a single literal to change; change it there`;
}

/** Edits that give argument `name` the literal `value`, replacing it where it is defined or adding it at the call. */
export function setArgument(
  text: string, root: SyntaxNode, call: SyntaxNode, site: OptimizerSite, name: string, value: LiteralValue, atCall = false,
): TextEdit[] | string {
  const rendered = renderLiteral(value, () => preferredQuote(root));
  const arg = site.args.get(name);
  if (arg?.how === "unpacked") {
    const literal = arg.value.literalSpan && root.namedDescendantForIndex(arg.value.literalSpan.start, arg.value.literalSpan.end);
    if (!literal || literal.startIndex !== arg.value.literalSpan!.start || literal.endIndex !== arg.value.literalSpan!.end || !isDictEntryValue(literal)) {
      return `${name} comes through \`${text.slice(arg.span.start, arg.span.end)}\` and is not a literal in a dict, so it cannot be set safely`;
    }
    return [{ span: spanOf(literal), text: rendered }];
  }
  if (arg) {
    const node = argumentValueNode(root, arg);
    if (!node) return `the ${name} argument was not found at the call`;
    return valueEdit(text, node, arg, rendered, atCall);
  }
  const argumentList = call.childForFieldName("arguments");
  if (argumentList?.type !== "argument_list") return "the call's arguments cannot be edited";
  const written = keywordAt(argumentList, name);
  if (written) return [{ span: spanOf(written.childForFieldName("value")!), text: rendered }];
  if (site.hasUnresolvedSpread) {
    return `arguments also come through unpacking that cannot be read, so adding ${name}= could pass it twice`;
  }
  return appendItem(text, argumentList, codeChildren(argumentList), `${name}=${rendered}`);
}

/** Statements of `block` that end before `node` and mention a world-size name, nearest first. */
function precedingWorldSizeStatements(text: string, block: SyntaxNode, node: SyntaxNode): SyntaxNode[] {
  const statements: SyntaxNode[] = [];
  const before = text.slice(block.startIndex, node.startIndex);
  for (const match of [...before.matchAll(/world_size/gi)].reverse()) {
    let statement = block.descendantForIndex(block.startIndex + match.index);
    while (statement.parent && !sameNode(statement.parent, block)) statement = statement.parent;
    const last = statements.at(-1);
    if (statement.endIndex <= node.startIndex && !sameNode(statement, last)) statements.push(statement);
  }
  return statements;
}

/** World-size names an assignment statement binds (`world_size = ...`, `rank, world_size = ...`). */
function assignedWorldSizeNames(statement: SyntaxNode): string[] {
  if (statement.type !== "expression_statement") return [];
  const assignment = statement.namedChildren[0];
  if (assignment?.type !== "assignment") return [];
  const left = assignment.childForFieldName("left");
  const names = left?.type === "identifier" ? [left] : (left?.namedChildren ?? []).filter((n) => n.type === "identifier");
  return names.map((n) => n.text).filter((n) => WORLD_SIZE_NAME.test(n));
}

/** World-size names among a function's parameters. */
function parameterWorldSizeNames(fn: SyntaxNode): string[] {
  const parameters = fn.childForFieldName("parameters")?.namedChildren ?? [];
  return parameters
    .map((p) => (p.type === "identifier" ? p : p.type === "typed_parameter" ? p.namedChildren[0] : p.childForFieldName("name")))
    .filter((n): n is SyntaxNode => n?.type === "identifier" && WORLD_SIZE_NAME.test(n.text))
    .map((n) => n.text);
}

/** Whether a function binds `name` anywhere in its body, making it local there. */
function bindsLocally(fn: SyntaxNode, name: string): boolean {
  return nameOccurrences(fn, name).some(isBindingOccurrence);
}

/** The nearest world-size name assigned before the call in an enclosing block, or a parameter of an enclosing function. */
function worldSizeName(text: string, call: SyntaxNode): string | undefined {
  const crossed: SyntaxNode[] = [];
  const visible = (name: string) => !crossed.some((fn) => bindsLocally(fn, name));
  for (let up = call.parent; up; up = up.parent) {
    if (up.type === "lambda") return undefined;
    if (up.type === "function_definition") {
      const name = parameterWorldSizeNames(up).find(visible);
      if (name) return name;
      crossed.push(up);
      continue;
    }
    const classBody = up.type === "block" && up.parent?.type === "class_definition";
    if ((up.type !== "block" && up.type !== "module") || (classBody && crossed.length > 0)) continue;
    for (const statement of precedingWorldSizeStatements(text, up, call)) {
      const name = assignedWorldSizeNames(statement).find(visible);
      if (name) return name;
    }
  }
  return undefined;
}

/** The worker count spelled through the file's own import of Horovod (`hvd.size()`) or torch.distributed, if any. */
function getWorldSizeCall(root: SyntaxNode, call: SyntaxNode): string | undefined {
  const bindings = importBindings(root);
  // A Horovod script may never initialize torch.distributed, so its own count comes first.
  const spellings: [string, string][] = [
    ["horovod.torch", ".size()"],
    ["torch.distributed.get_world_size", "()"],
    ["torch.distributed", ".get_world_size()"],
    ["torch", ".distributed.get_world_size()"],
  ];
  for (const [path, suffix] of spellings) {
    for (const [local, found] of bindings) {
      if (found[0].path !== path || !soleImport(root, bindings, local)) continue;
      if (found.some((b) => scopeEncloses(b.statement, call) && b.statement.endIndex <= call.startIndex)) return local + suffix;
    }
  }
  return undefined;
}

/** Edits that multiply argument `name` at the call by the file's world-size expression. */
export function scaleByWorldSize(
  text: string, root: SyntaxNode, call: SyntaxNode, site: OptimizerSite, name: string,
): TextEdit[] | string {
  const arg = site.args.get(name);
  if (!arg) return `${name} is not written at the call, so there is no value to scale there`;
  if (arg.how === "unpacked") return `${name} comes through unpacking, so it cannot be scaled at the call`;
  const node = argumentValueNode(root, arg);
  if (!node) return `the ${name} argument was not found at the call`;
  const factor = worldSizeName(text, call) ?? getWorldSizeCall(root, call);
  if (!factor) return "no world-size name or torch.distributed (or Horovod) import is visible at the call";
  const tight = node.type === "binary_operator"
    ? TIGHT_OPERATORS.has(node.childForFieldName("operator")?.type ?? "")
    : TIGHT_EXPRESSIONS.has(node.type);
  if (tight) return [{ span: { start: node.endIndex, end: node.endIndex }, text: ` * ${factor}` }];
  return [
    { span: { start: node.startIndex, end: node.startIndex }, text: "(" },
    { span: { start: node.endIndex, end: node.endIndex }, text: `) * ${factor}` },
  ];
}

