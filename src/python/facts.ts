/** Training facts of one Python file: optimizer constructions, their arguments and parameters, data-parallel setup. */
import type { ArgumentFact, DistributedEvidence, DistributedFacts, OptimizerSite, ParamsFact, Span, TrainingFacts } from "../core/facts.js";
import { optimizerByName, type OptimizerInfo } from "../knowledge/optimizers.js";
import { isBatchOrAccumulationName, isLearningRateName, OPTIMIZER_CLASS_NAMES, TORCHRUN_ENV } from "./names.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { bindingForUse, isPlainString, stringBody } from "./scope.js";
import { lastName, type DictModel, type Resolver } from "./values.js";

/** Distributed-training entry points by the last segment of their import path. */
const DISTRIBUTED_CALLS = new Map<string, { kind: DistributedEvidence["kind"]; description: string }>([
  ["DistributedDataParallel", { kind: "ddp", description: "the model is wrapped in DistributedDataParallel" }],
  ["DistributedSampler", { kind: "distributed-sampler", description: "a DistributedSampler shards the data across workers" }],
  ["init_process_group", { kind: "init-process-group", description: "a distributed process group is initialized" }],
  ["init_distributed", { kind: "init-process-group", description: "a distributed process group is initialized" }],
  ["FullyShardedDataParallel", { kind: "fsdp", description: "the model is wrapped in FullyShardedDataParallel" }],
]);

/** Schedulers that write their own learning rate into every group when constructed (last segment of the path). */
const LR_OVERWRITING_SCHEDULERS = new Set(["OneCycleLR", "CyclicLR"]);

/** Text that shows parameters were split by shape or name (biases and norms apart). */
const GROUPING_EVIDENCE = /\bndim\b|\.dim\(\)|["']bias["']|norm|no_decay|nodecay|no_wd/i;

/** Collect every fact the rules read, in one pass over the indexed calls and assignments. */
export function extractFacts(resolver: Resolver): TrainingFacts {
  const optimizers: OptimizerSite[] = [];
  const holders: (string | undefined)[] = [];
  const scheduledOptimizers: PyNode[] = [];
  const distributed: DistributedFacts = { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] };
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (!callee) continue;
    const last = lastName(callee, resolver.text);
    if (last && LR_OVERWRITING_SCHEDULERS.has(last) && resolver.pathOf(callee)?.startsWith("torch.optim.lr_scheduler.")) {
      const scheduled = schedulerOptimizerArgument(resolver, call);
      if (scheduled) scheduledOptimizers.push(scheduled);
    }
    const mayBeOptimizer =
      callee.type === "call" ||
      (last !== undefined && (OPTIMIZER_CLASS_NAMES.has(last) || (callee.type === "identifier" && resolver.index.boundNames.has(last))));
    const path = mayBeOptimizer || (last && (DISTRIBUTED_CALLS.has(last) || last === "get_world_size")) ? resolver.pathOf(callee) : undefined;
    const info = path ? optimizerByName(path) : undefined;
    if (info) {
      optimizers.push(optimizerSite(resolver, call, callee, info, optimizers.length));
      holders.push(holderOf(resolver, call));
    }
    noteDistributedCall(resolver, call, last, path, distributed);
  }
  forgetOverwrittenLearningRates(resolver, optimizers, holders, scheduledOptimizers);
  noteEnvironmentReads(resolver, distributed);
  noteScaling(resolver, distributed);
  for (const site of optimizers) {
    const lr = site.args.get("lr");
    if (lr && lr.how !== "keyword" && lr.value.dependsOn.length > 0) distributed.lrScaledByWorldSize.push(lr.span);
  }
  distributed.evidence.sort((a, b) => a.span.start - b.span.start);
  distributed.lrScaledByWorldSize.sort((a, b) => a.start - b.start);
  return { optimizers, distributed };
}

/** The optimizer a scheduler is constructed on: its first positional argument or `optimizer=`. */
function schedulerOptimizerArgument(resolver: Resolver, call: PyNode): PyNode | undefined {
  const args = namedChildren(fieldChild(call, "arguments")!);
  const first = args[0];
  if (first && first.type !== "keyword_argument" && !first.type.endsWith("splat")) return first;
  const keyword = args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name") ?? a) === "optimizer");
  return keyword ? fieldChild(keyword, "value") : undefined;
}

/** The text of the target a construction is assigned to (`optimizer`, `self.opt`), if it is assigned directly. */
function holderOf(resolver: Resolver, call: PyNode): string | undefined {
  const assignment = call.parent;
  if (assignment?.type !== "assignment" || fieldChild(assignment, "right") !== call) return undefined;
  const target = fieldChild(assignment, "left");
  return target && (target.type === "identifier" || target.type === "attribute") ? resolver.textOf(target) : undefined;
}

/**
 * A OneCycleLR or CyclicLR replaces the learning rate of its optimizer when it is built, so the `lr` given to that
 * optimizer never trains and is treated as unknown. A scheduler whose optimizer cannot be matched to one
 * construction (a helper's parameter, a name no construction is assigned to) may drive any of them.
 */
function forgetOverwrittenLearningRates(resolver: Resolver, sites: OptimizerSite[], holders: (string | undefined)[], scheduled: PyNode[]): void {
  for (const node of scheduled) {
    const text = resolver.textOf(node);
    const matched = sites.filter((site, i) => holders[i] === text || (site.span.start === node.start && site.span.end === node.end));
    for (const site of matched.length > 0 ? matched : sites) {
      const lr = site.args.get("lr");
      if (lr) site.args.set("lr", { ...lr, value: { value: { kind: "unknown" }, span: lr.value.span, dependsOn: lr.value.dependsOn } });
    }
  }
}

/** An optimizer construction with its arguments matched to the knowledge table's signature. */
function optimizerSite(resolver: Resolver, call: PyNode, callee: PyNode, info: OptimizerInfo, id: number): OptimizerSite {
  const args = new Map<string, ArgumentFact>();
  let params: ParamsFact = { kind: "missing" };
  let hasUnresolvedSpread = false;
  let positional = 0;
  let positionalKnown = true;
  const argumentList = fieldChild(call, "arguments")!;
  if (argumentList.type === "generator_expression") {
    params = { kind: "other", span: spanOf(argumentList) };
  }
  for (const arg of argumentList.type === "argument_list" ? namedChildren(argumentList) : []) {
    if (arg.type === "keyword_argument") {
      const name = fieldChild(arg, "name");
      const value = fieldChild(arg, "value");
      if (!name || !value) continue;
      const key = resolver.textOf(name);
      if (key === "params") params = paramsFact(resolver, value);
      else args.set(key, { name: key, value: resolver.value(value), span: spanOf(arg), how: "keyword" });
    } else if (arg.type === "list_splat") {
      hasUnresolvedSpread = true;
      positionalKnown = false;
      if (params.kind === "missing") params = { kind: "other", span: spanOf(arg) };
    } else if (arg.type === "dictionary_splat") {
      const spread = namedChildren(arg)[0];
      const target = spread ? resolver.ref(spread) : null;
      if (target?.kind !== "dict") {
        hasUnresolvedSpread = true;
        continue;
      }
      if (!resolver.dictIsClosed(target.dict)) hasUnresolvedSpread = true;
      for (const [key, entry] of unpackedEntries(resolver, target.dict)) {
        if (key === "params") params = paramsFact(resolver, entry.value);
        else args.set(key, { name: key, value: resolver.dictEntryValue(spread!, target.dict, key, 0), span: spanOf(arg), how: "unpacked" });
      }
    } else {
      const index = positional++;
      if (!positionalKnown) continue;
      if (index === 0) params = paramsFact(resolver, arg);
      else if (index - 1 < info.positional && index - 1 < info.signature.length) {
        const name = info.signature[index - 1];
        args.set(name, { name, value: resolver.value(arg), span: spanOf(arg), how: "positional" });
      }
    }
  }
  return {
    id,
    canonical: info.canonical,
    span: spanOf(call),
    nameSpan: spanOf(callee),
    args,
    hasUnresolvedSpread,
    params,
    adapterData: { language: "python" },
  };
}

/** The entries of an unpacked dict that nothing later changes. */
function unpackedEntries(resolver: Resolver, dict: DictModel): [string, { entry: PyNode; value: PyNode }][] {
  return [...dict.entries.keys()].flatMap((key) => {
    const entry = resolver.liveEntry(dict, key);
    return entry ? [[key, entry] as [string, { entry: PyNode; value: PyNode }]] : [];
  });
}

/** What was passed as parameters: the whole model, parameter groups, or something else. */
function paramsFact(resolver: Resolver, node: PyNode): ParamsFact {
  const span = spanOf(node);
  const source = definitionOf(resolver, node);
  if (isWholeModel(resolver, source)) {
    const callee = fieldChild(source, "function")!;
    return { kind: "whole-model", span, model: resolver.textOf(fieldChild(callee, "object")!) };
  }
  if (source.type === "list" && namedChildren(source).length > 0) {
    const groups = namedChildren(source).filter((item) => isGroupDict(resolver, item));
    if (groups.length > 0) return { kind: "groups", span, hasNoDecayGroup: groups.some((g) => groupSkipsDecay(resolver, g)) };
    return { kind: "other", span };
  }
  if (source.type === "list_comprehension") {
    const body = fieldChild(source, "body");
    if (body && isGroupDict(resolver, body)) return { kind: "groups", span, hasNoDecayGroup: GROUPING_EVIDENCE.test(resolver.textOf(source)) };
  }
  if (node.type === "identifier" && source !== node) {
    const appended = appendedGroups(resolver, node);
    if (appended.length > 0) return { kind: "groups", span, hasNoDecayGroup: appended.some((g) => groupSkipsDecay(resolver, g)) };
  }
  return { kind: "other", span };
}

/** The expression a name was bound to (one level, through a single certain binding), or the node itself. */
function definitionOf(resolver: Resolver, node: PyNode): PyNode {
  if (node.type === "parenthesized_expression") return definitionOf(resolver, namedChildren(node)[0] ?? node);
  if (node.type !== "identifier") return node;
  const binding = bindingForUse(resolver.textOf(node), node, resolver.index);
  return binding?.kind === "assign" && binding.value && binding.unpackIndex === undefined ? binding.value : node;
}

/** `<expr>.parameters()` with no arguments. */
function isWholeModel(resolver: Resolver, node: PyNode): boolean {
  if (node.type !== "call") return false;
  const callee = fieldChild(node, "function");
  const args = fieldChild(node, "arguments");
  return callee?.type === "attribute" && lastName(callee, resolver.text) === "parameters" && !!args && namedChildren(args).length === 0;
}

/** A dict literal or `dict(...)` call (a parameter group). */
function isGroupDict(resolver: Resolver, node: PyNode): boolean {
  if (node.type === "dictionary") return true;
  if (node.type !== "call") return false;
  return resolver.pathOf(fieldChild(node, "function")) === "builtins.dict";
}

/** A group with weight_decay resolved to 0, or parameters selected by shape or name. */
function groupSkipsDecay(resolver: Resolver, group: PyNode): boolean {
  const target = resolver.ref(group);
  if (target?.kind !== "dict") return false;
  const decay = target.dict.entries.get("weight_decay");
  if (decay) {
    const value = resolver.value(decay.value).value;
    if (value.kind === "number" && value.value === 0) return true;
  }
  const params = target.dict.entries.get("params");
  if (!params) return false;
  return GROUPING_EVIDENCE.test(resolver.textOf(params.value)) || GROUPING_EVIDENCE.test(resolver.textOf(definitionOf(resolver, params.value)));
}

/** Dicts appended to a list variable (`groups.append({...})`) in the same scope. */
function appendedGroups(resolver: Resolver, name: PyNode): PyNode[] {
  const text = resolver.textOf(name);
  const groups: PyNode[] = [];
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (callee?.type !== "attribute" || lastName(callee, resolver.text) !== "append") continue;
    const object = fieldChild(callee, "object");
    if (!object || resolver.textOf(object) !== text) continue;
    const [item] = namedChildren(fieldChild(call, "arguments")!);
    if (item && isGroupDict(resolver, item)) groups.push(item);
  }
  return groups;
}

function noteDistributedCall(resolver: Resolver, call: PyNode, last: string | undefined, path: string | undefined, out: DistributedFacts): void {
  const segment = path ? path.slice(path.lastIndexOf(".") + 1) : undefined;
  const known = segment ? DISTRIBUTED_CALLS.get(segment) : undefined;
  if (known && !path!.startsWith("builtins.")) {
    out.evidence.push({ kind: known.kind, span: spanOf(call), description: known.description });
  } else if (last === "get_world_size" || segment === "get_world_size") {
    out.evidence.push({ kind: "world-size", span: spanOf(call), description: "the script asks for the world size" });
  }
}

/** Reads of torchrun's environment: `os.environ["WORLD_SIZE"]`, `os.environ.get("RANK")`, `os.getenv(...)`, `"RANK" in os.environ`. */
function noteEnvironmentReads(resolver: Resolver, out: DistributedFacts): void {
  const add = (node: PyNode, key: PyNode | undefined): void => {
    const name = key && isPlainString(key) ? stringBody(resolver.textOf(key)) : undefined;
    if (name && TORCHRUN_ENV.has(name)) out.evidence.push({ kind: "torchrun-env", span: spanOf(node), description: `reads ${name}, set by torchrun` });
  };
  const isEnviron = (node: PyNode | undefined): boolean => !!node && lastName(node, resolver.text) === "environ" && resolver.pathOf(node) === "os.environ";
  for (const subscript of resolver.index.subscripts) {
    if (isEnviron(fieldChild(subscript, "value"))) add(subscript, fieldChild(subscript, "subscript"));
  }
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee ? lastName(callee, resolver.text) : undefined;
    if (last !== "get" && last !== "getenv") continue;
    const path = resolver.pathOf(callee);
    if (path === "os.environ.get" || path === "os.getenv") add(call, namedChildren(fieldChild(call, "arguments")!)[0]);
  }
  for (const comparison of resolver.index.inComparisons) {
    const [key, container] = namedChildren(comparison);
    if (isEnviron(container)) add(comparison, key);
  }
}

/** Batch sizes divided by the world size, and learning rates derived from the world or global batch size. */
function noteScaling(resolver: Resolver, out: DistributedFacts): void {
  const dependsOnWorld = (node: PyNode | undefined): boolean => !!node && resolver.value(node).dependsOn.includes("world-size");
  for (const division of resolver.index.binaryDivisions) {
    const left = fieldChild(division, "left");
    const name = (left && lastName(left, resolver.text)) ?? destinationName(resolver, division);
    if (name && isBatchOrAccumulationName(name) && dependsOnWorld(fieldChild(division, "right"))) out.batchScaledByWorldSize.push(spanOf(division));
  }
  for (const assignment of resolver.index.assignments) {
    const target = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (!target || !right || right.type === "assignment") continue;
    const name = targetName(resolver, target);
    if (!name) continue;
    const op = assignment.type === "augmented_assignment" ? fieldChild(assignment, "operator")?.type : "=";
    if ((op === "/=" || op === "//=") && isBatchOrAccumulationName(name) && dependsOnWorld(right)) {
      out.batchScaledByWorldSize.push(spanOf(assignment));
    } else if (isLearningRateName(name) && (op === "=" ? resolver.value(right).dependsOn.length > 0 : scalesLearningRate(resolver, op, right))) {
      out.lrScaledByWorldSize.push(spanOf(assignment));
    }
  }
  for (const named of resolver.index.namedValues) {
    const key = fieldChild(named, named.type === "pair" ? "key" : "name");
    const value = fieldChild(named, "value");
    const name = key && (key.type === "identifier" ? resolver.textOf(key) : isPlainString(key) ? stringBody(resolver.textOf(key)) : undefined);
    if (name && value && isLearningRateName(name) && resolver.value(value).dependsOn.length > 0) out.lrScaledByWorldSize.push(spanOf(named));
  }
  out.batchScaledByWorldSize.sort((a: Span, b: Span) => a.start - b.start);
  out.lrScaledByWorldSize = [...new Map(out.lrScaledByWorldSize.map((s) => [`${s.start}:${s.end}`, s])).values()];
}

/** Wrappers a division may sit in before it is named: `int(...)`, `max(1, ...)`, `math.ceil(...)`, parentheses. */
const NUMERIC_WRAPPERS = new Set(["int", "round", "max", "min", "ceil", "floor"]);

/** The name a division's result is given: the keyword (`batch_size=256 // world_size`) or assignment target it ends up in. */
function destinationName(resolver: Resolver, division: PyNode): string | undefined {
  let node = division;
  for (let parent = node.parent; parent; node = parent, parent = parent.parent) {
    if (parent.type === "parenthesized_expression") continue;
    if (parent.type === "argument_list" && parent.parent?.type === "call") {
      const callee = fieldChild(parent.parent, "function");
      const wrapper = callee ? lastName(callee, resolver.text) : undefined;
      if (wrapper && NUMERIC_WRAPPERS.has(wrapper)) {
        parent = parent.parent;
        continue;
      }
    }
    break;
  }
  const holder = node.parent;
  if (holder?.type === "keyword_argument") {
    const key = fieldChild(holder, "name");
    return key ? resolver.textOf(key) : undefined;
  }
  if (holder?.type === "assignment" && node.field === "right") {
    const target = fieldChild(holder, "left");
    return target ? targetName(resolver, target) : undefined;
  }
  return undefined;
}

/** `lr *= world_size` or `lr /= ...`: an augmented update by a world- or batch-size-dependent factor. */
function scalesLearningRate(resolver: Resolver, op: string | undefined, right: PyNode): boolean {
  return (op === "*=" || op === "/=" || op === "//=") && resolver.value(right).dependsOn.length > 0;
}

/** The name an assignment target writes: `lr`, `args.lr`, or the key of `group["lr"]`. */
function targetName(resolver: Resolver, target: PyNode): string | undefined {
  if (target.type === "subscript") {
    const key = fieldChild(target, "subscript");
    return key && isPlainString(key) ? stringBody(resolver.textOf(key)) : undefined;
  }
  return lastName(target, resolver.text);
}
