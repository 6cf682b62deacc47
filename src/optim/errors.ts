/**
 * Errors with the names and meanings of the Python exceptions `torch.optim` raises, so a caller can
 * tell a bad setting (`ValueError`) from misuse at run time (`RuntimeError`).
 */

/** Base of every error the optimizer core throws. */
export class OptimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument has the right type but an unacceptable value (Python `ValueError`). */
export class ValueError extends OptimError {}

/** An operation cannot run in the current state, e.g. gradients that do not match the parameters (Python `RuntimeError`). */
export class RuntimeError extends OptimError {}

/** An argument has the wrong type, e.g. a parameter that is not a typed array (Python `TypeError`). */
export class OptimTypeError extends OptimError {
  constructor(message: string) {
    super(message);
    this.name = "TypeError";
  }
}
