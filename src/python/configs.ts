/**
 * Python code that configures an optimizer without constructing one: mmengine/mmcv config files
 * (`optim_wrapper = dict(optimizer=dict(type='AdamW', ...))`), `TrainingArguments(...)` and its subclasses, and timm's
 * `create_optimizer_v2(...)`, and DeepSpeed configs passed to `deepspeed.initialize(config=...)` as dicts. Each is read into the neutral config tree and handed to the one recognizer.
 */
import type { MappingEntry, ResolvedValue, Span, TrainingFacts } from "../core/facts.js";
import { asBool } from "../core/facts.js";
import { addModelFacts, entryOf, isMapping, recognizeConfig, type ConfigContext, type ConfigFacts } from "../configs/recognize.js";
import { configTraining, mergeBatch } from "../configs/training.js";
import { namesDeepSpeedFile } from "../configs/deepspeed-files.js";
import { fieldChild, namedChildren, spanOf, type PyNode } from "./parser.js";
import { forEachDescendant } from "./scope.js";
import type { Resolver } from "./values.js";
import { lastName } from "./values.js";

/** The trl configs that extend HF's TrainingArguments, by class name. */
const TRL_CONFIG_CLASSES = ["SFTConfig", "DPOConfig", "ORPOConfig", "KTOConfig", "CPOConfig", "RewardConfig", "GRPOConfig", "GKDConfig"];

/**
 * Words without which a file has none of these: added to the words that make a file worth analyzing. Each class
 * name is a word of its own, since the words are matched whole (`TrainingArguments` is not a word of
 * `Seq2SeqTrainingArguments`).
 */
export const CONFIG_WORD_LIST: readonly string[] = ["optim_wrapper", "_base_", "TrainingArguments", "Seq2SeqTrainingArguments", ...TRL_CONFIG_CLASSES, "create_optimizer_v2", "deepspeed"];

/** Module-level names mmengine and mmcv configs give the optimizer and its schedule. */
const OPTIMIZER_KEYS = new Set(["optim_wrapper", "optimizer"]);

/** HF TrainingArguments and the trl configs that extend it. */
const TRAINING_ARGUMENTS = new Set(
  [
    "transformers.TrainingArguments", "transformers.training_args.TrainingArguments",
    "transformers.Seq2SeqTrainingArguments", "transformers.training_args_seq2seq.Seq2SeqTrainingArguments",
    ...TRL_CONFIG_CLASSES.map((c) => `trl.${c}`),
  ],
);

/**
 * mmengine's runners, by the paths they are imported from: their keyword arguments are the config a config file
 * would hold (`optim_wrapper=dict(optimizer=dict(type=SGD, ...))`, `param_scheduler`, `train_cfg`).
 */
const MMENGINE_RUNNERS = new Set(["mmengine.runner.Runner", "mmengine.runner.runner.Runner", "mmengine.runner.FlexibleRunner", "mmengine.runner._flexible_runner.FlexibleRunner"]);

/** timm's optimizer factory, by the paths it is imported from. */
const TIMM_FACTORY = new Set(["timm.optim.create_optimizer_v2", "timm.optim.optim_factory.create_optimizer_v2", "timm.optim._optim_factory.create_optimizer_v2"]);

/** `create_optimizer_v2`'s positional parameters after the model. */
const TIMM_POSITIONAL = ["opt", "lr", "weight_decay", "momentum"];

/**
 * Adds the optimizers and schedulers that Python config code sets up to the file's facts. Config trees go to `roots`;
 * TrainingArguments mappings that name a DeepSpeed config file go to `trainerArguments` (AnalyzedFile's fields).
 */
export function withConfigFacts(resolver: Resolver, facts: TrainingFacts, roots: ResolvedValue[] = [], trainerArguments: ResolvedValue[] = []): TrainingFacts {
  /** `ownLoops`: the root's loops step only the optimizers it builds (a runner call's), not every one of the file. */
  const add = (found: ConfigFacts, root?: ResolvedValue, hint?: "hf" | "timm", ownLoops = false) => {
    facts.optimizers.push(...found.optimizers);
    facts.schedulers.push(...found.schedulers);
    addModelFacts(facts, found);
    if (!root) return;
    const training = configTraining(root, hint);
    mergeBatch((facts.batch ??= {}), training.batch);
    const loops = ownLoops ? found.optimizers.flatMap((site) => training.loops.map((loop) => ({ ...loop, optimizerSite: loop.optimizerSite ?? site.id }))) : training.loops;
    if (loops.length > 0) facts.loops = [...(facts.loops ?? []), ...loops];
  };
  const ctx = (dialect?: ConfigContext["dialect"]): ConfigContext => ({ filePath: resolver.filePath, firstId: facts.optimizers.length, ...(dialect ? { dialect } : {}) });
  const module = moduleConfig(resolver);
  if (module) {
    roots.push(module);
    add(recognizeConfig(module, ctx()), module);
  }
  const subclasses = localSubclassNames(resolver);
  let replaced: boolean | undefined;
  for (const call of resolver.index.calls) {
    const callee = fieldChild(call, "function");
    const last = callee && lastName(callee, resolver.text);
    if (!callee || !last || !(/TrainingArguments$|Config$|Runner$|^create_optimizer_v2$|^initialize$/.test(last) || subclasses.has(last))) continue;
    const kind = callKind(resolver, callee);
    if (kind === "mmengine") {
      // A module that is a config itself already gave its dicts (a runner built at its top level reads the same ones).
      if (module) continue;
      // Positional arguments (the model first) are no config keys; a `**cfg` spread opens the mapping.
      const mapping = callMapping(resolver, call, [], false);
      const types = importedTypes(resolver);
      const tree = types.size > 0 ? withTypePaths(mapping, types) : mapping;
      roots.push(tree);
      // Each runner trains with its own train_cfg: another runner of the file says nothing of its length.
      add(recognizeConfig(tree, ctx()), tree, undefined, true);
      const scaling = autoScalesLr(tree);
      if (scaling) {
        facts.distributed.lrScaledByWorldSize.push(scaling);
        facts.distributed.lrScaledByWorldSize.sort((a, b) => a.start - b.start);
      }
      continue;
    }
    if (kind === "deepspeed") {
      // deepspeed.initialize(config=ds_config): a DeepSpeed config written as a Python dict.
      const config = keywordValue(resolver, call, "config") ?? keywordValue(resolver, call, "config_params");
      if (config?.value.kind === "mapping") add(recognizeConfig(config, ctx()), config);
      continue;
    }
    if (kind === "hf" || kind === "hf-subclass") {
      const mapping = callMapping(resolver, call, [], kind === "hf-subclass");
      replaced ??= replacesTrainerOptimizer(resolver);
      // The arguments still set the Trainer's schedule and batch; the optimizer is the one the file hands over.
      add(recognizeConfig(mapping, { ...ctx("hf"), trainerOptimizerGiven: replaced }), mapping, "hf");
      // A DeepSpeed config named by its path is read by the project pass (deepspeed-files.ts).
      if (!replaced && namesDeepSpeedFile(mapping)) trainerArguments.push(mapping);
    }
    else if (kind === "timm") {
      const found = recognizeConfig(callMapping(resolver, call, TIMM_POSITIONAL, false), ctx("timm"));
      const first = namedChildren(fieldChild(call, "arguments")!)[0];
      // Parameters handed over as such (not a module) are decayed as given.
      if (first && first.type !== "keyword_argument" && !looksLikeModule(first)) for (const site of found.optimizers) site.params = { kind: "other", span: spanOf(first) };
      add(found);
    }
  }
  return facts;
}

/**
 * Where a runner's arguments may scale the lr with the world size: with `auto_scale_lr=dict(enable=True,
 * base_batch_size=...)` mmengine multiplies the optimizer's lr by the global batch (world size times the loader's
 * batch) over `base_batch_size` before training. Without the key, or with `enable` absent or written as a false value
 * (False, 0, None), it does not; an `enable` the file cannot fix (an unknown value, a command-line default), or a
 * `**spread` that may hold the key, may.
 */
function autoScalesLr(tree: ResolvedValue): Span | undefined {
  if (!isMapping(tree)) return undefined;
  const entry = entryOf(tree, "auto_scale_lr");
  if (!entry) return tree.value.open ? tree.span : undefined;
  const setting = entry.value;
  if (setting.value.kind === "none") return undefined;
  if (!isMapping(setting)) return entry.span;
  const enable = entryOf(setting, "enable");
  if (!enable) return setting.value.open ? entry.span : undefined;
  // A default a run can change (an argparse flag) is no fixed False.
  const off = asBool(enable.value) === false && !enable.value.origin?.overridable;
  return off ? undefined : entry.span;
}

/** Trainer keywords that hand it an optimizer of the caller's own (`optimizers=(opt, sched)`) or its class and arguments. */
const TRAINER_OPTIMIZER_KEYWORDS = new Set(["optimizers", "optimizer_cls_and_kwargs"]);

/** Trainer methods that build the optimizer: a subclass that overrides one decides what `optim` means. */
export const TRAINER_OPTIMIZER_METHODS = new Set(["create_optimizer", "create_optimizer_and_scheduler", "get_optimizer_cls_and_kwargs"]);

/**
 * Whether the file gives an HF Trainer an optimizer that TrainingArguments do not describe: a call passing
 * `optimizers=` (unless its first item is written as None, which leaves the Trainer's own) or
 * `optimizer_cls_and_kwargs=` (unless None), or a class of the file defining a method the Trainer builds its
 * optimizer with. Then `optim`, `learning_rate` and the decay keys may not be what trains: the optimizer is unknown.
 */
function replacesTrainerOptimizer(resolver: Resolver): boolean {
  for (const call of resolver.index.calls) {
    for (const arg of namedChildren(fieldChild(call, "arguments") ?? call)) {
      const key = arg.type === "keyword_argument" ? fieldChild(arg, "name") : undefined;
      const value = key && TRAINER_OPTIMIZER_KEYWORDS.has(resolver.textOf(key)) ? fieldChild(arg, "value") : undefined;
      if (value && !keepsTrainerOptimizer(value)) return true;
    }
  }
  for (const node of resolver.index.scopes.keys()) {
    if (node.type !== "function_definition") continue;
    const holder = node.parent?.type === "decorated_definition" ? node.parent.parent : node.parent;
    if (holder?.parent?.type !== "class_definition") continue;
    const name = fieldChild(node, "name");
    if (name && TRAINER_OPTIMIZER_METHODS.has(resolver.textOf(name))) return true;
  }
  return false;
}

/** `None`, or a tuple or list whose first item is `None`: the Trainer still builds its optimizer. */
function keepsTrainerOptimizer(value: PyNode): boolean {
  if (value.type === "none") return true;
  if (value.type !== "tuple" && value.type !== "list") return false;
  const first = namedChildren(value).find((n) => n.type !== "comment");
  return first?.type === "none";
}

/** Names of the file's classes whose bases are written like TrainingArguments or a trl config (checked when called). */
function localSubclassNames(resolver: Resolver): Set<string> {
  const names = new Set<string>();
  for (const node of resolver.index.scopes.keys()) {
    const bases = node.type === "class_definition" ? fieldChild(node, "superclasses") : undefined;
    const name = node.type === "class_definition" ? fieldChild(node, "name") : undefined;
    if (bases && name && /TrainingArguments|Config\b/.test(resolver.textOf(bases))) names.add(resolver.textOf(name));
  }
  return names;
}

/** Whether the callee builds HF TrainingArguments (or a local subclass of them), or is timm's factory, DeepSpeed's initialize or an mmengine runner. */
function callKind(resolver: Resolver, callee: PyNode): "hf" | "hf-subclass" | "timm" | "deepspeed" | "mmengine" | undefined {
  const ref = resolver.ref(callee);
  if (ref?.kind === "path") {
    if (ref.path === "deepspeed.initialize") return "deepspeed";
    if (MMENGINE_RUNNERS.has(ref.path)) return "mmengine";
    return TRAINING_ARGUMENTS.has(ref.path) ? "hf" : TIMM_FACTORY.has(ref.path) ? "timm" : undefined;
  }
  if (ref?.kind !== "class") return undefined;
  // A local subclass may change any default (`optim`, `learning_rate`): its unwritten keys are unknown.
  const bases = fieldChild(ref.cls.node, "superclasses");
  return bases && namedChildren(bases).some((base) => TRAINING_ARGUMENTS.has(resolver.pathOf(base) ?? "")) ? "hf-subclass" : undefined;
}

/** The resolved value of a call's keyword argument. */
function keywordValue(resolver: Resolver, call: PyNode, name: string): ResolvedValue | undefined {
  for (const arg of namedChildren(fieldChild(call, "arguments")!)) {
    const key = arg.type === "keyword_argument" ? fieldChild(arg, "name") : undefined;
    const value = key && resolver.textOf(key) === name ? fieldChild(arg, "value") : undefined;
    if (value) return resolver.value(value);
  }
  return undefined;
}

/** A module (`model`, `self.model`), not `model.parameters()` or a list of parameter groups. */
function looksLikeModule(node: PyNode): boolean {
  return node.type === "identifier" || node.type === "attribute";
}

/** A call's arguments as a mapping: keywords by name, positionals by `positional` (after the first). */
function callMapping(resolver: Resolver, call: PyNode, positional: string[], open: boolean): ResolvedValue {
  const entries: MappingEntry[] = [];
  let index = 0;
  let isOpen = open;
  for (const arg of namedChildren(fieldChild(call, "arguments")!)) {
    if (arg.type === "keyword_argument") {
      const name = fieldChild(arg, "name");
      const value = fieldChild(arg, "value");
      if (name && value) entries.push({ key: resolver.textOf(name), keySpan: spanOf(name), value: resolver.value(value), span: spanOf(arg) });
    } else if (arg.type === "list_splat" || arg.type === "dictionary_splat") {
      isOpen = true;
    } else if (arg.type !== "comment") {
      const key = positional.length > 0 && index > 0 ? positional[index - 1] : undefined;
      if (key) entries.push({ key, keySpan: spanOf(arg), value: resolver.value(arg), span: spanOf(arg) });
      else if (positional.length === 0) isOpen = true;
      index++;
    }
  }
  return { value: { kind: "mapping", entries, ...(isOpen ? { open: true } : {}) }, span: spanOf(call), dependsOn: [] };
}

/**
 * The module's top-level assignments as one mapping, when the file is an mmengine/mmcv config: it defines no
 * functions or classes and sets `_base_`, or sets `optim_wrapper`/`optimizer` to a dict with a `type` (directly, or in
 * its `optimizer`). Names whose items are changed later hold unknown values.
 */
function moduleConfig(resolver: Resolver): ResolvedValue | undefined {
  const root = resolver.index.module.node;
  const entries: MappingEntry[] = [];
  let looksLikeConfig = false;
  for (const stmt of namedChildren(root)) {
    if (/definition$/.test(stmt.type)) return undefined;
    const assignment = stmt.type === "expression_statement" ? namedChildren(stmt)[0] : undefined;
    const left = assignment?.type === "assignment" ? fieldChild(assignment, "left") : undefined;
    const right = assignment && fieldChild(assignment, "right");
    if (left?.type !== "identifier" || !right) continue;
    const key = resolver.textOf(left);
    const value: ResolvedValue = resolver.index.mutatedItems.has(key) ? { value: { kind: "unknown" }, span: spanOf(right), dependsOn: [] } : resolver.value(right);
    entries.push({ key, keySpan: spanOf(left), value, span: spanOf(stmt) });
    if (key === "_base_" || (OPTIMIZER_KEYS.has(key) && hasType(value, true, key === "optimizer"))) looksLikeConfig = true;
  }
  if (!looksLikeConfig) return undefined;
  const types = importedTypes(resolver);
  const tree: ResolvedValue = { value: { kind: "mapping", entries }, span: spanOf(root), dependsOn: [] };
  return types.size > 0 ? withTypePaths(tree, types) : tree;
}

/**
 * `type=SGD` where `SGD` is an imported class (mmengine's pure-Python configs: `from torch.optim import SGD`): the
 * dotted path each such `type` (or `constructor`) value names, by the value's start. A name bound any other way stays unknown.
 */
function importedTypes(resolver: Resolver): Map<number, string> {
  const found = new Map<number, string>();
  forEachDescendant(resolver.index.module.node, (node) => {
    const key = node.type === "keyword_argument" ? fieldChild(node, "name") : node.type === "pair" ? fieldChild(node, "key") : undefined;
    const value = key && /^(["']?)(type|constructor)\1$/.test(resolver.textOf(key)) ? fieldChild(node, "value") : undefined;
    const path = value && (value.type === "identifier" || value.type === "attribute") ? resolver.pathOf(value) : undefined;
    if (value && path?.includes(".")) found.set(value.start, path);
  });
  return found;
}

/** A copy of a config tree in which each unknown `type` or `constructor` value that names an imported class holds its dotted path. */
function withTypePaths(value: ResolvedValue, types: Map<number, string>): ResolvedValue {
  const v = value.value;
  if (v.kind === "sequence") return { ...value, value: { ...v, items: v.items.map((item) => withTypePaths(item, types)) } };
  if (v.kind !== "mapping") return value;
  const entries = v.entries.map((entry): MappingEntry => {
    const path = (entry.key === "type" || entry.key === "constructor") && entry.value.value.kind === "unknown" && !entry.value.span.file ? types.get(entry.value.span.start) : undefined;
    return { ...entry, value: path ? { ...entry.value, value: { kind: "string", value: path } } : withTypePaths(entry.value, types) };
  });
  return { ...value, value: { ...v, entries } };
}

/**
 * Whether a mapping has a `type` key, itself or in its `optimizer` entry, or (at the top) holds wrappers that do:
 * mmengine's `MultiOptimWrapperConstructor` takes one wrapper per submodule (`generator=dict(optimizer=dict(...))`),
 * mmcv 1.x one optimizer per submodule (`optimizer = dict(generator=dict(type='Adam', ...))`). With `named`, the
 * `type` must be a written string: mmcv 1.x's top-level `optimizer` names its class by registry string, and the
 * class objects of mmengine's pure-Python configs go in `optim_wrapper`; a top-level `optimizer = dict(type=HybridAdam)`
 * is read by some other launcher (ColossalAI's legacy `gpc.config`), which does with it what its own code says.
 */
function hasType(value: ResolvedValue, top = true, named = false): boolean {
  if (value.value.kind !== "mapping") return false;
  const typed = (e: MappingEntry) => e.key === "type" && (!named || e.value.value.kind === "string");
  return value.value.entries.some((e) => typed(e) || (e.key === "optimizer" && hasType(e.value, false, named)) || (top && e.value.value.kind === "mapping" && e.value.value.entries.some((inner) => typed(inner) || (inner.key === "optimizer" && hasType(inner.value, false, named)))));
}
