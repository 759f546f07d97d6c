/**
 * Hugging Face / transformers.js CLIP folders: config.json,
 * preprocessor_config.json, tokenizer.json (+ tokenizer_config.json) and
 * onnx/text_model.onnx + onnx/vision_model.onnx. Conventions: docs/model-layouts.md §3.
 */
import { ModelError } from '../errors.js';
import type { ModelDescription } from '../model-description.js';
import { CLIP_LOGIT_SCALE, idFromDir, num, numbers, obj, pilInterpolation, PUBLISHED_USE } from './common.js';
import { exists, readModelJson } from './json-file.js';
import type { ModelLayout } from './layout.js';

/** `size`/`crop_size` come as an int or as {height, width} / {shortest_edge}. */
function edge(value: unknown): { height: number; width: number } | { shortest: number } | null {
  const n = num(value);
  if (n) return { shortest: n };
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (num(v.shortest_edge)) return { shortest: num(v.shortest_edge)! };
  if (num(v.height) && num(v.width)) return { height: num(v.height)!, width: num(v.width)! };
  return null;
}

export const hfClipLayout: ModelLayout = {
  name: 'hf-clip',
  async detect(dir) {
    return (await exists(dir, 'onnx/text_model.onnx')) && (await exists(dir, 'onnx/vision_model.onnx'));
  },
  async load(dir): Promise<ModelDescription> {
    const config = obj(await readModelJson(dir, 'config.json'), 'config.json');
    const pre = obj(await readModelJson(dir, 'preprocessor_config.json'), 'preprocessor_config.json');
    const tokConfig = (await exists(dir, 'tokenizer_config.json'))
      ? obj(await readModelJson(dir, 'tokenizer_config.json'), 'tokenizer_config.json')
      : {};
    const textConfig =
      typeof config.text_config === 'object' && config.text_config
        ? (config.text_config as Record<string, unknown>)
        : {};

    // Geometry: shortest edge (+ centre crop) or an exact size (stretch).
    const size = edge(pre.size);
    const crop = pre.do_center_crop === false ? null : edge(pre.crop_size);
    let resize: ModelDescription['image']['resize'];
    let hw: [number, number];
    let resizeTo: number | null = null;
    if (crop && 'height' in crop) {
      resize = 'center-crop';
      hw = [crop.height, crop.width];
      if (size && 'shortest' in size && size.shortest !== Math.min(crop.height, crop.width)) resizeTo = size.shortest;
    } else if (size && 'height' in size) {
      resize = 'stretch';
      hw = [size.height, size.width];
    } else if (size && 'shortest' in size) {
      resize = 'center-crop';
      const c = crop && 'shortest' in crop ? crop.shortest : size.shortest;
      hw = [c, c];
      if (size.shortest !== c) resizeTo = size.shortest;
    } else {
      throw new ModelError('BAD_MANIFEST', `preprocessor_config.json in ${dir} gives no image size`);
    }
    const normalize = pre.do_normalize !== false;
    const rescale = pre.do_rescale !== false;

    // Text length: model_max_length (unless it is the 1e30 "unset" sentinel), at most the position table's
    // max_position_embeddings: a tokenizer_config copied from another model may allow more than the tower takes.
    const maxFromTok = num(tokConfig.model_max_length);
    const positions = num(textConfig.max_position_embeddings);
    const lengths = [maxFromTok && maxFromTok < 1e6 ? maxFromTok : null, positions].filter((n) => n !== null);
    const maxLength = lengths.length ? Math.min(...lengths) : 77;

    return {
      layout: 'hf-clip',
      dir,
      id: idFromDir(dir),
      name: typeof config._name_or_path === 'string' && config._name_or_path ? config._name_or_path : idFromDir(dir),
      version:
        typeof config.transformers_version === 'string' ? `transformers ${config.transformers_version}` : 'unversioned',
      licence: 'see the model’s source',
      intendedUse: PUBLISHED_USE,
      trainedOnSyntheticData: false,
      provenance: { layout: 'Hugging Face / transformers.js CLIP', modelType: config.model_type ?? null },
      embeddingDim: num(config.projection_dim),
      logitScale: CLIP_LOGIT_SCALE,
      // CLIP's patch tokens are not trained against text: the whole image alone.
      regionOffset: null,
      regionWeight: 0.5,
      image: {
        file: 'onnx/vision_model.onnx',
        input: 'pixel_values',
        outputs: { embeds: 'image_embeds', patches: null },
        patchGrid: null,
        size: hw,
        channels: 3,
        resize,
        resizeTo,
        interpolation: pilInterpolation(pre.resample),
        valueRange: rescale ? 1 : 255,
        mean: normalize ? numbers(pre.image_mean, 'image_mean') : [0],
        std: normalize ? numbers(pre.image_std, 'image_std') : [1],
        dicom: { window: 'default', invertMonochrome1: true },
      },
      text: {
        file: 'onnx/text_model.onnx',
        tokenizer: 'tokenizer.json',
        tokenizerConfig: (await exists(dir, 'tokenizer_config.json')) ? 'tokenizer_config.json' : null,
        inputs: { ids: 'input_ids', mask: 'attention_mask' },
        output: 'text_embeds',
        maxLength,
        padToMaxLength: false,
        padId: null,
        lowercase: tokConfig.do_lower_case !== false,
        negationTemplate: 'no {}',
      },
      checksums: {},
    };
  },
};
