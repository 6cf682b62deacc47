/** Adadelta: step sizes from running averages of squared gradients and squared updates (torch `Adadelta`). */
import { Optimizer, checkNonNegative, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { ValueError } from "./errors.js";

export interface AdadeltaOptions {
  lr: number;
  rho: number;
  eps: number;
  weight_decay: number;
  maximize: boolean;
}

export type AdadeltaGroup = ParamGroup & AdadeltaOptions;

export const ADADELTA_DEFAULTS: AdadeltaOptions = { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0, maximize: false };

export class Adadelta extends Optimizer<AdadeltaGroup> {
  constructor(params: ParamsInput, options: Partial<AdadeltaOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(ADADELTA_DEFAULTS));
    const defaults = { ...ADADELTA_DEFAULTS, ...options };
    checkNonNegative(defaults.lr, "learning rate");
    if (!(0 <= defaults.rho && defaults.rho <= 1)) throw new ValueError(`Invalid rho value: ${defaults.rho}`);
    checkNonNegative(defaults.eps, "epsilon value");
    checkNonNegative(defaults.weight_decay, "weight_decay value");
    super(params, defaults);
  }

  protected updateGroup(group: AdadeltaGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, rho, eps, weight_decay: decay, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initAdadelta);
      (state.step as number) += 1;
      const sq = state.square_avg as Tensor;
      const acc = state.acc_delta as Tensor;
      const n = p.length;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (decay !== 0) d += decay * p[j];
        const s = (sq[j] = sq[j] * rho + (1 - rho) * d * d);
        const delta = (Math.sqrt(acc[j] + eps) / Math.sqrt(s + eps)) * d;
        acc[j] = acc[j] * rho + (1 - rho) * delta * delta;
        p[j] += -lr * delta;
      }
    }
  }
}

/** Zeroed running averages of squared gradients and squared updates. */
function initAdadelta(param: Tensor): ParamState {
  return { step: 0, square_avg: zerosLike(param), acc_delta: zerosLike(param) };
}
