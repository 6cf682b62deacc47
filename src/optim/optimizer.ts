/**
 * The base every reference optimizer shares, with `torch.optim.Optimizer` semantics: parameter groups
 * that carry their own options and stay mutable between steps, lazily created per-parameter state,
 * parameters without a gradient left alone, and a state dict keyed by parameter index.
 */
import { OptimTypeError, RuntimeError, ValueError } from "./errors.js";

/** A parameter tensor, flattened. Updated in place. */
export type Tensor = Float64Array | Float32Array;

/** A gradient for one parameter: same length as the parameter. */
export type Gradient = ArrayLike<number>;

/** A parameter group: its parameters plus option values (torch keyword names), and whatever a scheduler stores (`initial_lr`). */
export interface ParamGroup {
  params: Tensor[];
  lr: number;
  [option: string]: unknown;
}

/** What a constructor accepts: plain parameters (one group) or groups whose missing options take the defaults. */
export type ParamsInput = Tensor[] | ({ params: Tensor[] } & Record<string, unknown>)[];

/** Per-parameter state: counters and buffers (buffers have the parameter's element type). */
export type ParamState = Record<string, number | Tensor>;

/** A JSON-serializable snapshot, shaped like torch's `state_dict()`: state keyed by parameter index. */
export interface StateDict {
  state: Record<string, Record<string, number | number[]>>;
  param_groups: ({ params: number[] } & Record<string, unknown>)[];
  [extra: string]: unknown;
}

/** A group's options without its parameters: what the constructor defaults hold. */
export type GroupOptions<G extends ParamGroup> = { [K in keyof G as K extends "params" ? never : K]: G[K] };

/** A group's parameters that have a gradient this step, with those gradients. */
export interface GroupBatch<G extends ParamGroup> {
  group: G;
  params: Tensor[];
  grads: Gradient[];
}

/** Throws PyTorch's `ValueError` unless `0 <= value`. */
export function checkNonNegative(value: number, label: string): void {
  if (!(0 <= value)) throw new ValueError(`Invalid ${label}: ${value}`);
}

/** Throws PyTorch's `ValueError` unless both betas lie in [0, 1). */
export function checkBetas(betas: readonly number[]): void {
  for (let i = 0; i < 2; i++) {
    if (!(0 <= betas[i] && betas[i] < 1)) throw new ValueError(`Invalid beta parameter at index ${i}: ${betas[i]}`);
  }
}

/** The defaults overridden by the options, with `betas` copied so no caller's array is shared. */
export function withBetaDefaults<O extends { betas: [number, number] }>(defaults: O, options: Partial<O>): { [K in keyof O]: O[K] } {
  return { ...defaults, ...options, betas: [...(options.betas ?? defaults.betas)] as [number, number] };
}

/** A zero-filled buffer with the parameter's element type and length. */
export function zerosLike(param: Tensor): Tensor {
  return param instanceof Float32Array ? new Float32Array(param.length) : new Float64Array(param.length);
}

/** A copy of the values with the parameter's element type. */
export function copyLike(param: Tensor, values: ArrayLike<number>): Tensor {
  return param instanceof Float32Array ? Float32Array.from(values) : Float64Array.from(values);
}

/** Euclidean norm of a vector, summed in float64. */
export function l2Norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let j = 0; j < values.length; j++) sum += values[j] * values[j];
  return Math.sqrt(sum);
}

/** Whether a value is a parameter tensor this core can update. */
function isTensor(value: unknown): value is Tensor {
  return value instanceof Float64Array || value instanceof Float32Array;
}

/** A deep copy of an option value (arrays copied, typed arrays turned into plain arrays). */
function cloneOption(value: unknown): unknown {
  if (isTensor(value)) return Array.from(value);
  if (Array.isArray(value)) return value.map(cloneOption);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, cloneOption(v)]));
  }
  return value;
}

/** Groups, lazy per-parameter state and the step protocol; subclasses supply the update rule. */
export abstract class Optimizer<G extends ParamGroup = ParamGroup> {
  /** Constructor options with every default filled in; new groups take missing options from here. */
  readonly defaults: GroupOptions<G>;
  /** The parameter groups, mutable like torch's `param_groups`: changes take effect at the next step. */
  readonly paramGroups: G[] = [];
  protected readonly state = new Map<Tensor, ParamState>();

  protected constructor(params: ParamsInput, defaults: GroupOptions<G>) {
    this.defaults = defaults;
    if (!Array.isArray(params) || params.length === 0) throw new ValueError("optimizer got an empty parameter list");
    const groups = isTensor(params[0]) ? [{ params: params as Tensor[] }] : (params as ParamGroup[]);
    for (const group of groups) this.addParamGroup(group);
  }

  /** Adds a group like torch's `add_param_group`: the same object is kept, its missing options filled from the defaults. */
  addParamGroup(group: { params: Tensor[] } & Record<string, unknown>): void {
    if (group === null || typeof group !== "object" || !Array.isArray(group.params)) {
      throw new OptimTypeError("a parameter group must be an object with a `params` array");
    }
    const params = [...group.params];
    const seen = new Set(this.allParams());
    for (const param of params) {
      if (!isTensor(param)) throw new OptimTypeError("optimizer can only optimize Float64Array or Float32Array parameters");
      if (seen.has(param)) throw new ValueError("some parameters appear in more than one parameter group");
      seen.add(param);
    }
    for (const [name, value] of Object.entries(this.defaults)) {
      if (!(name in group) || group[name] === undefined) group[name] = cloneOption(value);
    }
    group.params = params;
    this.paramGroups.push(group as unknown as G);
  }

  /** Every parameter, groups flattened in order: the order `step` expects gradients in. */
  allParams(): Tensor[] {
    return this.paramGroups.flatMap((group) => group.params);
  }

  /** One update. `grads[i]` belongs to the i-th parameter (groups flattened); `null` means no gradient: that parameter is skipped. */
  step(grads: readonly (Gradient | null | undefined)[]): void {
    this.applyStep(this.batches(grads));
  }

  /** Updates each group's parameters that have gradients; optimizers needing all groups at once override this. */
  protected applyStep(batches: GroupBatch<G>[]): void {
    for (const batch of batches) {
      if (batch.params.length > 0) this.updateGroup(batch.group, batch.params, batch.grads);
    }
  }

  /** The update rule for one group, given only the parameters that have gradients. */
  protected abstract updateGroup(group: G, params: Tensor[], grads: Gradient[]): void;

  /** Pairs gradients with parameters per group after checking counts and lengths. */
  protected batches(grads: readonly (Gradient | null | undefined)[]): GroupBatch<G>[] {
    const total = this.paramGroups.reduce((n, group) => n + group.params.length, 0);
    if (!Array.isArray(grads) || grads.length !== total) {
      throw new RuntimeError(`expected ${total} gradients (one per parameter, null for none), got ${Array.isArray(grads) ? grads.length : typeof grads}`);
    }
    let index = 0;
    return this.paramGroups.map((group) => {
      const batch: GroupBatch<G> = { group, params: [], grads: [] };
      for (const param of group.params) {
        const grad = grads[index];
        if (grad !== null && grad !== undefined) {
          if (grad.length !== param.length) {
            throw new RuntimeError(`gradient ${index} has ${grad.length} elements, its parameter has ${param.length}`);
          }
          batch.params.push(param);
          batch.grads.push(grad);
        }
        index++;
      }
      return batch;
    });
  }

  /** The parameter's state, created by `init` on first use. */
  protected stateOf(param: Tensor, init: (param: Tensor) => ParamState): ParamState {
    let state = this.state.get(param);
    if (state === undefined) {
      state = init(param);
      this.state.set(param, state);
    }
    return state;
  }

  /** A deep, JSON-serializable copy of groups and state; parameters are referred to by index. */
  stateDict(): StateDict {
    const index = new Map(this.allParams().map((param, i) => [param, i]));
    const state: StateDict["state"] = {};
    for (const [param, values] of this.state) {
      const entry: Record<string, number | number[]> = {};
      for (const [key, value] of Object.entries(values)) entry[key] = typeof value === "number" ? value : Array.from(value);
      state[String(index.get(param))] = entry;
    }
    let next = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const copy: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(group)) if (key !== "params") copy[key] = cloneOption(value);
      return { ...copy, params: group.params.map(() => next++) };
    });
    return { state, param_groups: paramGroups };
  }

  /** Restores groups' options and state from `stateDict()` output of an optimizer built the same way. */
  loadStateDict(stateDict: StateDict): void {
    const saved = stateDict.param_groups;
    if (!Array.isArray(saved) || saved.length !== this.paramGroups.length) {
      throw new ValueError("loaded state dict has a different number of parameter groups");
    }
    saved.forEach((group, i) => {
      if (group.params.length !== this.paramGroups[i].params.length) {
        throw new ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
      }
    });
    const params = this.allParams();
    const restored = new Map<Tensor, ParamState>();
    for (const [key, values] of Object.entries(stateDict.state)) {
      const param = params[Number(key)];
      if (param === undefined) throw new ValueError(`loaded state dict refers to parameter ${key}, which does not exist`);
      const entry: ParamState = {};
      for (const [name, value] of Object.entries(values)) {
        if (typeof value === "number") {
          entry[name] = value;
        } else {
          if (value.length !== param.length) throw new ValueError(`loaded state '${name}' of parameter ${key} has the wrong size`);
          entry[name] = copyLike(param, value);
        }
      }
      restored.set(param, entry);
    }
    this.paramGroups.forEach((group: ParamGroup, i) => {
      for (const key of Object.keys(group)) if (key !== "params" && !(key in saved[i])) delete group[key];
      for (const [key, value] of Object.entries(saved[i])) if (key !== "params") group[key] = cloneOption(value);
    });
    this.state.clear();
    for (const [param, entry] of restored) this.state.set(param, entry);
  }
}

/** torch's `lerp`: the formula depends on whether the weight is below one half. */
export function lerp(start: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight);
}
