/** Adagrad with learning-rate decay, an initial accumulator value and L2 decay (torch `Adagrad`). */
import { Optimizer, checkNonNegative, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";

export interface AdagradOptions {
  lr: number;
  lr_decay: number;
  weight_decay: number;
  initial_accumulator_value: number;
  eps: number;
  maximize: boolean;
}

export type AdagradGroup = ParamGroup & AdagradOptions;

export const ADAGRAD_DEFAULTS: AdagradOptions = {
  lr: 1e-2, lr_decay: 0, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false,
};

export class Adagrad extends Optimizer<AdagradGroup> {
  constructor(params: ParamsInput, options: Partial<AdagradOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(ADAGRAD_DEFAULTS));
    const defaults = { ...ADAGRAD_DEFAULTS, ...options };
    checkNonNegative(defaults.lr, "learning rate");
    checkNonNegative(defaults.lr_decay, "lr_decay value");
    checkNonNegative(defaults.weight_decay, "weight_decay value");
    checkNonNegative(defaults.initial_accumulator_value, "initial_accumulator_value value");
    checkNonNegative(defaults.eps, "epsilon value");
    super(params, defaults);
    // Like torch, the accumulator exists from construction, filled with each group's initial value.
    for (const group of this.paramGroups) {
      for (const param of group.params) this.stateOf(param, () => initAdagrad(param, group.initial_accumulator_value));
    }
  }

  protected updateGroup(group: AdagradGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, lr_decay: lrDecay, weight_decay: decay, eps, maximize } = group;
    const sign = maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, () => initAdagrad(p, group.initial_accumulator_value));
      const step = ((state.step as number) += 1);
      const sum = state.sum as Tensor;
      const clr = lr / (1 + (step - 1) * lrDecay);
      const n = p.length;
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (decay !== 0) d += decay * p[j];
        const s = (sum[j] = sum[j] + d * d);
        p[j] += -clr * (d / (Math.sqrt(s) + eps));
      }
    }
  }
}

/** A step count of zero and an accumulator filled with the initial value. */
function initAdagrad(param: Tensor, initial: number): ParamState {
  return { step: 0, sum: zerosLike(param).fill(initial) };
}
