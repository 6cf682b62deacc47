/**
 * Framework knowledge about models as data: which library constructions and names say what kind of network a
 * script trains, and which settings say how its parameters are stored (fp16, mixed precision, bf16). The Python
 * adapter and the config recognizer read these tables; rules read only the facts built from them.
 */
import type { ModelKind } from "../core/facts.js";
import { lastSegment } from "./dotted.js";

/** torch.nn layers that make a module one kind of network on their own. */
export const KIND_LAYERS: Record<string, ModelKind> = {
  Transformer: "transformer",
  TransformerEncoder: "transformer",
  TransformerDecoder: "transformer",
  TransformerEncoderLayer: "transformer",
  TransformerDecoderLayer: "transformer",
  LSTM: "rnn",
  GRU: "rnn",
  RNN: "rnn",
};

/** torch.nn layers counted in a stack: two convolutions make a CNN, three linear layers a deep MLP. */
export const STACKED_LAYERS: Record<string, { kind: ModelKind; atLeast: number }> = {
  Conv1d: { kind: "cnn", atLeast: 2 },
  Conv2d: { kind: "cnn", atLeast: 2 },
  Conv3d: { kind: "cnn", atLeast: 2 },
  Linear: { kind: "mlp", atLeast: 3 },
};

/** Embedding layers whose gradients are sparse when built with `sparse=True`. */
export const EMBEDDING_LAYERS = new Set(["Embedding", "EmbeddingBag"]);

/** Model names (torchvision builders, timm model strings, HF classes) by what they are, matched on the lower-cased name. */
const CNN_NAME = /^(resnet|resnext|wide_resnet|wideresnet|seresnet|seresnext|res2net|resnest|regnet|efficientnet|mobilenet|mnasnet|shufflenet|squeezenet|densenet|vgg|alexnet|googlenet|inception|convnext|ghostnet|mixnet|dpn|darknet|cspdarknet|cspresnet|hrnet|dla|xception|nasnet|pnasnet|senet|legacy_senet|rexnet|tinynet|fbnet|lenet|unet)/;
const TRANSFORMER_NAME = /^(vit|deit|swin|beit|cait|eva|xcit|convit|crossvit|pit|tnt|twins|levit|mvit|maxvit|coat|volo|flexivit|vit_|dinov2|clip|bert|roberta|distilbert|albert|electra|deberta|xlnet|xlm|gpt|opt|bloom|llama|mistral|mixtral|qwen|gemma|phi|falcon|t5|mt5|bart|mbart|pegasus|marian|whisper|wav2vec|hubert|longformer|bigbird|reformer|transformer|blip|llava|segformer|detr|dinov)/;
/** Names that are neither (state-space and recurrent language models live in `transformers` too). */
const NOT_TRANSFORMER_NAME = /^(mamba|rwkv|jamba|xlstm|recurrentgemma)/;

/** What a model name says about its kind: `resnet50` → cnn, `vit_base_patch16_224` → transformer. */
export function kindOfModelName(name: string): ModelKind | undefined {
  const lower = name.toLowerCase().replace(/^(timm\/|hf[-_]hub:|hf_hub:)/, "").split("/").pop() ?? "";
  if (NOT_TRANSFORMER_NAME.test(lower)) return undefined;
  if (CNN_NAME.test(lower)) return "cnn";
  if (TRANSFORMER_NAME.test(lower)) return "transformer";
  return undefined;
}

/**
 * Class names people give transformer models they write themselves (`class GPT(nn.Module)`, `class BertEncoder`),
 * matched on whole words of the name so `Optimizer` or `Adapter` do not count.
 */
const TRANSFORMER_CLASS = /^(GPT\d*|NanoGPT|MiniGPT|BERT|Bert|RoBERTa|Roberta|LLaMA|Llama|ViT|VisionTransformer|DeiT|Swin|SwinTransformer|T5|Bart|Transformer|TransformerModel|TransformerLM|DecoderOnly|EncoderDecoderTransformer)(Model|LM|ForCausalLM|Encoder|Decoder|Classifier|Block)?$/;

/** Whether a class name says its instances are transformers. */
export function isTransformerClassName(name: string): boolean {
  return TRANSFORMER_CLASS.test(name);
}

/**
 * Library constructions that build a whole model, by dotted path: the kind, or `name` when the first argument (a
 * timm model string, a torchvision name) decides it.
 */
export function libraryModelKind(path: string): ModelKind | "by-name" | undefined {
  const root = path.split(".")[0];
  const last = lastSegment(path);
  if (root === "transformers") {
    // Tokenizers, configs, pipelines, processors and the Trainer are not models.
    if (/Tokenizer|Config|Processor|FeatureExtractor|Pipeline|pipeline|Trainer|Arguments|Collator|Callback|Scheduler|Optimizer|AdamW|Adafactor/.test(path)) return undefined;
    const cls = path.replace(/\.(from_pretrained|from_config|_from_config)$/, "").split(".").pop() ?? "";
    if (!/^[A-Z]/.test(cls) || !/(Model|For[A-Z]\w*|LMHead\w*|PreTrained\w*)$|^AutoModel/.test(cls)) return undefined;
    const named = kindOfModelName(cls.replace(/^(TF|Flax)/, ""));
    if (NOT_TRANSFORMER_NAME.test(cls.toLowerCase())) return undefined;
    return named ?? (cls.startsWith("AutoModel") ? "transformer" : undefined);
  }
  if (path === "timm.create_model" || path === "timm.models.create_model" || path === "torchvision.models.get_model") return "by-name";
  if (path.startsWith("torchvision.models.")) {
    if (/\.(detection|segmentation|video|optical_flow|quantization)\./.test(path)) return undefined;
    return kindOfModelName(last);
  }
  if (path.startsWith("timm.models.")) return kindOfModelName(last);
  if (root === "torch" && path.startsWith("torch.nn.")) return KIND_LAYERS[last];
  return undefined;
}

/** Packages whose use makes a file reinforcement learning: environments and RL algorithm libraries. */
export const RL_PACKAGES = new Set(["gym", "gymnasium", "stable_baselines3", "sb3_contrib", "pettingzoo", "ale_py", "procgen", "minigrid", "envpool"]);

/** Names that mark the two networks of a GAN (`netG`/`netD`, `generator`/`discriminator`). */
export const GAN_GENERATOR = /^(net_?g|g_?net|g_?model|generator|gen)$|generator$/i;
export const GAN_DISCRIMINATOR = /^(net_?d|d_?net|d_?model|discriminator|disc|critic)$|discriminator$/i;

/** dtype spellings that mean float16 parameters. */
export const HALF_DTYPES = new Set(["torch.float16", "torch.half"]);
/** dtype spellings that mean bfloat16 parameters. */
export const BF16_DTYPES = new Set(["torch.bfloat16"]);
