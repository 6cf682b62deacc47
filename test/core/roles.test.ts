import { describe, expect, it } from "vitest";
import { inTestCode, isTestPath } from "../../src/core/roles.js";

describe("isTestPath", () => {
  it("recognizes pytest's and unittest's file and folder conventions", () => {
    for (const p of ["test_train.py", "train_test.py", "conftest.py", "tests/helpers.py", "pkg/test/utils.py", "tests_fabric/x.py", "unit_tests/a.py", "torch/testing/_internal/common.py"]) {
      expect(isTestPath(p), p).toBe(true);
    }
  });

  it("keeps scripts, examples, tutorials and notebooks as training code", () => {
    for (const p of ["train.py", "test.py", "examples/train_test_split.ipynb", "tutorials/testbed.py", "latest/run.py", "contest/main.py", "notebooks/fit.ipynb", "test_repo/train.py", "test_data/prepare.py"]) {
      expect(isTestPath(p), p).toBe(false);
    }
  });

  it("ignores leading dots of a relative path", () => {
    expect(isTestPath("./tests/x.py")).toBe(true);
    expect(isTestPath("../x.py")).toBe(false);
  });
});

describe("inTestCode", () => {
  it("holds for spans inside a test span only", () => {
    expect(inTestCode({ start: 5, end: 8 }, [{ start: 0, end: 10 }])).toBe(true);
    expect(inTestCode({ start: 5, end: 12 }, [{ start: 0, end: 10 }])).toBe(false);
    expect(inTestCode({ start: 5, end: 8 }, undefined)).toBe(false);
  });
});
