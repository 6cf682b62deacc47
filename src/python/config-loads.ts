/**
 * Config files a script reads itself: `cfg = yaml.safe_load(open("configs/train.yaml"))`, `json.load(f)` inside
 * `with open(args.config) as f:`, `OmegaConf.load(path)`. When the path is a known string (a literal, a constant, an
 * argparse default) and names a YAML or JSON file of the project, the name holds that file's tree as the loader returns
 * it: no Hydra composition, no interpolation (a `${...}` value stays unknown).
 *
 * The path is taken from the script's folder, where such scripts are run from; a path that names no file there gives
 * nothing. A path that another run may change (an argparse default) makes every value read from the file overridable.
 */
import path from "node:path";
import type { ProjectContext, ProjectFile } from "../core/types.js";
import { fieldChild, namedChildren, type PyNode } from "./parser.js";
import { scopeOf } from "./scope.js";
import type { Resolver } from "./values.js";

/** Loaders that read a stream (an open file): their first argument. */
const STREAM_LOADERS = new Map<string, "yaml" | "json">([
  ["yaml.safe_load", "yaml"],
  ["yaml.load", "yaml"],
  ["yaml.full_load", "yaml"],
  ["yaml.unsafe_load", "yaml"],
  ["ruamel_yaml.load", "yaml"],
  ["ruamel_yaml.safe_load", "yaml"],
  ["json.load", "json"],
]);

/** Loaders that take the path itself. */
const PATH_LOADERS = new Map<string, "yaml" | "json">([["omegaconf.OmegaConf.load", "yaml"]]);

const EXTENSIONS = { yaml: /\.ya?ml$/i, json: /\.json$/i };

/** A config file a call loads: the file, the loader's name for messages, and whether another run may load another file. */
export interface LoadedConfig {
  primary: ProjectFile;
  /** The loader as written, for messages (`yaml.safe_load`). */
  loader: string;
  /** The path comes from a value a run may change (an argparse default). */
  overridable: boolean;
}

/** Whether a text may load a config file itself (a cheap test before indexing it). */
export function mayLoadConfig(text: string): boolean {
  return /\b(?:yaml|json|ruamel_yaml|OmegaConf)\b/.test(text) && /\b(?:safe_|full_|unsafe_)?load\s*\(/.test(text);
}

/** The config file a call such as `yaml.safe_load(open(path))` loads, when its path is known and names a project file. */
export function loadedConfig(project: ProjectContext, resolver: Resolver, file: ProjectFile, value: PyNode): LoadedConfig | undefined {
  const callee = value.type === "call" ? fieldChild(value, "function") : undefined;
  const loader = callee && resolver.pathOf(callee);
  if (!callee || !loader) return undefined;
  const args = namedChildren(fieldChild(value, "arguments")!).filter((a) => a.type !== "comment");
  const first = args[0];
  if (!first || first.type === "keyword_argument" || first.type === "list_splat" || first.type === "dictionary_splat") return undefined;
  const streamKind = STREAM_LOADERS.get(loader);
  const pathKind = PATH_LOADERS.get(loader);
  const kind = streamKind ?? pathKind;
  const pathNode = streamKind ? openedPath(resolver, first, value) : pathKind ? first : undefined;
  if (!kind || !pathNode) return undefined;
  const written = resolver.value(pathNode);
  if (written.value.kind !== "string" || written.value.value === "") return undefined;
  const target = path.resolve(path.dirname(file.path), written.value.value);
  if (!EXTENSIONS[kind].test(target) || !project.exists(target)) return undefined;
  const primary = project.file(target);
  if (!primary || primary.adapter.name !== kind) return undefined;
  return { primary, loader: resolver.textOf(callee).replace(/\s+/g, ""), overridable: written.origin?.overridable === true };
}

/**
 * The path a stream argument opens for reading: `open(path)` or `open(path, "r")` written in place, or the name
 * `with open(path) as f:` binds around the load.
 */
function openedPath(resolver: Resolver, stream: PyNode, load: PyNode): PyNode | undefined {
  if (stream.type === "call") return readOpen(resolver, stream);
  if (stream.type !== "identifier") return undefined;
  const name = resolver.textOf(stream);
  for (let at = load.parent; at && at.type !== "function_definition" && at.type !== "class_definition"; at = at.parent) {
    if (at.type !== "with_statement") continue;
    for (const clause of at.children) {
      if (clause.type !== "with_clause") continue;
      for (const item of namedChildren(clause)) {
        const pattern = namedChildren(item)[0];
        if (pattern?.type !== "as_pattern") continue;
        const [opened, alias] = namedChildren(pattern);
        if (alias?.type !== "as_pattern_target" || resolver.textOf(alias) !== name) continue;
        // The name is bound there alone: nothing in its scope rebinds it before the load.
        const scope = scopeOf(at, resolver.index);
        return scope.bindings.get(name)?.length === 1 && opened?.type === "call" ? readOpen(resolver, opened) : undefined;
      }
    }
  }
  return undefined;
}

/** The path of `open(path)` opened for reading as text or bytes (no mode, or a mode without `w`, `a`, `x` or `+`). */
function readOpen(resolver: Resolver, call: PyNode): PyNode | undefined {
  const callee = fieldChild(call, "function");
  if (!callee || resolver.pathOf(callee) !== "builtins.open") return undefined;
  const args = namedChildren(fieldChild(call, "arguments")!).filter((a) => a.type !== "comment");
  const [opened, second] = args;
  if (!opened || opened.type === "keyword_argument" || opened.type === "list_splat" || opened.type === "dictionary_splat") return undefined;
  const modeNode = second && second.type !== "keyword_argument" ? second : args.find((a) => a.type === "keyword_argument" && resolver.textOf(fieldChild(a, "name")!) === "mode");
  const modeValue = modeNode && (modeNode.type === "keyword_argument" ? fieldChild(modeNode, "value") : modeNode);
  if (modeValue) {
    const mode = resolver.value(modeValue).value;
    if (mode.kind !== "string" || /[wax+]/.test(mode.value)) return undefined;
  }
  return opened;
}
