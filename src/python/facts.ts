/** Training facts of one Python file: optimizer constructions, their arguments and parameters, data-parallel setup. */
import type {
  ArgumentFact,
  DistributedEvidence,
  DistributedFacts,
  LrWrite,
  ModelHints,
  OptimizerSite,
  ParamGroupFact,
  ParamsFact,
  ResolvedValue,
  SchedulerFact,
  Span,
  TrainingFacts,
} from "../core/facts.js";
import { lastSegment } from "../knowledge/dotted.js";
import { optimizerByName, type OptimizerInfo } from "../knowledge/optimizers.js";
import { builtWarmupRule, isSchedulerPath, schedulerByName, warmupFrom } from "../knowledge/schedulers.js";
import { asNumber } from "../core/facts.js";
import { manualAdamUpdates } from "./manual-adam.js";
import { batchFacts, loopFacts, resumeFacts } from "./training.js";
import { isBatchLikeName, isLearningRateName, OPTIMIZER_CLASS_NAMES, TORCHRUN_ENV } from "./names.js";
import { RAY_TRAIN } from "../knowledge/training.js";
import { checkpointFacts } from "./checkpoints.js";
import { exclusive, Flows } from "./flows.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { bindingForUse, callWithSpan, importBindingsOf, isPlainString, stringBody, type FileIndex } from "./scope.js";
import { testCodeSpans } from "./test-code.js";
import { isLazyCallPath, lastName, Resolver, unknownAt, type DictModel } from "./values.js";

/** Distributed-training entry points by the last segment of their import path (and the package it must come from, when the name is shared). */
const DISTRIBUTED_CALLS = new Map<string, { kind: DistributedEvidence["kind"]; description: string; package?: string }>([
  ["DistributedDataParallel", { kind: "ddp", description: "the model is wrapped in DistributedDataParallel" }],
  ["DistributedSampler", { kind: "distributed-sampler", description: "a DistributedSampler shards the data across workers" }],
  ["init_process_group", { kind: "init-process-group", description: "a distributed process group is initialized" }],
  ["init_distributed", { kind: "init-process-group", description: "a distributed process group is initialized" }],
  ["FullyShardedDataParallel", { kind: "fsdp", description: "the model is wrapped in FullyShardedDataParallel" }],
  // torch.distributed.optim.DistributedOptimizer is RPC model parallelism, not data parallelism: only Horovod's counts.
  ["DistributedOptimizer", { kind: "horovod", description: "the optimizer is wrapped in Horovod's DistributedOptimizer", package: "horovod" }],
]);

/** Last callee segments that may name a scheduler: checked through imports only when one matches. */
const SCHEDULER_LIKE_NAME = /LR|[Ss]chedul|Restarts$/;

/** Calls that leave most of a model frozen (peft adapters, k-bit preparation), by last callee segment. */
const FREEZING_CALLS = new Set(["get_peft_model", "prepare_model_for_kbit_training", "prepare_model_for_int8_training"]);

/** Helpers that leave only adapter weights trainable: loralib's `mark_only_lora_as_trainable`, lit-llama's adapter one. */
const MARK_ONLY_TRAINABLE = /^mark_only_\w+_as_trainable$/;

/** Packages whose use means only adapter weights train. */
const ADAPTER_PACKAGES = new Set(["peft", "loralib"]);

/** A module of the project named for LoRA (`from labml_nn.lora.gpt2 import GPTModel`, `lora_layers`): its layers freeze the weights they adapt. */
const LORA_MODULE = /^(?:lora|lora_\w+|\w+_lora)$/i;

/** Receivers of `.freeze()` that are configs (yacs `cfg.freeze()`), not modules. */
const CONFIG_NAME = /cfg|conf/i;

/** Text that shows parameters were split by shape or name (biases and norms apart). */
const GROUPING_EVIDENCE = /\bndim\b|\.dim\(\)|["']bias["']|norm|no_decay|nodecay|no_wd/i;

/** What one pass over the file's calls finds: its constructions, scheduler calls, distributed calls and Ray Train calls. */
export interface CallScan {
  optimizers: OptimizerSite[];
  holders: (string | undefined)[];
  constructionCalls: PyNode[];
  schedulerCalls: { call: PyNode; canonical: string; optimizer?: PyNode }[];
  distributed: DistributedFacts;
  /** `ScalingConfig` calls and Ray Train's prepare calls, by callee name (noteRayTrain tests their paths). */
  rayCalls: { call: PyNode; last: string }[];
}

/**
 * The pass over every indexed call: a file whose scan finds no construction may build none at all, which the caller
 * tests (with the config code) before it extracts the rest of the facts from the same scan.
 */
export function scanCalls(resolver: Resolver): CallScan {
  const scan: CallScan = {
    optimizers: [],
    holders: [],
    constructionCalls: [],
    schedulerCalls: [],
    distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] },
    rayCalls: [],
  };
  const { optimizers, holders, constructionCalls, schedulerCalls, distributed } = scan;
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    if (!callee) continue;
    const last = lastName(callee, resolver.text);
    const scheduler = last ? schedulerCall(resolver, call, callee, last) : undefined;
    if (scheduler) schedulerCalls.push(scheduler);
    const mayBeOptimizer =
      callee.type === "call" ||
      (last !== undefined && (OPTIMIZER_CLASS_NAMES.has(last) || (callee.type === "identifier" && resolver.index.boundNames.has(last))));
    const path = mayBeOptimizer || (last && (DISTRIBUTED_CALLS.has(last) || last === "get_world_size")) ? resolver.pathOf(callee) : undefined;
    const info = path ? optimizerByName(path) : undefined;
    if (info) {
      const site = optimizerSite(resolver, call, callee, info, `${resolver.filePath}#${optimizers.length}`);
      const holder = holderOf(resolver, call);
      if (callee.type === "call" && isLazyCallPath(resolver.pathOf(fieldChild(callee, "function")) ?? "")) forgetConfigEdits(resolver, site, holder);
      optimizers.push(site);
      holders.push(holder);
      constructionCalls.push(call);
    }
    noteDistributedCall(resolver, call, last, path, distributed);
    if (last === "ScalingConfig" || (last && RAY_TRAIN.prepares.has(last))) scan.rayCalls.push({ call, last });
  }
  return scan;
}

/**
 * Collect every fact the rules read, in one pass over the indexed calls (`scan`, made here unless the caller made it)
 * and assignments. `manual`: the hand-written Adam updates, when the caller already looked for them.
 */
export function extractFacts(resolver: Resolver, scan = scanCalls(resolver), manual = manualAdamUpdates(resolver)): TrainingFacts {
  const { optimizers, holders, constructionCalls, schedulerCalls, distributed } = scan;
  const schedulers = schedulerCalls.map((s) => schedulerFact(resolver, s, optimizers, holders));
  noteEnvironmentReads(resolver, distributed);
  noteScaling(resolver, distributed);
  const rayWorkers = noteRayTrain(resolver, scan.rayCalls, distributed);
  for (const site of optimizers) {
    const lr = site.args.get("lr");
    if (lr && lr.how !== "keyword" && lr.value.dependsOn.length > 0) distributed.lrScaledByWorldSize.push(lr.span);
  }
  distributed.evidence.sort((a, b) => a.span.start - b.span.start);
  distributed.lrScaledByWorldSize.sort((a, b) => a.start - b.start);
  scopeEvidence(resolver, distributed, optimizers);
  const constructed = optimizers.map((site, i) => ({ site, call: constructionCalls[i], holder: holders[i] }));
  const checkpoints = checkpointFacts(resolver, constructed);
  const facts: TrainingFacts = {
    optimizers,
    distributed,
    schedulers,
    lrWrites: lrWrites(resolver),
    modelHints: modelHints(resolver),
    checkpoints,
    resume: resumeFacts(resolver, checkpoints),
    batch: rayWorkers ? { ...batchFacts(resolver), worldSize: rayWorkers } : batchFacts(resolver),
    loops: loopFacts(resolver, constructed, new Set(schedulerCalls.map((s) => s.call))),
    testCode: testCodeSpans(resolver.index),
  };
  const exclusive = exclusivePairs(resolver, constructed);
  if (exclusive.length > 0) facts.exclusive = exclusive;
  if (manual.length > 0) facts.manualAdam = manual;
  return facts;
}

/** Pairs of constructions no run builds both of (alternatives picked by a flag, or builders nothing here joins). */
function exclusivePairs(resolver: Resolver, constructed: { site: OptimizerSite; call: PyNode }[]): [string, string][] {
  // Pairs grow with the square of the count: a file with very many constructions (a test suite) is left without.
  if (constructed.length < 2 || constructed.length > 64) return [];
  const flows = Flows.of(resolver.index);
  const out: [string, string][] = [];
  for (let i = 0; i < constructed.length; i++) {
    for (let j = i + 1; j < constructed.length; j++) {
      if (exclusive(flows, constructed[i].call, constructed[j].call)) out.push([constructed[i].site.id, constructed[j].site.id]);
    }
  }
  return out;
}

/** Ties each piece of distributed evidence to the constructions in its flow (a sampler in one test is no evidence for another). */
function scopeEvidence(resolver: Resolver, distributed: DistributedFacts, optimizers: OptimizerSite[]): void {
  if (distributed.evidence.length === 0 || optimizers.length === 0) return;
  const flows = Flows.of(resolver.index);
  for (const evidence of distributed.evidence) {
    evidence.sites = optimizers.filter((site) => flows.shareFlow(evidence.span, site.span)).map((site) => site.id);
  }
}

/** A scheduler construction: a scheduler the knowledge table knows by path, or a local subclass of a torch scheduler. */
function schedulerCall(resolver: Resolver, call: PyNode, callee: PyNode, last: string): { call: PyNode; canonical: string; optimizer?: PyNode } | undefined {
  const mayBeLocalClass = callee.type === "identifier" && resolver.index.boundNames.has(last);
  if (!SCHEDULER_LIKE_NAME.test(last) && !mayBeLocalClass) return undefined;
  const target = resolver.ref(callee);
  let canonical: string | undefined;
  if (target?.kind === "path" && isSchedulerPath(target.path)) canonical = schedulerByName(target.path)?.canonical ?? target.path;
  else if (target?.kind === "class" && subclassesTorchScheduler(resolver, target.cls.node)) canonical = target.cls.name;
  if (!canonical) return undefined;
  const position = schedulerByName(canonical)?.optimizerArg ?? { position: 0, keyword: "optimizer" };
  return { call, canonical, optimizer: argumentAt(resolver, call, position.position, position.keyword) };
}

/** Whether a class defined in the file derives directly from a torch.optim.lr_scheduler class. */
function subclassesTorchScheduler(resolver: Resolver, cls: PyNode): boolean {
  const bases = fieldChild(cls, "superclasses");
  return !!bases && namedChildren(bases).some((base) => resolver.pathOf(base)?.startsWith("torch.optim.lr_scheduler.") === true);
}

/** A call's argument by position (-1: keyword only) or keyword, when no spread comes before it. */
function argumentAt(resolver: Resolver, call: PyNode, position: number, keyword: string): PyNode | undefined {
  const args = namedChildren(fieldChild(call, "arguments")!);
  const named = args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name") ?? a) === keyword);
  if (named) return fieldChild(named, "value");
  const positional = args.filter((a) => a.type !== "keyword_argument");
  if (position < 0 || positional.slice(0, position + 1).some((a) => a.type.endsWith("splat"))) return undefined;
  return positional[position];
}

/**
 * The fact for a scheduler construction, matched to the construction its optimizer argument holds (a name
 * or attribute a construction is assigned to, or the construction itself). OneCycleLR and CyclicLR replace
 * the lr of their optimizer when built, so that lr never trains and becomes unknown; when the optimizer
 * cannot be matched to one construction, they may drive any of them.
 */
function schedulerFact(
  resolver: Resolver,
  scheduler: { call: PyNode; canonical: string; optimizer?: PyNode },
  sites: OptimizerSite[],
  holders: (string | undefined)[],
): SchedulerFact {
  const node = scheduler.optimizer;
  const matched = node ? scheduledSites(resolver, node, sites, holders) : [];
  if (schedulerByName(scheduler.canonical)?.replacesLr) {
    for (const site of matched.length > 0 ? matched : sites) {
      const lr = site.args.get("lr");
      if (lr) forgetValue(site, lr);
    }
  }
  const fact: SchedulerFact = { canonical: scheduler.canonical, span: spanOf(scheduler.call) };
  if (matched.length === 1) fact.optimizerSite = matched[0].id;
  const warmup = schedulerWarmup(resolver, scheduler);
  if (warmup !== undefined) fact.warmup = warmup;
  return fact;
}

/** Whether a scheduler construction warms up, from its knowledge-table rule and the argument that rule reads. */
function schedulerWarmup(resolver: Resolver, scheduler: { call: PyNode; canonical: string }): boolean | undefined {
  const info = schedulerByName(scheduler.canonical);
  // A factory's warm-up is the named schedule's (`get_scheduler("constant", ...)` ignores `num_warmup_steps`).
  const nameNode = info?.byName && argumentAt(resolver, scheduler.call, info.byName.position, info.byName.keyword);
  const name = nameNode ? resolver.value(nameNode).value : undefined;
  const rule = builtWarmupRule(info, name?.kind === "string" ? name.value : undefined);
  if (rule?.kind !== "argument") return warmupFrom(rule, undefined, false);
  const args = namedChildren(fieldChild(scheduler.call, "arguments")!);
  if (args.some((a) => a.type.endsWith("splat"))) return undefined;
  const node = argumentAt(resolver, scheduler.call, rule.position, rule.name);
  if (!node) return warmupFrom(rule, undefined, false);
  const value = asNumber(resolver.value(node));
  return value === undefined ? undefined : warmupFrom(rule, value, true);
}

/** The constructions an optimizer expression may hold, by the binding of a name or the text of an assigned target. */
function scheduledSites(resolver: Resolver, node: PyNode, sites: OptimizerSite[], holders: (string | undefined)[]): OptimizerSite[] {
  // A helper's parameter may receive any of the file's optimizers, whatever its name.
  if (node.type === "identifier" && bindingForUse(resolver.textOf(node), node, resolver.index)?.kind === "param") return [];
  const source = definitionOf(resolver, node);
  const direct = sites.filter((site) => site.span.start === source.start && site.span.end === source.end);
  if (direct.length > 0) return direct;
  const text = resolver.textOf(node);
  return sites.filter((_site, i) => holders[i] === text);
}

/** Learning rates written into parameter groups: assignments to an `"lr"` item (`group["lr"] = lr`, `g["lr"] *= 0.1`). */
function lrWrites(resolver: Resolver): LrWrite[] {
  const writes: LrWrite[] = [];
  for (const assignment of resolver.index.assignments) {
    const target = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (target?.type !== "subscript" || !right || targetName(resolver, target) !== "lr") continue;
    const plain = assignment.type === "assignment" && right.type !== "assignment";
    const value = plain ? resolver.value(right) : unknownAt(right, []);
    const write: LrWrite = { span: spanOf(assignment), value };
    if (isWarmupRamp(resolver, assignment)) write.warmup = true;
    writes.push(write);
  }
  return writes;
}

/** Whether an lr write ramps up: it names a warm-up, or sits under a condition that does (`if step < warmup_steps:`). */
function isWarmupRamp(resolver: Resolver, assignment: PyNode): boolean {
  if (/warm/i.test(resolver.textOf(assignment))) return true;
  for (let p = assignment.parent; p && p.type !== "function_definition"; p = p.parent) {
    if (p.type === "if_statement" || p.type === "elif_clause" || p.type === "while_statement") {
      const condition = fieldChild(p, "condition");
      if (condition && /warm/i.test(resolver.textOf(condition))) return true;
    }
  }
  // Inside a helper whose name says it warms up (`def warmup_lr(optimizer, step):`).
  for (let p = assignment.parent; p; p = p.parent) {
    if (p.type === "function_definition" && /warm/i.test(resolver.textOf(fieldChild(p, "name")!))) return true;
  }
  return false;
}

/**
 * Places that freeze parameters: `requires_grad = False`, `.requires_grad_(False)`, peft adapters (a `peft_config=`
 * handed to a trainer too), `.freeze()`; and losses summed over the batch (`summedLosses`).
 */
function modelHints(resolver: Resolver): ModelHints {
  const freezes: Span[] = [];
  const summed: Span[] = [];
  for (const assignment of resolver.index.assignments) {
    const target = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (target?.type === "attribute" && lastName(target, resolver.text) === "requires_grad" && right?.type === "false") freezes.push(spanOf(assignment));
  }
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee ? lastName(callee, resolver.text) : undefined;
    if (!callee || !last) continue;
    // A trainer handed a peft config (trl's `SFTTrainer(..., peft_config=...)`) trains only the adapter it adds.
    const peft = argumentAt(resolver, call, -1, "peft_config");
    if (peft && peft.type !== "none") freezes.push(spanOf(peft.parent!));
    if (sumsOverBatch(resolver, call)) summed.push(spanOf(call));
    // peft's and loralib-style helpers freeze whatever their arguments; the other two only in the forms tested below.
    const freezesAlways = FREEZING_CALLS.has(last) || MARK_ONLY_TRAINABLE.test(last);
    if (!freezesAlways && last !== "requires_grad_" && last !== "freeze") continue;
    const args = namedChildren(fieldChild(call, "arguments")!);
    const receiver = callee.type === "attribute" ? fieldChild(callee, "object") : undefined;
    const receiverName = receiver ? lastName(receiver, resolver.text) : undefined;
    const onlyArgument = args.length === 1 ? (args[0].type === "keyword_argument" ? fieldChild(args[0], "value") : args[0]) : undefined;
    if (
      freezesAlways ||
      (last === "requires_grad_" && onlyArgument?.type === "false") ||
      (last === "freeze" && receiver && args.length === 0 && !(receiverName && CONFIG_NAME.test(receiverName)))
    ) {
      freezes.push(spanOf(call));
    }
  }
  for (const binding of importBindingsOf(resolver.index)) {
    const segments = binding.importPath?.split(".") ?? [];
    if (ADAPTER_PACKAGES.has(segments[0]) || segments.some((s) => LORA_MODULE.test(s))) freezes.push(spanOf(binding.stmt));
  }
  freezes.sort((a, b) => a.start - b.start);
  return { freezesParameters: uniqueSpans(freezes), ...(summed.length > 0 ? { summedLosses: summed } : {}) };
}

/**
 * Whether a call builds or computes a loss that is not averaged over the batch: `reduction="sum"` or `"none"` (the
 * per-sample losses, which training code then sums, as d2l does, or averages), or the old `size_average=False`.
 */
function sumsOverBatch(resolver: Resolver, call: PyNode): boolean {
  const reduction = argumentAt(resolver, call, -1, "reduction");
  if (reduction) {
    const value = resolver.value(reduction).value;
    return value.kind === "string" && (value.value === "sum" || value.value === "none");
  }
  return argumentAt(resolver, call, -1, "size_average")?.type === "false";
}

/**
 * A LazyCall construction is a config that later lines may edit (`optimizer.lr = 0.01`): the arguments written that
 * way through its holder (through any receiver when it has none) become unknown, and so does every absent one.
 */
function forgetConfigEdits(resolver: Resolver, site: OptimizerSite, holder: string | undefined): void {
  for (const assignment of resolver.index.assignments) {
    const target = fieldChild(assignment, "left");
    if (target?.type !== "attribute") continue;
    const receiver = resolver.textOf(fieldChild(target, "object")!);
    if (holder !== undefined && receiver !== holder && !receiver.startsWith(`${holder}.`)) continue;
    site.hasUnresolvedSpread = true;
    const name = lastName(target, resolver.text);
    const arg = name ? site.args.get(name) : undefined;
    if (arg) forgetValue(site, arg);
  }
}

/** Arguments made unknown after they were resolved (a scheduler replaces the lr, a config edit later): a new resolution must forget them too. */
const FORGOTTEN = new WeakMap<OptimizerSite, Set<string>>();

/** The arguments of a site whose written values never train (see `forgetValue`). */
export function forgottenArguments(site: OptimizerSite): ReadonlySet<string> {
  return FORGOTTEN.get(site) ?? new Set();
}

/** Makes an argument's value unknown where it is used, keeping its dependencies. */
export function forgetValue(site: OptimizerSite, arg: ArgumentFact): void {
  site.args.set(arg.name, { ...arg, value: { value: { kind: "unknown" }, span: arg.value.span, dependsOn: arg.value.dependsOn } });
  let names = FORGOTTEN.get(site);
  if (!names) FORGOTTEN.set(site, (names = new Set()));
  names.add(arg.name);
}

/** The spans without repeats, each kept where it first occurs. */
function uniqueSpans(spans: Span[]): Span[] {
  return [...new Map(spans.map((s) => [`${s.start}:${s.end}`, s])).values()];
}

/** The text of the target a construction is assigned to (`optimizer`, `self.opt`), if it is assigned directly. */
function holderOf(resolver: Resolver, call: PyNode): string | undefined {
  const assignment = call.parent;
  if (assignment?.type !== "assignment" || fieldChild(assignment, "right") !== call) return undefined;
  const target = fieldChild(assignment, "left");
  return target && (target.type === "identifier" || target.type === "attribute") ? resolver.textOf(target) : undefined;
}

/** A construction resolved alone, with a resolver of its own: what it reads that its file cannot tell. */
export interface ConstructionProbe {
  call: PyNode;
  /** The function the construction is made in (not in a class body or a lambda). */
  fn: PyNode | undefined;
  probe: Resolver;
}

/**
 * Resolves a construction of a file's index again with a fresh resolver that links no module, as the call-site joiner
 * does before it judges it per call site; undefined when the index has no such call or the name is not a known optimizer.
 */
export function probeConstruction(index: FileIndex, text: string, filePath: string, site: OptimizerSite): ConstructionProbe | undefined {
  const call = callWithSpan(index, site.span.start, site.span.end);
  const info = optimizerByName(site.canonical);
  if (!call || !info) return undefined;
  const probe = new Resolver(index, text, filePath);
  optimizerSite(probe, call, fieldChild(call, "function")!, info, site.id);
  return { call, fn: enclosingFunction(call), probe };
}

/**
 * Whether the call-site joiner may resolve a probed construction differently from its file's analysis: it reads the
 * parameters of its function (then each call site can tell them) or a value of a project module (then the joiner can).
 */
export function joinMayChange({ fn, probe }: ConstructionProbe): boolean {
  return (fn !== undefined && probe.paramHits.has(fn)) || probe.importHits.size > 0;
}

/** The function a node is in, when it is not in a class body or a lambda first. */
export function enclosingFunction(node: PyNode): PyNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition") return p;
    if (p.type === "class_definition" || p.type === "lambda") return undefined;
  }
  return undefined;
}

/** An optimizer construction with its arguments matched to the knowledge table's signature. */
export function optimizerSite(resolver: Resolver, call: PyNode, callee: PyNode, info: OptimizerInfo, id: string): OptimizerSite {
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
  const site: OptimizerSite = {
    id,
    canonical: info.canonical,
    span: spanOf(call),
    nameSpan: spanOf(callee),
    args,
    hasUnresolvedSpread,
    params,
    adapterData: { language: "python" },
  };
  const added = addedGroups(resolver, call);
  if (added.length > 0) site.addedGroups = added;
  return site;
}

/**
 * The groups `<holder>.add_param_group(...)` adds to the optimizer a construction builds: calls after it in the same
 * function on the name or attribute it is assigned to, with no binding of that holder in between that a run may make
 * after the construction (a binding in another branch of the same `if` is none). The group's dict is read as a
 * group of the constructor's list is; one that cannot be read (`groups[1]`, a loop variable) is open and unknown.
 */
function addedGroups(resolver: Resolver, call: PyNode): ParamGroupFact[] {
  if (!mentionsAddParamGroup(resolver)) return [];
  const holder = holderOf(resolver, call);
  if (!holder) return [];
  const fn = enclosingFunction(call);
  const flows = Flows.of(resolver.index);
  const rebinds = resolver.index.assignments.filter((a) => {
    const left = fieldChild(a, "left");
    return a.start > call.end && !!left && resolver.textOf(left) === holder && enclosingFunction(a) === fn && !exclusive(flows, a, call);
  });
  const out: ParamGroupFact[] = [];
  for (const add of resolver.index.calls) {
    if (add.start < call.end) continue;
    const callee = fieldChild(add, "function");
    const receiver = callee?.type === "attribute" ? fieldChild(callee, "object") : null;
    if (!receiver || lastName(callee!, resolver.text) !== "add_param_group" || resolver.textOf(receiver) !== holder) continue;
    if (enclosingFunction(add) !== fn) continue;
    if (exclusive(flows, call, add) || rebinds.some((a) => a.start < add.start)) continue;
    const args = namedChildren(fieldChild(add, "arguments") ?? add).filter((a) => a.type !== "comment");
    const group = args.length === 1 && args[0].type !== "list_splat" && args[0].type !== "dictionary_splat" ? (args[0].type === "keyword_argument" ? fieldChild(args[0], "value") : args[0]) : null;
    out.push(group ? groupFact(resolver, group) : { span: spanOf(add), values: new Map(), open: true });
  }
  return out;
}

/**
 * Whether the text of a resolver's index has the word `add_param_group`, tested once per index (an index is built from
 * one text): a construction is read once per probe and per call of its factory, and testing the whole file each time
 * made that cost grow with the file's length times its constructions.
 */
function mentionsAddParamGroup(resolver: Resolver): boolean {
  let found = ADD_PARAM_GROUP_MENTIONS.get(resolver.index);
  if (found === undefined) ADD_PARAM_GROUP_MENTIONS.set(resolver.index, (found = resolver.text.includes("add_param_group")));
  return found;
}
const ADD_PARAM_GROUP_MENTIONS = new WeakMap<FileIndex, boolean>();

/** The entries of an unpacked dict that nothing later changes. */
function unpackedEntries(resolver: Resolver, dict: DictModel): [string, { entry: PyNode; value: PyNode }][] {
  return [...dict.entries.keys()].flatMap((key) => {
    const entry = resolver.liveEntry(dict, key);
    return entry ? [[key, entry] as [string, { entry: PyNode; value: PyNode }]] : [];
  });
}

/** What was passed as parameters: the whole model, parameter groups, or something else. */
export function paramsFact(resolver: Resolver, node: PyNode): ParamsFact {
  const span = spanOf(node);
  const source = definitionOf(resolver, node);
  const whole = isParametersCall(resolver, source, "parameters");
  const trainable = whole ? undefined : trainableParameters(resolver, source);
  if (whole || trainable) {
    const callee = fieldChild(trainable ?? source, "function")!;
    const model = fieldChild(callee, "object")!;
    if (bareTensorModule(resolver, model)) return { kind: "other", span, tensors: true };
    return { kind: "whole-model", span, model: resolver.textOf(model), ...(trainable ? { trainable: spanOf(trainable) } : {}) };
  }
  const items = source.type === "list" ? namedChildren(source) : [];
  if (items.length > 0) {
    const groups = items.filter((item) => isGroupDict(resolver, item));
    if (groups.length === 0) return handListedTensors(source) ? { kind: "other", span, tensors: true } : { kind: "other", span };
    const facts = groups.map((g) => groupFact(resolver, g));
    const complete = groups.length === items.length && facts.every((g) => !g.open);
    const byModule = complete && groups.every((g) => groupTakesModule(resolver, g));
    return { kind: "groups", span, hasNoDecayGroup: groups.some((g) => groupSkipsDecay(resolver, g)), ...groupKeys(facts, complete), ...(byModule ? { byModule } : {}) };
  }
  if (source.type === "list_comprehension") {
    const body = fieldChild(source, "body");
    if (body && isGroupDict(resolver, body)) {
      return { kind: "groups", span, hasNoDecayGroup: GROUPING_EVIDENCE.test(resolver.textOf(source)), ...groupKeys([groupFact(resolver, body)], false) };
    }
  }
  if (handListedTensors(source)) return { kind: "other", span, tensors: true };
  if (node.type === "identifier" && source !== node) {
    const appended = appendedGroups(resolver, node);
    if (appended.length > 0) {
      const facts = appended.map((g) => groupFact(resolver, g));
      return { kind: "groups", span, hasNoDecayGroup: appended.some((g) => groupSkipsDecay(resolver, g)), ...groupKeys(facts, false) };
    }
  }
  return { kind: "other", span };
}

/** Methods that return the module they are called on, moved or switched (`Model().to(device)`). */
const MOVES_MODULE = new Set(["to", "cuda", "cpu", "float", "double", "half", "train", "eval", "requires_grad_"]);

/** Callees a module may call while it holds only tensors: building a parameter, or a tensor (`torch.zeros`, `torch.from_numpy`). */
function buildsOnlyTensors(path: string | undefined): boolean {
  if (path === undefined) return false;
  if (/^torch\.nn\.(?:parameter\.)?Parameter$/.test(path)) return true;
  return /^(?:torch|numpy)\.\w+$/.test(path) && !path.startsWith("torch.nn");
}

/**
 * Whether a model is an instance of a class of this file that subclasses `nn.Module` directly and holds tensors as
 * bare `nn.Parameter`s (a camera pose, a voxel grid, a texture), building no layer: its `parameters()` are tensors
 * optimized directly, like a hand-listed `[image]`. Any call in its `__init__` that is not a parameter or a tensor
 * built by torch or NumPy (a layer, another module, a helper) keeps it a network.
 */
function bareTensorModule(resolver: Resolver, model: PyNode): boolean {
  // The construction the name is bound to, through `.to(device)`, `.cuda()` and the like.
  let built = definitionOf(resolver, model);
  for (;;) {
    const callee = built.type === "call" ? fieldChild(built, "function") : undefined;
    const object = callee?.type === "attribute" ? fieldChild(callee, "object") : undefined;
    if (!object || !MOVES_MODULE.has(lastName(callee!, resolver.text) ?? "")) break;
    built = object;
  }
  const ref = built.type === "call" ? resolver.ref(fieldChild(built, "function")) : null;
  if (ref?.kind !== "class" || resolver.classModel(ref.cls.node) !== ref.cls) return false;
  const bases = fieldChild(ref.cls.node, "superclasses");
  const baseList = bases ? namedChildren(bases) : [];
  if (baseList.length !== 1 || resolver.pathOf(baseList[0]) !== "torch.nn.Module") return false;
  if (!ref.cls.init) return false;
  let parameters = 0;
  const pending = [ref.cls.init];
  while (pending.length > 0) {
    const node = pending.pop()!;
    if (node.type === "call") {
      const path = resolver.pathOf(fieldChild(node, "function"));
      const callee = fieldChild(node, "function");
      const method = callee?.type === "attribute" ? lastName(callee, resolver.text) : undefined;
      if (path !== undefined && /^torch\.nn\.(?:parameter\.)?Parameter$/.test(path)) parameters++;
      // `super().__init__()` and tensor methods (`.float()`, `.clone()`) on what the class holds build nothing.
      else if (!buildsOnlyTensors(path) && !(path === undefined && method !== undefined) && resolver.textOf(callee!) !== "super") return false;
    }
    pending.push(...node.children);
  }
  return parameters > 0;
}

/** A list or tuple of tensors named one by one (`[image]`, `(w, b)`), alone or concatenated with more (`[latent] + noise`). */
function handListedTensors(node: PyNode): boolean {
  if (node.type === "binary_operator" && fieldChild(node, "operator")?.type === "+") {
    return [fieldChild(node, "left"), fieldChild(node, "right")].some((side) => !!side && handListedTensors(side));
  }
  if (node.type !== "list" && node.type !== "tuple") return false;
  const items = namedChildren(node);
  return items.length > 0 && items.every((item) => item.type === "identifier" || item.type === "attribute" || item.type === "subscript");
}

/** A parameter-group dict's written keys and their values (the parameters themselves left out). */
function groupFact(resolver: Resolver, group: PyNode): ParamGroupFact {
  const target = resolver.ref(group);
  const values = new Map<string, ResolvedValue>();
  if (target?.kind !== "dict") return { span: spanOf(group), values, open: true };
  for (const [key, entry] of target.dict.entries) {
    if (key !== "params") values.set(key, resolver.value(entry.value));
  }
  return { span: spanOf(group), values, open: target.dict.open };
}

/** The union of the groups' keys, with the groups and whether they are all of them. */
function groupKeys(groups: ParamGroupFact[], complete: boolean): { keys: string[]; groups: ParamGroupFact[]; complete: boolean } {
  const keys = [...new Set(groups.flatMap((g) => [...g.values.keys()]))].sort();
  return { keys, groups, complete };
}

/** The expression a name was bound to (one level, through a single certain binding), or the node itself. */
function definitionOf(resolver: Resolver, node: PyNode): PyNode {
  if (node.type === "parenthesized_expression") return definitionOf(resolver, namedChildren(node)[0] ?? node);
  if (node.type !== "identifier") return node;
  const binding = bindingForUse(resolver.textOf(node), node, resolver.index);
  return binding?.kind === "assign" && binding.value && binding.unpackIndex === undefined ? binding.value : node;
}

/**
 * The `<model>.parameters()` call behind a filter that keeps the trainable parameters only:
 * `filter(lambda p: p.requires_grad, model.parameters())`, `[p for p in model.parameters() if p.requires_grad]`, the
 * same as a generator or over `named_parameters()` keeping the tensor (`for n, p in ...`), or either in `list(...)` or
 * `tuple(...)`. The test drops frozen parameters and nothing else: the trainable biases and norm weights stay. A test
 * that reads anything more (a name, a shape) is not this form.
 */
function trainableParameters(resolver: Resolver, node: PyNode): PyNode | undefined {
  if (node.type === "call") {
    const argumentList = fieldChild(node, "arguments");
    const path = resolver.pathOf(fieldChild(node, "function"));
    if (argumentList?.type === "generator_expression") return path === "builtins.list" || path === "builtins.tuple" ? trainableParameters(resolver, argumentList) : undefined;
    const args = argumentList ? namedChildren(argumentList).filter((a) => a.type !== "comment") : [];
    if ((path === "builtins.list" || path === "builtins.tuple") && args.length === 1) return trainableParameters(resolver, args[0]);
    if (path !== "builtins.filter" || args.length !== 2 || args[0].type !== "lambda") return undefined;
    const declared = fieldChild(args[0], "parameters");
    const names = declared ? namedChildren(declared) : [];
    const body = fieldChild(args[0], "body");
    const ok = names.length === 1 && names[0].type === "identifier" && !!body && isRequiresGradOf(resolver, body, resolver.textOf(names[0]));
    return ok && isParametersCall(resolver, args[1], "parameters") ? args[1] : undefined;
  }
  if (node.type !== "list_comprehension" && node.type !== "generator_expression") return undefined;
  const [body, ...clauses] = namedChildren(node).filter((c) => c.type !== "comment");
  if (clauses.length !== 2 || clauses[0].type !== "for_in_clause" || clauses[1].type !== "if_clause" || body?.type !== "identifier") return undefined;
  const target = fieldChild(clauses[0], "left");
  const iterable = fieldChild(clauses[0], "right");
  const tensor = resolver.textOf(body);
  const [test] = namedChildren(clauses[1]);
  if (!target || !iterable || !test || !isRequiresGradOf(resolver, test, tensor)) return undefined;
  if (target.type === "identifier" && resolver.textOf(target) === tensor) return isParametersCall(resolver, iterable, "parameters") ? iterable : undefined;
  const pair = target.type === "pattern_list" || target.type === "tuple_pattern" ? namedChildren(target) : [];
  const named = pair.length === 2 && pair.every((n) => n.type === "identifier") && resolver.textOf(pair[1]) === tensor && resolver.textOf(pair[0]) !== tensor;
  return named && isParametersCall(resolver, iterable, "named_parameters") ? iterable : undefined;
}

/** `<name>.requires_grad`, for the given name. */
function isRequiresGradOf(resolver: Resolver, node: PyNode, name: string): boolean {
  const object = node.type === "attribute" ? fieldChild(node, "object") : undefined;
  return object?.type === "identifier" && resolver.textOf(object) === name && lastName(node, resolver.text) === "requires_grad";
}

/** `<expr>.parameters()` or `<expr>.named_parameters()` (as `method` says) with no arguments. */
function isParametersCall(resolver: Resolver, node: PyNode, method: "parameters" | "named_parameters"): boolean {
  const callee = node.type === "call" ? fieldChild(node, "function") : undefined;
  const args = node.type === "call" ? fieldChild(node, "arguments") : undefined;
  return callee?.type === "attribute" && lastName(callee, resolver.text) === method && args?.type === "argument_list" && namedChildren(args).length === 0;
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

/**
 * A group whose parameters are a module's: `m.parameters()`, or a comprehension over `m.named_parameters()` or
 * `m.parameters()`, or `filter(lambda p: p.requires_grad, m.parameters())` (a name or `requires_grad` filter keeps
 * the part's biases and norm weights with its matrices).
 */
function groupTakesModule(resolver: Resolver, group: PyNode): boolean {
  const target = resolver.ref(group);
  const params = target?.kind === "dict" ? target.dict.entries.get("params") : undefined;
  if (!params) return false;
  const source = definitionOf(resolver, params.value);
  if (isParametersCall(resolver, source, "parameters") || trainableParameters(resolver, source)) return true;
  if (source.type !== "list_comprehension" && source.type !== "generator_expression") return false;
  const loops = namedChildren(source).filter((c) => c.type === "for_in_clause");
  const iterable = loops.length === 1 ? fieldChild(loops[0], "right") : undefined;
  if (iterable?.type !== "call" || namedChildren(fieldChild(iterable, "arguments")!).length > 0) return false;
  const callee = fieldChild(iterable, "function");
  return callee?.type === "attribute" && /^(named_)?parameters$/.test(lastName(callee, resolver.text) ?? "");
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

/** Evidence of data-parallel training from one call: a known entry point by import path, or a world-size query. */
function noteDistributedCall(resolver: Resolver, call: PyNode, last: string | undefined, path: string | undefined, out: DistributedFacts): void {
  const segment = path ? lastSegment(path) : undefined;
  const known = segment ? DISTRIBUTED_CALLS.get(segment) : undefined;
  if (known && !path!.startsWith("builtins.") && (!known.package || path!.split(".")[0] === known.package)) {
    out.evidence.push({ kind: known.kind, span: spanOf(call), description: known.description });
  } else if (last === "get_world_size" || segment === "get_world_size") {
    out.evidence.push({ kind: "world-size", span: spanOf(call), description: "the script asks for the world size" });
  }
}

/**
 * Ray Train's data parallelism (RAY_TRAIN): `prepare_model` and `prepare_data_loader` calls are evidence, and the
 * worker count the world size, only when every `ScalingConfig` of the file sets `num_workers` to one known number
 * above 1; with any other count, or none in sight, the world size is unknown and nothing is noted. A product or
 * quotient by the expression written for the count (`lr * num_workers`, with `ScalingConfig(num_workers=num_workers)`)
 * scales the lr or the batch by the world size, as `get_world_size()` does. Returns the worker count.
 */
function noteRayTrain(resolver: Resolver, calls: CallScan["rayCalls"], out: DistributedFacts): ResolvedValue | undefined {
  const configs: PyNode[] = [];
  const prepares: { call: PyNode; name: string }[] = [];
  for (const { call, last } of calls) {
    const path = resolver.pathOf(fieldChild(call, "function"));
    if (!path) continue;
    if (last === "ScalingConfig" && RAY_TRAIN.scalingConfigs.includes(path)) configs.push(call);
    else if (RAY_TRAIN.modules.some((m) => path === `${m}.${last}`)) prepares.push({ call, name: last });
  }
  if (configs.length === 0 || prepares.length === 0) return undefined;
  const counts = configs.map((call) => {
    const args = namedChildren(fieldChild(call, "arguments")!);
    if (args.some((a) => a.type.endsWith("splat"))) return undefined;
    return argumentAt(resolver, call, -1, RAY_TRAIN.workers);
  });
  const values = counts.map((node) => (node ? resolver.value(node) : undefined));
  const n = values[0] && asNumber(values[0]);
  if (n === undefined || !(n > 1) || values.some((v) => !v || asNumber(v) !== n)) return undefined;
  for (const { call, name } of prepares) {
    const known = RAY_TRAIN.prepares.get(name)!;
    const args = namedChildren(fieldChild(call, "arguments")!);
    if (args.some((a) => a.type.endsWith("splat"))) continue;
    const setting = argumentAt(resolver, call, -1, known.switch);
    const value = setting ? resolver.value(setting).value : undefined;
    if (setting && !((value?.kind === "string" || value?.kind === "bool") && known.on.includes(value.value))) continue;
    out.evidence.push({ kind: known.kind, span: spanOf(call), description: `Ray Train's ${name} ${known.does} across the ${n} workers of its ScalingConfig` });
  }
  // Scaling by the count as written: every written count is the same expression's text, or a literal.
  const written = counts.map((node) => resolver.textOf(node!));
  if (written.every((t) => t === written[0]) && !/^\d+$/.test(written[0])) {
    for (const arithmetic of [...resolver.index.binaryProducts, ...resolver.index.binaryDivisions]) {
      const operands = [fieldChild(arithmetic, "left"), fieldChild(arithmetic, "right")];
      if (!operands.some((o) => o && resolver.textOf(o) === written[0])) continue;
      const destination = destinationName(resolver, arithmetic) ?? pairKey(resolver, arithmetic);
      if (mentionsLearningRate(resolver, arithmetic) || (destination && isLearningRateName(destination))) out.lrScaledByWorldSize.push(spanOf(arithmetic));
      else if (destination && isBatchLikeName(destination) && resolver.index.binaryDivisions.includes(arithmetic)) out.batchScaledByWorldSize.push(spanOf(arithmetic));
    }
    // A product noteScaling already noted (a count that is itself a world-size read) is kept once. The list is left
    // sorted, as noteScaling leaves it; extractFacts sorts it once more after the lr arguments it adds.
    out.lrScaledByWorldSize = uniqueSpans(out.lrScaledByWorldSize.sort((a, b) => a.start - b.start));
  }
  return values[0];
}

/** The string key of the dict pair a value is (`{"lr": 0.1 * num_workers}`). */
function pairKey(resolver: Resolver, node: PyNode): string | undefined {
  let child = node;
  while (child.parent?.type === "parenthesized_expression") child = child.parent;
  const pair = child.parent?.type === "pair" && child.field === "value" ? child.parent : undefined;
  const key = pair && fieldChild(pair, "key");
  return key && isPlainString(key) ? stringBody(resolver.textOf(key)) : undefined;
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
  const loaderBatches = batchSizeArguments(resolver);
  const isBatch = (name: string | undefined): boolean => !!name && (isBatchLikeName(name) || loaderBatches.has(name));
  for (const division of resolver.index.binaryDivisions) {
    const left = fieldChild(division, "left");
    const batchLike = isBatch(left && lastName(left, resolver.text)) || isBatch(destinationName(resolver, division));
    if (batchLike && dependsOnWorld(fieldChild(division, "right"))) out.batchScaledByWorldSize.push(spanOf(division));
  }
  for (const assignment of resolver.index.assignments) {
    const target = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (!target || !right || right.type === "assignment") continue;
    const name = targetName(resolver, target);
    if (!name) continue;
    const op = assignment.type === "augmented_assignment" ? fieldChild(assignment, "operator")?.type : "=";
    if ((op === "/=" || op === "//=") && isBatch(name) && dependsOnWorld(right)) {
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
  // Scaling written inline where no lr name receives it, e.g. a positional argument of a schedule helper.
  for (const arithmetic of [...resolver.index.binaryProducts, ...resolver.index.binaryDivisions]) {
    if (isInsideArithmetic(arithmetic) || !mentionsLearningRate(resolver, arithmetic)) continue;
    const span = spanOf(arithmetic);
    if (out.lrScaledByWorldSize.some((s) => s.start <= span.start && span.end <= s.end)) continue;
    if (resolver.value(arithmetic).dependsOn.length > 0) out.lrScaledByWorldSize.push(span);
  }
  out.batchScaledByWorldSize.sort((a: Span, b: Span) => a.start - b.start);
  out.lrScaledByWorldSize = uniqueSpans(out.lrScaledByWorldSize);
}

/** Names and attributes (by text and last segment) passed as `batch_size=` to any call, e.g. a DataLoader. */
function batchSizeArguments(resolver: Resolver): Set<string> {
  const names = new Set<string>();
  for (const named of resolver.index.namedValues) {
    const key = named.type === "keyword_argument" ? fieldChild(named, "name") : undefined;
    const value = fieldChild(named, "value");
    if (!key || !value || resolver.textOf(key) !== "batch_size") continue;
    const name = lastName(value, resolver.text);
    if (name) names.add(name);
  }
  return names;
}

/** Whether a binary expression is an operand of a larger one (through parentheses). */
function isInsideArithmetic(node: PyNode): boolean {
  let parent = node.parent;
  while (parent?.type === "parenthesized_expression") parent = parent.parent;
  return parent?.type === "binary_operator";
}

/** Whether an arithmetic expression has a learning-rate name among its operands (`args.lr * world_size / 256`). */
function mentionsLearningRate(resolver: Resolver, node: PyNode): boolean {
  if (node.type === "binary_operator") return [fieldChild(node, "left"), fieldChild(node, "right")].some((side) => !!side && mentionsLearningRate(resolver, side));
  if (node.type === "parenthesized_expression") return namedChildren(node).some((inner) => mentionsLearningRate(resolver, inner));
  const name = node.type === "identifier" || node.type === "attribute" ? lastName(node, resolver.text) : undefined;
  return !!name && isLearningRateName(name);
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
