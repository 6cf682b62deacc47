/**
 * How training frameworks name optimizers in their configs, as data: each dialect's names resolve to an entry of
 * the one optimizer table (optimizers.ts), with the arguments the framework passes itself for that name.
 * The recognizer (src/configs) reads these tables; nothing else spells framework optimizer names.
 */
import type { LiteralValue } from "../core/types.js";

/** One name a dialect accepts for an optimizer. */
export interface ConfigName {
  /** The knowledge-table entry the name builds. */
  canonical: string;
  /**
   * Arguments the framework passes for this name when the config does not set them: timm's `sgd` is SGD with
   * `nesterov=True` and `momentum=0.9`, its `momentum` is SGD with `nesterov=False`.
   */
  implied?: Record<string, LiteralValue>;
}

/** A dialect's optimizer names. */
export interface NameTable {
  /** Words for the framework in messages and origin notes (`timm`, `the HF Trainer`). */
  framework: string;
  /** Whether the framework lower-cases the name before looking it up (DeepSpeed, NeoX, timm). */
  caseInsensitive: boolean;
  names: Record<string, ConfigName>;
}

/** torch.optim classes under their class names, as mmengine and mmcv register them. */
const TORCH_SHORT = ["SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adagrad", "Adadelta"];

const torch = (short: string): ConfigName => ({ canonical: `torch.optim.${short}` });

/**
 * fairchem (Open Catalyst Project) `optim.optimizer`: the trainer builds `getattr(torch.optim, name)`, so the names are
 * torch.optim's class names, exactly as written.
 */
export const FAIRCHEM_NAMES: NameTable = {
  framework: "fairchem",
  caseInsensitive: false,
  names: Object.fromEntries(TORCH_SHORT.map((s) => [s, torch(s)])),
};

/** NequIP / Allegro (before 0.7) `optimizer_name`: looked up among torch.optim's classes by their exact names. */
export const NEQUIP_NAMES: NameTable = { ...FAIRCHEM_NAMES, framework: "NequIP" };

/** mmengine / mmcv `type='SGD'`: the registry holds every torch.optim class by its name (mmpretrain adds timm's Lamb). */
export const MMENGINE_NAMES: NameTable = {
  framework: "mmengine",
  caseInsensitive: false,
  names: { ...Object.fromEntries(TORCH_SHORT.map((s) => [s, torch(s)])), Lamb: { canonical: "timm.optim.Lamb" } },
};

/**
 * DeepSpeed `"optimizer": {"type": ...}` (compared lower-cased). Adam builds FusedAdam, DeepSpeedCPUAdam under ZeRO
 * offload, or torch's Adam/AdamW with `torch_adam`; all of them run in AdamW mode unless `adam_w_mode` is false.
 */
export const DEEPSPEED_NAMES: NameTable = {
  framework: "DeepSpeed",
  caseInsensitive: true,
  names: {
    adam: { canonical: "deepspeed.config.Adam" },
    adamw: { canonical: "deepspeed.config.AdamW" },
    lamb: { canonical: "deepspeed.ops.lamb.FusedLamb" },
    onebitadam: { canonical: "deepspeed.runtime.fp16.onebit.adam.OnebitAdam" },
    zerooneadam: { canonical: "deepspeed.runtime.fp16.onebit.zoadam.ZeroOneAdam" },
    onebitlamb: { canonical: "deepspeed.runtime.fp16.onebit.lamb.OnebitLamb" },
  },
};

/**
 * GPT-NeoX `optimizer: {type, params}` (compared lower-cased): `adam` is apex FusedAdam (AdamW mode by default),
 * `cpu_adam` DeepSpeedCPUAdam, `cpu_torch_adam` torch's coupled Adam.
 */
export const NEOX_NAMES: NameTable = {
  framework: "GPT-NeoX",
  caseInsensitive: true,
  names: {
    adam: { canonical: "apex.optimizers.FusedAdam" },
    cpu_adam: { canonical: "deepspeed.ops.adam.DeepSpeedCPUAdam" },
    cpu_torch_adam: { canonical: "torch.optim.Adam" },
    sgd: { canonical: "torch.optim.SGD" },
    onebitadam: { canonical: "deepspeed.runtime.fp16.onebit.adam.OnebitAdam" },
  },
};

/** fairseq `optimizer: adam` (or `_name: adam`): its Adam decays decoupled, like AdamW. */
export const FAIRSEQ_NAMES: NameTable = {
  framework: "fairseq",
  caseInsensitive: false,
  names: {
    adam: { canonical: "fairseq.optim.adam.FairseqAdam" },
    sgd: { canonical: "torch.optim.SGD" },
    adagrad: { canonical: "torch.optim.Adagrad" },
    adadelta: { canonical: "torch.optim.Adadelta" },
  },
};

/**
 * llm-foundry `optimizer: {name: decoupled_adamw, lr, betas, eps, weight_decay}`: its registry builds Composer's
 * `DecoupledAdamW` from the other keys (the Lion variants it also registers are not modelled, so they make no site).
 */
export const LLM_FOUNDRY_NAMES: NameTable = {
  framework: "llm-foundry",
  caseInsensitive: false,
  names: { decoupled_adamw: { canonical: "composer.optim.DecoupledAdamW" } },
};

/**
 * OLMo `optimizer: {name: adamw, learning_rate, weight_decay, betas, eps}`: OLMo's AdamW is torch's, built with the
 * config's own defaults where a key is left out (lr 1e-4, weight decay 0.01, betas (0.9, 0.95), eps 1e-5). Its other
 * name, `lionw` (also the default when `name` is absent), is not modelled.
 */
export const OLMO_NAMES: NameTable = {
  framework: "OLMo",
  caseInsensitive: false,
  names: { adamw: { canonical: "torch.optim.AdamW", implied: { lr: 1e-4, weight_decay: 0.01, betas: [0.9, 0.95], eps: 1e-5 } } },
};

/**
 * The torch.optim classes that NeMo's and ESPnet's registries both hold under their lower-cased names (`adam`,
 * `adamw`, `sgd`, ...), in the same spelling `nameIn` gives back first.
 */
const lowerTorch = (): Record<string, ConfigName> =>
  Object.fromEntries(["SGD", "Adam", "AdamW", "Adadelta", "Adamax", "Adagrad", "RMSprop"].map((s) => [s.toLowerCase(), torch(s)]));

/**
 * NVIDIA NeMo `optim: {name: adamw, lr: ...}` (exact names of its optimizer registry; the other keys, `sched` aside,
 * go to the class as keywords). `fused_adam` is apex FusedAdam and `lamb` apex FusedLAMB, both decoupled by default.
 */
export const NEMO_NAMES: NameTable = {
  framework: "NeMo",
  caseInsensitive: false,
  names: { ...lowerTorch(), fused_adam: { canonical: "apex.optimizers.FusedAdam" }, lamb: { canonical: "apex.optimizers.FusedLAMB" } },
};

/**
 * ESPnet `optim: adam` with its keywords in `optim_conf` (GAN tasks number them: `optim1`, `optim1_conf`). Only the
 * names every ESPnet version maps to the same class are listed (`radam` was torch_optimizer's in older releases).
 * `adam` is torch's coupled Adam. `sgd` is ESPnet's own subclass of torch's SGD (`espnet2.optimizers.sgd.SGD`, also
 * FunASR's), which gives `lr` a default of 0.1 where torch's is 0.001. WeNet and FunASR read the same keys.
 */
export const ESPNET_NAMES: NameTable = {
  framework: "ESPnet",
  caseInsensitive: false,
  names: { ...lowerTorch(), sgd: { canonical: "torch.optim.SGD", implied: { lr: 0.1 } } },
};

/**
 * HF `TrainingArguments.optim` strings (transformers' OptimizerNames), also axolotl's `optimizer`. Every AdamW
 * variant decays decoupled; `sgd`, `adagrad` and `rmsprop` get only the learning rate and weight decay.
 */
export const HF_NAMES: NameTable = {
  framework: "the HF Trainer",
  caseInsensitive: false,
  names: {
    adamw_torch: torch("AdamW"),
    adamw_torch_fused: torch("AdamW"),
    adamw_torch_xla: torch("AdamW"),
    adamw_torch_npu_fused: torch("AdamW"),
    adamw_apex_fused: { canonical: "apex.optimizers.FusedAdam" },
    adamw_hf: { canonical: "transformers.AdamW" },
    adamw_bnb_8bit: { canonical: "bitsandbytes.optim.AdamW8bit" },
    adamw_8bit: { canonical: "bitsandbytes.optim.AdamW8bit" },
    paged_adamw_8bit: { canonical: "bitsandbytes.optim.AdamW8bit" },
    paged_adamw_32bit: { canonical: "bitsandbytes.optim.AdamW" },
    adamw_torch_8bit: { canonical: "torchao.optim.AdamW8bit" },
    adamw_torch_4bit: { canonical: "torchao.optim.AdamW4bit" },
    adafactor: { canonical: "transformers.Adafactor" },
    sgd: torch("SGD"),
    adagrad: torch("Adagrad"),
    rmsprop: torch("RMSprop"),
  },
};

/**
 * Keys that make a flat Trainer config train with another optimizer than the one `optim` names: LLaMA-Factory's
 * fine-tuning switches build GaLore, APOLLO, BAdam, Adam-mini or Muon in the Trainer's place. A config that sets one
 * (to anything but false) has an optimizer we do not model, so it makes no construction.
 */
export const TRAINER_OPTIMIZER_SWITCHES: readonly string[] = ["use_galore", "use_apollo", "use_badam", "use_adam_mini", "use_muon"];

/**
 * timm `create_optimizer_v2(opt=...)` strings (lower-cased; a `lookahead_` prefix wraps the same optimizer).
 * `sgd` and `nesterov` are Nesterov SGD, `momentum` classical SGD, all with momentum 0.9 unless given; `adam` is
 * torch's coupled Adam; `rmsprop` uses alpha 0.9 and momentum 0.9.
 */
export const TIMM_NAMES: NameTable = {
  framework: "timm",
  caseInsensitive: true,
  names: {
    sgd: { canonical: "torch.optim.SGD", implied: { nesterov: true, momentum: 0.9 } },
    nesterov: { canonical: "torch.optim.SGD", implied: { nesterov: true, momentum: 0.9 } },
    momentum: { canonical: "torch.optim.SGD", implied: { nesterov: false, momentum: 0.9 } },
    adam: torch("Adam"),
    adamw: torch("AdamW"),
    nadam: torch("NAdam"),
    radam: torch("RAdam"),
    adamax: torch("Adamax"),
    adagrad: torch("Adagrad"),
    adadelta: torch("Adadelta"),
    rmsprop: { canonical: "torch.optim.RMSprop", implied: { alpha: 0.9, momentum: 0.9 } },
    lamb: { canonical: "timm.optim.Lamb" },
    lars: { canonical: "timm.optim.Lars" },
  },
};

/**
 * ClassyVision task configs, `"optimizer": {"name": "sgd", ...}` (its registry's exact names). Each wrapper builds
 * the torch class with the config's keys as keywords, with torch's own defaults except for the learning rate, which
 * the config's `param_schedulers` usually set at every step.
 */
export const CLASSY_VISION_NAMES: NameTable = {
  framework: "ClassyVision",
  caseInsensitive: false,
  names: { sgd: torch("SGD"), adam: torch("Adam"), adamw: torch("AdamW"), adamw_mt: torch("AdamW"), rmsprop: torch("RMSprop") },
};

/**
 * GraphGym (`torch_geometric.graphgym`, also run by GraphGPS and its forks): `optim: {optimizer: adam, base_lr: ...,
 * weight_decay: ...}`. Its registry holds `adam`, built as `Adam(params, lr=base_lr, weight_decay=weight_decay)`, and
 * `sgd`, built as `SGD(params, lr=base_lr, momentum=momentum, weight_decay=weight_decay)` with no `nesterov`; a key the
 * config leaves out takes the default of GraphGym's `set_cfg` (base_lr 0.01, weight_decay 5e-4, momentum 0.9). Other
 * names (GraphGPS's `adamW`) are registered by the project's own code and are not read.
 */
export const GRAPHGYM_NAMES: NameTable = {
  framework: "GraphGym",
  caseInsensitive: false,
  names: {
    adam: { canonical: "torch.optim.Adam", implied: { lr: 0.01, weight_decay: 5e-4 } },
    sgd: { canonical: "torch.optim.SGD", implied: { lr: 0.01, weight_decay: 5e-4, momentum: 0.9, nesterov: false } },
  },
};

/** The optimizer arguments GraphGym's registered builders pass (the others keep the class defaults). */
export const GRAPHGYM_ARGUMENTS: Record<string, readonly string[]> = {
  "torch.optim.Adam": ["lr", "weight_decay"],
  "torch.optim.SGD": ["lr", "momentum", "weight_decay"],
};

/** GraphGym `optim.scheduler` names its registry holds (`none` builds no scheduler); its default is `cos`. */
export const GRAPHGYM_SCHEDULERS: Record<string, string> = {
  cos: "torch.optim.lr_scheduler.CosineAnnealingLR",
  step: "torch.optim.lr_scheduler.MultiStepLR",
};

/**
 * RecBole `learner: adam` (compared lower-cased) with `learning_rate` and `weight_decay` at the top level: its trainer
 * builds each of these torch classes with only those two keywords (an unknown name falls back to Adam without decay).
 */
export const RECBOLE_NAMES: NameTable = {
  framework: "RecBole",
  caseInsensitive: true,
  names: { adam: torch("Adam"), adamw: torch("AdamW"), sgd: torch("SGD"), adagrad: torch("Adagrad"), rmsprop: torch("RMSprop") },
};

/**
 * solo-learn `optimizer: {name: sgd}`: its methods look the name up as written in this table (`lars` is its own LARS,
 * which optim-lint does not judge) and build the class with `lr`, `weight_decay` and the entries of `kwargs`; for
 * `sgd` its argument parsing fills `kwargs.momentum` with 0.9 when the config leaves it out.
 */
export const SOLO_LEARN_NAMES: NameTable = {
  framework: "solo-learn",
  caseInsensitive: false,
  names: { sgd: { canonical: "torch.optim.SGD", implied: { momentum: 0.9 } }, adam: torch("Adam"), adamw: torch("AdamW") },
};

/**
 * Top-level keys only a RecBole config has (its training, evaluation and data settings): with `learner`, they mark
 * the dialect, since `learner` alone means other things elsewhere (an RL learner). Its batch sizes, `eval_step` and
 * `topk` are left out: DeepSpeed and RLlib configs write `train_batch_size` too, and the others are common words.
 */
export const RECBOLE_KEYS: readonly string[] = ["eval_args", "stopping_step", "valid_metric", "train_neg_sample_args", "USER_ID_FIELD", "ITEM_ID_FIELD", "load_col"];

/**
 * The constructors that mmengine (`DefaultOptimWrapperConstructor`) and mmcv 1.x (`DefaultOptimizerConstructor`) use
 * when a config names none: naming one is the same as leaving `constructor` out. A pure-Python config that imports
 * the class writes its dotted path, which must lie in the framework's own package.
 */
const MMENGINE_DEFAULT_CONSTRUCTORS: ReadonlySet<string> = new Set(["DefaultOptimWrapperConstructor", "DefaultOptimizerConstructor"]);

/** Whether an mmengine/mmcv `constructor` value names the framework's default constructor. */
export function isDefaultConstructor(written: string): boolean {
  const dot = written.lastIndexOf(".");
  if (dot < 0) return MMENGINE_DEFAULT_CONSTRUCTORS.has(written);
  return /^(?:mmengine|mmcv)\./.test(written) && MMENGINE_DEFAULT_CONSTRUCTORS.has(written.slice(dot + 1));
}

/** The entry a name has in a dialect's table. */
export function configName(table: NameTable, written: string): ConfigName | undefined {
  const key = table.caseInsensitive ? written.toLowerCase() : written;
  const lookahead = table === TIMM_NAMES ? key.replace(/^lookahead_/, "") : key;
  return Object.hasOwn(table.names, lookahead) ? table.names[lookahead] : undefined;
}

/**
 * How a dialect writes the optimizer `canonical`: the first name that builds it with no implied arguments, keeping
 * the wrapper prefix of `like` (the name it replaces), such as timm's `lookahead_`.
 */
export function nameIn(table: NameTable, canonical: string, like?: string): string | undefined {
  const found = Object.entries(table.names).find(([, entry]) => entry.canonical === canonical && !entry.implied)?.[0];
  const prefix = table === TIMM_NAMES && like ? (/^lookahead_/i.exec(like)?.[0] ?? "") : "";
  return found && prefix + found;
}

/**
 * Names of parameters that are neither biases nor normalization weights and are never modules holding them: the
 * class, distillation, mask and register tokens and the position embeddings of vision transformers. An mmengine
 * `paramwise_cfg.custom_keys` entry matches parameter names by substring, so a key naming one of these (with an
 * optional module path before it, `.pos_embed`, `backbone.cls_token`) can exempt nothing else from weight decay.
 */
export const TOKEN_PARAMETER_NAMES: ReadonlySet<string> = new Set([
  "cls_token", "dist_token", "mask_token", "reg_token", "register_tokens",
  "pos_embed", "absolute_pos_embed", "pos_embedding", "relative_position_bias_table",
]);

/** Whether an mmengine `custom_keys` key names only a token or position-embedding parameter. */
export function namesTokenParameter(key: string): boolean {
  return TOKEN_PARAMETER_NAMES.has(key.slice(key.lastIndexOf(".") + 1));
}

/**
 * Config scheduler names and the scheduler they build. A name missing here still yields a scheduler fact, under a
 * canonical name the scheduler table does not list, so its effect on the lr counts as unknown.
 */
export const CONFIG_SCHEDULERS = {
  /** mmengine `param_scheduler` types (the `*Momentum` and `*ParamScheduler` kinds do not set the lr). */
  mmengine: {
    LinearLR: "torch.optim.lr_scheduler.LinearLR",
    ConstantLR: "torch.optim.lr_scheduler.ConstantLR",
    StepLR: "torch.optim.lr_scheduler.StepLR",
    MultiStepLR: "torch.optim.lr_scheduler.MultiStepLR",
    ExponentialLR: "torch.optim.lr_scheduler.ExponentialLR",
    CosineAnnealingLR: "torch.optim.lr_scheduler.CosineAnnealingLR",
    PolyLR: "torch.optim.lr_scheduler.PolynomialLR",
    ReduceOnPlateauLR: "torch.optim.lr_scheduler.ReduceLROnPlateau",
    OneCycleLR: "torch.optim.lr_scheduler.OneCycleLR",
  } as Record<string, string>,
  /** mmcv 1.x `lr_config = dict(policy=...)` (its hooks scale the optimizer's lr down from the initial value). */
  mmcv: {
    step: "torch.optim.lr_scheduler.MultiStepLR",
    Step: "torch.optim.lr_scheduler.MultiStepLR",
    exp: "torch.optim.lr_scheduler.ExponentialLR",
    Exp: "torch.optim.lr_scheduler.ExponentialLR",
    poly: "torch.optim.lr_scheduler.PolynomialLR",
    Poly: "torch.optim.lr_scheduler.PolynomialLR",
    CosineAnnealing: "torch.optim.lr_scheduler.CosineAnnealingLR",
    fixed: "torch.optim.lr_scheduler.ConstantLR",
    Fixed: "torch.optim.lr_scheduler.ConstantLR",
  } as Record<string, string>,
  /**
   * HF `lr_scheduler_type` strings (also `get_scheduler`'s names): all hold or lower the initial lr; each warms up to
   * it by `num_warmup_steps` except `constant` and `reduce_lr_on_plateau`, which `get_scheduler` builds without it.
   */
  hf: {
    linear: "transformers.get_linear_schedule_with_warmup",
    cosine: "transformers.get_cosine_schedule_with_warmup",
    cosine_with_restarts: "transformers.get_cosine_with_hard_restarts_schedule_with_warmup",
    polynomial: "transformers.get_polynomial_decay_schedule_with_warmup",
    constant: "transformers.get_constant_schedule",
    constant_with_warmup: "transformers.get_constant_schedule_with_warmup",
    inverse_sqrt: "transformers.get_inverse_sqrt_schedule",
    reduce_lr_on_plateau: "transformers.get_reduce_on_plateau_schedule",
    cosine_with_min_lr: "transformers.get_cosine_with_min_lr_schedule_with_warmup",
    warmup_stable_decay: "transformers.get_wsd_schedule",
  } as Record<string, string>,
  /** llm-foundry `scheduler: {name: ...}`: Composer's schedulers, which scale the initial lr by a factor (warm-up to 1, then down). */
  llmfoundry: {
    cosine_with_warmup: "composer.optim.CosineAnnealingWithWarmupScheduler",
    linear_decay_with_warmup: "composer.optim.LinearWithWarmupScheduler",
    constant_with_warmup: "composer.optim.ConstantWithWarmupScheduler",
  } as Record<string, string>,
  /** OLMo `scheduler: {name: ...}`: linear warm-up to the initial lr, then decay to `alpha_f` times it. */
  olmo: {
    cosine_with_warmup: "olmo.optim.CosWithWarmup",
    linear_with_warmup: "olmo.optim.LinearWithWarmup",
  } as Record<string, string>,
};
