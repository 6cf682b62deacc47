/** Adam with optional AMSGrad, maximization and either L2 or decoupled weight decay (torch 2.x `Adam`). */
import { Optimizer, withBetaDefaults, checkBetas, checkNonNegative, lerp, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { adamFloat32Args } from "./float32.js";
import { adamStepFloat32, float32State } from "./simd.js";

export interface AdamOptions {
  lr: number;
  betas: [number, number];
  eps: number;
  weight_decay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** Shrink parameters by `lr * weight_decay` directly instead of adding decay to the gradient (AdamW). */
  decoupled_weight_decay: boolean;
  /**
   * Divide the moments by 1 - beta**t (torch always does). False reproduces optimizers that switch it off (apex and
   * DeepSpeed `bias_correction=False`, transformers' old `correct_bias=False`), for `optim-lint simulate`.
   */
  bias_correction: boolean;
}

export type AdamGroup = ParamGroup & AdamOptions;

export const ADAM_DEFAULTS: AdamOptions = {
  lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false, maximize: false, decoupled_weight_decay: false, bias_correction: true,
};

/** Checks the options torch validates for the Adam family. */
export function checkAdamOptions(options: { lr: number; eps: number; betas: readonly number[]; weight_decay: number }): void {
  checkNonNegative(options.lr, "learning rate");
  checkNonNegative(options.eps, "epsilon value");
  checkBetas(options.betas);
  checkNonNegative(options.weight_decay, "weight_decay value");
}

export class Adam extends Optimizer<AdamGroup> {
  constructor(params: ParamsInput, options: Partial<AdamOptions> = {}) {
    checkOptionNames(new.target.name, options, Object.keys(ADAM_DEFAULTS));
    const defaults = withBetaDefaults(ADAM_DEFAULTS, options);
    checkAdamOptions(defaults);
    super(params, defaults);
  }

  protected updateGroup(group: AdamGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, eps, weight_decay: decay, amsgrad, maximize, decoupled_weight_decay: decoupled } = group;
    const [beta1, beta2] = group.betas;
    const keep1 = 1 - beta1;
    const keep2 = 1 - beta2;
    const coupled = decay !== 0 && !decoupled;
    const shrink = 1 - lr * decay;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const g = grads[i];
      const state = this.stateOf(p, initAdam);
      const step = ((state.step as number) += 1);
      const m = state.exp_avg as Tensor;
      const v = state.exp_avg_sq as Tensor;
      let vMax = state.max_exp_avg_sq as Tensor | undefined;
      if (amsgrad && vMax === undefined) vMax = state.max_exp_avg_sq = p instanceof Float32Array ? float32State(p.length, 1)[0] : zerosLike(p);
      const corrected = group.bias_correction !== false;
      const negStepSize = -(lr / (corrected ? 1 - beta1 ** step : 1));
      const bc2Sqrt = corrected ? (1 - beta2 ** step) ** 0.5 : 1;
      const n = p.length;
      if (p instanceof Float32Array) {
        // Float32 parameters take torch's float32 arithmetic (./float32.ts), SIMD where it can.
        const bc2SqrtExact = corrected ? Math.sqrt(1 - beta2 ** step) : 1;
        const args = adamFloat32Args({ beta1, beta2, eps, decay, decoupled, lr, maximize, bc2Sqrt: bc2SqrtExact, negStepSize });
        adamStepFloat32(p, g, m as Float32Array, v as Float32Array, (vMax as Float32Array | undefined) ?? null, args);
        continue;
      }
      if (decay !== 0 && decoupled) for (let j = 0; j < n; j++) p[j] *= shrink;
      if (vMax === undefined) {
        // Without AMSGrad, the common case, the loop stays free of the per-element maximum.
        for (let j = 0; j < n; j++) {
          let d = maximize ? -g[j] : g[j];
          if (coupled) d += decay * p[j];
          const mj = lerp(m[j], d, keep1);
          const vj = v[j] * beta2 + keep2 * d * d;
          m[j] = mj;
          v[j] = vj;
          p[j] += negStepSize * (mj / (Math.sqrt(vj) / bc2Sqrt + eps));
        }
        continue;
      }
      for (let j = 0; j < n; j++) {
        let d = maximize ? -g[j] : g[j];
        if (coupled) d += decay * p[j];
        const mj = lerp(m[j], d, keep1);
        const vj = v[j] * beta2 + keep2 * d * d;
        m[j] = mj;
        v[j] = vj;
        // AMSGrad normalizes by the largest second moment seen so far.
        const vMaxj = Math.max(vMax[j], vj);
        vMax[j] = vMaxj;
        p[j] += negStepSize * (mj / (Math.sqrt(vMaxj) / bc2Sqrt + eps));
      }
    }
  }
}

/** Zeroed moments and a step count of zero. */
function initAdam(param: Tensor): ParamState {
  if (param instanceof Float32Array) {
    const [exp_avg, exp_avg_sq] = float32State(param.length, 2);
    return { step: 0, exp_avg, exp_avg_sq };
  }
  return { step: 0, exp_avg: zerosLike(param), exp_avg_sq: zerosLike(param) };
}
