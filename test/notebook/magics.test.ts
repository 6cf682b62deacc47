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

describe("%%writefile cells", () => {
  const written = (source: string) => mask(source).written;

  it("reads the .py path a cell writes, its -a / --append option, and keeps the body at its place", () => {
    const source = "%%writefile -a train.py\nimport torch\nopt = torch.optim.Adam(p)";
    const file = written(source);
    expect(file).toMatchObject({ path: "train.py", known: true, append: true });
    expect(file!.body).toBe(`${" ".repeat(23)}\nimport torch\nopt = torch.optim.Adam(p)`);
    // The kernel does not run the body: its view of the cell stays blank.
    expect(mask(source).python.trim()).toBe("");
    expect(written("%%writefile --append src/train.py\nx = 1")).toMatchObject({ path: "src/train.py", append: true });
    expect(written("%%writefile train.py\nx = 1")).toMatchObject({ path: "train.py", append: false });
  });

  it("reads a quoted path, and marks a path IPython expands from kernel values as unknown", () => {
    expect(written('%%writefile "my run/train.py"\nx = 1')).toMatchObject({ path: "my run/train.py", known: true });
    expect(written("%%writefile '{out}/train.py'\nx = 1")).toMatchObject({ known: false });
    expect(written("%%writefile $OUT/train.py\nx = 1")).toMatchObject({ path: "$OUT/train.py", known: false });
    // An `-a` inside the quotes is part of the name, not the append option; one before them is.
    expect(written('%%writefile "run -a copy.py"\nx = 1')).toMatchObject({ path: "run -a copy.py", append: false });
    expect(written('%%writefile -a "my run.py"\nx = 1')).toMatchObject({ path: "my run.py", append: true });
  });

  it("writes no Python file for another extension, a missing path, or another cell magic", () => {
    expect(written("%%writefile config.yaml\nlr: 0.1")).toBeUndefined();
    expect(written("%%writefile\nx = 1")).toBeUndefined();
    expect(written("%%writefile a.py b.py\nx = 1")).toBeUndefined();
    expect(written("%%bash train.py\nx = 1")).toBeUndefined();
    expect(written("%%writefiles train.py\nx = 1")).toBeUndefined();
  });
});
