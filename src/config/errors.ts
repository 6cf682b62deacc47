/** Errors in how optim-lint was invoked or configured: reported with exit code 2, never with a stack. */
import { closest, distance } from "fastest-levenshtein";

/** A bad flag, bad configuration or missing path: the user's input, not a crash. */
export class UsageError extends Error {
  override name = "UsageError";
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
