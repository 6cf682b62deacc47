/**
 * RAdam: Adam whose adaptive step is switched on, and rectified, once the variance estimate is
 * reliable (torch 2.x `RAdam`, with `decoupled_weight_decay` and `maximize`).
 */
import { Optimizer, withBetaDefaults, lerp, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { checkAdamOptions } from "./adam.js";

export interface RAdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  decoupled_weight_decay: boolean;
  maximize: boolean;
}

export type RAdamGroup = ParamGroup & RAdamOptions;

export const RADAM_DEFAULTS: RAdamOptions = {
  lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, decoupled_weight_decay: false, maximize: false,
};

/** Length of the approximated simple moving average at a step; the adaptive step is used once it exceeds 5. */
export function radamRho(beta2: number, step: number): number {
  const rhoInf = 2 / (1 - beta2) - 1;
  return rhoInf - (2 * step * beta2 ** step) / (1 - beta2 ** step);
}

export class RAdam extends Optimizer<RAdamGroup> {
  constructor(params: ParamsInput, options: Partial<RAdamOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(RADAM_DEFAULTS));
    const defaults = withBetaDefaults(RADAM_DEFAULTS, options);
    checkAdamOptions(defaults);
    super(params, defaults);
  }

  protected updateGroup(group: RAdamGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, eps, weight_decay: decay, decoupled_weight_decay: decoupled, maximize } = group;
    const [beta1, beta2] = group.betas;
    const sign = maximize ? -1 : 1;
    const coupled = decay !== 0 && !decoupled;
    const shrink = 1 - lr * decay;
    const rhoInf = 2 / (1 - beta2) - 1;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initRAdam);
      const step = ((state.step as number) += 1);
      const m = state.exp_avg as Tensor;
      const v = state.exp_avg_sq as Tensor;
      const bc1 = 1 - beta1 ** step;
      const bc2 = 1 - beta2 ** step;
      const rho = radamRho(beta2, step);
      const rectified = rho > 5;
      const rect = rectified ? (((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho)) ** 0.5 : 0;
      const bc2Sqrt = bc2 ** 0.5;
      const n = p.length;
      if (decay !== 0 && decoupled) for (let j = 0; j < n; j++) p[j] *= shrink;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (coupled) d += decay * p[j];
        const mj = (m[j] = lerp(m[j], d, 1 - beta1));
        const vj = (v[j] = v[j] * beta2 + (1 - beta2) * d * d);
        const corrected = (mj / bc1) * lr;
        p[j] -= rectified ? corrected * (bc2Sqrt / (Math.sqrt(vj) + eps)) * rect : corrected;
      }
    }
  }
}

/** Zeroed moments and a step count of zero. */
function initRAdam(param: Tensor): ParamState {
  return { step: 0, exp_avg: zerosLike(param), exp_avg_sq: zerosLike(param) };
}
