/** Model families and how each is recognised and split: detection as data, read top to bottom. */
export type Family = 'sd1' | 'sd2' | 'sdxl' | 'sdxl_refiner';
export type ComponentName = 'unet' | 'vae' | 'clip' | 'clip_l' | 'clip_g';
export type Prediction = 'eps' | 'v_prediction';

/** A condition on the key set: some key starts with `prefix`, or `key` exists (optionally with a shape check). */
export type KeyCheck = { prefix: string } | { key: string; rank?: number; dim?: [index: number, size: number] };

export interface FamilyRule {
  family: Family;
  requires: KeyCheck[];
  forbids: KeyCheck[];
  /** component -> key prefix in the file, stripped to give canonical component-relative names */
  components: Partial<Record<ComponentName, string>>;
  /** how `prediction: 'auto'` decides when the file carries no explicit marker */
  autoPrediction: 'eps' | 'sd2-heuristic';
}

const UNET = 'model.diffusion_model.';
const VAE = 'first_stage_model.';

/** First matching rule wins; the order puts the most specific sentinels first. */
export const FAMILY_RULES: readonly FamilyRule[] = [
  {
    family: 'sdxl',
    requires: [{ prefix: 'conditioner.embedders.1.model.' }, { prefix: `${UNET}label_emb.` }, { prefix: UNET }],
    forbids: [],
    components: { unet: UNET, vae: VAE, clip_l: 'conditioner.embedders.0.transformer.text_model.', clip_g: 'conditioner.embedders.1.model.' },
    autoPrediction: 'eps',
  },
  {
    family: 'sdxl_refiner',
    requires: [{ prefix: 'conditioner.embedders.0.model.' }, { prefix: `${UNET}label_emb.` }, { prefix: UNET }],
    forbids: [{ prefix: 'conditioner.embedders.1.' }],
    components: { unet: UNET, vae: VAE, clip_g: 'conditioner.embedders.0.model.' },
    autoPrediction: 'eps',
  },
  {
    // SD 2.1 unCLIP (-l / -h): an SD2 UNet whose label_emb takes the noised CLIP image embedding (its image encoder
    // rides along under embedder.model.visual., read by unCLIPCheckpointLoader)
    family: 'sd2',
    requires: [{ prefix: 'cond_stage_model.model.' }, { prefix: `${UNET}label_emb.` }, { prefix: UNET }],
    forbids: [],
    components: { unet: UNET, vae: VAE, clip: 'cond_stage_model.model.' },
    autoPrediction: 'sd2-heuristic',
  },
  {
    family: 'sd2',
    requires: [{ prefix: 'cond_stage_model.model.' }, { prefix: UNET }],
    forbids: [{ prefix: `${UNET}label_emb.` }],
    components: { unet: UNET, vae: VAE, clip: 'cond_stage_model.model.' },
    autoPrediction: 'sd2-heuristic',
  },
  {
    family: 'sd1',
    requires: [{ prefix: 'cond_stage_model.transformer.text_model.' }, { prefix: UNET }],
    forbids: [{ prefix: `${UNET}label_emb.` }],
    components: { unet: UNET, vae: VAE, clip: 'cond_stage_model.transformer.text_model.' },
    autoPrediction: 'eps',
  },
];

export type Variant = 'normal' | 'inpaint' | 'edit';

/** UNet input channels -> variant: 4 latent; +4 masked image +1 mask; +4 source image (InstructPix2Pix). */
export const VARIANT_BY_IN_CHANNELS: Readonly<Record<number, Variant>> = { 4: 'normal', 9: 'inpaint', 8: 'edit' };
export const VARIANT_KEY = `${UNET}input_blocks.0.0.weight`;

/** Tensors outside the components, by what they are. */
export const EXTRA_KINDS: readonly { kind: 'ema' | 'optimizer'; prefix: string }[] = [
  { kind: 'ema', prefix: 'model_ema.' },
  { kind: 'optimizer', prefix: 'optimizer.' },
  { kind: 'optimizer', prefix: 'optimizer_states.' },
];

/** Keys some tools write to mark a v-prediction model explicitly (ComfyUI's save adds `v_pred`). */
export const V_PREDICTION_MARKERS = ['v_pred'];
/** ComfyUI's SD2 test: this bias is spread wider in v-prediction fine-tunes. */
export const SD2_V_HEURISTIC = { key: `${UNET}output_blocks.11.1.transformer_blocks.0.norm1.bias`, stdAbove: 0.09 };
