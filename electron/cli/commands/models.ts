import { parseArgs } from 'node:util';
import { createServices } from '../../api/create-services.js';
import { describeReport, providerStatus, type ProviderStatus } from '../../inference/providers.js';
import { bundledModelRoots, dataDir } from '../../app/paths.js';
import { EXIT, type Command } from '../command.js';

export const modelsCommand: Command = {
  name: 'models',
  summary: 'list installed models and the execution provider the active one runs on',
  json: 'option',
  usage: 'radsift models [--json] [--model-dir <folder>]… [--no-load]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean' },
        'model-dir': { type: 'string', multiple: true },
        'no-load': { type: 'boolean' },
      },
      strict: true,
    });
    const extra = values['model-dir'] ?? [];
    const services = await createServices({ dataDir: dataDir(), modelRoots: bundledModelRoots(), modelDirs: extra });
    if (services.settingsWarning) io.stderr(`radsift: ${services.settingsWarning}\n`);
    const service = services.models;
    try {
      const models = await service.entries();
      let active: { dir: string; provider: string; status: ProviderStatus } | null = null;
      let loadError: string | null = null;
      if (!values['no-load'] && models.some((m) => m.description)) {
        try {
          const loaded = await service.ready();
          active = {
            dir: service.current.state === 'ready' ? service.current.dir : '',
            provider: describeReport(loaded.provider),
            status: providerStatus(loaded.provider),
          };
        } catch (error) {
          loadError = error instanceof Error ? error.message : String(error);
        }
      }
      // Without loading, the model that would be used is still known (settings, else the default): marked too.
      const activeDir = active?.dir ?? (values['no-load'] ? await service.defaultDir() : null);
      const rows = models.map((m) => ({
        dir: m.dir,
        source: m.source,
        active: activeDir === m.dir,
        ...(m.description
          ? {
              id: m.description.id,
              name: m.description.name,
              version: m.description.version,
              layout: m.description.layout,
              licence: m.description.licence,
              intendedUse: m.description.intendedUse,
              trainedOnSyntheticData: m.description.trainedOnSyntheticData,
            }
          : { error: m.error }),
      }));
      if (values.json) {
        io.stdout(
          // executionProvider: the line the text output prints; provider: the same as data, as the app's API sends it.
          `${JSON.stringify({ models: rows, executionProvider: active?.provider ?? null, provider: active?.status ?? null, loadError }, null, 2)}\n`,
        );
      } else {
        if (rows.length === 0)
          io.stdout('No models installed. Add a model folder (RadSift, Hugging Face CLIP or OpenCLIP layout).\n');
        for (const r of rows) {
          const mark = r.active ? '*' : ' ';
          io.stdout(
            'error' in r
              ? `${mark} ${r.dir}\n    unusable: ${r.error}\n`
              : // The folder too: two models can share an id (a user's copy of a bundled one), and --model takes either.
                `${mark} ${r.id}  ${r.name} ${r.version}  [${r.layout}, ${r.source}]${r.trainedOnSyntheticData ? '  trained on synthetic data' : ''}\n    ${r.intendedUse}\n    ${r.dir}\n`,
          );
        }
        if (active) io.stdout(`\nexecution provider: ${active.provider}\n`);
        if (loadError) io.stdout(`\nthe active model could not be loaded: ${loadError}\n`);
      }
      return loadError || rows.some((r) => 'error' in r) ? EXIT.PARTIAL : EXIT.OK;
    } finally {
      await services.close();
    }
  },
};
