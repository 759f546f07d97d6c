// The bundle manifest's JSON Schema, models/bundle-manifest.schema.json, generated from the zod schema the
// app validates with (electron/inference/manifest.ts), so that the Python writer and checker
// (models/train/radsift_train/manifest.py) check the same contract. Reads the compiled schema:
//   npm run build:main && node scripts/manifest-schema.mjs          write the file
//   npm run build:main && node scripts/manifest-schema.mjs --check  exit 1 if the checked-in file differs
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const compiled = path.join(root, 'dist', 'electron', 'inference', 'manifest.js');
const target = path.join(root, 'models', 'bundle-manifest.schema.json');
const check = process.argv.includes('--check');

if (!existsSync(compiled)) {
  console.error(`manifest-schema: ${path.relative(root, compiled)} is missing: run npm run build:main first`);
  process.exit(2);
}
const { bundleManifestJsonSchema } = await import(pathToFileURL(compiled).href);
// Formatted as `npm run lint` (prettier --check) expects the checked-in file.
const options = (await prettier.resolveConfig(target)) ?? {};
const text = await prettier.format(JSON.stringify(bundleManifestJsonSchema()), { ...options, filepath: target });
const current = existsSync(target) ? readFileSync(target, 'utf8') : null;
const rel = path.relative(root, target);

if (check) {
  if (current === text) {
    console.log(`manifest-schema: ${rel} is up to date`);
  } else {
    console.error(
      `manifest-schema: ${rel} differs from electron/inference/manifest.ts: ` +
        'run npm run build:main && node scripts/manifest-schema.mjs, and commit the result',
    );
    process.exit(1);
  }
} else if (current === text) {
  console.log(`manifest-schema: ${rel} unchanged`);
} else {
  writeFileSync(target, text);
  console.log(`manifest-schema: wrote ${rel}`);
}
