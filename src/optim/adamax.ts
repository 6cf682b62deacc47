/** Adamax: Adam with an infinity-norm second moment (torch `Adamax`). */
import { Optimizer, withBetaDefaults, lerp, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { checkAdamOptions } from "./adam.js";

export interface AdamaxOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  maximize: boolean;
}

export type AdamaxGroup = ParamGroup & AdamaxOptions;

export const ADAMAX_DEFAULTS: AdamaxOptions = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, maximize: false };

export class Adamax extends Optimizer<AdamaxGroup> {
  constructor(params: ParamsInput, options: Partial<AdamaxOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(ADAMAX_DEFAULTS));
    const defaults = withBetaDefaults(ADAMAX_DEFAULTS, options);
    checkAdamOptions(defaults);
    super(params, defaults);
  }

  protected updateGroup(group: AdamaxGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, eps, weight_decay: decay, maximize } = group;
    const [beta1, beta2] = group.betas;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initAdamax);
      const step = ((state.step as number) += 1);
      const m = state.exp_avg as Tensor;
      const u = state.exp_inf as Tensor;
      const clr = lr / (1 - beta1 ** step);
      const n = p.length;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (decay !== 0) d += decay * p[j];
        const mj = (m[j] = lerp(m[j], d, 1 - beta1));
        const uj = (u[j] = Math.max(u[j] * beta2, Math.abs(d) + eps));
        p[j] += -clr * (mj / uj);
      }
    }
  }
}

/** Zeroed first moment and infinity norm. */
function initAdamax(param: Tensor): ParamState {
  return { step: 0, exp_avg: zerosLike(param), exp_inf: zerosLike(param) };
}
