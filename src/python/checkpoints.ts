/**
 * Checkpoint loads and saves in a Python file, and which optimizer constructions a load replaces. A load that
 * every run performs after the construction (`optimizer.load_state_dict(torch.load(path))` straight after it)
 * means the constructor's hyperparameters never train; one under `if args.resume:` leaves a fresh run that does.
 */
import type { CheckpointFact, OptimizerSite } from "../core/facts.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { forEachDescendant } from "./scope.js";
import { lastName, type Resolver } from "./values.js";

/** An optimizer construction with its call node and the name or attribute it is assigned to. */
export interface ConstructedOptimizer {
  site: OptimizerSite;
  call: PyNode;
  holder: string | undefined;
}

/** Syntax under which code runs on some runs only, below the flow that holds it. */
const CONDITIONAL = new Set([
  "if_statement",
  "try_statement",
  "for_statement",
  "while_statement",
  "match_statement",
  "conditional_expression",
  "boolean_operator",
  "function_definition",
  "lambda",
  "class_definition",
]);

/** Receivers of `load_state_dict` that hold neither a model nor an optimizer (schedulers, AMP scalers, EMA helpers). */
const OTHER_STATE = /sched|scaler|ema|swa|sampler|loader|metric/i;
/** Names that say a receiver holds an optimizer when no construction in the file is assigned to it. */
const OPTIMIZER_NAME = /^(?:optim|optimizer|opt)(?:_\w+)?$|_(?:optim|optimizer|opt)$/i;
/** Helpers that load a checkpoint into what they are given (`load_checkpoint(path, model, optimizer)`, `checkpointer.resume_or_load(...)`). */
const LOAD_HELPER = /^(?:load|resume|restore)(?:_\w+)?$|_(?:load|resume|restore)$/;
/** Whole-state restores: accelerate's `load_state`, DeepSpeed's `load_checkpoint` on an engine. */
const TRAINING_STATE_LOADS = new Set(["load_state"]);
/** Whole-state saves. */
const TRAINING_STATE_SAVES = new Set(["save_state", "save_checkpoint"]);

/** Every checkpoint load and save the file makes, and the restored state noted on the constructions it replaces. */
export function checkpointFacts(resolver: Resolver, constructed: ConstructedOptimizer[]): CheckpointFact[] {
  const facts: CheckpointFact[] = [];
  const allSites = constructed.map((c) => c.site.id);
  const torchFileCalls = mayCallTorchFileIO(resolver);
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee ? lastName(callee, resolver.text) : undefined;
    const found = callee && last ? checkpointCall(resolver, call, callee, last, constructed, allSites, torchFileCalls) : undefined;
    if (!found) continue;
    const { mayBeSkipped, ...fact } = found;
    // A load into one optimizer is judged against its construction: a condition must lie between the two.
    const skipped = (construction: PyNode): boolean => !!mayBeSkipped || conditionalBetween(call, construction, resolver.text);
    const targets = constructed.filter((c) => fact.optimizerSites.includes(c.site.id));
    if (fact.state === "optimizer" && targets.length > 0) fact.conditional = targets.every((c) => skipped(c.call));
    facts.push(fact);
    if (fact.kind !== "load") continue;
    for (const { site, call: construction } of targets) {
      if (fact.span.start < construction.end) continue;
      const conditional = fact.state === "optimizer" ? skipped(construction) : fact.conditional;
      if (!site.stateRestored || (site.stateRestored.conditional && !conditional)) site.stateRestored = { span: fact.span, conditional };
    }
  }
  // An `optimizer.state_dict()` inside a save the file shows is part of that save, not a save of its own.
  const inside = (f: CheckpointFact, o: CheckpointFact): boolean => o !== f && o.kind === "save" && o.span.start <= f.span.start && f.span.end <= o.span.end;
  return facts.filter((f) => !(f.kind === "save" && f.state === "optimizer" && facts.some((o) => inside(f, o))));
}

/**
 * Whether any callee of the file may name `torch.load` or `torch.save`, which takes resolving every callee. A resolver
 * that sees no other file (no project modules, no caller) reads a path's last segment from this file's text only: an
 * import, an attribute or a `getattr` string, each holding the word `load` or `save` (escapes are kept raw). A file
 * with neither word (a `loader` is not one) has no such call, and its callees need not be resolved for it.
 */
function mayCallTorchFileIO(resolver: Resolver): boolean {
  const { modules, frame } = resolver.context;
  return !!modules || !!frame || /\b(?:load|save)\b/.test(resolver.text);
}

/** The fact for one call, when it loads or saves training state. */
function checkpointCall(
  resolver: Resolver,
  call: PyNode,
  callee: PyNode,
  last: string,
  constructed: ConstructedOptimizer[],
  allSites: string[],
  torchFileCalls: boolean,
): (CheckpointFact & { mayBeSkipped?: boolean }) | undefined {
  const receiver = callee.type === "attribute" ? fieldChild(callee, "object") : undefined;
  // Most calls are no checkpoint call: what only a fact needs is read once one is found (a keystroke re-reads every call).
  let args: PyNode[] | undefined;
  const argumentsOf = (): PyNode[] => (args ??= namedChildren(fieldChild(call, "arguments") ?? call));
  const keyword = (name: string): PyNode | undefined => {
    const arg = argumentsOf().find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name") ?? a) === name);
    return arg && fieldChild(arg, "value");
  };
  let conditional: boolean | undefined;
  const conditionalHere = (): boolean => (conditional ??= conditionalInFlow(call, resolver.text));
  const span = spanOf(call);
  if (last === "load_state_dict" && receiver) {
    // The optimizer itself, or a wrapper built around it (`LightningOptimizer(optimizer)`) that forwards the load.
    const matched = optimizersIn(resolver, [receiver, ...builtWith(resolver, receiver)], constructed);
    const name = lastName(receiver, resolver.text) ?? "";
    if (matched.length > 0 || OPTIMIZER_NAME.test(name)) return { kind: "load", state: "optimizer", span, optimizerSites: matched, conditional: conditionalHere() };
    if (OTHER_STATE.test(name)) return undefined;
    return { kind: "load", state: "model", span, optimizerSites: [], conditional: conditionalHere() };
  }
  // `optimizer.state_dict()` outside any save the file shows: the state is taken for a writer out of sight (a dict
  // handed to a logger or checkpoint helper), so the file cannot be said to never save it.
  if (last === "state_dict" && receiver) {
    const matched = optimizersIn(resolver, [receiver], constructed);
    if (matched.length > 0 || OPTIMIZER_NAME.test(lastName(receiver, resolver.text) ?? "")) {
      return { kind: "save", state: "optimizer", span, optimizerSites: matched, conditional: conditionalHere(), includesOptimizerState: true };
    }
    return undefined;
  }
  // Lightning `trainer.fit(model, ckpt_path=...)`, HF `trainer.train(resume_from_checkpoint=...)` and old `Trainer(resume_from_checkpoint=...)`.
  const resumeArg = last === "fit" ? keyword("ckpt_path") : last === "train" || last === "Trainer" ? keyword("resume_from_checkpoint") : undefined;
  if (resumeArg) {
    const value = resolver.value(resumeArg).value;
    if (value.kind === "none" || (value.kind === "bool" && !value.value)) return undefined;
    const known = value.kind === "string" || (value.kind === "bool" && value.value);
    return { kind: "load", state: "training", span, optimizerSites: allSites, conditional: conditionalHere() || !known };
  }
  if (TRAINING_STATE_LOADS.has(last) && receiver) {
    return { kind: "load", state: "training", span, optimizerSites: allSites, conditional: conditionalHere() };
  }
  if (TRAINING_STATE_SAVES.has(last) && receiver) {
    const weightsOnly = keyword("weights_only");
    const includes = weightsOnly ? (resolver.value(weightsOnly).value.kind === "bool" ? !(resolver.value(weightsOnly).value as { value: boolean }).value : undefined) : true;
    return { kind: "save", state: "training", span, optimizerSites: includes ? allSites : [], conditional: conditionalHere(), includesOptimizerState: includes };
  }
  const path = torchFileCalls ? resolver.pathOf(callee) : undefined;
  if (path === "torch.load") return { kind: "load", state: "file", span, optimizerSites: [], conditional: conditionalHere() };
  if (path === "torch.save") return torchSave(resolver, call, argumentsOf()[0], constructed, conditionalHere());
  if (LOAD_HELPER.test(last)) {
    // A helper that is handed the optimizer (or whose receiver was built with it) restores its state.
    const given = optimizersIn(resolver, [...argumentsOf(), ...(receiver ? builtWith(resolver, receiver) : [])], constructed);
    const resume = keyword("resume");
    const skips = resume && resolver.value(resume).value.kind === "bool" && !(resolver.value(resume).value as { value: boolean }).value;
    if (given.length > 0 && !skips) {
      const mayBeSkipped = !!resume && resolver.value(resume).value.kind !== "bool";
      return { kind: "load", state: "optimizer", span, optimizerSites: given, conditional: conditionalHere() || mayBeSkipped, mayBeSkipped };
    }
  }
  return undefined;
}

/** `torch.save(obj, path)`: whether `obj` carries the state of an optimizer built in the file. */
function torchSave(resolver: Resolver, call: PyNode, obj: PyNode | undefined, constructed: ConstructedOptimizer[], conditional: boolean): CheckpointFact {
  const fact: CheckpointFact = { kind: "save", state: "file", span: spanOf(call), optimizerSites: [], conditional };
  if (!obj) return fact;
  const target = resolver.ref(obj);
  const dict = target?.kind === "dict" ? target.dict : undefined;
  const values = dict ? [...dict.entries.values()].map((e) => e.value) : obj.type === "dictionary" ? namedChildren(obj) : [obj];
  const saved = values.flatMap((value) => stateDictOwners(resolver, value));
  fact.optimizerSites = optimizersIn(resolver, saved, constructed);
  const optimizerNamed = saved.some((owner) => OPTIMIZER_NAME.test(lastName(owner, resolver.text) ?? ""));
  if (fact.optimizerSites.length > 0 || optimizerNamed) fact.includesOptimizerState = true;
  else if (dict && resolver.dictIsClosed(dict)) fact.includesOptimizerState = false;
  else if (!dict && obj.type === "call" && saved.length === 1) fact.includesOptimizerState = false;
  return fact;
}

/** The receivers of `.state_dict()` calls in an expression. */
function stateDictOwners(resolver: Resolver, node: PyNode): PyNode[] {
  const out: PyNode[] = [];
  forEachDescendant(node, (n) => {
    const callee = n.type === "call" ? fieldChild(n, "function") : undefined;
    if (callee?.type === "attribute" && lastName(callee, resolver.text) === "state_dict") out.push(fieldChild(callee, "object")!);
  });
  return out;
}

/**
 * The ids of constructions whose holder one of the expressions names: directly, as a keyword argument's value, or as
 * a value of a dict the expression is or names (Fabric's `fabric.load(path, {"optimizer": optimizer})`).
 */
function optimizersIn(resolver: Resolver, nodes: PyNode[], constructed: ConstructedOptimizer[]): string[] {
  const texts = new Set<string>();
  for (const node of nodes) {
    const value = node.type === "keyword_argument" ? (fieldChild(node, "value") ?? node) : node;
    texts.add(resolver.textOf(value));
    const target = value.type === "identifier" || value.type === "dictionary" ? resolver.ref(value) : null;
    if (target?.kind === "dict") for (const entry of target.dict.entries.values()) texts.add(resolver.textOf(entry.value));
  }
  return constructed.filter((c) => c.holder !== undefined && texts.has(c.holder)).map((c) => c.site.id);
}

/** The arguments of the call a name was assigned from (`checkpointer = Checkpointer(model, optimizer=opt)`). */
function builtWith(resolver: Resolver, receiver: PyNode): PyNode[] {
  if (receiver.type !== "identifier" && receiver.type !== "attribute") return [];
  const text = resolver.textOf(receiver);
  for (const assignment of resolver.index.assignments) {
    const left = fieldChild(assignment, "left");
    const right = fieldChild(assignment, "right");
    if (left && right?.type === "call" && resolver.textOf(left) === text) return namedChildren(fieldChild(right, "arguments") ?? right);
  }
  return [];
}

/** Whether a node makes the code under it run on some runs only; a script's `if __name__ == "__main__":` does not. */
function isConditional(node: PyNode, text: string): boolean {
  if (!CONDITIONAL.has(node.type)) return false;
  const condition = node.type === "if_statement" ? fieldChild(node, "condition") : undefined;
  return !condition || !MAIN_GUARD.test(text.slice(condition.start, condition.end));
}

const MAIN_GUARD = /^__name__\s*==\s*["']__main__["']$/;

/** Whether a call sits under a condition, loop or nested definition within its own function or module code. */
function conditionalInFlow(node: PyNode, text: string): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === "function_definition" || p.type === "lambda") return false;
    if (isConditional(p, text)) return true;
  }
  return false;
}

/** Whether, going up from a load to the code it shares with the construction, some syntax makes the load conditional. */
function conditionalBetween(load: PyNode, construction: PyNode, text: string): boolean {
  for (let p = load.parent; p; p = p.parent) {
    if (p.start <= construction.start && construction.end <= p.end) return false;
    if (isConditional(p, text)) return true;
  }
  return true;
}

