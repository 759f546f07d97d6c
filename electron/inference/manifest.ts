/**
 * The RadSift bundle manifest (models/<id>/manifest.json), format
 * "radsift-bundle/1". Documented in docs/model-layouts.md.
 *
 * This zod schema is the one source of the contract: models/bundle-manifest.schema.json is generated
 * from it (scripts/manifest-schema.mjs) for the Python writer and checker (models/train/radsift_train/
 * manifest.py). Constraints are written as JSON Schema can carry them (regex, not refine) where possible;
 * the few cross-field rules it cannot carry are in `crossFieldRules` below and, the same list, in Python.
 */
import { z } from 'zod';

// No absolute path, no drive letter, no `..` segment. [\s\S] rather than `.`, whose meaning differs
// between ECMAScript and Python's re, which checks the same pattern.
const INSIDE_BUNDLE = /^(?![\\/]|[A-Za-z]:|(?:[\s\S]*[\\/])?\.\.(?:[\\/]|$))/;

// The descriptions travel into the JSON Schema, where the Python checker words its errors with them.
const RelPath = z
  .string()
  .min(1)
  .max(255)
  .regex(INSIDE_BUNDLE, 'must be a path inside the bundle')
  .describe('a relative path inside the bundle (no leading /, drive letter or .. segment)');

const Fields = z.object({
  format: z.literal('radsift-bundle/1'),
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, . _ -')
    .describe('1–64 lower-case letters, digits, . _ -, starting with a letter or digit'),
  name: z.string().min(1).max(200),
  version: z.string().min(1).max(50),
  licence: z.string().min(1).max(200),
  intendedUse: z.string().min(1).max(2000),
  trainedOnSyntheticData: z.boolean(),
  provenance: z.record(z.string(), z.unknown()).default({}),
  embeddingDim: z.number().int().positive().max(65536),
  logitScale: z.number().positive().max(1000),
  /**
   * Zero-shot from the whole image and its best patch-grid region (electron/scoring/region-score.ts): the
   * best region's margin less this offset is weighed with the whole image's (regionWeight). null: the whole image alone
   * (patch embeddings not trained against report text, or the offset not measured).
   */
  regionOffset: z
    .number()
    .min(-4)
    .max(4)
    .nullable()
    .default(null)
    .describe('offset on the best region margin (region scoring); null: whole image only'),
  /**
   * How much the best region weighs against the whole image where both are scored: the margin is
   * (1 − w)·whole + w·(region − regionOffset). 0.5, the mean, unless the bundle says otherwise (chosen per model on
   * validation phantoms, docs/region-scores.md); read only with regionOffset.
   */
  regionWeight: z
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .describe("the best region's weight against the whole image (region scoring); 0.5: their mean"),
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
      .regex(/\{\}/, 'must contain {} for the phrase')
      .describe('a template that contains {} for the phrase')
      .default('no {}'),
  }),
  files: z.record(
    RelPath,
    z.object({
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe('64 lower-case hex digits'),
      bytes: z.number().int().nonnegative(),
    }),
  ),
});

interface CrossFieldIssue {
  path: (string | number)[];
  message: string;
}

/**
 * The rules JSON Schema cannot express; docs/model-layouts.md §1 lists them, and
 * models/train/radsift_train/manifest.py `cross_field_errors` applies the same ones.
 */
export function crossFieldRules(m: z.output<typeof Fields>): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const { image, text, files } = m;
  if ((image.outputs.patches === null) !== (image.patchGrid === null))
    issues.push({ path: ['image', 'patchGrid'], message: 'set exactly when image.outputs.patches is' });
  for (const key of ['mean', 'std'] as const)
    if (image[key].length !== 1 && image[key].length !== image.channels)
      issues.push({ path: ['image', key], message: `1 value or one per channel (${image.channels})` });
  if (m.regionOffset !== null && image.patchGrid === null)
    issues.push({ path: ['regionOffset'], message: 'set only with image.patchGrid (regions are its cells)' });
  for (const ref of new Set([image.file, text.file, text.tokenizer]))
    if (!Object.hasOwn(files, ref)) issues.push({ path: ['files'], message: `${ref} is referenced but not listed` });
  return issues;
}

export const BundleManifest = Fields.superRefine((m, ctx) => {
  for (const issue of crossFieldRules(m)) ctx.addIssue({ code: 'custom', ...issue });
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** JSON Schema of a manifest file as written (fields with defaults may be left out); without the cross-field rules. */
export function bundleManifestJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(Fields, { io: 'input', target: 'draft-2020-12' });
  return {
    $schema,
    title: 'RadSift bundle manifest (radsift-bundle/1)',
    $comment:
      'Generated from electron/inference/manifest.ts by scripts/manifest-schema.mjs: edit the zod schema, not this ' +
      'file. Cross-field rules JSON Schema cannot express are listed in docs/model-layouts.md §1.',
    ...rest,
  };
}
