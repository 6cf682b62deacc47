/**
 * NAdam: Adam with Nesterov momentum and a momentum schedule (torch 2.x `NAdam`), including
 * `decoupled_weight_decay` and `maximize`. Follows 2.x, where the next step's momentum product is
 * `mu_product * mu_next` (torch 1.13 multiplied by `mu` a second time, pytorch#92699). torch keeps
 * `mu_product` in a scalar tensor of the default dtype: float32 unless `setDefaultDtype("float64")` was
 * called before construction (as `torch.set_default_dtype(torch.float64)`), and it is rounded the same way here.
 */
import { Optimizer, withBetaDefaults, checkNonNegative, lerp, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { getDefaultDtype, roundTo, type Dtype } from "./dtype.js";
import { checkAdamOptions } from "./adam.js";

export interface NAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  momentum_decay: number;
  decoupled_weight_decay: boolean;
  maximize: boolean;
}

export type NAdamGroup = ParamGroup & NAdamOptions;

export const NADAM_DEFAULTS: NAdamOptions = {
  lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, momentum_decay: 4e-3, decoupled_weight_decay: false, maximize: false,
};

/** The momentum coefficient NAdam's schedule gives at a (1-based) step. */
export function nadamMomentum(beta1: number, momentumDecay: number, step: number): number {
  return beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
}

export class NAdam extends Optimizer<NAdamGroup> {
  /** The dtype of the `mu_product` scalar: the default dtype when the optimizer was made. */
  readonly scalarDtype: Dtype = getDefaultDtype();

  constructor(params: ParamsInput, options: Partial<NAdamOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(NADAM_DEFAULTS));
    const defaults = withBetaDefaults(NADAM_DEFAULTS, options);
    checkAdamOptions(defaults);
    checkNonNegative(defaults.momentum_decay, "momentum_decay value");
    super(params, defaults);
  }

  protected updateGroup(group: NAdamGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, eps, weight_decay: decay, momentum_decay: momentumDecay, decoupled_weight_decay: decoupled, maximize } = group;
    const [beta1, beta2] = group.betas;
    const sign = maximize ? -1 : 1;
    const coupled = decay !== 0 && !decoupled;
    const shrink = 1 - lr * decay;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initNAdam);
      const step = ((state.step as number) += 1);
      const m = state.exp_avg as Tensor;
      const v = state.exp_avg_sq as Tensor;
      const bc2 = 1 - beta2 ** step;
      const mu = nadamMomentum(beta1, momentumDecay, step);
      const muNext = nadamMomentum(beta1, momentumDecay, step + 1);
      const muProduct = (state.mu_product = roundTo(this.scalarDtype, (state.mu_product as number) * roundTo(this.scalarDtype, mu)));
      const gradScale = (-lr * (1 - mu)) / (1 - muProduct);
      const avgScale = (-lr * muNext) / (1 - muProduct * muNext);
      const n = p.length;
      if (decay !== 0 && decoupled) for (let j = 0; j < n; j++) p[j] *= shrink;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (coupled) d += decay * p[j];
        const mj = (m[j] = lerp(m[j], d, 1 - beta1));
        const vj = (v[j] = v[j] * beta2 + (1 - beta2) * d * d);
        const denom = Math.sqrt(vj / bc2) + eps;
        p[j] += gradScale * (d / denom);
        p[j] += avgScale * (mj / denom);
      }
    }
  }
}

/** Zeroed moments, a step count of zero and a momentum product of one. */
function initNAdam(param: Tensor): ParamState {
  return { step: 0, mu_product: 1, exp_avg: zerosLike(param), exp_avg_sq: zerosLike(param) };
}
