/**
 * Training facts: the language-neutral model that adapters produce and rules read.
 * Every offset is a 0-based UTF-16 index into the file text (after a leading BOM is stripped).
 */
import { sameSpan } from "./spans.js";

/** A half-open range of UTF-16 offsets into the analyzed text. */
export interface Span {
  start: number;
  end: number;
  /**
   * The file the offsets point into, when it is not the file being analyzed: a value that came from a
   * `_base_` config, a Hydra group, or a call site in another module. Absent means the analyzed file.
   */
  file?: string;
}

/** What an expression evaluates to, as far as static analysis can tell. */
export type Value =
  | { kind: "number"; value: number }
  | { kind: "bool"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "none" }
  | { kind: "sequence"; items: ResolvedValue[] }
  /**
   * A config tree node: a Python dict literal or `dict(...)`, a YAML mapping, a JSON object. Entries keep
   * source order; every key has its span and every value its own provenance.
   */
  | { kind: "mapping"; entries: MappingEntry[]; open?: boolean; constructs?: ConstructTag }
  /**
   * Not known in the file alone. `reference`: a value a config reads from the tree it is merged into (mmengine's
   * `_base_.lr`), which the joiner that builds that tree resolves; until then it is unknown like any other.
   */
  | { kind: "unknown"; reference?: ConfigReference };

/**
 * A HyperPyYAML tag on a mapping (`!name:torch.optim.Adam` builds a partial of the class with the mapping's keys as
 * keywords, `!new:torch.optim.SGD` an instance): `path` is the dotted path written in the tag, `span` where it is.
 */
export interface ConstructTag {
  kind: "name" | "new";
  path: string;
  span: Span;
}

/** A read of another place in the tree a config ends up in: its merged bases, or the composed Hydra config. */
export type ConfigReference =
  /**
   * mmengine/mmcv's `_base_.x` or `{{_base_.x}}`: `path` holds the keys from the root of the merged bases, `ops` the
   * arithmetic on the number read, innermost first (`_base_.lr * 2` is `{op: "*", operand: 2, side: "left"}`).
   */
  | { scheme: "base"; path: string[]; ops: { op: string; operand: number; side: "left" | "right" }[] }
  /** An OmegaConf/Hydra interpolation, as written (`${optimizer.lr}`). */
  | { scheme: "interpolation"; text: string };

/** One key of a mapping value. */
export interface MappingEntry {
  key: string;
  keySpan: Span;
  value: ResolvedValue;
  /** The whole entry (`key: value`, `"key": value`, `key=value`). */
  span: Span;
}

/** Where a resolved value was defined, when that is not the use site itself. */
export interface Origin {
  span: Span;
  /** Human words for the definition, e.g. "argparse default of --lr" or "constant LR". */
  description: string;
  /**
   * True when a run can replace the value without editing this file: an argparse default, a config or
   * dataclass field read through a parameter, a parameter's default. False for constants and literals.
   */
  overridable: boolean;
}

/** Something that may make a value vary with the number of data-parallel workers. */
export type Dependency = "world-size" | "batch-size";

/** A value with its provenance. Unknown values never produce findings. */
export interface ResolvedValue {
  value: Value;
  /** The expression at the use site (e.g. the `0.1` or `args.lr` inside the call). */
  span: Span;
  /** The definition the value was read from (argparse default, constant, dict entry, dataclass field). */
  origin?: Origin;
  /**
   * Span of the literal that produced the value, when a single literal did (at the use site or at the
   * origin). Fixes that change the value edit this span, so `--lr` defaults are fixed where they live.
   */
  literalSpan?: Span;
  /** What the expression depends on, through names like world_size or get_world_size(). */
  dependsOn: Dependency[];
}

/** One argument of an optimizer construction, matched to the optimizer's signature. */
export interface ArgumentFact {
  /** Canonical parameter name from the signature (`lr`, `betas`, ...). */
  name: string;
  value: ResolvedValue;
  /** The whole argument as written: `lr=0.1`, or `0.1` when positional, or the `**kw` it came through. */
  span: Span;
  how: "keyword" | "positional" | "unpacked";
}

/** What was passed as the optimizer's parameters. */
export type ParamsFact =
  /**
   * All parameters of a model, e.g. `model.parameters()`, `self.parameters()`, `model.module.parameters()`;
   * `trainable` when a filter keeps only those that require gradients (`filter(lambda p: p.requires_grad,
   * model.parameters())`, `[p for p in model.parameters() if p.requires_grad]`): all the model's trainable ones. It
   * is the span of the `.parameters()` (or `.named_parameters()`) call the filter reads.
   */
  | { kind: "whole-model"; span: Span; model: string; trainable?: Span }
  /**
   * A list of parameter-group dicts; `hasNoDecayGroup` when a group sets weight_decay to 0 or excludes biases/norms.
   * `keys` is the union of the keys the group dicts write; `groups` the dicts seen, and `complete` whether they are
   * all the groups (a list literal of closed dicts), so a key missing from one of them is really missing.
   */
  | {
      kind: "groups";
      span: Span;
      hasNoDecayGroup: boolean;
      keys: string[];
      groups: ParamGroupFact[];
      complete: boolean;
      /**
       * Every group takes a module's parameters whole (`m.backbone.parameters()`) or chosen by name (a comprehension
       * over `m.named_parameters()`), so each holds that part's biases and norm weights with its matrices.
       */
      byModule?: boolean;
    }
  /**
   * Anything else (a filtered generator, a helper's return value, a variable we cannot see into). `tensors` when
   * the parameters are tensors listed by hand (`[image]`, `[w, b]`, `[latent] + noise`), not a network's parameters,
   * or the `parameters()` of a module of the file that holds bare `nn.Parameter` tensors and builds no layer.
   */
  | { kind: "other"; span: Span; tensors?: boolean }
  /**
   * Parameters chosen by a framework from a config (HF Trainer, timm `create_optimizer_v2`, mmengine's
   * optimizer wrapper, DeepSpeed). `excludesBiasAndNorm` when the framework keeps biases and norm weights
   * out of weight decay (the HF Trainer and timm always; mmengine with `bias_decay_mult`/`norm_decay_mult` 0).
   * `exempts`: the only parameters the framework's config keeps out of decay, as written there (mmengine
   * `custom_keys` naming token and position-embedding parameters), when it keeps some but not biases and norms.
   * `paramwiseCfg` (mmengine and mmcv): where the decay multipliers go, `present` when the optimizer already has a
   * `paramwise_cfg`, else where a new one is written: `wrapper` beside the optimizer in mmengine's `optim_wrapper`,
   * `optimizer` inside an mmcv 1.x `optimizer` dict. `remedy`: the framework's setting that leaves biases and norm
   * weights undecayed, or what to change when no setting of the framework keeps them out. `why`: the reason every
   * parameter is decayed, when it is not simply the framework's default (the HF Trainer handing DeepSpeed's optimizer
   * section all trainable parameters in one group).
   */
  | {
      kind: "managed";
      span: Span;
      by: string;
      excludesBiasAndNorm: boolean;
      exempts?: string[];
      paramwiseCfg?: "present" | "wrapper" | "optimizer";
      remedy?: string;
      why?: string;
    }
  | { kind: "missing" };

/** One parameter-group dict as written (`{"params": head.parameters(), "lr": 1e-3}`). */
export interface ParamGroupFact {
  span: Span;
  /** The values of the keys it writes, other than `params` (unknown when not resolved). */
  values: Map<string, ResolvedValue>;
  /** Keys may exist beyond `values` (`**base` inside the dict). */
  open: boolean;
}

/** An optimizer construction, matched to its entry in the knowledge table. */
export interface OptimizerSite {
  /** Id unique across a run (`<file>#<n>`), used by fix requests and scheduler links. */
  id: string;
  /** The config dialect a site was read from (`mmengine`, `hydra`, `deepspeed`, ...); absent for Python calls. */
  dialect?: string;
  /** Canonical optimizer name from the knowledge table, e.g. `torch.optim.Adam`. */
  canonical: string;
  /** The whole construction (call expression, or config mapping). */
  span: Span;
  /** The part that names the optimizer: the callee expression, or the `type:` value in a config. */
  nameSpan: Span;
  /** Arguments by canonical parameter name (only those given; defaults come from the knowledge table). */
  args: Map<string, ArgumentFact>;
  /** True when arguments were passed through `*args`/`**kwargs` we could not fully resolve: absent args are then unknown, not default. */
  hasUnresolvedSpread: boolean;
  params: ParamsFact;
  /**
   * Groups added after the construction (`optimizer.add_param_group({...})` in the same function): each trains with
   * the keys it writes and the constructor's values for the rest. A group whose dict cannot be read is `open` with no values.
   */
  addedGroups?: ParamGroupFact[];
  /**
   * A checkpoint load after the construction that replaces its hyperparameters (`optimizer.load_state_dict(...)`,
   * `trainer.fit(ckpt_path=...)`, `accelerator.load_state(...)`). When it is not conditional, every run trains with
   * the checkpoint's lr, momentum, betas, eps and weight_decay, not with the values written at the construction.
   */
  stateRestored?: { span: Span; conditional: boolean };
  /**
   * A schedule written beside the construction in its config sets the optimizer's momentum (beta1 for Adam) as it
   * trains (mmengine's `*Momentum` schedulers, mmcv's `momentum_config`): the written momentum or beta1 is where the
   * schedule starts, a tuned choice.
   */
  momentumScheduled?: true;
  /**
   * How the site's dialect names canonical arguments, where that differs (`lr` → `learning_rate` in HF
   * TrainingArguments, `eps` → `adam_eps` in fairseq): messages about the site name the key the user wrote.
   */
  argumentKeys?: Record<string, string>;
  /**
   * A construction built in this file from a config written in another file (Hydra's `instantiate`, a Lightning
   * factory call): the file that names the class, the construction as that file alone describes it (its spans are
   * that file's offsets, its `adapterData` that file's adapter's), and words for the call that builds it. Findings
   * about the construction are shown there when that file is linted, and fix requests on values written there are
   * made on this site by that file's adapter.
   */
  readonly builtFrom?: { file: string; site: OptimizerSite; call: string };
  /** Opaque handle for the adapter that produced the site (used when it makes edits). */
  readonly adapterData?: unknown;
}

/** Evidence that a script runs data-parallel training. */
export interface DistributedEvidence {
  kind: "ddp" | "distributed-sampler" | "init-process-group" | "torchrun-env" | "world-size" | "fsdp" | "horovod";
  span: Span;
  description: string;
  /**
   * The optimizer constructions this evidence bears on: those in the same flow of control (the same function,
   * class or module-level code, or joined to it through calls the analysis follows). Absent: all of the file's.
   */
  sites?: string[];
}

/** Data-parallel setup and the ways a script adapts to the number of workers. */
export interface DistributedFacts {
  evidence: DistributedEvidence[];
  /** Places where the per-worker batch size or gradient-accumulation steps are divided by the world size. */
  batchScaledByWorldSize: Span[];
  /** Places where any learning rate is multiplied or divided by the world size or global batch size. */
  lrScaledByWorldSize: Span[];
}

/** A learning-rate scheduler construction (`LambdaLR(optimizer, ...)`, `get_linear_schedule_with_warmup(...)`). */
export interface SchedulerFact {
  /** Canonical name from the knowledge table, or the import path of a class it does not list. */
  canonical: string;
  span: Span;
  /** The id of the OptimizerSite the scheduler drives, when its optimizer argument is one known construction. */
  optimizerSite?: string;
  /**
   * Whether the schedule starts by raising the lr from a small value (a warm-up): true (`LinearLR` with
   * `start_factor` below 1, `get_*_with_warmup`, `OneCycleLR`, timm `warmup_t`, HF `warmup_ratio`/`warmup_steps`,
   * DeepSpeed `WarmupLR`), false when its arguments show none, absent when that cannot be told (a `LambdaLR`).
   */
  warmup?: boolean;
}

/** A write of a learning rate into a parameter group at run time (`param_group["lr"] = new_lr`). */
export interface LrWrite {
  span: Span;
  value: ResolvedValue;
  /** True when the write ramps the lr up (it sits under a warm-up condition or scales by a warm-up fraction). */
  warmup?: boolean;
}

/** What the file does to the model's parameters beyond handing them to an optimizer. */
export interface ModelHints {
  /** Places that freeze parameters (`requires_grad = False`, `get_peft_model(...)`, a peft import). */
  freezesParameters: Span[];
  /**
   * Freezes of `freezesParameters` that name one model built in the file (`for p in encoder.parameters():
   * p.requires_grad = False`), each with the constructions it bears on: those training that model, a model linked
   * to it, or parameters of unknown origin. A freeze not listed here bears on every construction (`frozenFor`).
   */
  scopedFreezes?: { span: Span; sites: string[] }[];
  /**
   * Losses summed over the batch instead of averaged (`reduction="sum"` or `"none"`, the old `size_average=False`): the
   * gradient grows with the batch, so plain SGD trains at a much smaller lr than on a mean loss.
   */
  summedLosses?: Span[];
  /**
   * What kind of network is trained, each with the place that says so (absent: the adapter does not tell). A
   * kind nothing shows is unknown, never assumed.
   */
  kinds?: ModelKindFact[];
}

/**
 * Kinds of network a rule may judge an optimizer by. `mlp` is a stack of three or more linear layers; `linear` a
 * model that is one `nn.Linear` and nothing else with parameters (linear or logistic regression); `rl-policy` a
 * policy or value network trained by reinforcement learning; `gan` either network of a generator and discriminator
 * pair; `sparse-embedding` an embedding built with `sparse=True` (sparse gradients).
 */
export type ModelKind = "transformer" | "cnn" | "rnn" | "mlp" | "linear" | "rl-policy" | "gan" | "sparse-embedding";

/** One piece of evidence of a model kind. */
export interface ModelKindFact {
  kind: ModelKind;
  /** What says so: the construction, class, import or config entry. */
  span: Span;
  /** Human words for the evidence, e.g. "the model is loaded with AutoModelForCausalLM". */
  description: string;
  /**
   * The optimizer constructions whose parameters come from the model this evidence is about (`model =
   * AutoModel...` and `Adam(model.parameters())`). Absent: it bears on the whole file (a gym import, a config
   * that builds one model); empty: on no construction of the file.
   */
  sites?: string[];
  /**
   * With `sites` absent, the constructions of the file it does not bear on (those module-level code builds above a
   * module-level RL import). An exclusion, so that constructions a joiner adds later are covered.
   */
  exceptSites?: string[];
}

/** How a model's parameters are stored while they train. */
export interface PrecisionFact {
  /**
   * `fp16-params`: parameters cast to float16 and trained as such (`model.half()`, `.to(torch.float16)`,
   * `from_pretrained(torch_dtype=torch.float16)`); `master-weights`: mixed precision that keeps fp32 master
   * weights (`autocast` and `GradScaler`, apex amp, DeepSpeed fp16, HF `fp16=True`, Lightning `precision=16`);
   * `bf16`: bfloat16 parameters or autocast.
   */
  kind: "fp16-params" | "master-weights" | "bf16";
  span: Span;
  description: string;
  /** The optimizer constructions it bears on, as for model kinds (absent: the whole file). */
  sites?: string[];
}

/**
 * A load or save of training state. Loads restore what a construction set up; saves decide what a later run can
 * resume from.
 */
export interface CheckpointFact {
  kind: "load" | "save";
  /**
   * Whose state: one optimizer's (`optimizer.load_state_dict`), a model's (`model.load_state_dict`), a whole
   * training state that includes every optimizer (`trainer.fit(ckpt_path=...)`, `accelerator.load_state`,
   * `resume_from_checkpoint`, a `load_checkpoint(..., optimizer)` helper), or a file read or written whose
   * content is not known here (`torch.load`, `torch.save`). An `optimizer.state_dict()` call is an optimizer save:
   * the state is taken to be written, by the file or by a helper it is handed to.
   */
  state: "optimizer" | "model" | "training" | "file";
  span: Span;
  /** The optimizer constructions whose state is loaded or saved, when they are known (all of the file's for `training`). */
  optimizerSites: string[];
  /**
   * True when some runs skip it: it sits under an `if`, `try`, loop or conditional expression below the flow it
   * shares with the construction, lives in another function, or takes a path that may be None.
   */
  conditional: boolean;
  /** For a save: whether the optimizer's state is among what is written (true), left out (false), or unknown. */
  includesOptimizerState?: boolean;
  /**
   * For a model load: the load takes only part of a model or a new task's weights (`strict=False`, a backbone or
   * encoder submodule, keys filtered before loading), so it starts fine-tuning rather than resuming.
   */
  partial?: boolean;
}

/** What a run continues from or starts on: the signs that it resumes an earlier run, or fine-tunes pretrained weights. */
export interface ResumeFacts {
  /**
   * Signs that a run continues an earlier one: a step or epoch counter read back from a checkpoint
   * (`start_epoch = checkpoint["epoch"]`), a `--resume` flag or `resume` setting that leads to a load, a framework
   * resume argument (`resume_from_checkpoint`, Lightning `ckpt_path`, accelerate `load_state`).
   */
  evidence: { kind: "counter" | "flag" | "framework"; span: Span; description: string }[];
  /** Signs that loaded weights start a new task: `from_pretrained`, a partial or non-strict load, a replaced head. */
  fineTuning: { span: Span; description: string }[];
}

/** The samples in one optimizer step, by part; each part that is known statically has its value and provenance. */
export interface BatchFacts {
  /** Samples each worker takes per forward pass (`DataLoader(batch_size=...)`, `per_device_train_batch_size`, `train_micro_batch_size_per_gpu`). */
  perDevice?: ResolvedValue;
  /** Forward passes per optimizer step (`gradient_accumulation_steps`, `accumulate_grad_batches`). */
  accumulation?: ResolvedValue;
  /** Data-parallel workers, when a config writes them (`trainer.devices` × `num_nodes`). */
  worldSize?: ResolvedValue;
  /** A global batch written as such (DeepSpeed `train_batch_size`). */
  global?: ResolvedValue;
}

/** How one optimizer (or every optimizer a framework config trains) is driven. */
export interface TrainingLoopFact {
  /** The construction the loop steps; absent when it is every optimizer of the file (a framework config). */
  optimizerSite?: string;
  /** `code`: the file calls `step()` itself (spans in `steppedAt`); `framework`: a trainer does (Lightning, HF, mmengine). */
  steppedBy: "code" | "framework";
  steppedAt: Span[];
  /** Number of epochs, when known: the bound of the epoch loop, or `max_epochs`/`num_train_epochs`/`epochs` in a config. */
  epochs?: ResolvedValue;
  /** Number of optimizer steps, when known: the bound of a step loop, or `max_steps`/`max_iters`. */
  steps?: ResolvedValue;
  /**
   * Places that hand the optimizer to code the analysis cannot see into (a helper that may set its lr, such as
   * `adjust_learning_rate(optimizer, epoch)` imported from another module): the lr it trains with is then unknown.
   */
  opaqueUses: Span[];
  /** True when a layer-wise adaptive wrapper (apex `LARC`, a LARS wrapper) takes the optimizer. */
  layerwise?: boolean;
}

/** A hand-written Adam-style update: running first and second moments, then a step by m / (sqrt(v) + eps). */
export interface ManualAdamUpdate {
  /** Unique in the file; fix requests name it. */
  id: string;
  /** The statement that moves the parameters. */
  span: Span;
  /** The assignments of the first and second moments. */
  firstMoment: Span;
  secondMoment: Span;
  /** Whether the update (or the moments it reads) is divided by `1 - beta**t` anywhere in its flow. */
  biasCorrected: boolean;
  /** Whether the adapter can write the corrected update (it knows the betas and a step counter). */
  correctable: boolean;
  /** Opaque handle for the adapter that produced the fact. */
  readonly adapterData?: unknown;
}

/** Everything the rules know about one file. */
export interface TrainingFacts {
  optimizers: OptimizerSite[];
  distributed: DistributedFacts;
  schedulers: SchedulerFact[];
  lrWrites: LrWrite[];
  modelHints: ModelHints;
  /** Loads and saves of model and optimizer state (absent: the adapter does not detect them). */
  checkpoints?: CheckpointFact[];
  /** How parameters are stored while they train (absent: the adapter does not detect it; empty: nothing says). */
  precision?: PrecisionFact[];
  /** Signs of resuming and of fine-tuning (absent: the adapter does not detect them). */
  resume?: ResumeFacts;
  /** The parts of the global batch (absent: nothing known). */
  batch?: BatchFacts;
  /** How each optimizer is stepped and for how long (absent: nothing known). */
  loops?: TrainingLoopFact[];
  /** Hand-written Adam-style updates (absent: none). */
  manualAdam?: ManualAdamUpdate[];
  /**
   * Pairs of construction ids that no run builds both of: in different branches of one `if` (or conditional
   * expression, or `match`), or in flows of control that nothing in the file joins (absent: none known).
   */
  exclusive?: [string, string][];
  /**
   * Code that tests rather than trains: test functions and classes, fixtures (absent: none known). Findings in it
   * are not reported unless tests are included; whole test files are recognized by path (src/core/roles.ts).
   */
  testCode?: Span[];
}

/** Facts of a file that has no training code. */
export function emptyFacts(): TrainingFacts {
  return {
    optimizers: [],
    distributed: { evidence: [], batchScaledByWorldSize: [], lrScaledByWorldSize: [] },
    schedulers: [],
    lrWrites: [],
    modelHints: { freezesParameters: [] },
  };
}

/** A numeric value, or undefined when the value is not a known number (bools count as 0/1 like Python). */
export function asNumber(v: ResolvedValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.value.kind === "number") return v.value.value;
  if (v.value.kind === "bool") return v.value.value ? 1 : 0;
  return undefined;
}

/** A boolean value, or undefined when unknown (numbers follow Python truthiness). */
export function asBool(v: ResolvedValue | undefined): boolean | undefined {
  if (!v) return undefined;
  if (v.value.kind === "bool") return v.value.value;
  if (v.value.kind === "number") return v.value.value !== 0;
  if (v.value.kind === "none") return false;
  return undefined;
}

/** The numbers of a sequence value when every item is a known number. */
export function asNumbers(v: ResolvedValue | undefined): number[] | undefined {
  if (!v || v.value.kind !== "sequence") return undefined;
  const out: number[] = [];
  for (const item of v.value.items) {
    const n = asNumber(item);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/** The global batch as far as it is known: exact when every part is, a lower bound when a part is unknown (each part is at least 1). */
export function globalBatch(batch: BatchFacts | undefined): { value: number; exact: boolean; parts: ResolvedValue[] } | undefined {
  if (!batch) return undefined;
  const global = asNumber(batch.global);
  if (global !== undefined && global > 0) return { value: global, exact: true, parts: [batch.global!] };
  const perDevice = asNumber(batch.perDevice);
  if (perDevice === undefined || perDevice <= 0) return undefined;
  const parts = [batch.perDevice!];
  let value = perDevice;
  let exact = true;
  for (const part of [batch.accumulation, batch.worldSize]) {
    const n = asNumber(part);
    if (n !== undefined && n >= 1) {
      value *= n;
      parts.push(part!);
    } else exact = false;
  }
  return { value, exact, parts };
}

/** The schedulers that may drive an optimizer: those tied to its construction, and those tied to none (they may drive any). */
export function schedulersOn(facts: TrainingFacts, siteId: string): SchedulerFact[] {
  return facts.schedulers.filter((s) => s.optimizerSite === undefined || s.optimizerSite === siteId);
}

/** What drives an optimizer's lr over training: a schedule, fixed, or unknown. */
export function lrSchedule(facts: TrainingFacts, siteId: string): "scheduled" | "fixed" | "unknown" {
  if (facts.lrWrites.length > 0) return "scheduled";
  if (facts.schedulers.some((s) => s.optimizerSite === siteId)) return "scheduled";
  // A scheduler not tied to one construction may drive this one.
  if (facts.schedulers.some((s) => s.optimizerSite === undefined)) return "unknown";
  const loop = facts.loops?.find((l) => l.optimizerSite === siteId || l.optimizerSite === undefined);
  if (!loop || loop.opaqueUses.length > 0) return "unknown";
  return "fixed";
}

/** Whether a warm-up is in force for an optimizer: true, false, or undefined when its lr logic is not fully known. */
export function warmupInForce(facts: TrainingFacts, siteId: string): boolean | undefined {
  if (facts.lrWrites.some((w) => w.warmup)) return true;
  const mine = schedulersOn(facts, siteId);
  if (mine.some((s) => s.warmup === true)) return true;
  if (mine.some((s) => s.warmup === undefined) || facts.lrWrites.length > 0) return undefined;
  const loop = facts.loops?.find((l) => l.optimizerSite === siteId || l.optimizerSite === undefined);
  // A construction the file's own code never steps (its name bound again before the loop) trains out of sight, if at all.
  if (!loop || loop.opaqueUses.length > 0 || (loop.steppedBy === "code" && loop.steppedAt.length === 0)) return undefined;
  return false;
}

/** Whether a freeze may touch the parameters a construction trains: any freeze but those scoped to other constructions. */
export function frozenFor(hints: ModelHints, siteId: string): boolean {
  const scoped = hints.scopedFreezes ?? [];
  return hints.freezesParameters.some((span) => scoped.every((f) => !sameSpan(f.span, span) || f.sites.includes(siteId)));
}
