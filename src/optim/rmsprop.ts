/** RMSprop with optional centering, momentum and L2 decay (torch `RMSprop`). */
import { Optimizer, checkNonNegative, lerp, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weight_decay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export type RMSpropGroup = ParamGroup & RMSpropOptions;

export const RMSPROP_DEFAULTS: RMSpropOptions = {
  lr: 1e-2, alpha: 0.99, eps: 1e-8, weight_decay: 0, momentum: 0, centered: false, maximize: false,
};

export class RMSprop extends Optimizer<RMSpropGroup> {
  constructor(params: ParamsInput, options: Partial<RMSpropOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(RMSPROP_DEFAULTS));
    const defaults = { ...RMSPROP_DEFAULTS, ...options };
    checkNonNegative(defaults.lr, "learning rate");
    checkNonNegative(defaults.eps, "epsilon value");
    checkNonNegative(defaults.momentum, "momentum value");
    checkNonNegative(defaults.weight_decay, "weight_decay value");
    checkNonNegative(defaults.alpha, "alpha value");
    super(params, defaults);
  }

  protected updateGroup(group: RMSpropGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, alpha, eps, weight_decay: decay, momentum, centered, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initRMSprop);
      (state.step as number) += 1;
      const sq = state.square_avg as Tensor;
      const avgGrad = centered ? ((state.grad_avg as Tensor | undefined) ?? (state.grad_avg = zerosLike(p))) : undefined;
      const buf = momentum > 0 ? ((state.momentum_buffer as Tensor | undefined) ?? (state.momentum_buffer = zerosLike(p))) : undefined;
      const n = p.length;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (decay !== 0) d += decay * p[j];
        const s = (sq[j] = sq[j] * alpha + (1 - alpha) * d * d);
        let rms: number;
        if (avgGrad !== undefined) {
          const a = (avgGrad[j] = lerp(avgGrad[j], d, 1 - alpha));
          rms = Math.sqrt(s + -1 * a * a) + eps;
        } else {
          rms = Math.sqrt(s) + eps;
        }
        if (buf !== undefined) {
          const b = (buf[j] = buf[j] * momentum + d / rms);
          p[j] += -lr * b;
        } else {
          p[j] += -lr * (d / rms);
        }
      }
    }
  }
}

/** Zeroed running square average; centering and momentum buffers are added when first needed. */
function initRMSprop(param: Tensor): ParamState {
  return { step: 0, square_avg: zerosLike(param) };
}
