/**
 * LAMB, layer-wise adaptive moments (You et al., 2019), as timm's `Lamb` implements it: the pure-PyTorch
 * port of NVIDIA apex `FusedLAMB` (the NVLAMB variant). Gradients are first divided by the global
 * gradient norm over `max_grad_norm` when that exceeds one; each parameter's Adam direction plus
 * decay is then rescaled by the trust ratio ||w|| / ||update||. Bias corrections use a step count
 * kept per group, advanced at every step whether or not the group had gradients.
 */
import { Optimizer, withBetaDefaults, checkBetas, checkNonNegative, l2Norm, lerp, zerosLike, type Gradient, type GroupBatch, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";

export interface LAMBOptions {
  lr: number;
  bias_correction: boolean;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  /** Scale the gradient by 1 - beta1 in the first moment (otherwise it is added unscaled). */
  grad_averaging: boolean;
  /** Clip the global gradient norm to this value before the update; `null` disables clipping. Read from the constructor options. */
  max_grad_norm: number | null;
  /** Cap the trust ratio at one (LAMBC). */
  trust_clip: boolean;
  /** Adapt parameters whose group has no weight decay too (otherwise those take plain Adam steps). */
  always_adapt: boolean;
  /** Shrink parameters by lr * weight_decay directly instead of adding decay to the update. */
  decoupled_decay: boolean;
}

export type LAMBGroup = ParamGroup & LAMBOptions;

export const LAMB_DEFAULTS: LAMBOptions = {
  lr: 1e-3, bias_correction: true, betas: [0.9, 0.999], eps: 1e-6, weight_decay: 0.01, grad_averaging: true,
  max_grad_norm: 1.0, trust_clip: false, always_adapt: false, decoupled_decay: false,
};

/** ||w|| / ||update||, or one when either norm is zero; capped at one when clipping. */
export function lambTrustRatio(weightNorm: number, updateNorm: number, clip: boolean): number {
  const ratio = weightNorm > 0 && updateNorm > 0 ? weightNorm / updateNorm : 1;
  return clip ? Math.min(ratio, 1) : ratio;
}

export class LAMB extends Optimizer<LAMBGroup> {
  /** The global-norm divisor of the step in progress (undefined: no clipping). */
  private clipDivisor: number | undefined;

  constructor(params: ParamsInput, options: Partial<LAMBOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(LAMB_DEFAULTS));
    const defaults = withBetaDefaults(LAMB_DEFAULTS, options);
    checkNonNegative(defaults.lr, "learning rate");
    checkNonNegative(defaults.eps, "epsilon value");
    checkBetas(defaults.betas);
    checkNonNegative(defaults.weight_decay, "weight_decay value");
    super(params, defaults);
  }

  protected override applyStep(batches: GroupBatch<LAMBGroup>[]): void {
    this.clipDivisor = this.globalClipDivisor(batches);
    for (const { group } of batches) group.step = ((group.step as number | undefined) ?? 0) + 1;
    super.applyStep(batches);
  }

  /** Global gradient norm over `max_grad_norm`, at least one; undefined when clipping is off or nothing has a gradient. */
  private globalClipDivisor(batches: GroupBatch<LAMBGroup>[]): number | undefined {
    const maxNorm = this.defaults.max_grad_norm;
    if (maxNorm === null || maxNorm === undefined) return undefined;
    let sumOfSquares = 0;
    let any = false;
    for (const batch of batches) {
      for (const grad of batch.grads) {
        const norm = l2Norm(grad);
        sumOfSquares += norm * norm;
        any = true;
      }
    }
    return any ? Math.max(Math.sqrt(sumOfSquares) / maxNorm, 1) : undefined;
  }

  protected updateGroup(group: LAMBGroup, params: Tensor[], grads: Gradient[]): void {
    const clipDivisor = this.clipDivisor;
    const { lr, eps, weight_decay: decay, trust_clip: trustClip, always_adapt: alwaysAdapt, decoupled_decay: decoupled } = group;
    const [beta1, beta2] = group.betas;
    const step = group.step as number;
    const bc1 = group.bias_correction ? 1 - beta1 ** step : 1;
    const bc2Sqrt = group.bias_correction ? (1 - beta2 ** step) ** 0.5 : 1;
    const beta3 = group.grad_averaging ? 1 - beta1 : 1;
    const adapt = decay !== 0 || alwaysAdapt;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initLAMB);
      const m = state.exp_avg as Tensor;
      const v = state.exp_avg_sq as Tensor;
      const n = p.length;
      const update = new Float64Array(n);
      for (let j = 0; j < n; j++) {
        const d = clipDivisor === undefined ? g[j] : g[j] / clipDivisor;
        const mj = (m[j] = beta3 === 1 - beta1 ? lerp(m[j], d, beta3) : m[j] * beta1 + beta3 * d);
        const vj = (v[j] = v[j] * beta2 + (1 - beta2) * d * d);
        update[j] = mj / bc1 / (Math.sqrt(vj) / bc2Sqrt + eps);
      }
      if (decay !== 0) {
        if (decoupled) {
          const shrink = -lr * decay;
          for (let j = 0; j < n; j++) p[j] += shrink * p[j];
        } else {
          for (let j = 0; j < n; j++) update[j] += decay * p[j];
        }
      }
      const ratio = adapt ? lambTrustRatio(l2Norm(p), l2Norm(update), trustClip) : 1;
      for (let j = 0; j < n; j++) p[j] += -lr * (update[j] * ratio);
    }
  }
}

/** Zeroed moments (the step count lives in the group). */
function initLAMB(param: Tensor): ParamState {
  return { exp_avg: zerosLike(param), exp_avg_sq: zerosLike(param) };
}
