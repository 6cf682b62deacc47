/**
 * Lookahead (Zhang, Lucas, Hinton and Ba, 2019) around any optimizer, as the authors' reference code does
 * it: slow weights start as a copy of the parameters at construction; after every `k` steps of the
 * inner optimizer each parameter becomes alpha * fast + (1 - alpha) * slow and the slow copy takes
 * that value. Momentum buffers of the inner optimizer are left as they are.
 */
import { Optimizer, copyLike, type Gradient, type GroupOptions, type ParamGroup, type StateDict, type Tensor } from "./optimizer.js";
import { checkOptionNames } from "./options.js";
import { RuntimeError, ValueError } from "./errors.js";

export interface LookaheadOptions {
  /** Inner steps between synchronizations. */
  k: number;
  /** How far the slow weights move toward the fast ones at a synchronization. */
  alpha: number;
}

export const LOOKAHEAD_DEFAULTS: LookaheadOptions = { k: 5, alpha: 0.5 };

export class Lookahead<G extends ParamGroup = ParamGroup> extends Optimizer<G> {
  readonly base: Optimizer<G>;
  k: number;
  alpha: number;
  /** Inner steps since the last synchronization. */
  private counter = 0;
  private readonly slow: Map<Tensor, Tensor>;

  constructor(base: Optimizer<G>, options: Partial<LookaheadOptions> = {}) {
    checkOptionNames("Lookahead", options, Object.keys(LOOKAHEAD_DEFAULTS));
    const { k, alpha } = { ...LOOKAHEAD_DEFAULTS, ...options };
    if (!(0 <= alpha && alpha <= 1)) throw new ValueError(`Invalid slow update rate: ${alpha}`);
    if (!(Number.isInteger(k) && k >= 1)) throw new ValueError(`Invalid lookahead steps: ${k}`);
    // The groups are the inner optimizer's own objects, so changing an lr here changes it there.
    super(base.paramGroups, {} as GroupOptions<G>);
    this.base = base;
    this.k = k;
    this.alpha = alpha;
    this.slow = new Map(this.allParams().map((param) => [param, copyLike(param, param)]));
  }

  override step(grads: readonly (Gradient | null | undefined)[]): void {
    this.base.step(grads);
    this.counter += 1;
    if (this.counter < this.k) return;
    this.counter = 0;
    const { alpha } = this;
    for (const [fast, slow] of this.slow) {
      for (let j = 0; j < fast.length; j++) slow[j] = fast[j] = fast[j] * alpha + (1 - alpha) * slow[j];
    }
  }

  protected updateGroup(): void {
    throw new RuntimeError("Lookahead updates through its inner optimizer");
  }

  override stateDict(): StateDict {
    return {
      ...this.base.stateDict(),
      lookahead: { k: this.k, alpha: this.alpha, counter: this.counter, slow: [...this.slow.values()].map((s) => Array.from(s)) },
    };
  }

  override loadStateDict(stateDict: StateDict): void {
    const saved = stateDict.lookahead as { k: number; alpha: number; counter: number; slow: number[][] } | undefined;
    const params = [...this.slow.keys()];
    if (!saved || !Array.isArray(saved.slow) || saved.slow.length !== params.length) {
      throw new ValueError("loaded state dict has no lookahead state for these parameters");
    }
    saved.slow.forEach((values, i) => {
      if (values.length !== params[i].length) throw new ValueError(`loaded slow weights of parameter ${i} have the wrong size`);
    });
    this.base.loadStateDict(stateDict);
    this.k = saved.k;
    this.alpha = saved.alpha;
    this.counter = saved.counter;
    saved.slow.forEach((values, i) => this.slow.set(params[i], copyLike(params[i], values)));
  }
}
