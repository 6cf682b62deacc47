/**
 * Test-only stand-in for the Python analysis: finds an optimizer call with tree-sitter and fills the
 * `OptimizerSite` fields the edits read, so the edit tests do not depend on the real adapter.
 */
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import Parser from "tree-sitter";
import Python from "tree-sitter-python";
import type { ArgumentFact, OptimizerSite, ResolvedValue, Span, Value } from "../../src/core/facts.js";
import type { AnalyzedFile, FixRequest, TextEdit } from "../../src/core/types.js";
import { optimizerByName } from "../../src/knowledge/index.js";

type Node = Parser.SyntaxNode;

const parser = new Parser();
parser.setLanguage(Python as unknown as Parser.Language);

/** The module node of `text`. */
export function parse(text: string): Node {
  return parser.parse(text).rootNode;
}

/** The span of a node. */
function spanOf(node: Node): Span {
  return { start: node.startIndex, end: node.endIndex };
}

/** What a literal expression evaluates to (numbers, bools, None, strings, tuples and lists of those). */
function literalValue(node: Node): Value {
  switch (node.type) {
    case "integer":
    case "float":
      return { kind: "number", value: Number(node.text.replace(/_/g, "")) };
    case "true":
      return { kind: "bool", value: true };
    case "false":
      return { kind: "bool", value: false };
    case "none":
      return { kind: "none" };
    case "string":
      return { kind: "string", value: node.text.replace(/^[a-zA-Z]*(['"]{3}|['"])([\s\S]*)\1$/, "$2") };
    case "unary_operator": {
      const inner = literalValue(node.childForFieldName("argument")!);
      const sign = node.childForFieldName("operator")!.type;
      return inner.kind === "number" && sign === "-" ? { kind: "number", value: -inner.value } : inner;
    }
    case "tuple":
    case "list":
      return { kind: "sequence", items: codeChildren(node).map(resolvedLiteral) };
    default:
      return { kind: "unknown" };
  }
}

/** Named children other than comments. */
function codeChildren(node: Node): Node[] {
  return node.namedChildren.filter((child) => child.type !== "comment");
}

/** A resolved value for an expression at its use site; literals carry their own span as `literalSpan`. */
export function resolvedLiteral(node: Node): ResolvedValue {
  const value = literalValue(node);
  return { value, span: spanOf(node), literalSpan: value.kind === "unknown" ? undefined : spanOf(node), dependsOn: [] };
}

/** The dict display a `**name` spread reads, when `name` is assigned a dict literal somewhere in the module. */
function spreadDict(root: Node, spread: Node): Node | undefined {
  const inner = spread.namedChildren[0];
  if (inner.type === "dictionary") return inner;
  if (inner.type !== "identifier") return undefined;
  const assignment = root.descendantsOfType("assignment").find(
    (a) => a.childForFieldName("left")?.text === inner.text && a.childForFieldName("right")?.type === "dictionary",
  );
  return assignment?.childForFieldName("right") ?? undefined;
}

/** How the call passes its parameters. */
function paramsFact(node: Node | undefined): OptimizerSite["params"] {
  if (!node) return { kind: "missing" };
  const fn = node.type === "call" ? node.childForFieldName("function") : null;
  if (fn?.type === "attribute" && fn.childForFieldName("attribute")!.text === "parameters") {
    return { kind: "whole-model", span: spanOf(node), model: fn.childForFieldName("object")!.text };
  }
  if (node.type === "list") {
    return { kind: "groups", span: spanOf(node), hasNoDecayGroup: /weight_decay["']\s*:\s*0/.test(node.text), keys: [], groups: [], complete: false };
  }
  return { kind: "other", span: spanOf(node) };
}

/** An optimizer site for `call`, its arguments matched to the knowledge table's signature of `canonical`. */
export function siteForCall(root: Node, call: Node, id: number | string, canonical: string): OptimizerSite {
  const info = optimizerByName(canonical);
  if (!info) throw new Error(`unknown optimizer ${canonical}`);
  const args = new Map<string, ArgumentFact>();
  let params: Node | undefined;
  let hasUnresolvedSpread = false;
  let position = 0;
  for (const arg of codeChildren(call.childForFieldName("arguments")!)) {
    if (arg.type === "keyword_argument") {
      const name = arg.childForFieldName("name")!.text;
      const value = arg.childForFieldName("value")!;
      if (name === "params") params = value;
      else args.set(name, { name, value: resolvedLiteral(value), span: spanOf(arg), how: "keyword" });
    } else if (arg.type === "dictionary_splat") {
      const dict = spreadDict(root, arg);
      if (!dict) hasUnresolvedSpread = true;
      for (const pair of dict ? codeChildren(dict) : []) {
        const key = pair.childForFieldName("key");
        if (pair.type !== "pair" || key?.type !== "string") {
          hasUnresolvedSpread = true;
          continue;
        }
        const name = key.text.slice(1, -1);
        args.set(name, { name, value: resolvedLiteral(pair.childForFieldName("value")!), span: spanOf(arg), how: "unpacked" });
      }
    } else if (arg.type === "list_splat") {
      hasUnresolvedSpread = true;
    } else if (position++ === 0) {
      params = arg;
    } else {
      const name = info.signature[position - 2];
      args.set(name, { name, value: resolvedLiteral(arg), span: spanOf(arg), how: "positional" });
    }
  }
  return {
    id: typeof id === "number" ? `<text>#${id}` : id, canonical, span: spanOf(call), nameSpan: spanOf(call.childForFieldName("function")!), args,
    hasUnresolvedSpread, params: paramsFact(params),
  };
}

/** The `occurrence`-th call (0-based) whose callee is written exactly as `callee`. */
export function findCall(root: Node, callee: string, occurrence = 0): Node {
  const calls = root.descendantsOfType("call").filter((c) => c.childForFieldName("function")!.text === callee);
  if (!calls[occurrence]) throw new Error(`no call #${occurrence} of ${callee}`);
  return calls[occurrence];
}

/** The first tuple or list display spelled exactly `literal`, as the value a swap request carries. */
export function literalNamed(root: Node, literal: string): ResolvedValue {
  const node = root.descendantsOfType(["tuple", "list", "expression_list"]).find((n) => n.text === literal);
  if (!node) throw new Error(`no literal ${literal}`);
  const items = codeChildren(node).map(resolvedLiteral);
  return { value: { kind: "sequence", items }, span: spanOf(node), literalSpan: spanOf(node), origin: { span: spanOf(node), description: "test literal", overridable: false }, dependsOn: [] };
}

/** An analyzed file with one optimizer site (id `id`) for the named call. */
export function analyzedFile(text: string, callee: string, canonical: string, id = 1, occurrence = 0): AnalyzedFile {
  const root = parse(text);
  const site = siteForCall(root, findCall(root, callee, occurrence), id, canonical);
  const facts = {
    optimizers: [site],
    distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] },
    schedulers: [],
    lrWrites: [],
    modelHints: { freezesParameters: [] },
  };
  return { text, facts, syntaxErrors: [], comments: [] };
}

/** The text with the edits applied, checking they are sorted and do not overlap. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  let out = "";
  let at = 0;
  for (const edit of edits) {
    if (edit.span.start < at) throw new Error("edits overlap or are out of order");
    out += text.slice(at, edit.span.start) + edit.text;
    at = edit.span.end;
  }
  return out + text.slice(at);
}

/** What a fixture's `# edit:` header asks for. */
export interface EditCase {
  /** The optimizer call's callee as written. */
  callee: string;
  /** Which call with that callee (0-based). */
  occurrence?: number;
  canonical: string;
  /** The request without `site` (filled in), or for swaps without `value` (found from `literal`). */
  request: Record<string, unknown> & { kind: FixRequest["kind"] };
  /** For swaps: the tuple or list text whose items are swapped. */
  literal?: string;
  /** For renames: the callee as written after the fix. */
  calleeAfter?: string;
  /** The fixture file the case comes from. */
  fixture?: string;
}

/** The `# edit: {...}` header of a fixture. */
export function editCase(text: string): EditCase {
  const header = /^# edit: (.*)$/m.exec(text);
  if (!header) throw new Error("fixture lacks an `# edit:` header");
  return JSON.parse(header[1]) as EditCase;
}

/** The analyzed file and the full request a fixture describes. */
export function fixtureRequest(text: string, spec: EditCase): { file: AnalyzedFile; request: FixRequest } {
  const file = analyzedFile(text, spec.callee, spec.canonical, 1, spec.occurrence ?? 0);
  const request = (spec.request.kind === "swap-sequence-items"
    ? { kind: "swap-sequence-items", value: literalNamed(parse(text), spec.literal!) }
    : { ...spec.request, site: "<text>#1" }) as FixRequest;
  return { file, request };
}

/** Reads a fixture file. */
export function readFixture(path: string): string {
  return readFileSync(path, "utf8");
}

const NAME_CHECK = String.raw`
import ast, builtins, json, sys

def report(source):
    tree = ast.parse(source)
    bound, loaded, imported = set(dir(builtins)), set(), {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                imported[local] = node.lineno
                bound.add(local)
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return {"undefined": sorted(loaded - bound), "unused": sorted(set(imported) - loaded)}

before, after = json.load(sys.stdin)
print(json.dumps({"before": report(before), "after": report(after)}))
`;

/** Names read but never bound, and imports never read, before and after an edit (checked by CPython's own parser). */
export function pythonNameReport(before: string, after: string): {
  before: { undefined: string[]; unused: string[] };
  after: { undefined: string[]; unused: string[] };
} {
  const run = spawnSync("/usr/bin/python3", ["-c", NAME_CHECK], { input: JSON.stringify([before, after]), encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}

/** Whether CPython compiles the text (`python3 -m py_compile`); returns the error output otherwise. */
export function pyCompileError(path: string): string | undefined {
  const run = spawnSync("/usr/bin/python3", ["-m", "py_compile", path], { encoding: "utf8" });
  return run.status === 0 ? undefined : run.stderr || "py_compile failed";
}

const TORCH_CHECK = String.raw`
import ast, json, sys
import torch

def torch_imports(source):
    """The namespace the file's torch imports build (other imports are skipped)."""
    namespace = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and all(a.name.split(".")[0] == "torch" for a in node.names):
            exec(compile(ast.Module([node], []), "<imports>", "exec"), namespace)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            exec(compile(ast.Module([node], []), "<imports>", "exec"), namespace)
    return namespace

results = []
for case in json.load(sys.stdin):
    namespace = torch_imports(case["source"])
    if case["kind"] == "class":
        cls = eval(case["callee"], namespace)
        results.append(f"{cls.__module__}.{cls.__qualname__}" if cls is eval(case["target"], {"torch": torch}) else repr(cls))
    else:
        namespace["model"] = torch.nn.Sequential(torch.nn.Embedding(10, 4), torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
        groups = eval(case["params"], namespace)
        opt = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.1)
        shapes = [[list(p.shape) for p in g["params"]] + [g["weight_decay"]] for g in opt.param_groups]
        results.append(shapes)
print(json.dumps(results))
`;

/** A question for real PyTorch about edited code: what a callee names, or what parameter groups an expression builds. */
export type TorchQuestion =
  | { kind: "class"; source: string; callee: string; target: string }
  | { kind: "groups"; source: string; params: string };

/** Answers from PyTorch (`/usr/bin/python3` has torch): the class path per callee, or each group's shapes and decay. */
export function askTorch(questions: TorchQuestion[]): unknown[] {
  const run = spawnSync("/usr/bin/python3", ["-c", TORCH_CHECK], { input: JSON.stringify(questions), encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout);
}
