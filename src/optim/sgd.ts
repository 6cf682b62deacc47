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
        if (decay === 0 && !maximize) sgdPlain64(p, g, lr);
        else sgdDecay64(p, g, lr, sign, decay);
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
      // The common configuration, kept free of per-element branches.
      if (decay === 0 && !maximize && !nesterov) sgdMomentum64(p, g, buf, lr, momentum, keep);
      else sgdMomentumGeneral64(p, g, buf, lr, momentum, keep, sign, decay, nesterov);
    }
  }
}

/** Momentum state starts empty: the buffer is created from the first gradient. */
function initMomentum(): ParamState {
  return {};
}

// Float64 loops, one per configuration so each stays small and monomorphic. Each handles four elements per
// iteration, reading all four before writing (V8 does not unroll; this halves the loop's cost), with the
// same operations per element as the one-element loop, so the results are the same bits.

/** p -= lr * g. */
function sgdPlain64(p: Tensor, g: Gradient, lr: number): void {
  const n = p.length;
  const end = n - (n % 4);
  for (let j = 0; j < end; j += 4) {
    const p0 = p[j] - lr * g[j];
    const p1 = p[j + 1] - lr * g[j + 1];
    const p2 = p[j + 2] - lr * g[j + 2];
    const p3 = p[j + 3] - lr * g[j + 3];
    p[j] = p0;
    p[j + 1] = p1;
    p[j + 2] = p2;
    p[j + 3] = p3;
  }
  for (let j = end; j < n; j++) p[j] -= lr * g[j];
}

/** d = sign * g + decay * p (decay may be 0); p -= lr * d. */
function sgdDecay64(p: Tensor, g: Gradient, lr: number, sign: number, decay: number): void {
  const n = p.length;
  const step = (j: number): number => {
    let d = sign * g[j];
    if (decay !== 0) d += decay * p[j];
    return p[j] - lr * d;
  };
  const end = n - (n % 4);
  for (let j = 0; j < end; j += 4) {
    const p0 = step(j);
    const p1 = step(j + 1);
    const p2 = step(j + 2);
    const p3 = step(j + 3);
    p[j] = p0;
    p[j + 1] = p1;
    p[j + 2] = p2;
    p[j + 3] = p3;
  }
  for (let j = end; j < n; j++) p[j] = step(j);
}

/** buf = buf * momentum + keep * g; p -= lr * buf. */
function sgdMomentum64(p: Tensor, g: Gradient, buf: Tensor, lr: number, momentum: number, keep: number): void {
  const n = p.length;
  const end = n - (n % 4);
  for (let j = 0; j < end; j += 4) {
    const b0 = buf[j] * momentum + keep * g[j];
    const b1 = buf[j + 1] * momentum + keep * g[j + 1];
    const b2 = buf[j + 2] * momentum + keep * g[j + 2];
    const b3 = buf[j + 3] * momentum + keep * g[j + 3];
    const p0 = p[j] - lr * b0;
    const p1 = p[j + 1] - lr * b1;
    const p2 = p[j + 2] - lr * b2;
    const p3 = p[j + 3] - lr * b3;
    buf[j] = b0;
    buf[j + 1] = b1;
    buf[j + 2] = b2;
    buf[j + 3] = b3;
    p[j] = p0;
    p[j + 1] = p1;
    p[j + 2] = p2;
    p[j + 3] = p3;
  }
  for (let j = end; j < n; j++) {
    const b = buf[j] * momentum + keep * g[j];
    buf[j] = b;
    p[j] -= lr * b;
  }
}

/** d = sign * g + decay * p; buf = buf * momentum + keep * d; p -= lr * (nesterov ? d + momentum * buf : buf). */
function sgdMomentumGeneral64(p: Tensor, g: Gradient, buf: Tensor, lr: number, momentum: number, keep: number, sign: number, decay: number, nesterov: boolean): void {
  const n = p.length;
  // Updates buf[j] and returns the new p[j].
  const step = (j: number): number => {
    let d = sign * g[j];
    if (decay !== 0) d += decay * p[j];
    const b = buf[j] * momentum + keep * d;
    buf[j] = b;
    return p[j] - lr * (nesterov ? d + momentum * b : b);
  };
  const end = n - (n % 4);
  for (let j = 0; j < end; j += 4) {
    const p0 = step(j);
    const p1 = step(j + 1);
    const p2 = step(j + 2);
    const p3 = step(j + 3);
    p[j] = p0;
    p[j + 1] = p1;
    p[j + 2] = p2;
    p[j + 3] = p3;
  }
  for (let j = end; j < n; j++) p[j] = step(j);
}
