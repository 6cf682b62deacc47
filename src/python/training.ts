/**
 * How a Python file trains: where each optimizer is stepped and for how many epochs or steps, the parts of its batch,
 * and the signs that it resumes an earlier run or fine-tunes pretrained weights.
 */
import type { BatchFacts, CheckpointFact, OptimizerSite, ResolvedValue, ResumeFacts, Span, TrainingLoopFact } from "../core/facts.js";
import { asNumber } from "../core/facts.js";
import { contains, fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { bindingForUse, callWithSpan, forEachDescendant, isPlainString, stringBody } from "./scope.js";
import { lastName, type Resolver } from "./values.js";

/** A construction with its call and the name it is assigned to. */
export interface HeldOptimizer {
  site: OptimizerSite;
  call: PyNode;
  holder: string | undefined;
}

/** Calls that take an optimizer and leave its lr alone (besides scheduler constructions, which are facts of their own and passed in). */
const LR_NEUTRAL_CALLS = new Set([
  "step", "unscale_", "update", "prepare", "initialize", "save", "zero_grad", "backward", "append", "isinstance", "print", "type", "len", "id", "setattr",
  "clip_grad_norm_", "state_dict", "load_state_dict", "load_checkpoint", "save_checkpoint", "info", "debug", "format", "log", "dict", "list", "tuple",
]);

/** Wrappers that give an optimizer layer-wise trust ratios. */
const LAYERWISE_WRAPPER = /^(?:LARC|LARS|Lars|LARSWrapper|Lamb|LAMB)$/;

/** Loop variables that count epochs, and those that count steps. */
const EPOCH_VARIABLE = /epoch/i;
const STEP_VARIABLE = /^(?:_*|i|it|itr|iter|iters|iteration|step|steps|global_step|update|updates|n|k|t|batch_idx|idx)$/i;

/** Names of gradient-accumulation settings. */
const ACCUMULATION_NAME = /^(?:gradient_accumulation_steps|grad_accum(?:_steps|ulation_steps)?|accum(?:ulation)?_steps|accumulate_grad_batches|accumulation_steps|accum_iter|update_freq)$/;

/** Text without which no name matches ACCUMULATION_NAME (the same names, unanchored). */
const ACCUMULATION_WORD = new RegExp(ACCUMULATION_NAME.source.replace(/^\^/, "").replace(/\$$/, ""));
/** Keys read back from a checkpoint that continue a run's count. */
const COUNTER_KEY = /^(?:epoch|epochs|start_epoch|step|global_step|steps|iter|iter_num|iteration|iterations|it|n_iter|num_updates|update)$/i;
/** Receivers that hold a loaded checkpoint. */
const CHECKPOINT_HOLDER = /ckpt|checkpoint|state|resume|snapshot|saved|loaded/i;
/** Conditions that choose to resume (not `load_from`: mmengine's name for loading weights alone, nor `load_from_disk`). */
const RESUME_CONDITION = /resume|restart|continue|init_from\b|from_checkpoint/i;
/** Submodules loaded on their own in fine-tuning (a backbone, an encoder). */
const SUBMODULE = /backbone|encoder|features|body|trunk|base_model|bert|transformer|vit|resnet|pretrained|feature_extractor|stem/i;
/** Module attributes replaced by a new task's head. */
const HEAD = /^(?:fc|head|heads|classifier|cls|out|output|output_layer|linear|last_linear|final|score|[a-z]\w*_(?:head|classifier|fc))$/;

/** Every loop (`for`, `while`) that encloses a node, innermost first; with `stop`, only those below the nearest node of that type. */
function enclosingFors(node: PyNode, stop?: string): PyNode[] {
  const out: PyNode[] = [];
  for (let p = node.parent; p && p.type !== stop; p = p.parent) if (p.type === "for_statement" || p.type === "while_statement") out.push(p);
  return out;
}

/** The function definition directly enclosing a node. */
function enclosingFunction(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === "function_definition") return p;
  return undefined;
}

/** `range(n)` or `range(a, b)` with known numbers: the count, with the bound's provenance. */
function rangeCount(resolver: Resolver, over: PyNode | undefined): ResolvedValue | undefined {
  if (over?.type !== "call" || resolver.textOf(fieldChild(over, "function")!) !== "range") return undefined;
  const args = namedChildren(fieldChild(over, "arguments")!);
  if (args.length === 0 || args.length > 2 || args.some((a) => a.type === "keyword_argument" || a.type.endsWith("splat"))) return undefined;
  // range(start, start + n): n passes whatever start is (a resumed epoch).
  const last = args[args.length - 1];
  if (args.length === 2 && last.type === "binary_operator" && fieldChild(last, "operator")?.type === "+" && resolver.textOf(fieldChild(last, "left")!) === resolver.textOf(args[0])) {
    const n = resolver.value(fieldChild(last, "right")!);
    const count = asNumber(n);
    return count === undefined ? undefined : { ...n, value: { kind: "number", value: count }, span: spanOf(over) };
  }
  const high = resolver.value(args[args.length - 1]);
  const low = args.length === 2 ? asNumber(resolver.value(args[0])) : 0;
  const hi = asNumber(high);
  if (hi === undefined || low === undefined) return undefined;
  return { ...high, value: { kind: "number", value: Math.max(0, hi - low) }, span: spanOf(over) };
}

/** A call as the loop facts read it: its callee's last name, its receiver's text, and each argument's value as text. */
interface CallWords {
  call: PyNode;
  last: string | undefined;
  receiver: string | undefined;
  /** One entry per argument (a keyword argument's value; undefined for a keyword without one). */
  args: (string | undefined)[];
}

/**
 * A file's calls (with a callee) by each text among `holders` that is their receiver or one of their arguments, in
 * file order: the calls a holder's loop fact can rest on, read once per file rather than once per construction. Only
 * a node as long as some holder can spell one, so most calls are passed over without reading their texts.
 */
function callsNaming(resolver: Resolver, calls: PyNode[], holders: ReadonlySet<string>): Map<string, CallWords[]> {
  const byText = new Map<string, CallWords[]>();
  if (holders.size === 0) return byText;
  const lengths = new Set([...holders].map((h) => h.length));
  const names = (node: PyNode | undefined): boolean => !!node && lengths.has(node.end - node.start) && holders.has(resolver.textOf(node));
  for (const call of calls) {
    const callee = fieldChild(call, "function");
    if (!callee) continue;
    const object = callee.type === "attribute" ? fieldChild(callee, "object") : undefined;
    const values = namedChildren(fieldChild(call, "arguments") ?? call).map((a) => (a.type === "keyword_argument" ? fieldChild(a, "value") : a));
    if (!names(object) && !values.some(names)) continue;
    const words: CallWords = {
      call,
      last: lastName(callee, resolver.text),
      receiver: object && resolver.textOf(object),
      args: values.map((value) => value && resolver.textOf(value)),
    };
    for (const text of new Set([words.receiver, ...words.args])) {
      if (text === undefined || !holders.has(text)) continue;
      const list = byText.get(text);
      if (list) list.push(words);
      else byText.set(text, [words]);
    }
  }
  return byText;
}

const callsByName = new WeakMap<PyNode[], Map<string, PyNode[]>>();

/**
 * Hands the calls by callee name read for a list of calls to a copy of that list, made for an index moved in place to a
 * text whose identifiers are all as they were (the language server's reuse after an edit inside a number).
 */
export function handOverCallsByName(from: PyNode[], to: PyNode[]): void {
  const byName = callsByName.get(from);
  if (byName) callsByName.set(to, byName);
}

/** A file's calls of a plain name (`train(...)`), by that name in file order: read once per file, not per construction. */
function callsByCalleeName(resolver: Resolver, calls: PyNode[]): Map<string, PyNode[]> {
  let byName = callsByName.get(calls);
  if (byName) return byName;
  byName = new Map();
  for (const call of calls) {
    const callee = fieldChild(call, "function");
    if (callee?.type !== "identifier") continue;
    const name = resolver.textOf(callee);
    const list = byName.get(name);
    if (list) list.push(call);
    else byName.set(name, [call]);
  }
  callsByName.set(calls, byName);
  return byName;
}

/** The loop fact for one construction that the file steps itself. */
function loopOf(
  resolver: Resolver,
  held: HeldOptimizer,
  calls: PyNode[],
  naming: Map<string, CallWords[]>,
  constructed: HeldOptimizer[],
  schedulers: ReadonlySet<PyNode>,
): TrainingLoopFact | undefined {
  const holder = held.holder;
  if (!holder) return undefined;
  const steps: PyNode[] = [];
  const opaque: Span[] = [];
  let layerwise = false;
  // A later construction bound to the same name in the same statement list (a notebook trying optimizers one after
  // another) takes the name over: the calls after it use that one.
  const own = statementOf(held.call);
  const siblings = constructed.map((c) => statementOf(c.call)).filter((s) => s !== own && s.parent === own.parent);
  const takenOverAt = Math.min(...siblings.filter((s) => s.start > own.start).map((s) => s.start));
  // Likewise the code run between an earlier such construction and this one (a notebook cell that trains the first
  // optimizer before a later cell builds the next) steps the earlier one: a call there that is not in a function
  // body, which could run later, never reaches this construction.
  // Not when a loop of the same body repeats both: its next pass may reach that code with this one still bound.
  const heldFrom = enclosingFors(own, "function_definition").length > 0 ? Infinity : Math.min(...siblings.filter((s) => s.start < own.start).map((s) => s.start));
  const runsBefore = (call: PyNode): boolean => call.start >= heldFrom && call.start < own.start && !insideDefinition(call, own.parent);
  for (const { call, last, receiver, args } of (naming.get(holder) ?? []).filter((c) => c.call.start < takenOverAt && !runsBefore(c.call))) {
    const passed = args.includes(holder);
    if (last === "step" && receiver === holder && args.length === 0) steps.push(call);
    else if (last === "step" && passed) steps.push(call); // scaler.step(optimizer)
    // A scheduler construction is no hand-over: its effect on the lr (warm-up or not, or unknown) is a fact of its own.
    else if (passed && call !== held.call && !schedulers.has(call) && !(last && LR_NEUTRAL_CALLS.has(last)) && !transparentLocalCall(resolver, call, holder)) {
      opaque.push(spanOf(call));
      if (last && LAYERWISE_WRAPPER.test(last)) layerwise = true;
    }
  }
  const fact: TrainingLoopFact = { optimizerSite: held.site.id, steppedBy: "code", steppedAt: steps.map(spanOf), opaqueUses: opaque };
  if (layerwise) fact.layerwise = true;
  if (steps.length === 0) return fact;
  // The loops around the first step call, and around the calls of the function that holds it (one level).
  const step = steps[0];
  const around = enclosingFors(step);
  const fn = enclosingFunction(step);
  // A loop that runs the construction again on each pass (it sits inside the loop, or in the function whose call the
  // loop repeats) makes a new optimizer per pass. Unless its lr is a known number, the pass may compute it
  // (`lr = base * decay**epoch`), and the loop's count is not how long one rate trains.
  const lr = held.site.args.get("lr");
  const rateMayChange = lr !== undefined && asNumber(lr.value) === undefined;
  const rebuilds = new Set<PyNode>(rateMayChange ? around.filter((loop) => contains(loop, held.call)) : []);
  if (fn) {
    const callers = callsByCalleeName(resolver, calls).get(resolver.textOf(fieldChild(fn, "name")!)) ?? [];
    // Called from one place only: its loops are the loops of the step.
    if (callers.length === 1) {
      const outer = enclosingFors(callers[0]);
      if (rateMayChange && contains(fn, held.call)) for (const loop of outer) rebuilds.add(loop);
      around.push(...outer);
    }
  }
  for (const loop of around) {
    if (rebuilds.has(loop)) continue;
    const variable = fieldChild(loop, "left");
    const name = variable?.type === "identifier" ? resolver.textOf(variable) : undefined;
    const count = rangeCount(resolver, fieldChild(loop, "right"));
    if (!name) continue;
    // An "epoch" loop with no data loop inside it steps once per pass: its count is steps (full-batch training).
    if (EPOCH_VARIABLE.test(name) && loop !== around[0]) {
      if (count && !fact.epochs) fact.epochs = count;
      continue;
    }
    // A range loop directly around the step (no data loop between) counts optimizer steps.
    if (count && (STEP_VARIABLE.test(name) || EPOCH_VARIABLE.test(name)) && loop === around[0] && !fact.steps && !fact.epochs) fact.steps = count;
  }
  return fact;
}

/**
 * Whether a call hands the optimizer to a function defined in this file that does nothing opaque with it: its body
 * passes the parameter that receives it only to calls that leave the lr alone (`optimizer.step()` is a method call,
 * not a hand-over). lr writes and schedulers inside such a function are facts of the file already.
 */
function transparentLocalCall(resolver: Resolver, call: PyNode, holder: string): boolean {
  const callee = fieldChild(call, "function");
  if (callee?.type !== "identifier") return false;
  const binding = bindingForUse(resolver.textOf(callee), callee, resolver.index);
  const fn = binding?.kind === "def" ? binding.stmt : undefined;
  if (fn?.type !== "function_definition") return false;
  const args = namedChildren(fieldChild(call, "arguments")!);
  const params = namedChildren(fieldChild(fn, "parameters")!).map((p) => (p.type === "identifier" ? resolver.textOf(p) : resolver.textOf(fieldChild(p, "name") ?? namedChildren(p)[0] ?? p)));
  let param: string | undefined;
  args.forEach((a, i) => {
    if (a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "value")!) === holder) param = resolver.textOf(fieldChild(a, "name")!);
    else if (a.type !== "keyword_argument" && resolver.textOf(a) === holder) param = params[i];
  });
  if (!param || args.some((a) => a.type.endsWith("splat"))) return false;
  // Calls inside the function that pass the parameter on must all leave the lr alone.
  return resolver.index.calls.every((inner) => {
    if (inner.start < fn.start || inner.end > fn.end) return true;
    const innerCallee = fieldChild(inner, "function");
    const name = innerCallee ? lastName(innerCallee, resolver.text) : undefined;
    const passes = namedChildren(fieldChild(inner, "arguments") ?? inner).some((a) => resolver.textOf(a.type === "keyword_argument" ? (fieldChild(a, "value") ?? a) : a) === param);
    return !passes || (!!name && LR_NEUTRAL_CALLS.has(name));
  });
}

/** Whether a node lies in a function or lambda body below `top`, code that runs only when it is called. */
function insideDefinition(node: PyNode, top: PyNode | null): boolean {
  for (let p = node.parent; p && p !== top; p = p.parent) if (p.type === "function_definition" || p.type === "lambda") return true;
  return false;
}

/** The statement that holds a node, directly in a block or the module. */
function statementOf(node: PyNode): PyNode {
  let at = node;
  while (at.parent && at.parent.type !== "block" && at.parent.type !== "module") at = at.parent;
  return at;
}

/** The loop facts of every construction assigned to a name; `schedulers` are the file's scheduler construction calls. */
export function loopFacts(resolver: Resolver, constructed: HeldOptimizer[], schedulers: ReadonlySet<PyNode>): TrainingLoopFact[] {
  const out: TrainingLoopFact[] = [];
  const holders = new Set(constructed.flatMap((held) => (held.holder === undefined ? [] : [held.holder])));
  const naming = callsNaming(resolver, resolver.index.calls, holders);
  for (const held of constructed) {
    const fact = loopOf(resolver, held, resolver.index.calls, naming, constructed.filter((c) => c !== held && c.holder === held.holder), schedulers);
    if (fact) out.push(fact);
  }
  return out;
}

/** The one value several places agree on, or undefined when they differ or none is known. */
function agreed(values: ResolvedValue[]): ResolvedValue | undefined {
  const known = values.filter((v) => asNumber(v) !== undefined);
  if (known.length === 0 || known.length !== values.length) return undefined;
  return known.every((v) => asNumber(v) === asNumber(known[0])) ? known[0] : undefined;
}

/** torch's context managers and decorators under which no gradient is recorded, so no optimizer step learns from the data. */
const NO_GRAD = new Set(["torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"]);

/** Whether an expression is `torch.no_grad()` or `torch.inference_mode()` (called, or bare as a decorator). */
function isNoGrad(resolver: Resolver, expr: PyNode | undefined): boolean {
  const callee = expr?.type === "call" ? fieldChild(expr, "function") : expr;
  return !!callee && NO_GRAD.has(resolver.pathOf(callee) ?? "");
}

/**
 * Whether a node runs with gradients off: inside a `with torch.no_grad():` (or `inference_mode`) block, or in the body
 * of a function decorated with either. The walk stops at the first function it leaves: a nested function runs with
 * whatever mode its caller has.
 */
function runsWithoutGrad(resolver: Resolver, node: PyNode): boolean {
  for (let child = node, p = node.parent; p; child = p, p = p.parent) {
    if (p.type === "with_statement" && child.field === "body") {
      const items = p.children.flatMap((c) => (c.type === "with_clause" ? namedChildren(c) : []));
      if (items.some((item) => isNoGrad(resolver, fieldChild(item, "value") ?? namedChildren(item)[0]))) return true;
    }
    if (p.type === "function_definition") {
      const decorated = p.parent?.type === "decorated_definition" ? p.parent : undefined;
      return !!decorated && namedChildren(decorated).some((d) => d.type === "decorator" && isNoGrad(resolver, namedChildren(d)[0]));
    }
  }
  return false;
}

/** A loader named for evaluation (`val_loader`, `test_dataloader`, `eval_loader`): the name's words, not a substring of one. */
const EVALUATION_LOADER = /(?:^|[._])(?:val|valid|validation|test|testing|eval|evaluation|predict|prediction|inference)(?:$|[._])/i;

/**
 * The parts of the batch the file sets: the training loader's `batch_size`, the gradient-accumulation setting. A loader
 * named for training or shuffling is the training one; without such a loader, any loader counts but those that cannot
 * feed training: one built where gradients are off (an evaluation function under `@torch.no_grad()`) or named for
 * evaluation.
 */
export function batchFacts(resolver: Resolver): BatchFacts {
  const loaders: { value: ResolvedValue; training: boolean }[] = [];
  const accumulation: ResolvedValue[] = [];
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (!callee || lastName(callee, resolver.text) !== "DataLoader") continue;
    const path = resolver.pathOf(callee);
    if (path !== "torch.utils.data.DataLoader" && path !== "torch.utils.data.dataloader.DataLoader") continue;
    const args = namedChildren(fieldChild(call, "arguments")!);
    const keyword = (name: string) => fieldChild(args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === name) ?? call, "value");
    const batch = keyword("batch_size") ?? (args[1] && args[1].type !== "keyword_argument" ? args[1] : undefined);
    if (runsWithoutGrad(resolver, call)) continue;
    if (keyword("batch_sampler") || args.some((a) => a.type.endsWith("splat"))) {
      loaders.push({ value: { value: { kind: "unknown" }, span: spanOf(call), dependsOn: [] }, training: true });
      continue;
    }
    if (!batch) continue;
    const holder = call.parent?.type === "assignment" ? resolver.textOf(fieldChild(call.parent, "left")!) : "";
    const shuffle = keyword("shuffle");
    const training = /train/i.test(holder) || (!!shuffle && shuffle.type === "true");
    if (!training && EVALUATION_LOADER.test(holder)) continue;
    loaders.push({ value: resolver.value(batch), training });
  }
  for (const named of resolver.index.namedValues) {
    const key = fieldChild(named, named.type === "pair" ? "key" : "name");
    const value = fieldChild(named, "value");
    const name = key && (key.type === "identifier" ? resolver.textOf(key) : isPlainString(key) ? stringBody(resolver.textOf(key)) : undefined);
    if (name && value && ACCUMULATION_NAME.test(name)) accumulation.push(resolver.value(value));
  }
  for (const assignment of resolver.index.assignments) {
    const left = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    const name = left ? lastName(left, resolver.text) : undefined;
    if (assignment.type === "assignment" && right && right.type !== "assignment" && name && ACCUMULATION_NAME.test(name)) accumulation.push(resolver.value(right));
  }
  // Reads of a setting by attribute (`args.gradient_accumulation_steps`, `cfg.accum_steps`): an argparse flag or config field.
  const seen = new Set<string>();
  // Such an attribute's name is in the text: without any, the walk over the whole tree finds nothing.
  const read = (node: PyNode): void => {
    if (node.type !== "attribute") return;
    const name = lastName(node, resolver.text);
    const text = name && ACCUMULATION_NAME.test(name) ? resolver.textOf(node) : undefined;
    if (text !== undefined && !seen.has(text) && !(node.parent?.type === "assignment" && node.field === "left")) {
      seen.add(text);
      accumulation.push(resolver.value(node));
    }
  };
  if (ACCUMULATION_WORD.test(resolver.text)) forEachDescendant(resolver.index.module.node, read);
  const training = loaders.filter((l) => l.training);
  const perDevice = agreed((training.length > 0 ? training : loaders).map((l) => l.value));
  const batch: BatchFacts = {};
  if (perDevice) batch.perDevice = perDevice;
  const accum = agreed(accumulation);
  if (accum) batch.accumulation = accum;
  return batch;
}

/** A subscript or `.get(...)` key read from a receiver: `checkpoint["epoch"]`, `ckpt.get("step", 0)`. */
function readKey(resolver: Resolver, node: PyNode): { receiver: PyNode; key: string } | undefined {
  let n = node;
  while (n.type === "binary_operator" || n.type === "parenthesized_expression" || (n.type === "call" && ["int", "max"].includes(resolver.textOf(fieldChild(n, "function") ?? n)))) {
    const inner = n.type === "binary_operator" ? fieldChild(n, "left") : n.type === "call" ? namedChildren(fieldChild(n, "arguments")!).at(-1) : namedChildren(n)[0];
    if (!inner) return undefined;
    n = inner;
  }
  if (n.type === "subscript") {
    const key = fieldChild(n, "subscript");
    const receiver = fieldChild(n, "value");
    return key && receiver && isPlainString(key) ? { receiver, key: stringBody(resolver.textOf(key)) } : undefined;
  }
  if (n.type === "call") {
    const callee = fieldChild(n, "function");
    const [first] = namedChildren(fieldChild(n, "arguments")!);
    if (callee?.type === "attribute" && lastName(callee, resolver.text) === "get" && first && isPlainString(first)) {
      return { receiver: fieldChild(callee, "object")!, key: stringBody(resolver.textOf(first)) };
    }
  }
  return undefined;
}

/** Whether a receiver holds a loaded checkpoint: named like one, or bound from `torch.load(...)`. */
function holdsCheckpoint(resolver: Resolver, receiver: PyNode): boolean {
  if (CHECKPOINT_HOLDER.test(resolver.textOf(receiver))) return true;
  if (receiver.type !== "identifier") return false;
  const binding = bindingForUse(resolver.textOf(receiver), receiver, resolver.index);
  const value = binding?.value;
  return value?.type === "call" && /(?:^|\.)load$/.test(resolver.pathOf(fieldChild(value, "function")) ?? "");
}

/** Names of resume settings that say not to resume (`no_resume`, `skip_resume`). */
const NEGATED_RESUME = /\b(?:no|not|skip|disable|without)_?(?:resume|restart|continue)/i;
/** Values a resume setting is compared to when it is off (`args.resume is None`, `resume == ""`). */
const OFF_VALUE = /^(?:None|False|0|""|'')$/;

/**
 * Whether a condition, when it holds, says the run resumes: it names resuming (`args.resume`, `resume_path is not
 * None`) and does not negate it (`not args.resume`, `args.resume is None`, `args.no_resume`); in `a and b` or `a or b`
 * one side that says so is enough.
 */
function saysResume(resolver: Resolver, condition: PyNode): boolean {
  if (condition.type === "parenthesized_expression") {
    const [inner] = namedChildren(condition);
    return !!inner && saysResume(resolver, inner);
  }
  if (condition.type === "not_operator") return false;
  if (condition.type === "boolean_operator") {
    const left = fieldChild(condition, "left");
    const right = fieldChild(condition, "right");
    return (!!left && saysResume(resolver, left)) || (!!right && saysResume(resolver, right));
  }
  const text = resolver.textOf(condition);
  if (!RESUME_CONDITION.test(text) || NEGATED_RESUME.test(text)) return false;
  if (condition.type === "comparison_operator") {
    const operands = namedChildren(condition);
    if (operands.length === 2) {
      const operator = resolver.text.slice(operands[0].end, operands[1].start).trim();
      const off = OFF_VALUE.test(resolver.textOf(operands[1])) || OFF_VALUE.test(resolver.textOf(operands[0]));
      if (off && (operator === "is" || operator === "==")) return false;
    }
  }
  return true;
}

/**
 * Whether a node runs only when the run resumes, from the `if` and `elif` branches it is in: in the body of one whose
 * condition says so (`saysResume`), it does (with that condition); otherwise, in the body of one that names resuming
 * only to negate it (`if not args.resume:`), or in an `elif` or `else` after one that says so, it runs when the run
 * does not resume (`false`); else nothing is known.
 */
export function resumeBranch(resolver: Resolver, node: PyNode): string | false | undefined {
  let off = false;
  for (let child = node, p = node.parent; p; child = p, p = p.parent) {
    if (p.type !== "if_statement" && p.type !== "elif_clause") continue;
    const condition = fieldChild(p, "condition");
    if (!condition || !RESUME_CONDITION.test(resolver.textOf(condition))) continue;
    const says = saysResume(resolver, condition);
    if (child.field === "consequence" && says) return resolver.textOf(condition);
    if (child.field === "consequence" || (child.field === "alternative" && says)) off = true;
  }
  return off ? false : undefined;
}

/**
 * Why a load runs only when the run resumes: a resume condition above it (`resumeBranch`), or, for a load in a function
 * of the file that no branch says runs without resuming, such a condition above a call of that function in the file
 * (one level): `name(...)` of a module-level function, `self.name(...)` of a method called in its own class.
 */
function resumeReason(resolver: Resolver, load: PyNode, runs: (call: PyNode) => boolean): string | undefined {
  const direct = resumeBranch(resolver, load);
  if (direct !== undefined) return direct === false ? undefined : `the load runs when \`${direct}\``;
  const fn = enclosingFunction(load);
  const name = fn && fieldChild(fn, "name");
  if (!fn || !name) return undefined;
  const owner = fn.parent?.type === "decorated_definition" ? fn.parent.parent : fn.parent;
  const cls = owner?.type === "block" && owner.parent?.type === "class_definition" ? owner.parent : undefined;
  if (!cls && owner?.type !== "module") return undefined;
  const found = resumingCall(resolver, resolver.textOf(name), cls, (call) => contains(fn, call) || !runs(call));
  return found && `the load runs in \`${resolver.textOf(found.callee)}()\`, called when \`${found.condition}\``;
}

/**
 * The first call of a function of the file under a resume condition, with that condition: `self.name(...)` within a
 * class when one is given, else `name(...)`. Calls `skip` accepts do not count (the name is matched first).
 */
export function resumingCall(resolver: Resolver, name: string, cls: PyNode | undefined, skip: (call: PyNode) => boolean): { callee: PyNode; condition: string } | undefined {
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (!callee) continue;
    const matches = cls ? callee.type === "attribute" && contains(cls, call) && resolver.textOf(callee) === `self.${name}` : callee.type === "identifier" && resolver.textOf(callee) === name;
    if (!matches || skip(call)) continue;
    const condition = resumeBranch(resolver, call);
    if (condition) return { callee, condition };
  }
  return undefined;
}

/** Signs of resuming and of fine-tuning, and which model loads are partial. */
export function resumeFacts(resolver: Resolver, checkpoints: CheckpointFact[], runs: (call: PyNode) => boolean = () => true): ResumeFacts {
  const evidence: ResumeFacts["evidence"] = [];
  const fineTuning: ResumeFacts["fineTuning"] = [];
  for (const assignment of resolver.index.assignments) {
    const left = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (!left || !right || right.type === "assignment") continue;
    const read = readKey(resolver, right);
    const target = lastName(left, resolver.text) ?? "";
    if (read && COUNTER_KEY.test(read.key) && /epoch|step|iter|it\b|update/i.test(target) && holdsCheckpoint(resolver, read.receiver)) {
      evidence.push({ kind: "counter", span: spanOf(assignment), description: `${target} is read back from the checkpoint's "${read.key}"` });
    }
    // A new head for a new task: `model.fc = nn.Linear(...)`. A class that builds its own head (`self.head = ...`) replaces nothing.
    const owner = left.type === "attribute" ? fieldChild(left, "object") : undefined;
    const ownHead = owner?.type === "identifier" && resolver.text.slice(owner.start, owner.end) === "self";
    if (left.type === "attribute" && !ownHead && HEAD.test(lastName(left, resolver.text) ?? "") && right.type === "call") {
      fineTuning.push({ span: spanOf(assignment), description: "a new head replaces the model's" });
    }
  }
  for (const fact of checkpoints) {
    const call = callWithSpan(resolver.index, fact.span.start, fact.span.end);
    if (!call) continue;
    if (fact.kind === "load" && fact.state === "training") {
      evidence.push({ kind: "framework", span: fact.span, description: "the run restores a whole training state" });
    }
    if (fact.kind === "load" && (fact.state === "model" || fact.state === "file")) {
      const reason = resumeReason(resolver, call, runs);
      if (reason) evidence.push({ kind: "flag", span: fact.span, description: reason });
    }
    if (fact.kind === "load" && fact.state === "model") {
      const args = namedChildren(fieldChild(call, "arguments")!);
      const strict = args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === "strict");
      const nonStrict = !!strict && fieldChild(strict, "value")?.type !== "true";
      const callee = fieldChild(call, "function")!;
      const receiver = fieldChild(callee, "object");
      const submodule = receiver?.type === "attribute" && SUBMODULE.test(lastName(receiver, resolver.text) ?? "");
      const filtered = args.some((a) => /\bfor\b|\bif\b|\.pop\(|\bdel\b/.test(resolver.textOf(definitionText(resolver, a))));
      if (nonStrict || submodule || filtered) {
        fact.partial = true;
        fineTuning.push({ span: fact.span, description: nonStrict ? "the weights load with strict=False" : submodule ? "only a submodule's weights load" : "the weights are filtered before they load" });
      }
    }
  }
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (callee && lastName(callee, resolver.text) === "from_pretrained") fineTuning.push({ span: spanOf(call), description: "pretrained weights load with from_pretrained" });
  }
  return { evidence, fineTuning };
}

/** The expression a name argument was assigned from (one level), for reading how a state dict was built. */
function definitionText(resolver: Resolver, node: PyNode): PyNode {
  if (node.type !== "identifier") return node;
  const binding = bindingForUse(resolver.textOf(node), node, resolver.index);
  return binding?.kind === "assign" && binding.value ? binding.value : node;
}
