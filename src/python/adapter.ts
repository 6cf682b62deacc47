/** The Python language adapter: tree-sitter analysis for facts, and edits for fix requests. */
import type { LanguageAdapter } from "../core/types.js";
import { analyzePython, PYTHON_FACT_WORDS, pythonView } from "./analyze.js";
import { pythonEdits } from "./edits.js";
import { parsesCleanly } from "./parser.js";

export const pythonAdapter: LanguageAdapter = {
  name: "python",
  handles: (filePath) => /\.pyi?$/i.test(filePath),
  factWords: PYTHON_FACT_WORDS,
  analyze: (text, filePath) => analyzePython(text, filePath),
  edits: (file, request) => pythonEdits(file, request),
  parses: (text) => parsesCleanly(pythonView(text)),
};
