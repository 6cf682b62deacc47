/**
 * Code roles: whether code trains a model or tests one. Test code builds toy optimizers with arbitrary values on
 * purpose (an lr of 10 to check scheduler arithmetic, a parity run that must match a reference), so its findings
 * are noise unless a user asks for them (`include-tests`). Examples, tutorials, notebooks and scripts are
 * training code and keep their findings.
 *
 * Whole files are recognized by path here, as pytest and unittest collect them; test functions, test classes and
 * fixtures inside other files are recognized by the language adapter (`TrainingFacts.testCode`).
 */
import type { Span } from "./facts.js";

/** File names pytest collects by default, plus `conftest.py`, which only test runs import. */
const TEST_FILE_NAME = /^(?:test_.*|.*_test|conftest)\.pyi?$/i;

/**
 * Folder names that hold tests: `tests`, `test`, `testing` (shared test helpers such as `torch/testing`), and the
 * compound forms projects use (`tests_pytorch`, `unit_tests`).
 */
const TEST_FOLDER = /^(?:tests?|testing|tests_\w+|\w+_tests?)$/i;

/**
 * Whether a file is test code by its path. `relativePath` should start at the project root (the linted folder),
 * so that a checkout that happens to live under a folder named `test` is not mistaken for tests.
 */
export function isTestPath(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]+/).filter((s) => s !== "" && s !== "." && s !== "..");
  if (segments.length === 0) return false;
  const name = segments[segments.length - 1];
  return TEST_FILE_NAME.test(name) || segments.slice(0, -1).some((folder) => TEST_FOLDER.test(folder));
}

/** Whether a span lies inside one of the given test-code spans. */
export function inTestCode(span: Span, testCode: readonly Span[] | undefined): boolean {
  return !!testCode && testCode.some((t) => t.start <= span.start && span.end <= t.end);
}
