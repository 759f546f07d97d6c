/**
 * `npm run bench:phrases [-- --model-dir <bundle>]`
 * How well the unknown-phrase rule (electron/scoring/phrase-familiarity.ts) separates phrases the model
 * knows from phrases it does not: per group (nonsense words, off-domain phrases, chest findings the
 * default model was never taught, the known findings, their everyday synonyms), each phrase's share of
 * unknown words, best cosine to the report-language anchors, and whether it is flagged; then the share
 * flagged per group. Prints JSON; docs/phrase-familiarity.md has the table.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ModelService } from '../../electron/api/model-service.js';
import { PROJECT_ROOT } from '../../electron/app/app-identity.js';
import { SettingsStore } from '../../electron/app/app-settings.js';

export const GROUPS: Record<string, string[]> = {
  nonsense: [
    'banana',
    'xylophone quantum',
    'purple elephant',
    'asdfgh',
    'the quick brown fox',
    'lorem ipsum',
    'car engine',
    'guitar',
    'pizza',
    'happy birthday',
    'zebra stripes',
    'weather forecast',
  ],
  'off-domain': [
    'brain tumor',
    'appendicitis',
    'kidney stone',
    'ankle sprain',
    'cataract',
    'diabetes',
    'hip fracture',
    'tooth decay',
    'liver cirrhosis',
    'skin rash',
  ],
  'unseen chest findings': [
    'rib fracture',
    'pneumoperitoneum',
    'free air under the diaphragm',
    'hiatal hernia',
    'pneumomediastinum',
    'widened mediastinum',
    'lung mass',
    'cavitation',
    'hilar adenopathy',
    'calcified granuloma',
    'subcutaneous emphysema',
    'sternotomy wires',
    'scoliosis',
  ],
  'known findings': [
    'pleural effusion',
    'cardiomegaly',
    'pneumothorax',
    'nodule',
    'consolidation',
    'atelectasis',
    'pulmonary edema',
    'edema',
    'endotracheal tube',
    'support devices',
  ],
  'everyday synonyms': [
    'enlarged heart',
    'heart enlargement',
    'enlarged cardiac silhouette',
    'blunted costophrenic angle',
    'fluid in the pleural space',
    'pleural fluid',
    'effusion',
    'collapsed lung',
    'air in the pleural space',
    'lung nodule',
    'pulmonary nodule',
    'airspace opacity',
    'interstitial edema',
    'lobar collapse',
    'volume loss',
    'et tube',
    'central line',
    'pacemaker',
    'nasogastric tube',
  ],
};

const { values } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: path.join(PROJECT_ROOT, 'models', 'radsift-phantom-convirt') },
  },
});
const settings = new SettingsStore(path.join(PROJECT_ROOT, '.cache', 'bench-phrases'));
await settings.load();
const models = new ModelService([], settings, [values['model-dir']]);
const loaded = await models.load(values['model-dir']);
const report: Record<string, unknown> = { model: `${loaded.model.id} ${loaded.model.version}` };
const summary: Record<string, string> = {};
for (const [group, phrases] of Object.entries(GROUPS)) {
  const checked = await models.checkPhrases(phrases);
  report[group] = checked.map((c) => ({
    phrase: c.phrase,
    flagged: !c.known,
    unknownWordShare: +c.unknownWordShare.toFixed(2),
    anchorSimilarity: +(c.nearest?.similarity ?? NaN).toFixed(3),
    nearest: c.nearest?.finding,
  }));
  summary[group] = `${checked.filter((c) => !c.known).length} of ${checked.length} flagged`;
}
await models.close();
console.log(JSON.stringify({ summary, ...report }, null, 2));
