/**
 * The one recognizer of optimizer constructions in config trees. Every dialect reaches it as the same
 * neutral tree (a `mapping` ResolvedValue): a YAML mapping, a JSON object, a Python dict literal or the
 * keyword arguments of a call such as `TrainingArguments(...)`. It returns facts the rules read, and
 * leaves with each site what the file's adapter needs to edit it in its own syntax.
 *
 * Dialects: Hydra `_target_`, Lightning/jsonargparse `class_path` + `init_args`, torchtune `_component_`,
 * latent-diffusion `target` + `params`, NeMo `optim: {name, lr}`, ESPnet `optim` + `optim_conf`, GraphGym
 * `optim: {optimizer, base_lr}`, RecBole `learner` + `learning_rate`, solo-learn `optimizer: {name, kwargs}`, mmengine/mmcv `type=` under
 * `optimizer` (in `optim_wrapper` or alone), DeepSpeed and GPT-NeoX `optimizer: {type, params}`, fairseq,
 * HF TrainingArguments and axolotl keys (trainer-args.ts), timm `create_optimizer_v2` keywords.
 */
import type { ArgumentFact, MappingEntry, ModelKindFact, OptimizerSite, ParamsFact, PrecisionFact, ResolvedValue, SchedulerFact, Span, TrainingFacts } from "../core/facts.js";
import { asBool, asNumber } from "../core/facts.js";
import type { LiteralValue } from "../core/types.js";
import { optimizerByName, type OptimizerInfo } from "../knowledge/optimizers.js";
import { CLASSY_VISION_NAMES, configName, DEEPSPEED_NAMES, ESPNET_NAMES, FAIRCHEM_NAMES, FAIRSEQ_NAMES, NEQUIP_NAMES, GRAPHGYM_ARGUMENTS, GRAPHGYM_NAMES, isDefaultConstructor, LLM_FOUNDRY_NAMES, MMENGINE_NAMES, nameIn, namesTokenParameter, NEMO_NAMES, NEOX_NAMES, OLMO_NAMES, RECBOLE_KEYS, RECBOLE_NAMES, SOLO_LEARN_NAMES, type ConfigName, type NameTable } from "../knowledge/config-names.js";
import { configSchedulers, schedulesMomentum } from "./schedulers.js";
import { configModelFacts } from "./models.js";
import { hfRoot, hfSite, timmSite } from "./trainer-args.js";

/** A mapping value (the neutral config tree node). */
export type MappingValue = ResolvedValue & { value: { kind: "mapping" } };

/** What the file's adapter needs to make fix requests on a config site; kept as the site's `adapterData`. */
export interface ConfigSiteData {
  /** The mapping that holds the optimizer's arguments: where `set-argument` replaces or adds a key. */
  args: MappingValue;
  /**
   * Set when the arguments' own mapping does not exist yet (a Lightning `class_path` without `init_args`, a
   * DeepSpeed optimizer without `params`): `args` is then the construction's mapping, and `set-argument` must add
   * this key to it holding a new mapping with the argument, rather than add the argument to `args` itself.
   */
  argsMissing?: string;
  /** How this dialect writes another optimizer's name (for `rename-optimizer`), or undefined when it has none. */
  nameFor(canonical: string): string | undefined;
  /** The key this dialect uses for a canonical argument name (HF writes `learning_rate` for `lr`). */
  keyFor(argument: string): string;
  /**
   * The mapping that holds one argument when it is not `args` (or the mapping `argsMissing` names); undefined for the
   * arguments those hold. fairchem reads `lr_initial` beside its `optimizer_params`, which hold the other keywords;
   * solo-learn reads `lr` and `weight_decay` beside the name and every other keyword under `kwargs`.
   */
  argsFor?(argument: string): MappingValue | undefined;
}

/** Where a site's argument is written or goes: its own mapping, or `args`, or the name of the mapping still missing. */
export function argumentMapping(data: ConfigSiteData, argument: string): MappingValue | { missing: string } {
  const own = data.argsFor?.(argument);
  if (own) return own;
  return data.argsMissing ? { missing: data.argsMissing } : data.args;
}

/** The config data of a site the recognizer built, or undefined for a site an adapter built from code. */
export function configSiteData(site: OptimizerSite): ConfigSiteData | undefined {
  const data = site.adapterData as Partial<ConfigSiteData> | undefined;
  return data && typeof data.keyFor === "function" && typeof data.nameFor === "function" && isMapping(data.args) ? (data as ConfigSiteData) : undefined;
}

export interface ConfigContext {
  /** The file the tree was read from: site ids are `<file>#<n>`. */
  filePath: string;
  /**
   * The tree is the keyword arguments of a call that fixes its dialect: `hf` for `TrainingArguments(...)` and its
   * subclasses, `timm` for `create_optimizer_v2(...)`. Absent for config files, whose dialect is read from the tree.
   */
  dialect?: "hf" | "timm";
  /** First id number to use, when the file already has sites (ids stay unique in the file). */
  firstId?: number;
  /**
   * The file hands the HF Trainer an optimizer of its own (`optimizers=`, an overridden `create_optimizer`): the
   * arguments then describe no optimizer, so no site is built (and no model fact is tied to one).
   */
  trainerOptimizerGiven?: boolean;
}

/** What the recognizer found in a tree. */
export interface ConfigFacts {
  optimizers: OptimizerSite[];
  schedulers: SchedulerFact[];
  /** Model kinds the tree states (an HF Trainer config trains a transformer), tied to its sites. */
  kinds: ModelKindFact[];
  /** Precision settings the tree states (HF `fp16`, DeepSpeed `fp16.enabled`). */
  precision: PrecisionFact[];
  /** Where the tree's model freezes the network it wraps (a LoRA wrapper), for the file's `freezesParameters`. */
  freezes: Span[];
}

/** Adds a tree's model kinds, precision settings and freezing wrappers to a file's facts. */
export function addModelFacts(facts: TrainingFacts, found: Pick<ConfigFacts, "kinds" | "precision"> & { freezes?: Span[] }): void {
  if (found.kinds.length > 0) facts.modelHints.kinds = [...(facts.modelHints.kinds ?? []), ...found.kinds];
  if (found.precision.length > 0) facts.precision = [...(facts.precision ?? []), ...found.precision];
  if (found.freezes && found.freezes.length > 0) facts.modelHints = { ...facts.modelHints, freezesParameters: [...facts.modelHints.freezesParameters, ...found.freezes] };
}

/** The model facts of a recognized tree that bear on one of the given sites (those a joiner adds or keeps). */
export function modelFactsFor(found: Pick<ConfigFacts, "kinds" | "precision">, ids: ReadonlySet<string>): Pick<ConfigFacts, "kinds" | "precision"> {
  const tied = <T extends { sites?: string[] }>(list: T[]): T[] => list.filter((f) => f.sites?.some((id) => ids.has(id)));
  return { kinds: tied(found.kinds), precision: tied(found.precision) };
}

/**
 * Replaces the model facts tied to sites a joiner re-recognized (a `_base_` merge, a Hydra composition) with the
 * merged tree's: facts about the dropped sites go, the new tree's come in (freezing wrappers are added: the merged
 * model is the one that trains).
 */
export function replaceModelFacts(facts: TrainingFacts, dropped: Set<string>, found: Pick<ConfigFacts, "kinds" | "precision"> & { freezes?: Span[] }): void {
  const kept = <T extends { sites?: string[] }>(list: T[] | undefined): T[] => (list ?? []).filter((f) => !f.sites || f.sites.length === 0 || f.sites.some((id) => !dropped.has(id)));
  facts.modelHints.kinds = [...kept(facts.modelHints.kinds), ...found.kinds];
  facts.precision = [...kept(facts.precision), ...found.precision];
  const known = new Set(facts.modelHints.freezesParameters.map((s) => `${s.file ?? ""}:${s.start}`));
  const added = (found.freezes ?? []).filter((s) => !known.has(`${s.file ?? ""}:${s.start}`));
  if (added.length > 0) facts.modelHints = { ...facts.modelHints, freezesParameters: [...facts.modelHints.freezesParameters, ...added] };
}

/** Whether a value is a mapping. */
export function isMapping(value: ResolvedValue | undefined): value is MappingValue {
  return value?.value.kind === "mapping";
}

/** The entries of a mapping. */
export function entriesOf(mapping: MappingValue): MappingEntry[] {
  return mapping.value.kind === "mapping" ? mapping.value.entries : [];
}

/** The entry of a mapping under a key (the last one wins, as in YAML, JSON and Python dicts). */
export function entryOf(mapping: MappingValue, key: string): MappingEntry | undefined {
  const entries = entriesOf(mapping);
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].key === key) return entries[i];
  return undefined;
}

/**
 * Whether a switch may be on: written, and set to anything but a value known to be false (an unknown value, a
 * `${oc.env:...}` interpolation, may be true).
 */
export function mayBeOn(entry: MappingEntry | undefined): boolean {
  return entry !== undefined && asBool(entry.value) !== false;
}

/** A string-valued entry. */
export function stringAt(mapping: MappingValue, key: string): string | undefined {
  const v = entryOf(mapping, key)?.value.value;
  return v?.kind === "string" ? v.value : undefined;
}

/** A mapping-valued entry. */
export function mappingAt(mapping: MappingValue, key: string): MappingValue | undefined {
  const v = entryOf(mapping, key)?.value;
  return isMapping(v) ? v : undefined;
}

/** Whether a mapping may hold keys beyond its entries (`**spread`, a `_base_` it inherits from). */
function isOpen(mapping: MappingValue): boolean {
  return mapping.value.kind === "mapping" && mapping.value.open === true;
}

/** How one site is built: its name, where its arguments are, and how the dialect spells things. */
export interface SiteSpec {
  dialect: string;
  info: OptimizerInfo;
  /** The whole construction. */
  whole: Span;
  /** The written name (the `type:` or `_target_` value), or the construction when the name is a default. */
  nameSpan: Span;
  args: MappingValue;
  argsMissing?: string;
  params: ParamsFact;
  /** Arguments may exist beyond those read (an open mapping, an inherited base). */
  open: boolean;
  table?: NameTable;
  /** The name as written, for the case of a rename. */
  written?: string;
  /** Arguments the framework passes for the name when the config does not. */
  implied?: ConfigName["implied"];
  keyFor?: (argument: string) => string;
  /** The mapping of an argument `args` does not hold (see ConfigSiteData.argsFor). */
  argsFor?: ConfigSiteData["argsFor"];
  /** How messages name a canonical argument, when not by its key (HF's betas are two keys). */
  labelFor?: (argument: string) => string;
  /** Which canonical arguments the dialect hands to the optimizer (all of the signature when absent). */
  reads?: (argument: string) => boolean;
  /** Arguments read from elsewhere in the tree (HF's two beta keys, NeoX's top-level weight_decay). */
  extra?: ArgumentFact[];
  /** How the dialect writes another optimizer's name; from `table` when absent. */
  nameFor?: (canonical: string) => string | undefined;
}

/** Builds sites with ids unique in the file. */
export class SiteBuilder {
  readonly optimizers: OptimizerSite[] = [];
  /** Mappings already read as a construction (or its arguments), so the walk does not read them twice. */
  readonly claimed = new Set<MappingValue>();

  constructor(private readonly ctx: ConfigContext) {}

  add(spec: SiteSpec): OptimizerSite {
    const keyFor = spec.keyFor ?? ((a: string) => a);
    const nameFor = spec.nameFor ?? ((c: string) => (spec.table ? nameIn(spec.table, c, spec.written) : undefined));
    const data: ConfigSiteData = {
      args: spec.args,
      nameFor,
      keyFor,
      ...(spec.argsMissing ? { argsMissing: spec.argsMissing } : {}),
      ...(spec.argsFor ? { argsFor: spec.argsFor } : {}),
    };
    const args = new Map<string, ArgumentFact>();
    for (const name of spec.info.signature) {
      if (spec.reads && !spec.reads(name)) continue;
      const where = argumentMapping(data, name);
      const entry = "missing" in where ? undefined : entryOf(where, keyFor(name));
      if (entry) args.set(name, { name, value: entry.value, span: entry.span, how: "keyword" });
    }
    for (const arg of spec.extra ?? []) if (!args.has(arg.name)) args.set(arg.name, arg);
    for (const [name, value] of Object.entries(spec.implied ?? {})) {
      if (!args.has(name)) args.set(name, impliedArgument(name, value, spec));
    }
    const argumentKeys: Record<string, string> = {};
    for (const name of new Set([...spec.info.signature, ...args.keys()])) {
      const label = spec.labelFor?.(name) ?? keyFor(name);
      if (label !== name) argumentKeys[name] = label;
    }
    const site: OptimizerSite = {
      id: `${this.ctx.filePath}#${(this.ctx.firstId ?? 0) + this.optimizers.length}`,
      canonical: spec.info.canonical,
      span: spec.whole,
      nameSpan: spec.nameSpan,
      args,
      hasUnresolvedSpread: spec.open || (!spec.argsMissing && isOpen(spec.args)),
      params: spec.params,
      dialect: spec.dialect,
      ...(Object.keys(argumentKeys).length > 0 ? { argumentKeys } : {}),
      adapterData: data,
    };
    this.optimizers.push(site);
    this.claimed.add(spec.args);
    return site;
  }
}

/** An argument the framework passes for a name, placed at the name. */
function impliedArgument(name: string, value: LiteralValue, spec: SiteSpec): ArgumentFact {
  const v: ResolvedValue["value"] =
    typeof value === "number" ? { kind: "number", value } : typeof value === "boolean" ? { kind: "bool", value } : { kind: "unknown" };
  const framework = spec.table?.framework ?? spec.dialect;
  const description = spec.written !== undefined ? `what ${framework} passes for '${spec.written}'` : `${framework}'s default`;
  return {
    name,
    value: { value: v, span: spec.nameSpan, origin: { span: spec.nameSpan, description, overridable: false }, dependsOn: [] },
    span: spec.nameSpan,
    how: "keyword",
  };
}

/** Every mapping in a tree, depth first, with the key that leads to it and the mapping that holds it. */
export function* mappings(value: ResolvedValue, key?: string, parent?: MappingValue): Generator<{ mapping: MappingValue; key?: string; parent?: MappingValue }> {
  if (isMapping(value)) {
    yield { mapping: value, key, parent };
    for (const entry of entriesOf(value)) yield* mappings(entry.value, entry.key, value);
  } else if (value.value.kind === "sequence") {
    for (const item of value.value.items) yield* mappings(item, key, parent);
  }
}

const NOT_PASSED: ParamsFact = { kind: "missing" };

/** Keys that show a tree is a DeepSpeed config. */
const DEEPSPEED_KEYS = ["train_batch_size", "train_micro_batch_size_per_gpu", "zero_optimization", "gradient_accumulation_steps", "fp16", "bf16"];
/** Keys that show a tree is a GPT-NeoX config (its optimizer block has DeepSpeed's shape). */
const NEOX_KEYS = ["num_layers", "hidden_size", "num_attention_heads", "seq_length", "num-layers", "hidden-size", "num-attention-heads", "seq-length"];

/**
 * Optimizer and scheduler constructions in a config tree. A mapping is read as an optimizer only where its
 * dialect puts one (`_target_`/`class_path` naming an optimizer class, a `type` under `optimizer` or in an
 * `optim_wrapper`, a fully qualified `type`), so an `optimizer` key in an unrelated JSON file yields nothing.
 */
export function recognizeConfig(root: ResolvedValue, ctx: ConfigContext): ConfigFacts {
  if (!isMapping(root)) return { optimizers: [], schedulers: [], kinds: [], precision: [], freezes: [] };
  const found = recognizeSites(root, ctx);
  return { ...found, ...configModelFacts(root, found.optimizers) };
}

/** The optimizer and scheduler constructions of a tree. */
function recognizeSites(root: MappingValue, ctx: ConfigContext): Pick<ConfigFacts, "optimizers" | "schedulers"> {
  const sites = new SiteBuilder(ctx);
  if (ctx.dialect === "hf") {
    if (!ctx.trainerOptimizerGiven) hfSite(sites, root, "transformers", "optim");
    return { optimizers: sites.optimizers, schedulers: configSchedulers(root, "hf") };
  }
  if (ctx.dialect === "timm") {
    timmSite(sites, root);
    return { optimizers: sites.optimizers, schedulers: [] };
  }
  const hf = hfRoot(sites, root);
  typeAndParamsRoot(sites, root);
  fairseqRoot(sites, root);
  espnetRoot(sites, root);
  graphGymRoot(sites, root);
  recBoleRoot(sites, root);
  soloLearnRoot(sites, root);
  fairchemRoot(sites, root);
  nequipRoot(sites, root);
  const inherits = entryOf(root, "_base_") !== undefined;
  const nemo = isNemoRoot(root);
  classyVisionSite(sites, root);
  namedOptimizerSite(sites, root);
  for (const { mapping, key, parent } of mappings(root)) {
    if (sites.claimed.has(mapping)) continue;
    if (classPathSite(sites, mapping) || lightningSite(sites, mapping, key) || targetParamsSite(sites, mapping) || hyperPyYamlSite(sites, mapping)) continue;
    if (nemo && key === "optim" && nemoSite(sites, mapping)) continue;
    mmengineSite(sites, mapping, key, parent, root, inherits, isSharedBase(ctx.filePath));
  }
  if (schedulesMomentum(root)) for (const site of sites.optimizers) site.momentumScheduled = true;
  return { optimizers: sites.optimizers, schedulers: configSchedulers(root, hf ? "hf" : undefined) };
}

/**
 * A class path beside its keyword arguments: Hydra's `_target_: torch.optim.AdamW` (`_partial_: true` leaves only the
 * params out) and torchtune's `_component_`, whose recipes pass the model's parameters themselves
 * (`config.instantiate(cfg.optimizer, model.parameters())`).
 */
const CLASS_PATH_KEYS = [
  ["_target_", "hydra"],
  ["_component_", "torchtune"],
] as const;

/** A construction named by a class-path key (`CLASS_PATH_KEYS`), with the arguments beside it. */
function classPathSite(sites: SiteBuilder, mapping: MappingValue): boolean {
  for (const [key, dialect] of CLASS_PATH_KEYS) {
    const target = entryOf(mapping, key);
    const info = target ? optimizerAt(target) : undefined;
    if (!target || !info) continue;
    sites.add({ dialect, info, whole: mapping.span, nameSpan: target.value.span, args: mapping, params: NOT_PASSED, open: false, nameFor: (c) => c });
    return true;
  }
  return false;
}

/**
 * HyperPyYAML (SpeechBrain): a mapping tagged `!name:torch.optim.Adam` is the class with the mapping's keys as
 * keywords, which the training code calls with the parameters (SpeechBrain's `Brain` calls
 * `hparams.opt_class(modules.parameters())`); `!new:` builds it in place, with a `params` key when it can run at all.
 * A rename rewrites the path inside the tag.
 */
function hyperPyYamlSite(sites: SiteBuilder, mapping: MappingValue): boolean {
  const tag = mapping.value.kind === "mapping" ? mapping.value.constructs : undefined;
  const info = tag && optimizerByName(tag.path);
  if (!tag || !info) return false;
  const params = tag.kind === "new" ? entryOf(mapping, "params") : undefined;
  sites.add({
    dialect: "hyperpyyaml",
    info,
    // From the tag (`!name:` before the path) to the end of the keywords.
    whole: { start: tag.span.start - tag.kind.length - 2, end: Math.max(tag.span.end, mapping.span.end) },
    nameSpan: tag.span,
    args: mapping,
    params: params ? { kind: "other", span: params.span } : NOT_PASSED,
    open: false,
    // The path is written bare inside the tag: only a dotted name can go there.
    nameFor: (c) => (/^[A-Za-z_][\w.]*$/.test(c) ? c : undefined),
  });
  return true;
}

/** A keyword argument the config does not set and the code that builds from it passes or changes: unknown, at `at`. */
function unknownArgument(name: string, at: Span): ArgumentFact {
  return { name, value: { value: { kind: "unknown" }, span: at, dependsOn: [] }, span: at, how: "keyword" };
}

/**
 * Latent-diffusion style `target: torch.optim.AdamW` with its keywords under `params` (`instantiate_from_config`,
 * sgm's `optimizer_config`), and nothing else beside them. The code that builds it passes the learning rate itself
 * (from `base_learning_rate`), so an lr the config leaves out is unknown, not the class default.
 */
function targetParamsSite(sites: SiteBuilder, mapping: MappingValue): boolean {
  const target = entryOf(mapping, "target");
  const written = target?.value.value.kind === "string" ? target.value.value.value : undefined;
  if (!target || written === undefined || !written.includes(".")) return false;
  if (entriesOf(mapping).some((e) => e.key !== "target" && e.key !== "params")) return false;
  const params = entryOf(mapping, "params");
  if (params && !isMapping(params.value)) return false;
  const info = optimizerByName(written);
  if (!info) return false;
  const args = params && isMapping(params.value) ? params.value : undefined;
  sites.add({
    dialect: "instantiate-from-config",
    info,
    whole: mapping.span,
    nameSpan: target.value.span,
    args: args ?? mapping,
    ...(args ? {} : { argsMissing: "params" }),
    params: NOT_PASSED,
    open: args !== undefined && isOpen(args),
    nameFor: (c) => c,
    extra: [unknownArgument("lr", target.value.span)],
  });
  if (args) sites.claimed.add(args);
  return true;
}

/**
 * Whether a tree is a NeMo experiment config: it sets up NeMo's `exp_manager`. One with a Hydra defaults list is
 * left alone, since its composition may replace what the file writes.
 */
function isNemoRoot(root: MappingValue): boolean {
  return entryOf(root, "exp_manager") !== undefined && entryOf(root, "defaults") === undefined;
}

/**
 * NeMo: `optim: {name: adamw, lr: 1e-3, betas: [...], weight_decay: ..., sched: {...}}` (usually under `model`).
 * NeMo requires `lr`; every other key but `name` and `sched` goes to the optimizer as a keyword, unless the older
 * `args` form holds them. Which parameters are decayed depends on the model class (Megatron models spare biases and
 * norms), so it is not judged; a `_target_` inside `optim` is read as Hydra's.
 */
function nemoSite(sites: SiteBuilder, mapping: MappingValue): boolean {
  const name = entryOf(mapping, "name");
  const written = name?.value.value.kind === "string" ? name.value.value.value : undefined;
  if (!name || written === undefined || !entryOf(mapping, "lr") || entryOf(mapping, "args") || entryOf(mapping, "_target_")) return false;
  const info = optimizerByName(configName(NEMO_NAMES, written)?.canonical ?? "");
  if (!info) return false;
  sites.add({ dialect: "nemo", info, whole: mapping.span, nameSpan: name.value.span, args: mapping, params: { kind: "other", span: mapping.span }, open: false, table: NEMO_NAMES, written });
  return true;
}

/**
 * ClassyVision: a task config (its task `name`, with the `loss`, `model` and `dataset` it builds) whose
 * `optimizer: {name: sgd, momentum: 0.9, ..., param_schedulers: {lr: {...}}}` names a wrapper of its registry; the
 * other keys are the wrapper's keywords. A value `param_schedulers` sets, the learning rate above all, changes at
 * every step, and an lr left out is ClassyVision's, so both are unknown here. With LARC the wrapper adapts each
 * layer's step, which is not read: no site. Which parameters are decayed is the task's choice, so it is not judged.
 */
function classyVisionSite(sites: SiteBuilder, root: MappingValue): void {
  const mapping = mappingAt(root, "optimizer");
  const name = mapping && entryOf(mapping, "name");
  const written = mapping && stringAt(mapping, "name");
  if (!mapping || !name || written === undefined || stringAt(root, "name") === undefined) return;
  if (!mappingAt(root, "loss") || !mappingAt(root, "model") || !mappingAt(root, "dataset")) return;
  const larc = entryOf(mapping, "use_larc")?.value.value;
  if (larc && !(larc.kind === "bool" && !larc.value)) return;
  const info = optimizerByName(configName(CLASSY_VISION_NAMES, written)?.canonical ?? "");
  if (!info) return;
  const schedules = entryOf(mapping, "param_schedulers");
  const scheduled = (argument: string): boolean =>
    schedules !== undefined && (!isMapping(schedules.value) || isOpen(schedules.value) || entryOf(schedules.value, argument) !== undefined);
  const extra = info.signature.filter((a) => a !== "params" && scheduled(a)).map((a) => unknownArgument(a, schedules!.span));
  if (!scheduled("lr") && !entryOf(mapping, "lr")) extra.push(unknownArgument("lr", name.value.span));
  sites.add({
    dialect: "classy-vision",
    info,
    whole: mapping.span,
    nameSpan: name.value.span,
    args: mapping,
    params: { kind: "other", span: mapping.span },
    open: false,
    table: CLASSY_VISION_NAMES,
    written,
    reads: (argument) => !scheduled(argument),
    extra,
  });
}

/** The key OLMo and RecBole write for a canonical argument name: `learning_rate` for the lr, the rest as they are. */
function learningRateKey(argument: string): string {
  return argument === "lr" ? "learning_rate" : argument;
}

/** Whether a root is an llm-foundry or OLMo train config (Composer's): a `max_duration` and a global or micro batch size. */
export function isComposerRoot(root: MappingValue): boolean {
  return entryOf(root, "max_duration") !== undefined && (entryOf(root, "global_train_batch_size") !== undefined || entryOf(root, "device_train_microbatch_size") !== undefined);
}

/**
 * Whether a train config's `optimizer` mapping is OLMo's rather than llm-foundry's: it writes `learning_rate`, or
 * writes no `lr` and names an optimizer by one of OLMo's names.
 */
export function isOlmoOptimizer(mapping: MappingValue): boolean {
  return entryOf(mapping, "learning_rate") !== undefined || (entryOf(mapping, "lr") === undefined && configName(OLMO_NAMES, stringAt(mapping, "name") ?? "") !== undefined);
}

/**
 * llm-foundry and OLMo train configs (a `max_duration` and a global or micro batch size at the root):
 * `optimizer: {name: decoupled_adamw, lr, betas, eps, weight_decay}` (llm-foundry: every key but `name`,
 * `disable_grad` and `param_groups` is a keyword; all trainable parameters share one decay unless `param_groups`
 * split them, which is not judged) or `optimizer: {name: adamw, learning_rate, weight_decay, betas, eps}` (OLMo: only
 * these keys reach AdamW; biases and norm weights are kept out of decay unless `decay_norm_and_bias` is set, or the
 * older `no_decay_norm_and_bias` written).
 */
function namedOptimizerSite(sites: SiteBuilder, root: MappingValue): void {
  if (!isComposerRoot(root)) return;
  const mapping = mappingAt(root, "optimizer");
  const name = mapping && entryOf(mapping, "name");
  const written = mapping && stringAt(mapping, "name");
  if (!mapping || !name || written === undefined || sites.claimed.has(mapping)) return;
  const olmo = isOlmoOptimizer(mapping);
  const table = olmo ? OLMO_NAMES : LLM_FOUNDRY_NAMES;
  const found = configName(table, written);
  const info = found && optimizerByName(found.canonical);
  if (!found || !info) return;
  const excludes = olmo && !mayBeOn(entryOf(mapping, "decay_norm_and_bias")) && entryOf(mapping, "no_decay_norm_and_bias") === undefined;
  sites.add({
    dialect: olmo ? "olmo" : "llm-foundry",
    info,
    whole: mapping.span,
    nameSpan: name.value.span,
    args: mapping,
    params: excludes ? { kind: "managed", span: mapping.span, by: "OLMo", excludesBiasAndNorm: true } : { kind: "other", span: mapping.span },
    open: false,
    table,
    written,
    implied: found.implied,
    ...(olmo ? { keyFor: learningRateKey, reads: (a: string) => a === "lr" || a === "weight_decay" || a === "betas" || a === "eps" } : {}),
  });
}

/** Lightning CLI / jsonargparse: `class_path: torch.optim.Adam` with `init_args` (a bare class name under `optimizer`). */
function lightningSite(sites: SiteBuilder, mapping: MappingValue, key: string | undefined): boolean {
  const classPath = entryOf(mapping, "class_path");
  if (!classPath || classPath.value.value.kind !== "string") return false;
  const written = classPath.value.value.value;
  const short = !written.includes(".") && key !== undefined && /optim/i.test(key) ? configName(MMENGINE_NAMES, written) : undefined;
  const info = optimizerByName(short?.canonical ?? written);
  if (!info) return false;
  const initArgs = mappingAt(mapping, "init_args");
  sites.add({
    dialect: "lightning",
    info,
    whole: mapping.span,
    nameSpan: classPath.value.span,
    args: initArgs ?? mapping,
    ...(initArgs ? {} : { argsMissing: "init_args" }),
    params: NOT_PASSED,
    open: false,
    nameFor: (c) => (short ? nameIn(MMENGINE_NAMES, c) : c),
  });
  if (initArgs) sites.claimed.add(initArgs);
  return true;
}

/**
 * mmengine / mmcv: `optimizer=dict(type='SGD', lr=0.01, ...)`, alone or inside `optim_wrapper`, with
 * `paramwise_cfg` beside it (mmengine) or inside it (mmcv). A fully qualified `type` naming a known optimizer
 * class counts anywhere; a short name only under an `optimizer` key.
 */
function mmengineSite(sites: SiteBuilder, mapping: MappingValue, key: string | undefined, parent: MappingValue | undefined, root: MappingValue, inherits: boolean, shared: boolean): boolean {
  const type = entryOf(mapping, "type");
  const written = type?.value.value.kind === "string" ? type.value.value.value : undefined;
  if (!type || written === undefined || mappingAt(mapping, "params")) return false;
  // Beside an `optim_wrapper`, a top-level `optimizer` dict is a variable (mmengine builds only the wrapper's, often the
  // same dict, with the wrapper's paramwise_cfg); it is judged where the wrapper uses it.
  if (parent === root && key === "optimizer" && mappingAt(root, "optim_wrapper")) return false;
  const short = key === "optimizer" || perModuleOptimizer(root, parent) ? configName(MMENGINE_NAMES, written) : undefined;
  const info = optimizerByName(short?.canonical ?? written);
  if (!info) return false;
  const wrapper = parent && parent !== root && key === "optimizer" ? parent : undefined;
  const deleted = entryOf(mapping, "_delete_")?.value.value;
  sites.add({
    dialect: "mmengine",
    info,
    whole: mapping.span,
    nameSpan: type.value.span,
    args: mapping,
    // Some codebases read a top-level `paramwise_cfg` themselves: what it does is not known.
    params: entryOf(root, "paramwise_cfg") ? { kind: "other", span: mapping.span } : mmengineParams(mapping, wrapper, inherits || shared),
    // A child config's dict merges into its `_base_`'s: keys it does not write may come from there.
    open: inherits && !(deleted?.kind === "bool" && deleted.value),
    table: MMENGINE_NAMES,
    written,
    nameFor: (c) => (short ? nameIn(MMENGINE_NAMES, c) : c),
  });
  return true;
}

/**
 * Whether a mapping is mmcv 1.x's one-optimizer-per-submodule form, `optimizer = dict(generator=dict(type='Adam', ...),
 * discriminator=dict(...))`: a top-level `optimizer` without a `type` whose every entry is a mapping with one
 * (`build_optimizers` then builds each for the submodule of its name), with no `optim_wrapper` beside it.
 */
function perModuleOptimizer(root: MappingValue, parent: MappingValue | undefined): boolean {
  const top = mappingAt(root, "optimizer");
  if (!parent || parent !== top || isOpen(top) || entryOf(top, "type") || mappingAt(root, "optim_wrapper")) return false;
  return entriesOf(top).every((e) => isMapping(e.value) && entryOf(e.value, "type") !== undefined);
}

/**
 * Whether a config lives in a `_base_` folder: a shared part that configs inheriting it complete (often with their
 * own `paramwise_cfg`), never run alone, so which parameters it decays is decided by each config that uses it.
 */
function isSharedBase(filePath: string): boolean {
  return /(?:^|[\\/])_base_[\\/]/.test(filePath);
}

/**
 * Which parameters mmengine decays: its default constructor decays every parameter; `paramwise_cfg` with
 * `bias_decay_mult=0` and `norm_decay_mult=0` keeps biases and norm weights out. A `paramwise_cfg` of `custom_keys`
 * alone whose decay settings name only token and position-embedding parameters still decays biases and norms (judged
 * only in a complete config: a `_base_` may add to it). Any other `paramwise_cfg`, a custom constructor (naming the
 * default one counts as none), or one a
 * `_base_` may supply is not judged.
 */
function mmengineParams(optimizer: MappingValue, wrapper: MappingValue | undefined, inherits: boolean): ParamsFact {
  const span = (wrapper ?? optimizer).span;
  // mmengine reads an optimizer through its `optim_wrapper`; a top-level `optimizer` dict is mmcv 1.x's, whose
  // default constructor also decays every parameter and takes `paramwise_cfg` inside the dict.
  const by = wrapper ? "mmengine" : "mmcv";
  const cfgEntry = (wrapper && entryOf(wrapper, "paramwise_cfg")) ?? entryOf(optimizer, "paramwise_cfg");
  const constructor = (wrapper && entryOf(wrapper, "constructor")) ?? entryOf(optimizer, "constructor");
  const named = constructor?.value.value;
  if (constructor && !(named?.kind === "string" && isDefaultConstructor(named.value))) return { kind: "other", span };
  // An open mapping (a base that could not be read) may supply a `paramwise_cfg`.
  const open = [wrapper, optimizer].some((m) => m?.value.kind === "mapping" && m.value.open === true);
  if (!cfgEntry) return inherits || open ? { kind: "other", span } : { kind: "managed", span, by, excludesBiasAndNorm: false, paramwiseCfg: wrapper ? "wrapper" : "optimizer" };
  if (!isMapping(cfgEntry.value)) return { kind: "other", span };
  const cfg = cfgEntry.value;
  const bias = asNumber(entryOf(cfg, "bias_decay_mult")?.value);
  const norm = asNumber(entryOf(cfg, "norm_decay_mult")?.value);
  if (bias === 0 && norm === 0) return { kind: "managed", span, by, excludesBiasAndNorm: true, paramwiseCfg: "present" };
  const exempts = inherits || open ? undefined : tokenExemptions(cfg);
  if (!exempts) return { kind: "other", span };
  return { kind: "managed", span, by, excludesBiasAndNorm: false, paramwiseCfg: "present", ...(exempts.length > 0 ? { exempts } : {}) };
}

/**
 * The keys of a `paramwise_cfg` that holds nothing but `custom_keys` and changes weight decay only for token and
 * position-embedding parameters (keys that set only `lr_mult` leave decay alone); undefined for anything else, since
 * a key such as `norm`, `bias` or a module path may keep biases or norm weights out.
 */
function tokenExemptions(cfg: MappingValue): string[] | undefined {
  if (isOpen(cfg) || entriesOf(cfg).some((e) => e.key !== "custom_keys")) return undefined;
  const keys = mappingAt(cfg, "custom_keys");
  if (!keys || isOpen(keys)) return undefined;
  const exempts: string[] = [];
  for (const entry of entriesOf(keys)) {
    if (!isMapping(entry.value) || isOpen(entry.value)) return undefined;
    const setsDecay = entriesOf(entry.value).some((e) => e.key !== "lr_mult");
    if (!setsDecay) continue;
    if (!namesTokenParameter(entry.key)) return undefined;
    exempts.push(entry.key);
  }
  return exempts;
}

/**
 * DeepSpeed and GPT-NeoX: a top-level `optimizer: {type, params}`. DeepSpeed's Adam runs in AdamW mode unless
 * `params.adam_w_mode` is false; NeoX writes weight_decay at the top level and keeps biases and norms undecayed.
 */
function typeAndParamsRoot(sites: SiteBuilder, root: MappingValue): void {
  const optimizer = mappingAt(root, "optimizer");
  const type = optimizer && entryOf(optimizer, "type");
  if (!optimizer || !type || type.value.value.kind !== "string") return;
  const written = type.value.value.value;
  const params = mappingAt(optimizer, "params");
  const neox = NEOX_KEYS.some((k) => entryOf(root, k));
  if (!params && !neox && !DEEPSPEED_KEYS.some((k) => entryOf(root, k))) return;
  const table = neox ? NEOX_NAMES : DEEPSPEED_NAMES;
  const info = optimizerByName(configName(table, written)?.canonical ?? "");
  if (!info) return;
  const decay = neox ? (entryOf(root, "weight_decay") ?? entryOf(root, "weight-decay")) : undefined;
  sites.add({
    dialect: neox ? "gpt-neox" : "deepspeed",
    info,
    whole: optimizer.span,
    nameSpan: type.value.span,
    args: params ?? optimizer,
    ...(params ? {} : { argsMissing: "params" }),
    // DeepSpeed takes whatever parameters the script hands to deepspeed.initialize.
    params: neox ? { kind: "managed", span: optimizer.span, by: "GPT-NeoX", excludesBiasAndNorm: true } : { kind: "other", span: optimizer.span },
    open: false,
    table,
    written,
    extra: decay ? [{ name: "weight_decay", value: decay.value, span: decay.span, how: "keyword" }] : [],
  });
  sites.claimed.add(optimizer);
}

/**
 * fairseq: `optimizer: adam` beside `lr: [0.0005]` (flat args), or `optimizer: {_name: adam, ...}` with the rate in
 * `optimization: {lr: [...]}`. Its betas and eps are `adam_betas: '(0.9, 0.98)'` and `adam_eps`.
 */
function fairseqRoot(sites: SiteBuilder, root: MappingValue): void {
  const entry = entryOf(root, "optimizer");
  if (!entry) return;
  const block = isMapping(entry.value) ? entry.value : undefined;
  const nameEntry = block ? entryOf(block, "_name") : entry;
  if (!nameEntry || nameEntry.value.value.kind !== "string") return;
  const optimization = mappingAt(root, "optimization");
  const lrEntry = block ? (optimization && entryOf(optimization, "lr")) : entryOf(root, "lr");
  // The list-valued lr is what marks fairseq; without it an `optimizer: adam` string is someone else's.
  if (!lrEntry || lrEntry.value.value.kind !== "sequence") return;
  const written = nameEntry.value.value.value;
  const info = optimizerByName(configName(FAIRSEQ_NAMES, written)?.canonical ?? "");
  if (!info) return;
  const args = block ?? root;
  const extra: ArgumentFact[] = [];
  const items = lrEntry.value.value.items;
  if (items.length === 1) extra.push({ name: "lr", value: items[0], span: lrEntry.span, how: "keyword" });
  const betas = entryOf(args, "adam_betas");
  const parsed = betas && betasFromString(betas.value);
  if (betas && parsed) extra.push({ name: "betas", value: parsed, span: betas.span, how: "keyword" });
  sites.add({
    dialect: "fairseq",
    info,
    whole: block ? block.span : nameEntry.span,
    nameSpan: nameEntry.value.span,
    args,
    params: { kind: "other", span: block ? block.span : nameEntry.span },
    open: false,
    table: FAIRSEQ_NAMES,
    written,
    keyFor: (a) => (a === "eps" ? "adam_eps" : a === "betas" ? "adam_betas" : a),
    reads: (a) => a !== "lr" && a !== "betas",
    extra,
  });
  if (block) sites.claimed.add(block);
}

/**
 * ESPnet: `optim: adam` beside `optim_conf: {lr: 0.002, weight_decay: 1.0e-6}` (and `optim1`/`optim1_conf` ... in GAN
 * tasks); the `_conf` mapping holds every keyword and marks the dialect. ESPnet hands the whole model's parameters
 * over, but forks of its trainer may not, so which parameters are decayed is not judged. WeNet and FunASR read the
 * same pair (WeNet builds `adam` and `adamw` only, FunASR copies ESPnet's table), so their configs are read here too.
 */
function espnetRoot(sites: SiteBuilder, root: MappingValue): void {
  if (espnetDeepSpeed(root)) return;
  for (const { entry, written, conf } of espnetOptimizers(root)) {
    const name = configName(ESPNET_NAMES, written);
    const info = name && optimizerByName(name.canonical);
    if (!name || !info) continue;
    sites.add({
      dialect: "espnet",
      info,
      whole: entry.span,
      nameSpan: entry.value.span,
      args: conf,
      params: { kind: "other", span: entry.span },
      open: false,
      table: ESPNET_NAMES,
      written,
      implied: name.implied,
    });
  }
}

/**
 * The `optim` mapping of a GraphGym experiment config, or undefined when the tree is not one: an `optim` mapping that
 * names its optimizer, beside the `gnn` section GraphGym's `set_cfg` defines for the network.
 */
export function graphGymOptim(root: MappingValue): MappingValue | undefined {
  const optim = mappingAt(root, "optim");
  return optim && stringAt(optim, "optimizer") !== undefined && mappingAt(root, "gnn") !== undefined ? optim : undefined;
}

/** The optimizer a mapping names under `key` by a framework's table: the entry, the name as written, the table's entry and the class. */
function namedOptimizer(mapping: MappingValue, key: string, table: NameTable): { name: MappingEntry; written: string; found: ConfigName; info: OptimizerInfo } | undefined {
  const name = entryOf(mapping, key);
  const written = stringAt(mapping, key);
  const found = written !== undefined ? configName(table, written) : undefined;
  const info = found && optimizerByName(found.canonical);
  return name && written !== undefined && found && info ? { name, written, found, info } : undefined;
}

/**
 * GraphGym: `optim: {optimizer: adam, base_lr: 0.01, weight_decay: 5e-4, momentum: 0.9}`. Only the keys its builder
 * for the name passes reach the optimizer (`GRAPHGYM_ARGUMENTS`), the learning rate as `base_lr`; the keys left out
 * are GraphGym's defaults. The experiment's code hands the optimizer its parameters, so which are decayed is not judged.
 */
function graphGymRoot(sites: SiteBuilder, root: MappingValue): void {
  const optim = graphGymOptim(root);
  const named = optim && namedOptimizer(optim, "optimizer", GRAPHGYM_NAMES);
  if (!optim || !named) return;
  const { name, written, found: entry, info } = named;
  const passed = GRAPHGYM_ARGUMENTS[info.canonical];
  sites.add({
    dialect: "graphgym",
    info,
    whole: optim.span,
    nameSpan: name.value.span,
    args: optim,
    params: { kind: "other", span: optim.span },
    open: false,
    table: GRAPHGYM_NAMES,
    written,
    implied: entry.implied,
    keyFor: (a) => (a === "lr" ? "base_lr" : a),
    reads: (a) => passed.includes(a),
  });
}

/**
 * RecBole: `learner: adam` with `learning_rate` and `weight_decay` beside it at the top level, in a config that has
 * RecBole's own keys (`RECBOLE_KEYS`). Its trainer passes the optimizer only those two, always both: a key the file
 * leaves out is not the class default (RecBole's own default weight decay is 0, AdamW's 0.01) but whatever another
 * config file of the run or the model's defaults set, so it is unknown. The trainer hands over the whole model's
 * parameters, but a project's trainer may not, so which parameters are decayed is not judged.
 */
function recBoleRoot(sites: SiteBuilder, root: MappingValue): void {
  const learner = entryOf(root, "learner");
  const written = stringAt(root, "learner");
  // A root another dialect read as its arguments (HF TrainingArguments keys) is not RecBole's.
  if (!learner || written === undefined || sites.claimed.has(root) || !RECBOLE_KEYS.some((k) => entryOf(root, k))) return;
  const info = optimizerByName(configName(RECBOLE_NAMES, written)?.canonical ?? "");
  if (!info) return;
  sites.add({
    dialect: "recbole",
    info,
    whole: learner.span,
    nameSpan: learner.value.span,
    args: root,
    params: { kind: "other", span: learner.span },
    open: false,
    table: RECBOLE_NAMES,
    written,
    keyFor: learningRateKey,
    reads: (a) => a === "lr" || a === "weight_decay",
    extra: (["lr", "weight_decay"] as const).filter((a) => !entryOf(root, learningRateKey(a))).map((a) => unknownArgument(a, learner.value.span)),
  });
}

/**
 * The `optimizer` mapping of a solo-learn config (pretraining, linear evaluation or fine-tuning), or undefined when the
 * tree is not one: `optimizer: {name, batch_size, ...}` beside the `backbone: {name}` and `data` sections solo-learn
 * reads, and the `method` it pretrains (or the `pretrain_method` a linear evaluation names).
 */
export function soloLearnOptimizer(root: MappingValue): MappingValue | undefined {
  const optimizer = mappingAt(root, "optimizer");
  const backbone = mappingAt(root, "backbone");
  const method = stringAt(root, "method") ?? stringAt(root, "pretrain_method");
  if (!optimizer || !backbone || stringAt(backbone, "name") === undefined || !mappingAt(root, "data") || method === undefined) return undefined;
  return stringAt(optimizer, "name") !== undefined && entryOf(optimizer, "batch_size") !== undefined ? optimizer : undefined;
}

/**
 * solo-learn: `optimizer: {name: adamw, batch_size, lr, weight_decay, kwargs: {betas: [0.9, 0.95]}}`. Its methods
 * build the named class with `lr`, `weight_decay` and every entry of `kwargs` (other keys of the mapping are its
 * own settings). The lr is unknown: solo-learn multiplies it by the batch size, the number of devices and nodes, over
 * 256, before training. Parameters: biases and norm weights leave decay when `exclude_bias_n_norm_wd` may be on, or
 * when `layer_decay` builds layer-wise groups (which put one-dimensional parameters in groups without decay); a
 * linear evaluation (no `method`, not `finetune`) trains only the classifier and is not judged; otherwise the
 * method's parameter groups (the backbone and projector whole, the classifier without decay) decay every bias and
 * norm weight of the backbone.
 */
function soloLearnRoot(sites: SiteBuilder, root: MappingValue): void {
  const optimizer = soloLearnOptimizer(root);
  const named = optimizer && namedOptimizer(optimizer, "name", SOLO_LEARN_NAMES);
  if (!optimizer || !named || sites.claimed.has(optimizer)) return;
  const { name, written, found, info } = named;
  const kwargsEntry = entryOf(optimizer, "kwargs");
  const kwargs = mappingAt(optimizer, "kwargs");
  const extra: ArgumentFact[] = [unknownArgument("lr", entryOf(optimizer, "lr")?.value.span ?? name.value.span)];
  if (!entryOf(optimizer, "weight_decay")) extra.push(unknownArgument("weight_decay", name.value.span));
  const layerDecay = entryOf(optimizer, "layer_decay");
  const excludes = mayBeOn(entryOf(optimizer, "exclude_bias_n_norm_wd")) || (layerDecay !== undefined && asNumber(layerDecay.value) !== 0);
  const linear = stringAt(root, "method") === undefined && !mayBeOn(entryOf(root, "finetune"));
  const params: ParamsFact = excludes
    ? { kind: "managed", span: optimizer.span, by: "solo-learn", excludesBiasAndNorm: true }
    : linear
      ? { kind: "other", span: optimizer.span }
      : { kind: "managed", span: optimizer.span, by: "solo-learn", excludesBiasAndNorm: false, remedy: "set exclude_bias_n_norm_wd: true in the optimizer section" };
  sites.add({
    dialect: "solo-learn",
    info,
    whole: optimizer.span,
    nameSpan: name.value.span,
    // The keywords are `kwargs` (a new one goes there, refused while it is not written); lr and weight_decay sit beside the name.
    args: kwargs ?? optimizer,
    ...(kwargs ? {} : { argsMissing: "kwargs" }),
    argsFor: (a) => (a === "lr" || a === "weight_decay" ? optimizer : undefined),
    params,
    // A `kwargs` that is not a mapping written here (an interpolation, an override) may pass anything.
    open: isOpen(optimizer) || (kwargsEntry !== undefined && (!kwargs || isOpen(kwargs))),
    table: SOLO_LEARN_NAMES,
    written,
    implied: found.implied,
    reads: (a) => a !== "lr",
    extra,
  });
}

/**
 * The `optim` mapping of a fairchem (Open Catalyst Project) trainer config, or undefined when the tree is not one: an
 * `optim` mapping with the `lr_initial` its trainers read the learning rate from.
 */
export function fairchemOptim(root: MappingValue): MappingValue | undefined {
  const optim = mappingAt(root, "optim");
  return optim && entryOf(optim, "lr_initial") ? optim : undefined;
}

/**
 * fairchem / OCP trainers: `optim: {optimizer: AdamW, lr_initial: 4e-4, optimizer_params: {weight_decay: 1e-3}}`. The
 * trainer builds `getattr(torch.optim, optimizer)` (AdamW when the key is left out) with `lr=lr_initial` and the
 * `optimizer_params` as keywords. A `weight_decay` beside `lr_initial` is the older spelling the trainer still
 * prefers; written in both places, which one counts has changed between versions, so it is unknown. A positive decay
 * is split by the model's own `no_weight_decay()` list, so which parameters are decayed is not judged. A config that
 * `includes` others may get its name or keywords from them: with no name it makes no site, and its keywords stay open.
 */
function fairchemRoot(sites: SiteBuilder, root: MappingValue): void {
  const optim = fairchemOptim(root);
  if (!optim || sites.claimed.has(optim)) return;
  const includes = entryOf(root, "includes") !== undefined;
  const name = entryOf(optim, "optimizer");
  const written = name ? stringAt(optim, "optimizer") : includes ? undefined : "AdamW";
  const entry = written !== undefined ? configName(FAIRCHEM_NAMES, written) : undefined;
  const info = entry && optimizerByName(entry.canonical);
  if (!info || written === undefined) return;
  const params = mappingAt(optim, "optimizer_params");
  // A value there that is not a mapping (a string, an interpolation) leaves the keywords unknown.
  if (!params && entryOf(optim, "optimizer_params")) return;
  const outer = entryOf(optim, "weight_decay");
  const both = outer !== undefined && params !== undefined && entryOf(params, "weight_decay") !== undefined;
  sites.add({
    dialect: "fairchem",
    info,
    whole: (name ?? entryOf(optim, "lr_initial")!).span,
    nameSpan: name ? name.value.span : entryOf(optim, "lr_initial")!.span,
    args: params ?? optim,
    ...(params ? {} : { argsMissing: "optimizer_params" }),
    argsFor: (a) => (a === "lr" || (a === "weight_decay" && outer && !both) ? optim : undefined),
    params: { kind: "other", span: optim.span },
    open: includes || isOpen(optim),
    table: FAIRCHEM_NAMES,
    written,
    keyFor: (a) => (a === "lr" ? "lr_initial" : a),
    reads: (a) => !(both && a === "weight_decay"),
    extra: both ? [unknownArgument("weight_decay", outer.span)] : [],
  });
  sites.claimed.add(optim);
}

/**
 * Whether a tree is a NequIP / Allegro (before 0.7) training config: the `optimizer_name` its trainer reads, beside the
 * `r_max` cutoff every such model needs.
 */
export function isNequipRoot(root: MappingValue): boolean {
  return stringAt(root, "optimizer_name") !== undefined && entryOf(root, "r_max") !== undefined;
}

/**
 * NequIP / Allegro before 0.7 (flat YAML; later versions use Hydra's `_target_`): the trainer builds
 * `getattr(torch.optim, optimizer_name)` with `lr=learning_rate` and finds each other keyword among the config's keys
 * (nequip's `instantiate`): the bare name (`weight_decay`) is overridden by the class-prefixed one (`Adam_weight_decay`),
 * that by `optimizer_weight_decay`, and all of them by an entry of the `optimizer_kwargs` mapping (under any of the three
 * names, again in that order). A `<Class>_kwargs` mapping is not modelled: such a site is not made. Which parameters are
 * decayed is not judged (the model's builders decide what it holds).
 */
function nequipRoot(sites: SiteBuilder, root: MappingValue): void {
  const named = isNequipRoot(root) && !sites.claimed.has(root) ? namedOptimizer(root, "optimizer_name", NEQUIP_NAMES) : undefined;
  if (!named) return;
  const { name, written, info } = named;
  const kwargsEntry = entryOf(root, "optimizer_kwargs");
  const kwargs = mappingAt(root, "optimizer_kwargs");
  if (entryOf(root, `${written}_kwargs`) || (kwargsEntry && !kwargs && kwargsEntry.value.value.kind !== "none")) return;
  // The highest-priority key written for each keyword, and the mapping it is in.
  const found = new Map<string, { mapping: MappingValue; key: string }>();
  for (const a of info.signature) {
    const names = [`optimizer_${a}`, `${written}_${a}`, a];
    const inKwargs = kwargs && names.find((k) => entryOf(kwargs, k));
    const inRoot = names.find((k) => entryOf(root, k));
    if (a !== "lr" && kwargs && inKwargs) found.set(a, { mapping: kwargs, key: inKwargs });
    else if (a !== "lr" && inRoot) found.set(a, { mapping: root, key: inRoot });
  }
  sites.add({
    dialect: "nequip",
    info,
    whole: name.span,
    nameSpan: name.value.span,
    args: root,
    argsFor: (a) => found.get(a)?.mapping,
    params: { kind: "other", span: name.span },
    open: isOpen(root) || (kwargs !== undefined && isOpen(kwargs)),
    table: NEQUIP_NAMES,
    written,
    keyFor: (a) => (a === "lr" ? "learning_rate" : (found.get(a)?.key ?? `optimizer_${a}`)),
    extra: entryOf(root, "learning_rate") ? [] : [unknownArgument("lr", name.value.span)],
  });
}

/**
 * Whether an ESPnet-style tree may train with DeepSpeed's optimizer instead of its own pair: `use_deepspeed` (at the
 * top, or in FunASR's `train_conf`) set to anything but a literal false. ESPnet's DeepSpeed trainer builds the
 * optimizer and scheduler from the DeepSpeed config alone, and FunASR drops the pair's optimizer when that config
 * has an `optimizer` section (a path, not read here).
 */
export function espnetDeepSpeed(root: MappingValue): boolean {
  const trainConf = mappingAt(root, "train_conf");
  return mayBeOn(entryOf(root, "use_deepspeed")) || (trainConf !== undefined && mayBeOn(entryOf(trainConf, "use_deepspeed")));
}

/** One of ESPnet's optimizer pairs: the `optim` entry, the name it writes, and the `<key>_conf` mapping of its keywords. */
export interface EspnetOptimizer {
  entry: MappingEntry;
  written: string;
  conf: MappingValue;
}

/**
 * ESPnet's optimizer entries of a tree: `optim` (or `optim1`, `optim2` ...) naming a class by a string, with the
 * mapping of its keywords beside it in `<key>_conf`. Such a pair is what marks a tree as ESPnet's (or as one of the
 * toolkits that copied its trainer's keys, WeNet and FunASR), whatever class it names.
 */
export function espnetOptimizers(root: MappingValue): EspnetOptimizer[] {
  const pairs: EspnetOptimizer[] = [];
  for (const entry of entriesOf(root)) {
    const conf = /^optim\d*$/.test(entry.key) ? mappingAt(root, `${entry.key}_conf`) : undefined;
    if (conf && entry.value.value.kind === "string") pairs.push({ entry, written: entry.value.value.value, conf });
  }
  return pairs;
}

/** fairseq's `'(0.9, 0.98)'`: a string holding a pair of numbers. */
function betasFromString(value: ResolvedValue): ResolvedValue | undefined {
  if (value.value.kind === "string") {
    const m = /^\s*[([]?\s*([\d.eE+-]+)\s*,\s*([\d.eE+-]+)\s*[)\]]?\s*$/.exec(value.value.value);
    const numbers = m ? [Number(m[1]), Number(m[2])] : [];
    if (numbers.length !== 2 || numbers.some((n) => !Number.isFinite(n))) return undefined;
    const items = numbers.map((n): ResolvedValue => ({ value: { kind: "number", value: n }, span: value.span, dependsOn: [] }));
    return { value: { kind: "sequence", items }, span: value.span, dependsOn: value.dependsOn, ...(value.origin ? { origin: value.origin } : {}) };
  }
  return value.value.kind === "sequence" ? value : undefined;
}

/** The optimizer a `_target_` or `class_path` entry names, by its full path. */
function optimizerAt(entry: MappingEntry): OptimizerInfo | undefined {
  return entry.value.value.kind === "string" ? optimizerByName(entry.value.value.value) : undefined;
}
