/** A stored scan's record for index tests: a readable CR image of 100 bytes at mtime 1000, unless `over` says otherwise. */
import type { ScanRecord } from '../../electron/index/index-store.js';

export const scanRecord = (p: string, over: Partial<ScanRecord> = {}): ScanRecord => ({
  path: p,
  size: 100,
  mtimeMs: 1000,
  fingerprint: null,
  sopUid: `2.25.${p.length}`,
  seriesUid: null,
  studyUid: null,
  modality: 'CR',
  studyDate: null,
  frames: 1,
  status: 'ok',
  errorCode: null,
  error: null,
  naming: null,
  ...over,
});
