/**
 * Framework knowledge as data: every optimizer class optim-lint recognizes, under every import path,
 * with its family, its signature (for positional arguments), its defaults and how its weight decay acts.
 * Rules and adapters read this table; nothing else hard-codes optimizer names.
 */
import type { LiteralValue } from "../core/types.js";
import { indexByName } from "./dotted.js";

/** Optimizers that share learning-rate ranges and pitfalls. */
export type Family = "adam" | "sgd" | "rmsprop" | "adagrad" | "adadelta" | "lamb" | "lars" | "other";

/** How a construction's `weight_decay` acts on the parameters. */
export type DecayStyle =
  /** L2 added to the gradient before the adaptive scaling (torch `Adam`). */
  | { style: "coupled" }
  /** Parameters shrink directly, independent of the gradient statistics (torch `AdamW`). */
  | { style: "decoupled" }
  /** A boolean argument chooses; `decoupledWhen` is the flag value that gives decoupled decay. */
  | { style: "flag"; flag: string; decoupledWhen: boolean }
  /** Not known precisely enough to judge: never reported. */
  | { style: "unknown" };

export interface OptimizerInfo {
  /** Canonical dotted name: the public import path users write most, e.g. `torch.optim.Adam`. */
  canonical: string;
  /** Other dotted paths that name the same class (module-internal paths, re-exports). */
  aliases: string[];
  /** torch-style short name, also the name the reference core uses (`Adam`, `SGD`, ...). */
  short: string;
  framework: "torch" | "apex" | "deepspeed" | "colossalai" | "transformers" | "timm" | "bitsandbytes" | "torchao" | "torch_optimizer" | "fairseq" | "composer";
  family: Family;
  decay: DecayStyle;
  /** Parameters after the parameter iterable, in positional order. */
  signature: string[];
  /** How many leading entries of `signature` may be passed positionally (the rest are keyword-only). */
  positional: number;
  defaults: Record<string, LiteralValue>;
  /** The class that gives decoupled decay with the same other arguments (`Adam` → `AdamW`). */
  decoupledSibling?: string;
  /**
   * Whether a fix may set the decay flag to its decoupled value outside torch: true where the flag is the
   * framework's documented switch for AdamW mode (DeepSpeed's `adam_w_mode` in a config's params).
   */
  flagFixable?: boolean;
}

const ADAM_BETAS: LiteralValue = [0.9, 0.999];

/** Every optimizer class we know. Signatures follow PyTorch 2.x (the keyword-only tail included). */
export const OPTIMIZERS: OptimizerInfo[] = [
  {
    canonical: "torch.optim.SGD", aliases: ["torch.optim.sgd.SGD"], short: "SGD", framework: "torch",
    family: "sgd", decay: { style: "coupled" },
    signature: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize", "foreach", "differentiable", "fused"],
    positional: 5,
    defaults: { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false },
  },
  {
    canonical: "torch.optim.Adam", aliases: ["torch.optim.adam.Adam"], short: "Adam", framework: "torch",
    family: "adam", decay: { style: "flag", flag: "decoupled_weight_decay", decoupledWhen: true },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "foreach", "maximize", "capturable", "differentiable", "fused", "decoupled_weight_decay"],
    positional: 5,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, decoupled_weight_decay: false },
    decoupledSibling: "torch.optim.AdamW",
  },
  {
    canonical: "torch.optim.AdamW", aliases: ["torch.optim.adamw.AdamW"], short: "AdamW", framework: "torch",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable", "differentiable", "fused"],
    positional: 5,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2, amsgrad: false, maximize: false },
  },
  {
    canonical: "torch.optim.NAdam", aliases: ["torch.optim.nadam.NAdam"], short: "NAdam", framework: "torch",
    family: "adam", decay: { style: "flag", flag: "decoupled_weight_decay", decoupledWhen: true },
    signature: ["lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay", "foreach", "maximize", "capturable", "differentiable"],
    positional: 6,
    defaults: { lr: 2e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3, decoupled_weight_decay: false, maximize: false },
  },
  {
    canonical: "torch.optim.RAdam", aliases: ["torch.optim.radam.RAdam"], short: "RAdam", framework: "torch",
    family: "adam", decay: { style: "flag", flag: "decoupled_weight_decay", decoupledWhen: true },
    signature: ["lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "foreach", "maximize", "capturable", "differentiable"],
    positional: 5,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, maximize: false },
  },
  {
    canonical: "torch.optim.Adamax", aliases: ["torch.optim.adamax.Adamax"], short: "Adamax", framework: "torch",
    family: "adam", decay: { style: "coupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "foreach", "maximize", "differentiable", "capturable"],
    positional: 5,
    defaults: { lr: 2e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, maximize: false },
  },
  {
    canonical: "torch.optim.RMSprop", aliases: ["torch.optim.rmsprop.RMSprop"], short: "RMSprop", framework: "torch",
    family: "rmsprop", decay: { style: "coupled" },
    signature: ["lr", "alpha", "eps", "weight_decay", "momentum", "centered", "capturable", "foreach", "maximize", "differentiable"],
    positional: 10,
    defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false },
  },
  {
    canonical: "torch.optim.Adagrad", aliases: ["torch.optim.adagrad.Adagrad"], short: "Adagrad", framework: "torch",
    family: "adagrad", decay: { style: "coupled" },
    signature: ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "foreach", "maximize", "differentiable", "fused"],
    positional: 6,
    defaults: { lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false },
  },
  {
    canonical: "torch.optim.Adadelta", aliases: ["torch.optim.adadelta.Adadelta"], short: "Adadelta", framework: "torch",
    family: "adadelta", decay: { style: "coupled" },
    signature: ["lr", "rho", "eps", "weight_decay", "foreach", "capturable", "maximize", "differentiable"],
    positional: 5,
    defaults: { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false },
  },
  {
    canonical: "apex.optimizers.FusedAdam", aliases: ["apex.optimizers.fused_adam.FusedAdam"], short: "AdamW", framework: "apex",
    family: "adam", decay: { style: "flag", flag: "adam_w_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "adam_w_mode", "weight_decay", "amsgrad", "set_grad_none", "capturable", "master_weights"],
    positional: 10,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, adam_w_mode: true, weight_decay: 0, amsgrad: false },
  },
  {
    canonical: "apex.optimizers.FusedLAMB", aliases: ["apex.optimizers.fused_lamb.FusedLAMB"], short: "LAMB", framework: "apex",
    family: "lamb", decay: { style: "flag", flag: "adam_w_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "weight_decay", "amsgrad", "adam_w_mode", "grad_averaging", "set_grad_none", "max_grad_norm", "use_nvlamb"],
    positional: 11,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-6, weight_decay: 0.01, amsgrad: false, adam_w_mode: true },
  },
  {
    canonical: "apex.optimizers.FusedSGD", aliases: ["apex.optimizers.fused_sgd.FusedSGD"], short: "SGD", framework: "apex",
    family: "sgd", decay: { style: "coupled" },
    signature: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "wd_after_momentum", "materialize_master_grads", "set_grad_none"],
    positional: 8,
    defaults: { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  },
  {
    canonical: "deepspeed.ops.adam.FusedAdam", aliases: ["deepspeed.ops.adam.fused_adam.FusedAdam"], short: "AdamW", framework: "deepspeed",
    family: "adam", decay: { style: "flag", flag: "adam_w_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "adam_w_mode", "weight_decay", "amsgrad", "set_grad_none"],
    positional: 8,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, adam_w_mode: true, weight_decay: 0, amsgrad: false },
  },
  {
    canonical: "deepspeed.ops.adam.DeepSpeedCPUAdam", aliases: ["deepspeed.ops.adam.cpu_adam.DeepSpeedCPUAdam"], short: "AdamW", framework: "deepspeed",
    family: "adam", decay: { style: "flag", flag: "adamw_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "weight_decay", "amsgrad", "adamw_mode", "fp32_optimizer_states"],
    positional: 8,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, amsgrad: false, adamw_mode: true },
  },
  // ColossalAI's Adam kernels decay decoupled unless `adamw_mode=False`; the ZeRO and Gemini plugins they run under
  // keep fp32 master weights, so their math is not float16's.
  {
    canonical: "colossalai.nn.optimizer.HybridAdam", aliases: ["colossalai.nn.optimizer.hybrid_adam.HybridAdam", "colossalai.nn.HybridAdam"], short: "AdamW", framework: "colossalai",
    family: "adam", decay: { style: "flag", flag: "adamw_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "weight_decay", "adamw_mode", "nvme_offload_fraction", "nvme_offload_dir"],
    positional: 8,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, adamw_mode: true },
  },
  {
    canonical: "colossalai.nn.optimizer.CPUAdam", aliases: ["colossalai.nn.optimizer.cpu_adam.CPUAdam", "colossalai.nn.CPUAdam"], short: "AdamW", framework: "colossalai",
    family: "adam", decay: { style: "flag", flag: "adamw_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "weight_decay", "adamw_mode", "nvme_offload_fraction", "nvme_offload_dir"],
    positional: 8,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, adamw_mode: true },
  },
  {
    canonical: "colossalai.nn.optimizer.FusedAdam", aliases: ["colossalai.nn.optimizer.fused_adam.FusedAdam", "colossalai.nn.FusedAdam"], short: "AdamW", framework: "colossalai",
    family: "adam", decay: { style: "flag", flag: "adamw_mode", decoupledWhen: true },
    signature: ["lr", "bias_correction", "betas", "eps", "adamw_mode", "weight_decay", "amsgrad", "set_grad_none"],
    positional: 8,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, adamw_mode: true, weight_decay: 0, amsgrad: false },
  },
  {
    canonical: "transformers.AdamW", aliases: ["transformers.optimization.AdamW"], short: "AdamW", framework: "transformers",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "correct_bias", "no_deprecation_warning"],
    positional: 6,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-6, weight_decay: 0, correct_bias: true },
  },
  {
    canonical: "timm.optim.AdamW", aliases: ["timm.optim.adamw.AdamW"], short: "AdamW", framework: "timm",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "caution", "maximize", "foreach", "capturable"],
    positional: 9,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
  },
  {
    canonical: "timm.optim.Lamb", aliases: ["timm.optim.lamb.Lamb"], short: "LAMB", framework: "timm",
    family: "lamb", decay: { style: "decoupled" },
    signature: ["lr", "bias_correction", "betas", "eps", "weight_decay", "grad_averaging", "max_grad_norm", "trust_clip", "always_adapt", "caution", "decoupled_decay"],
    positional: 11,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-6, weight_decay: 0.01 },
  },
  {
    canonical: "timm.optim.Lars", aliases: ["timm.optim.lars.Lars"], short: "LARS", framework: "timm",
    family: "lars", decay: { style: "coupled" },
    signature: ["lr", "momentum", "dampening", "weight_decay", "nesterov", "trust_coeff", "eps", "trust_clip", "always_adapt"],
    positional: 9,
    defaults: { lr: 1.0, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, trust_coeff: 0.001, eps: 1e-8 },
  },
  {
    canonical: "torch_optimizer.Lamb", aliases: ["torch_optimizer.lamb.Lamb"], short: "LAMB", framework: "torch_optimizer",
    family: "lamb", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "clamp_value", "adam", "debias"],
    positional: 7,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-6, weight_decay: 0 },
  },
  {
    // bitsandbytes applies decay inside its kernels; how it combines with the moments is not pinned down here, so it is never judged.
    // The Paged classes (here and for AdamW8bit) are the same optimizers with their state in paged memory.
    canonical: "bitsandbytes.optim.Adam8bit", aliases: ["bitsandbytes.optim.adam.Adam8bit", "bitsandbytes.optim.PagedAdam8bit", "bitsandbytes.optim.adam.PagedAdam8bit"], short: "Adam", framework: "bitsandbytes",
    family: "adam", decay: { style: "unknown" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "optim_bits", "args", "min_8bit_size", "percentile_clipping", "block_wise", "is_paged"],
    positional: 11,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0 },
  },
  {
    canonical: "bitsandbytes.optim.AdamW8bit", aliases: ["bitsandbytes.optim.adamw.AdamW8bit", "bitsandbytes.optim.PagedAdamW8bit", "bitsandbytes.optim.adamw.PagedAdamW8bit"], short: "AdamW", framework: "bitsandbytes",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "optim_bits", "args", "min_8bit_size", "percentile_clipping", "block_wise", "is_paged"],
    positional: 11,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2 },
  },
  // torchao's low-bit AdamW keeps its moments in 8 or 4 bits (or fp8) and decays decoupled, like torch's AdamW.
  ...(["AdamW8bit", "AdamW4bit", "AdamWFp8"] as const).map((short): OptimizerInfo => ({
    canonical: `torchao.optim.${short}`, aliases: [`torchao.prototype.low_bit_optim.${short}`], short: "AdamW", framework: "torchao",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "block_size", "bf16_stochastic_round"],
    positional: 5,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
  })),
  // Optimizers that exist only as names in framework configs (no import path users write): see config-names.ts.
  {
    // DeepSpeed's `"type": "Adam"` builds FusedAdam, DeepSpeedCPUAdam (ZeRO offload) or, with `torch_adam`, torch's
    // Adam/AdamW; every one of them runs in AdamW mode unless `"adam_w_mode": false` is in the params.
    canonical: "deepspeed.config.Adam", aliases: [], short: "AdamW", framework: "deepspeed",
    family: "adam", decay: { style: "flag", flag: "adam_w_mode", decoupledWhen: true },
    signature: ["lr", "betas", "eps", "weight_decay", "adam_w_mode", "torch_adam", "bias_correction", "amsgrad"],
    positional: 0,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, adam_w_mode: true, torch_adam: false, bias_correction: true, amsgrad: false },
    flagFixable: true,
  },
  {
    // `"type": "AdamW"` forces AdamW mode: DeepSpeed ignores `adam_w_mode` for it.
    canonical: "deepspeed.config.AdamW", aliases: [], short: "AdamW", framework: "deepspeed",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "torch_adam", "bias_correction", "amsgrad"],
    positional: 0,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, torch_adam: false, bias_correction: true, amsgrad: false },
  },
  {
    canonical: "deepspeed.ops.lamb.FusedLamb", aliases: ["deepspeed.ops.lamb.fused_lamb.FusedLamb"], short: "LAMB", framework: "deepspeed",
    family: "lamb", decay: { style: "decoupled" },
    signature: ["lr", "bias_correction", "betas", "eps", "eps_inside_sqrt", "weight_decay", "max_grad_norm", "max_coeff", "min_coeff", "amsgrad"],
    positional: 10,
    defaults: { lr: 1e-3, bias_correction: true, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0 },
  },
  {
    // 1-bit Adam and 0/1 Adam compress the momentum; how their decay combines with it is not pinned down here.
    canonical: "deepspeed.runtime.fp16.onebit.adam.OnebitAdam", aliases: [], short: "Adam", framework: "deepspeed",
    family: "adam", decay: { style: "unknown" },
    signature: ["lr", "betas", "eps", "weight_decay", "freeze_step", "cuda_aware", "comm_backend_name"],
    positional: 0,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0 },
  },
  {
    canonical: "deepspeed.runtime.fp16.onebit.zoadam.ZeroOneAdam", aliases: [], short: "Adam", framework: "deepspeed",
    family: "adam", decay: { style: "unknown" },
    signature: ["lr", "betas", "eps", "weight_decay", "var_freeze_step", "var_update_scaler", "local_step_scaler", "local_step_clipper", "cuda_aware", "comm_backend_name"],
    positional: 0,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0 },
  },
  {
    canonical: "deepspeed.runtime.fp16.onebit.lamb.OnebitLamb", aliases: [], short: "LAMB", framework: "deepspeed",
    family: "lamb", decay: { style: "unknown" },
    signature: ["lr", "betas", "eps", "weight_decay", "freeze_step", "max_coeff", "min_coeff", "cuda_aware", "comm_backend_name"],
    positional: 0,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0 },
  },
  {
    canonical: "transformers.Adafactor", aliases: ["transformers.optimization.Adafactor"], short: "Adafactor", framework: "transformers",
    family: "other", decay: { style: "unknown" },
    signature: ["lr", "eps", "clip_threshold", "decay_rate", "beta1", "weight_decay", "scale_parameter", "relative_step", "warmup_init"],
    positional: 9,
    defaults: { eps: [1e-30, 1e-3], clip_threshold: 1.0, decay_rate: -0.8, weight_decay: 0, scale_parameter: true, relative_step: true, warmup_init: false },
  },
  {
    canonical: "bitsandbytes.optim.AdamW", aliases: ["bitsandbytes.optim.adamw.AdamW", "bitsandbytes.optim.PagedAdamW", "bitsandbytes.optim.AdamW32bit", "bitsandbytes.optim.PagedAdamW32bit"],
    short: "AdamW", framework: "bitsandbytes",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad", "optim_bits", "args", "min_8bit_size", "percentile_clipping", "block_wise", "is_paged"],
    positional: 11,
    defaults: { lr: 1e-3, betas: ADAM_BETAS, eps: 1e-8, weight_decay: 1e-2 },
  },
  {
    // Composer's AdamW: the decay is decoupled and scaled by lr / initial lr, not by lr (so its weight_decay values are
    // about lr times smaller than torch AdamW's for the same effect, 1e-5 by default).
    canonical: "composer.optim.DecoupledAdamW", aliases: ["composer.optim.decoupled_weight_decay.DecoupledAdamW"], short: "AdamW", framework: "composer",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    positional: 5,
    defaults: { lr: 1e-3, betas: [0.9, 0.95], eps: 1e-8, weight_decay: 1e-5, amsgrad: false },
  },
  {
    // fairseq's `adam` is its own implementation with decoupled decay (AdamW).
    canonical: "fairseq.optim.adam.FairseqAdam", aliases: [], short: "AdamW", framework: "fairseq",
    family: "adam", decay: { style: "decoupled" },
    signature: ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    positional: 0,
    defaults: { betas: ADAM_BETAS, eps: 1e-8, weight_decay: 0, amsgrad: false },
  },
];

const BY_NAME = indexByName(OPTIMIZERS);

/** The optimizer a fully qualified dotted name refers to (canonical name or alias). */
export function optimizerByName(dotted: string): OptimizerInfo | undefined {
  return BY_NAME.get(dotted);
}

/** Module prefixes under which optimizer classes live: a file importing none of them needs no analysis. */
export const OPTIMIZER_MODULE_ROOTS = ["torch", "apex", "deepspeed", "transformers", "timm", "bitsandbytes", "torchao", "torch_optimizer"];

/** Whether decay on this construction is decoupled, coupled, or unknown, given the flag value if any. */
export function decayIsCoupled(info: OptimizerInfo, flagValue: boolean | undefined): boolean | undefined {
  switch (info.decay.style) {
    case "coupled":
      return true;
    case "decoupled":
      return false;
    case "unknown":
      return undefined;
    case "flag": {
      const value = flagValue ?? (info.defaults[info.decay.flag] as boolean | undefined) ?? false;
      return value !== info.decay.decoupledWhen;
    }
  }
}
