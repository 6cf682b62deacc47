import { describe, expect, it } from "vitest";
import { maskIPython } from "../../src/notebook/magics.js";

/** Masks a cell and checks that every line kept its length. */
function mask(source: string) {
  const masked = maskIPython(source);
  expect(masked.python.split("\n").map((l) => l.length)).toEqual(source.split("\n").map((l) => l.length));
  return masked;
}

describe("IPython masking", () => {
  it("hides line magics, shell escapes, assigned output and help requests, keeping Python lines", () => {
    const source = ["%matplotlib inline", "!pip install -q timm", "gpus = !nvidia-smi -L", "torch.optim.Adam?", "?torch.optim.SGD", "import torch"].join("\n");
    const { python, hidden } = mask(source);
    expect(python.split("\n")).toEqual(["_                 ", "_                   ", "gpus = _             ", "_                ", "_               ", "import torch"]);
    expect(hidden).toEqual(source.split("\n").slice(0, 5));
  });

  it("blanks a cell in another language and keeps the Python body of %%capture and %%time", () => {
    expect(mask('%%bash\necho "Adam(weight_decay=0.1)"').python.trim()).toBe("");
    const { python, hidden } = mask("\n%%capture log\nopt = SGD(params, momentum=0.9)");
    expect(python).toBe("\n_            \nopt = SGD(params, momentum=0.9)");
    expect(hidden).toEqual(["%%capture log"]);
  });

  it("keeps the statement after %time visible to the analysis", () => {
    expect(mask("%time opt = Adam(params, weight_decay=0.1)").python).toBe("_;    opt = Adam(params, weight_decay=0.1)");
    expect(mask("%timeit -n 3 step()").python).toBe("_                  ");
  });

  it("masks only lines that start a logical line, and keeps indentation inside blocks", () => {
    const source = ['msg = ("%d steps"', "       % steps)", 'doc = """', "%not a magic", '"""', "if debug:", "    !nvidia-smi", "# why?", "x = y  # ok?"].join("\n");
    const { python } = mask(source);
    const lines = python.split("\n");
    expect(lines[1]).toBe("       % steps)");
    expect(lines[3]).toBe("%not a magic");
    expect(lines[6]).toBe("    _          ");
    expect(lines.slice(7)).toEqual(["# why?", "x = y  # ok?"]);
  });

  it("hides magics written without `%` (IPython's automagic), keeping Python that starts with the same names", () => {
    const source = ["pip install datasets diffusers", "matplotlib inline", "cd ../data", "cat = 3", "rm if cat else ls", "ls(1)", "import torch"].join("\n");
    const { python, hidden } = mask(source);
    expect(python.split("\n")).toEqual(["_                             ", "_                ", "_         ", "cat = 3", "rm if cat else ls", "ls(1)", "import torch"]);
    expect(hidden).toEqual(source.split("\n").slice(0, 3));
  });

  it("hides the continuation lines of a magic that ends with a backslash", () => {
    expect(mask("!pip install \\\n    torch\nimport torch").python).toBe("_             \n         \nimport torch");
  });
});
