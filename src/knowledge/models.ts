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
  LSTMCell: "rnn",
  GRUCell: "rnn",
  RNNCell: "rnn",
};

/** torch.nn layers counted in a stack: two convolutions make a CNN, three linear layers a deep MLP. */
export const STACKED_LAYERS: Record<string, { kind: ModelKind; atLeast: number }> = {
  Conv1d: { kind: "cnn", atLeast: 2 },
  Conv2d: { kind: "cnn", atLeast: 2 },
  Conv3d: { kind: "cnn", atLeast: 2 },
  Linear: { kind: "mlp", atLeast: 3 },
};

/**
 * torch.nn modules without parameters that a linear or logistic regression puts after its one `nn.Linear` (the
 * output link, a flatten of the input, dropout): with them the model stays linear in its parameters.
 */
export const PARAMETER_FREE_LAYERS = new Set(["Sigmoid", "Softmax", "LogSoftmax", "Identity", "Flatten", "Dropout"]);

/** Embedding layers whose gradients are sparse when built with `sparse=True`. */
export const EMBEDDING_LAYERS = new Set(["Embedding", "EmbeddingBag"]);

/**
 * Model family names (torchvision builders, timm model strings, HF and mmengine class names) by kind. A name
 * matches when it starts with one of them followed by nothing, a digit, `_`, `-`, `.`, or a new CamelCase word, so
 * `resnet50`, `vit_base_patch16_224`, `BertForMaskedLM` and `SwinTransformer` match and `OptimizerWrapper` does not.
 */
const CNN_NAMES = ["resnet", "resnext", "wide_resnet", "wideresnet", "seresnet", "seresnext", "res2net", "resnest", "resnetv2", "regnet", "efficientnet", "efficientnetv2", "mobilenet", "mobilenetv2", "mobilenetv3", "mnasnet", "shufflenet", "shufflenetv2", "squeezenet", "densenet", "vgg", "alexnet", "googlenet", "inception", "inceptionv3", "convnext", "convnextv2", "ghostnet", "mixnet", "dpn", "darknet", "cspdarknet", "cspresnet", "cspresnext", "hrnet", "dla", "xception", "nasnet", "pnasnet", "senet", "rexnet", "tinynet", "fbnet", "lenet", "unet"];
const TRANSFORMER_NAMES = ["vit", "visiontransformer", "deit", "swin", "swintransformer", "swinv2", "beit", "cait", "eva", "eva02", "xcit", "convit", "crossvit", "pit", "tnt", "twins", "levit", "mvit", "mvitv2", "maxvit", "coat", "volo", "flexivit", "dinov2", "clip", "bert", "roberta", "distilbert", "albert", "electra", "deberta", "debertav2", "xlnet", "xlm", "gpt", "gpt2", "gptj", "gptneo", "gptneox", "gpt_neox", "gpt_neo", "opt", "bloom", "llama", "mistral", "mixtral", "qwen", "qwen2", "gemma", "gemma2", "phi", "phi3", "falcon", "t5", "mt5", "bart", "mbart", "pegasus", "marian", "whisper", "wav2vec2", "hubert", "longformer", "bigbird", "reformer", "transformer", "blip", "llava", "segformer", "detr"];
/** Names that are neither (state-space and recurrent language models live in `transformers` too). */
const NOT_TRANSFORMER_NAME = /^(mamba|rwkv|jamba|xlstm|recurrentgemma)/i;

/** Whether a model name (`state-spaces/mamba-130m`) names a family that is not a transformer. */
export function isNonTransformerName(name: string): boolean {
  return NOT_TRANSFORMER_NAME.test(name.split("/").pop() ?? "");
}

/** Whether a name starts with a family name at a word boundary. */
function startsWithFamily(name: string, families: string[]): boolean {
  const lower = name.toLowerCase();
  return families.some((family) => {
    if (!lower.startsWith(family)) return false;
    const rest = name.slice(family.length);
    return rest === "" || /^[\d_\-.]/.test(rest) || /^[A-Z]/.test(rest);
  });
}

/** What a model name says about its kind: `resnet50` → cnn, `vit_base_patch16_224` → transformer. */
export function kindOfModelName(name: string): ModelKind | undefined {
  const bare = name.replace(/^(timm\/|hf[-_]hub:)/, "").split("/").pop() ?? "";
  if (NOT_TRANSFORMER_NAME.test(bare)) return undefined;
  if (startsWithFamily(bare, CNN_NAMES)) return "cnn";
  if (startsWithFamily(bare, TRANSFORMER_NAMES)) return "transformer";
  return undefined;
}

/**
 * Class names people give transformer models they write themselves (`class GPT(nn.Module)`, `class BertEncoder`),
 * matched on whole words of the name so `Optimizer` or `Adapter` do not count.
 */
const TRANSFORMER_CLASS = /^(GPT\d*|NanoGPT|MiniGPT|BERT|Bert|RoBERTa|Roberta|LLaMA|Llama|ViT|VisionTransformer|DeiT|Swin|SwinTransformer|T5|Bart|Transformer|TransformerModel|TransformerLM|DecoderOnly|EncoderDecoderTransformer)(Model|LM|ForCausalLM|Encoder|Decoder|Classifier|Block)?$/;

/**
 * Class names of recurrent networks and cells written by hand (`TreeLSTMCell`, `CharRNN`, `BiLstmEncoder`): LSTM, GRU
 * or RNN as a word of the name, not inside a longer word in capitals or followed by lowercase letters (`Grub`).
 */
const RECURRENT_CLASS = /(?:^|[^A-Z])(?:LSTM|GRU|RNN|Lstm|Gru|Rnn)(?![a-z])/;

/** Whether a class name says its instances are recurrent networks or cells, whose linear layers are gates of one step. */
export function isRecurrentClassName(name: string): boolean {
  return RECURRENT_CLASS.test(name);
}

/** Whether a class name says its instances are transformers. */
export function isTransformerClassName(name: string): boolean {
  return TRANSFORMER_CLASS.test(name);
}

/**
 * Packages whose every model class is a transformer or wraps one: x-transformers (`TransformerWrapper`, `XTransformer`,
 * `AutoregressiveWrapper`) and vit-pytorch (`ViT`, `SimpleViT`, `CaiT`, `NaViT`, its `MAE` and `Dino` trainers).
 */
const TRANSFORMER_PACKAGES = new Set(["x_transformers", "vit_pytorch"]);
/**
 * MONAI networks (`monai.networks.nets`) built on a transformer: `ViT`, its autoencoder and masked-autoencoder, UNETR
 * and SwinUNETR (a ViT or Swin encoder under a convolutional decoder), Swin's encoder alone, Transchex, the
 * decoder-only transformer. Its U-Nets (`UNet`, `BasicUNet`, `DynUNet`, `AttentionUnet`), `SegResNet` and other CNNs are not.
 */
const MONAI_TRANSFORMERS = new Set(["ViT", "ViTAutoEnc", "MaskedAutoEncoderViT", "UNETR", "SwinUNETR", "SwinTransformer", "Transchex", "DecoderOnlyTransformer"]);
/** The layers and helpers those packages also export (`RMSNorm`, `Attention`, `FeedForward`), which are no model. */
const PACKAGE_LAYER = /(Norm|Attention|Attend|FeedForward|Embedding|Embed|Residual|Dropout|Linear|Scale|Extractor|Recorder)$/;

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
  if (TRANSFORMER_PACKAGES.has(root) && /^[A-Z]/.test(last) && !PACKAGE_LAYER.test(last)) return "transformer";
  if (path.startsWith("monai.networks.nets.") && MONAI_TRANSFORMERS.has(last)) return "transformer";
  if (root === "torch" && path.startsWith("torch.nn.")) return KIND_LAYERS[last];
  return undefined;
}

/**
 * Model types in a config that train only the parameters they add and freeze the network they wrap (mmpretrain's
 * `LoRAModel`, any other LoRA wrapper): which parameters are decayed then cannot be read from the optimizer.
 */
export const FREEZING_MODEL_TYPE = /lora/i;

/** Packages whose use makes a file reinforcement learning: environments and RL algorithm libraries. */
export const RL_PACKAGES = new Set(["gym", "gymnasium", "stable_baselines3", "sb3_contrib", "pettingzoo", "ale_py", "procgen", "minigrid", "envpool", "unityagents", "mlagents_envs", "dm_control", "d4rl", "pybullet_envs"]);

/** Names that mark the two networks of an actor-critic agent (`actor_local`/`critic_local`, `Actor`/`Critic`). */
export const RL_ACTOR = /actor/i;
export const RL_CRITIC = /critic/i;

/** Names that mark the two networks of a GAN (`netG`/`netD`, `generator`/`discriminator`). */
export const GAN_GENERATOR = /^(net_?g|g_?net|g_?model|generator|gen)$|generator$/i;
export const GAN_DISCRIMINATOR = /^(net_?d|d_?net|d_?model|discriminator|disc|critic)$|discriminator$/i;

/** dtype spellings that mean float16 parameters. */
export const HALF_DTYPES = new Set(["torch.float16", "torch.half"]);
/** dtype spellings that mean bfloat16 parameters. */
export const BF16_DTYPES = new Set(["torch.bfloat16"]);
