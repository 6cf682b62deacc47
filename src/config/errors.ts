/** Errors in how optim-lint was invoked or configured: reported with exit code 2, never with a stack. */
import { closest, distance } from "fastest-levenshtein";

/** The mark of a usage error, shared by every copy of this module (the CLI's lint bundle carries its own). */
const USAGE_ERROR = Symbol.for("optim-lint.UsageError");

/** A bad flag, bad configuration or missing path: the user's input, not a crash. */
export class UsageError extends Error {
  override name = "UsageError";
  readonly [USAGE_ERROR] = true;

  /** `instanceof` holds for a usage error made by any copy of this class. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as { [USAGE_ERROR]?: unknown })[USAGE_ERROR] === true;
  }
}

/** The candidate nearest to a misspelled word, when it is near enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(word, candidates as string[]);
  const limit = Math.max(3, Math.ceil(word.length * 0.4));
  return distance(word.toLowerCase(), best.toLowerCase()) <= limit ? best : undefined;
}

/** ` did you mean "x"?` for a misspelling, or nothing when no candidate is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const best = nearest(word, candidates);
  return best === undefined ? "" : `; did you mean "${best}"?`;
}
