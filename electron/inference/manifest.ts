/**
 * The RadSift bundle manifest (models/<id>/manifest.json), format
 * "radsift-bundle/1". Documented in docs/model-layouts.md.
 */
import { z } from 'zod';

const RelPath = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..') && !/^[A-Za-z]:/.test(p),
    'must be a path inside the bundle',
  );

export const BundleManifest = z.object({
  format: z.literal('radsift-bundle/1'),
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, . _ -'),
  name: z.string().min(1).max(200),
  version: z.string().min(1).max(50),
  licence: z.string().min(1).max(200),
  intendedUse: z.string().min(1).max(2000),
  trainedOnSyntheticData: z.boolean(),
  provenance: z.record(z.string(), z.unknown()).default({}),
  embeddingDim: z.number().int().positive().max(65536),
  logitScale: z.number().positive().max(1000),
  image: z.object({
    file: RelPath,
    input: z.string().min(1),
    outputs: z.object({ embeds: z.string().min(1), patches: z.string().min(1).nullable().default(null) }),
    patchGrid: z.tuple([z.number().int().positive(), z.number().int().positive()]).nullable().default(null),
    size: z.tuple([z.number().int().min(8).max(4096), z.number().int().min(8).max(4096)]),
    channels: z.union([z.literal(1), z.literal(3)]),
    resize: z.enum(['letterbox', 'center-crop', 'stretch']),
    resizeTo: z.number().int().positive().max(8192).nullable().default(null),
    interpolation: z.enum(['area', 'bicubic', 'bilinear']),
    valueRange: z.union([z.literal(1), z.literal(255)]),
    mean: z.array(z.number()).min(1).max(3),
    std: z.array(z.number().positive()).min(1).max(3),
    dicom: z
      .object({
        window: z.enum(['default', 'minmax']).default('default'),
        invertMonochrome1: z.boolean().default(true),
      })
      .default({ window: 'default', invertMonochrome1: true }),
  }),
  text: z.object({
    file: RelPath,
    tokenizer: RelPath,
    inputs: z.object({ ids: z.string().min(1), mask: z.string().min(1).nullable().default(null) }),
    output: z.string().min(1),
    maxLength: z.number().int().min(2).max(4096),
    padToMaxLength: z.boolean().default(false),
    /** Token id to pad with; default: tokenizer.json's padding.pad_id, else its [PAD]/<pad>, else 0. */
    padId: z.number().int().nonnegative().nullable().default(null),
    lowercase: z.boolean().default(true),
    negationTemplate: z
      .string()
      .refine((t) => t.includes('{}'), 'must contain {} for the phrase')
      .default('no {}'),
  }),
  files: z.record(
    RelPath,
    z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() }),
  ),
});
export type BundleManifest = z.infer<typeof BundleManifest>;
