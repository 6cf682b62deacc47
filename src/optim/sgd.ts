/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 decay (torch `SGD`). */
import { Optimizer, checkNonNegative, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor, zerosLike } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { ValueError } from "./errors.js";
import { sgdFloat32Args } from "./float32.js";
import { float32State, sgdStepFloat32 } from "./simd.js";

export interface SGDOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  maximize: boolean;
}

export type SGDGroup = ParamGroup & SGDOptions;

export const SGD_DEFAULTS: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, maximize: false };

/** Checks the options torch validates for SGD-style momentum (also used by LARS). */
export function checkMomentumOptions(options: { lr: number; momentum: number; dampening: number; weight_decay: number; nesterov: boolean }): void {
  checkNonNegative(options.lr, "learning rate");
  checkNonNegative(options.momentum, "momentum value");
  checkNonNegative(options.weight_decay, "weight_decay value");
  if (options.nesterov && (options.momentum <= 0 || options.dampening !== 0)) {
    throw new ValueError("Nesterov momentum requires a momentum and zero dampening");
  }
}

export class SGD extends Optimizer<SGDGroup> {
  constructor(params: ParamsInput, options: Partial<SGDOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(SGD_DEFAULTS));
    const defaults = { ...SGD_DEFAULTS, ...options };
    checkMomentumOptions(defaults);
    super(params, defaults);
  }

  protected updateGroup(group: SGDGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, momentum, dampening, weight_decay: decay, nesterov, maximize } = group;
    const sign = maximize ? -1 : 1;
    let float32: ReturnType<typeof sgdFloat32Args> | undefined;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const n = p.length;
      if (p instanceof Float32Array) {
        // Float32 parameters take torch's float32 arithmetic (./float32.ts), SIMD where it can.
        float32 ??= sgdFloat32Args(group);
        if (momentum === 0) {
          sgdStepFloat32(p, g, null, float32, false);
          continue;
        }
        const state = this.stateOf(p, initMomentum);
        const first = state.momentum_buffer === undefined;
        if (first) state.momentum_buffer = float32State(n, 1)[0];
        sgdStepFloat32(p, g, state.momentum_buffer as Float32Array, float32, first);
        continue;
      }
      if (momentum === 0) {
        for (let j = 0; j < n; j++) {
          let d = sign * g[j];
          if (decay !== 0) d += decay * p[j];
          p[j] -= lr * d;
        }
        continue;
      }
      const state = this.stateOf(p, initMomentum);
      const buf = state.momentum_buffer as Tensor | undefined;
      if (buf === undefined) {
        // The first step seeds the buffer with the gradient itself, undamped.
        const seeded = zerosLike(p);
        for (let j = 0; j < n; j++) {
          let d = sign * g[j];
          if (decay !== 0) d += decay * p[j];
          seeded[j] = d;
          p[j] -= lr * (nesterov ? d + momentum * seeded[j] : seeded[j]);
        }
        state.momentum_buffer = seeded;
        continue;
      }
      const keep = 1 - dampening;
      if (decay === 0 && !maximize && !nesterov) {
        // The common configuration, kept free of per-element branches.
        for (let j = 0; j < n; j++) {
          const b = buf[j] * momentum + keep * g[j];
          buf[j] = b;
          p[j] -= lr * b;
        }
        continue;
      }
      for (let j = 0; j < n; j++) {
        let d = sign * g[j];
        if (decay !== 0) d += decay * p[j];
        const b = buf[j] * momentum + keep * d;
        buf[j] = b;
        p[j] -= lr * (nesterov ? d + momentum * b : b);
      }
    }
  }
}

/** Momentum state starts empty: the buffer is created from the first gradient. */
function initMomentum(): ParamState {
  return {};
}
