/**
 * OpenCLIP models as Immich exports them: config.json, visual/model.onnx +
 * visual/preprocess_cfg.json, textual/model.onnx + textual/tokenizer.json.
 * Conventions: docs/model-layouts.md §4.
 */
import { ModelError } from '../errors.js';
import type { ModelDescription } from '../model-description.js';
import { CLIP_LOGIT_SCALE, idFromDir, num, numbers, obj, PUBLISHED_USE } from './common.js';
import { exists, readModelJson } from './json-file.js';
import type { ModelLayout } from './layout.js';

const RESIZE_MODES: Record<string, ModelDescription['image']['resize']> = {
  shortest: 'center-crop',
  longest: 'letterbox',
  squash: 'stretch',
};

export const openClipLayout: ModelLayout = {
  name: 'openclip',
  async detect(dir) {
    return (await exists(dir, 'textual/model.onnx')) && (await exists(dir, 'visual/model.onnx'));
  },
  async load(dir): Promise<ModelDescription> {
    const config = obj(await readModelJson(dir, 'config.json'), 'config.json');
    const pre = obj(await readModelJson(dir, 'visual/preprocess_cfg.json'), 'visual/preprocess_cfg.json');
    const textCfg =
      typeof config.text_cfg === 'object' && config.text_cfg ? (config.text_cfg as Record<string, unknown>) : {};
    const kwargs =
      typeof textCfg.tokenizer_kwargs === 'object' && textCfg.tokenizer_kwargs
        ? (textCfg.tokenizer_kwargs as Record<string, unknown>)
        : {};
    if (kwargs.clean && kwargs.clean !== 'whitespace' && kwargs.clean !== 'lower') {
      throw new ModelError(
        'BAD_MANIFEST',
        `${dir}: text cleaning "${String(kwargs.clean)}" (e.g. SigLIP) is not supported yet`,
      );
    }
    const size = num(pre.size) ? [num(pre.size)!, num(pre.size)!] : numbers(pre.size, 'preprocess_cfg size');
    const mode = typeof pre.resize_mode === 'string' ? pre.resize_mode : 'shortest';
    const resize = RESIZE_MODES[mode];
    if (!resize) throw new ModelError('BAD_MANIFEST', `${dir}: unknown resize_mode "${mode}"`);
    const interpolation = pre.interpolation === 'bilinear' ? 'bilinear' : 'bicubic';
    const hasTokConfig = await exists(dir, 'textual/tokenizer_config.json');
    return {
      layout: 'openclip',
      dir,
      id: idFromDir(dir),
      name: idFromDir(dir),
      version: 'unversioned',
      licence: 'see the model’s source',
      intendedUse: PUBLISHED_USE,
      trainedOnSyntheticData: false,
      provenance: { layout: 'OpenCLIP (Immich export)' },
      embeddingDim: num(config.embed_dim),
      logitScale: CLIP_LOGIT_SCALE,
      regionOffset: null,
      regionWeight: 0.5,
      image: {
        file: 'visual/model.onnx',
        input: 'image',
        outputs: { embeds: null, patches: null },
        patchGrid: null,
        size: [size[0]!, size[1] ?? size[0]!],
        channels: 3,
        resize,
        resizeTo: null,
        interpolation,
        valueRange: 1,
        mean: numbers(pre.mean, 'preprocess_cfg mean'),
        std: numbers(pre.std, 'preprocess_cfg std'),
        dicom: { window: 'default', invertMonochrome1: true },
      },
      text: {
        file: 'textual/model.onnx',
        tokenizer: 'textual/tokenizer.json',
        tokenizerConfig: hasTokConfig ? 'textual/tokenizer_config.json' : null,
        inputs: { ids: 'text', mask: null },
        output: null,
        maxLength: num(textCfg.context_length) ?? 77,
        padToMaxLength: true,
        padId: null,
        lowercase: true,
        negationTemplate: 'no {}',
      },
      checksums: {},
    };
  },
};
