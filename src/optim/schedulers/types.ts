/** The optimizer surface the learning-rate schedulers read and write. */

/** One parameter group: its current learning rate plus whatever options the optimizer keeps there. */
export interface ParamGroup {
  lr: number;
  /** The learning rate a schedule starts from; set by the first scheduler attached to the optimizer. */
  initial_lr?: number;
  [option: string]: unknown;
}

/** Anything with mutable parameter groups, like torch's `optimizer.param_groups`. */
export interface SchedulableOptimizer {
  paramGroups: ParamGroup[];
  /** The optimizer's default options; OneCycleLR looks for `betas` here to decide what to cycle. */
  defaults?: Record<string, unknown>;
}

/** A scheduler's state as plain data, for `stateDict()` / `loadStateDict()`. */
export type SchedulerState = Record<string, unknown>;

/** What every scheduler offers, including SequentialLR. */
export interface Scheduler {
  readonly optimizer: SchedulableOptimizer;
  /** Index of the last epoch (or batch) the schedule was evaluated at; 0 right after construction. */
  lastEpoch: number;
  step(): void;
  /** The learning rate of every group after the last step. */
  getLastLr(): number[];
  stateDict(): SchedulerState;
  loadStateDict(state: SchedulerState): void;
}
