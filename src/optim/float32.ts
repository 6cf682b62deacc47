/**
 * Float32 arithmetic as torch's CPU kernels do it, for Float32Array parameters of SGD and Adam/AdamW.
 *
 * torch computes a float32 tensor's update in float32, one tensor operation at a time, and the kernels of
 * the installed build (torch 1.13, AVX2) round as follows, checked element by element against it:
 *   - `x.mul(s)`, `x / s`, `x.add(s)`: one float32 operation with the scalar rounded to float32;
 *   - `a.add(b, alpha=s)`: a fused multiply-add, fma(b, s, a), rounded once;
 *   - `a.addcmul(b, c, value=s)`: fma(round(s * b), c, a);
 *   - `a.addcdiv(b, c, value=s)`: a + round(round(s * b) / c), each operation rounded;
 *   - `sqrt` correctly rounded.
 * The functions here follow torch 1.13's single-tensor SGD and Adam (`exp_avg.mul_(beta1).add_(grad,
 * alpha=1 - beta1)`, where torch 2.x's `lerp_` may differ in the last bit) operation by operation, so
 * the float32 golden trajectories from real torch match bit for bit. The WebAssembly kernels
 * (./simd.ts) do the same four lanes at a time and fall back to these loops for the rare element they
 * cannot round exactly.
 *
 * A product of two float32 values is exact in float64, and a sum, quotient or square root of float32
 * values rounded to float64 and then to float32 gives the correctly rounded float32 result; only the
 * fused multiply-add needs care (`fma32`).
 */
import type { Gradient } from "./optimizer.js";

const f = Math.fround;

/**
 * fma(a, b, c) = a * b + c rounded once to float32, for float32 inputs. The product is exact in float64;
 * the sum rounded to float64 can land exactly halfway between two float32 values while the exact sum
 * does not, and then the sign of the float64 rounding error decides.
 */
export function fma32(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const rounded = f(sum);
  const half = sum - rounded;
  if (half === 0) return rounded;
  const other = rounded + 2 * half;
  if (f(other) !== other) return rounded; // not a midpoint between two float32 values
  // Error of the float64 sum (Knuth's two-sum): the exact sum is `sum + error`.
  const z = sum - product;
  const error = product - (sum - z) + (c - z);
  if (error === 0) return rounded; // an exact tie: round half to even, as `fround` did
  return error > 0 === half > 0 ? other : rounded;
}

/** One SGD step's settings, each scalar rounded to float32 as torch passes it to its float32 kernels. */
export interface SgdFloat32Args {
  /** -1 to maximize (the gradient negated), else 1. */
  sign: number;
  /** weight_decay (0: none). */
  decay: number;
  momentum: number;
  /** 1 - dampening. */
  keep: number;
  /** -lr. */
  negLr: number;
  nesterov: boolean;
}

export function sgdFloat32Args(o: { lr: number; momentum: number; dampening: number; weight_decay: number; nesterov: boolean; maximize: boolean }): SgdFloat32Args {
  return {
    sign: o.maximize ? -1 : 1,
    decay: f(o.weight_decay),
    momentum: f(o.momentum),
    keep: f(1 - o.dampening),
    negLr: f(-o.lr),
    nesterov: o.nesterov,
  };
}

/**
 * torch 1.13 `_single_tensor_sgd` on elements [from, to): the gradient (negated to maximize) plus
 * `weight_decay * p`, the momentum buffer `buf * momentum + (1 - dampening) * d` (absent without
 * momentum), Nesterov's `d + momentum * buf`, and `p - lr * d`. `first` seeds the buffer with `d`.
 */
export function sgdFloat32(p: Float32Array, g: Gradient, buf: Float32Array | null, a: SgdFloat32Args, first: boolean, from: number, to: number): void {
  for (let j = from; j < to; j++) {
    let d = a.sign * f(g[j]);
    if (a.decay !== 0) d = fma32(p[j], a.decay, d);
    if (buf !== null) {
      const b = first ? d : fma32(d, a.keep, f(buf[j] * a.momentum));
      buf[j] = b;
      d = a.nesterov ? fma32(b, a.momentum, d) : b;
    }
    p[j] = fma32(d, a.negLr, p[j]);
  }
}

/** One Adam step's settings, rounded to float32 where torch rounds them. */
export interface AdamFloat32Args {
  sign: number;
  /** Coupled (L2) weight decay added to the gradient; 0 for none. */
  decay: number;
  /** 1 - lr * weight_decay for decoupled decay, else 1. */
  shrink: number;
  beta1: number;
  keep1: number;
  beta2: number;
  keep2: number;
  /** sqrt(1 - beta2 ** step), or 1 without bias correction. */
  bc2Sqrt: number;
  eps: number;
  /** -lr / (1 - beta1 ** step), or -lr without bias correction. */
  negStepSize: number;
}

export function adamFloat32Args(o: {
  beta1: number;
  beta2: number;
  eps: number;
  decay: number;
  decoupled: boolean;
  lr: number;
  maximize: boolean;
  bc2Sqrt: number;
  negStepSize: number;
}): AdamFloat32Args {
  return {
    sign: o.maximize ? -1 : 1,
    decay: o.decoupled ? 0 : f(o.decay),
    shrink: o.decoupled && o.decay !== 0 ? f(1 - o.lr * o.decay) : 1,
    beta1: f(o.beta1),
    keep1: f(1 - o.beta1),
    beta2: f(o.beta2),
    keep2: f(1 - o.beta2),
    bc2Sqrt: f(o.bc2Sqrt),
    eps: f(o.eps),
    negStepSize: f(o.negStepSize),
  };
}

/**
 * torch 1.13 `_single_tensor_adam` / `_single_tensor_adamw` on elements [from, to): the decoupled shrink
 * `p * (1 - lr * wd)`, the gradient plus coupled decay, `m * beta1 + (1 - beta1) * d`,
 * `v * beta2 + (1 - beta2) * d * d`, AMSGrad's running maximum, the denominator
 * `sqrt(v) / sqrt(1 - beta2^t) + eps` and `p + (-step_size * m) / denominator`.
 */
export function adamFloat32(
  p: Float32Array,
  g: Gradient,
  m: Float32Array,
  v: Float32Array,
  vMax: Float32Array | null,
  a: AdamFloat32Args,
  from: number,
  to: number,
): void {
  for (let j = from; j < to; j++) {
    let pj = p[j];
    if (a.shrink !== 1) pj = f(pj * a.shrink);
    let d = a.sign * f(g[j]);
    if (a.decay !== 0) d = fma32(pj, a.decay, d);
    const mj = fma32(d, a.keep1, f(m[j] * a.beta1));
    const vj = fma32(f(a.keep2 * d), d, f(v[j] * a.beta2));
    m[j] = mj;
    v[j] = vj;
    let second = vj;
    if (vMax !== null) {
      second = Math.max(vMax[j], vj);
      vMax[j] = second;
    }
    const denom = f(f(f(Math.sqrt(second)) / a.bc2Sqrt) + a.eps);
    p[j] = f(pj + f(f(a.negStepSize * mj) / denom));
  }
}
