import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The main process's layers (docs/architecture.md, "Layers"): each folder of electron/ may import only
 * the folders listed for it, so imports point one way (VS Code's code-layering rule, as data). The files
 * at electron/'s top (main.ts, preload.ts, app-menu.ts) are the shells and may import any folder.
 * scripts/folder-graph.mjs checks the whole graph for cycles independently of these lists.
 */
export const LAYERS = {
  util: [],
  dicom: ['util'],
  imaging: ['util'],
  index: ['util'],
  security: ['util'],
  app: ['util'],
  inference: ['util', 'imaging'],
  phantom: ['util', 'dicom'],
  scoring: ['util', 'imaging'],
  pacs: ['util', 'dicom'],
  screening: ['util', 'dicom', 'imaging', 'inference', 'index', 'scoring'],
  api: ['util', 'dicom', 'imaging', 'inference', 'index', 'phantom', 'scoring', 'screening', 'security', 'app', 'pacs'],
  cli: [
    'util',
    'dicom',
    'imaging',
    'inference',
    'index',
    'phantom',
    'scoring',
    'screening',
    'security',
    'app',
    'api',
    'pacs',
  ],
};

const layerRules = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((f) => f !== folder && !allowed.includes(f));
  return {
    files: [`electron/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')}|main|preload|app-menu)(/|\\.js$|$)`,
              message: `electron/${folder}/ may import only ${allowed.join(', ') || 'no other folder'} (layers: eslint.config.js, docs/architecture.md).`,
            },
          ],
        },
      ],
    },
  };
});

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'release/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'models/**/*.py',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  ...layerRules,
  {
    // The renderer reaches the main process only through window.radsift.
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'fs', 'path', 'child_process', 'os'],
          patterns: [
            { group: ['node:*'], message: 'The renderer has no Node or Electron access.' },
            {
              regex: '(^|/)electron/(?!api/(client|contract|errors|identifiers|limits|skipped-text)$)',
              message: 'Import only API types from electron/api.',
            },
          ],
        },
      ],
    },
  },
);
