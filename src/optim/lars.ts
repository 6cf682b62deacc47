/**
 * LARS, layer-wise adaptive rate scaling (You, Gitman and Ginsburg, 2017), as timm's `Lars` implements it
 * after NVIDIA apex LARC: the gradient plus L2 decay is scaled by
 * trust_coeff * ||w|| / (||g|| + weight_decay * ||w|| + eps) (one when either norm is zero, optionally
 * clipped by LARC as min(ratio / lr, 1)), then fed to SGD with momentum. As in timm, a group without
 * weight decay skips the adaptation unless `always_adapt`. `exclude_bias_and_norm` adds the exclusion used
 * by the Barlow Twins and VICReg LARS: one-dimensional parameters (biases, norm scales) get neither
 * decay nor adaptation. Parameters are flat here, so that option needs the group's `shapes`.
 */
import { Optimizer, l2Norm, zerosLike, type Gradient, type ParamGroup, type ParamsInput, type ParamState, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { ValueError } from "./errors.js";
import { checkMomentumOptions } from "./sgd.js";

export interface LARSOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weight_decay: number;
  nesterov: boolean;
  trust_coeff: number;
  eps: number;
  /** LARC clipping: the effective rate never exceeds the group's learning rate. */
  trust_clip: boolean;
  /** Adapt groups without weight decay too. */
  always_adapt: boolean;
  /** One-dimensional parameters skip decay and adaptation; needs `shapes`. */
  exclude_bias_and_norm: boolean;
  /** The torch shape of each parameter in the group, in order; only read for `exclude_bias_and_norm`. */
  shapes?: number[][];
}

export type LARSGroup = ParamGroup & LARSOptions;

export const LARS_DEFAULTS: LARSOptions = {
  lr: 1.0, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false, trust_coeff: 0.001, eps: 1e-8,
  trust_clip: false, always_adapt: false, exclude_bias_and_norm: false,
};

/** The LARS scale for one parameter: trust_coeff * ||w|| / (||g|| + wd * ||w|| + eps), one when either norm is zero. */
export function larsTrustRatio(weightNorm: number, gradNorm: number, trustCoeff: number, weightDecay: number, eps: number): number {
  if (!(weightNorm > 0 && gradNorm > 0)) return 1;
  return (trustCoeff * weightNorm) / (gradNorm + weightNorm * weightDecay + eps);
}

export class LARS extends Optimizer<LARSGroup> {
  constructor(params: ParamsInput, options: Partial<LARSOptions> = {}) {
    checkOptionNames(new.target.name, options, [...Object.keys(LARS_DEFAULTS), "shapes"]);
    const defaults = { ...LARS_DEFAULTS, ...options };
    checkMomentumOptions(defaults);
    super(params, defaults);
    for (const group of this.paramGroups) {
      if (group.exclude_bias_and_norm && (!Array.isArray(group.shapes) || group.shapes.length !== group.params.length)) {
        throw new ValueError("exclude_bias_and_norm needs `shapes`: the shape of every parameter in the group");
      }
    }
  }

  protected updateGroup(group: LARSGroup, params: Tensor[], grads: Gradient[]): void {
    const { lr, momentum, dampening, weight_decay: decay, nesterov, trust_coeff: trustCoeff, eps } = group;
    const adaptGroup = decay !== 0 || group.always_adapt;
    for (let i = 0; i < params.length; i++) {
      const p = params[i];
      const n = p.length;
      const d = Float64Array.from(grads[i]);
      if (adaptGroup && !this.excluded(group, p)) {
        let ratio = larsTrustRatio(l2Norm(p), l2Norm(d), trustCoeff, decay, eps);
        if (group.trust_clip) ratio = Math.min(ratio / lr, 1);
        for (let j = 0; j < n; j++) d[j] = (d[j] + decay * p[j]) * ratio;
      }
      if (momentum !== 0) {
        const state = this.stateOf(p, () => ({}) as ParamState);
        let buf = state.momentum_buffer as Tensor | undefined;
        if (buf === undefined) {
          buf = state.momentum_buffer = zerosLike(p);
          buf.set(d);
        } else {
          for (let j = 0; j < n; j++) buf[j] = buf[j] * momentum + (1 - dampening) * d[j];
        }
        for (let j = 0; j < n; j++) d[j] = nesterov ? d[j] + momentum * buf[j] : buf[j];
      }
      for (let j = 0; j < n; j++) p[j] += -lr * d[j];
    }
  }

  /** Whether a parameter is one-dimensional and the group excludes those. */
  private excluded(group: LARSGroup, param: Tensor): boolean {
    if (!group.exclude_bias_and_norm || !group.shapes) return false;
    return group.shapes[group.params.indexOf(param)]?.length === 1;
  }
}
