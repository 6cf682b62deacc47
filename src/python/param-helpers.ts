/**
 * Helpers that hand a model's parameters to an optimizer: `Adam(get_trainable_params(model), ...)` with
 * `def get_trainable_params(model): return [p for p in model.parameters() if p.requires_grad]`. The construction
 * trains the module the call passes for the parameter whose `.parameters()` the helper returns.
 *
 * Followed only when certain: a plain function of the file (not a method, not decorated) bound once, whose every
 * `return` has a value, reading `.parameters()` or `.named_parameters()` of its own parameters (directly, or through a
 * name bound once in the helper), called with no spread.
 */
import { fieldChild, namedChildren, type PyNode } from "./parser.js";
import { bindingForUse, forEachDescendant, isPlainFunction } from "./scope.js";
import { lastName, returnStatementsOf, type Resolver } from "./values.js";

/** The arguments of a helper call that pass modules whose parameters the helper returns. */
export function helperParameterArguments(resolver: Resolver, call: PyNode, readsModule: (parametersCall: PyNode) => boolean): PyNode[] {
  const callee = fieldChild(call, "function");
  if (callee?.type !== "identifier") return [];
  const ref = resolver.ref(callee);
  const fn = ref?.kind === "function" ? ref.node : undefined;
  if (!fn || !isPlainFunction(fn)) return [];
  const declared = namedChildren(fieldChild(fn, "parameters")!);
  if (declared.some((p) => p.type !== "identifier")) return [];
  // Every `return` must have a value.
  const returns = returnStatementsOf(fn).map((r) => namedChildren(r)[0]);
  if (returns.length === 0 || returns.some((value) => !value)) return [];
  const read = new Set<PyNode>();
  for (const value of returns) {
    let root = value;
    if (value.type === "identifier") {
      const binding = bindingForUse(resolver.textOf(value), value, resolver.index);
      if (binding?.kind !== "assign" || !binding.value || binding.unpackIndex !== undefined) return [];
      root = binding.value;
    }
    forEachDescendant(root, (node) => {
      if (node.type !== "call") return;
      const method = fieldChild(node, "function");
      const object = method?.type === "attribute" ? fieldChild(method, "object") : undefined;
      const name = method && lastName(method, resolver.text);
      if (object?.type !== "identifier" || (name !== "parameters" && name !== "named_parameters") || !readsModule(node)) return;
      const binding = bindingForUse(resolver.textOf(object), object, resolver.index);
      if (binding?.kind === "param" && declared.includes(binding.stmt)) read.add(binding.stmt);
    });
  }
  if (read.size === 0) return [];
  const args = namedChildren(fieldChild(call, "arguments")!).filter((a) => a.type !== "comment");
  if (args.some((a) => a.type === "list_splat" || a.type === "dictionary_splat")) return [];
  const passed: PyNode[] = [];
  for (const param of read) {
    const name = resolver.textOf(param);
    const keyword = args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === name);
    const at = declared.indexOf(param);
    const positional = args.filter((a) => a.type !== "keyword_argument")[at];
    const value = keyword ? fieldChild(keyword, "value") : positional;
    if (value) passed.push(value);
  }
  return passed;
}
