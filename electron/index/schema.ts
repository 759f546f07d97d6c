/**
 * The index's SQLite schema. One file per index folder; WAL journal, so a
 * process killed mid-write loses at most the transaction in flight and never
 * corrupts what was committed. Versioned: `meta.schema` says which migrations ran.
 */
export const SCHEMA_VERSION = 7;

export const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE scans (
      id INTEGER PRIMARY KEY,
      path TEXT NOT NULL UNIQUE,
      size INTEGER NOT NULL,
      mtime_ms REAL NOT NULL,
      fingerprint TEXT,
      sop_uid TEXT, series_uid TEXT, study_uid TEXT,
      modality TEXT, study_date TEXT, frames INTEGER,
      status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
      error_code TEXT, error TEXT,
      seen_run INTEGER NOT NULL DEFAULT 0,
      indexed_at INTEGER NOT NULL
    );
    CREATE INDEX scans_sop ON scans (sop_uid);
    CREATE INDEX scans_study ON scans (study_uid);
    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      model_key TEXT NOT NULL UNIQUE,
      dim INTEGER NOT NULL,
      patch_grid TEXT,
      version INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE embeddings (
      scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
      model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      vector BLOB NOT NULL,
      patches BLOB,
      PRIMARY KEY (model_id, scan_id)
    ) WITHOUT ROWID;
    CREATE INDEX embeddings_scan ON embeddings (scan_id);
    CREATE TABLE jobs (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL,
      params TEXT NOT NULL,
      state TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      message TEXT
    );
  `,
  // What a reader names a scan by (patient, study, view, series/instance), as JSON; null for scans indexed
  // before version 2 until they change.
  2: `ALTER TABLE scans ADD COLUMN naming TEXT;`,
  // Which scans belong to a named set (a PACS screening job's instances): a job's rows can no longer be
  // taken over by a later job over an overlapping query, as the single seen_run let happen. A PACS job of
  // version 2 (params.run) keeps the scans its last complete run met, less those a later run (another job's,
  // or an interrupted one of its own) re-marked: they come back when the job runs again.
  3: `
    CREATE TABLE members (
      set_key TEXT NOT NULL,
      scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
      run INTEGER NOT NULL,
      PRIMARY KEY (set_key, scan_id)
    ) WITHOUT ROWID;
    CREATE INDEX members_scan ON members (scan_id);
    INSERT INTO members (set_key, scan_id, run)
      SELECT j.id, s.id, s.seen_run FROM jobs j JOIN scans s ON s.seen_run = json_extract(j.params, '$.run')
      WHERE json_valid(j.params) AND json_extract(j.params, '$.pacs') IS NOT NULL;
  `,
  // Each scan's patch embeddings max-pooled (float32, the model's dim), kept whenever the model has patch
  // embeddings: example sets compare scans by them beside the global embedding (docs/few-shot.md). Scans
  // embedded before are encoded again by the next run with such a model (IndexStore.need). A table of its
  // own: beside the embedding in one WITHOUT ROWID row (≈ 1 KB at 128-d) every row would spill onto an
  // overflow page of its own (≈ 4.7 KB a scan instead of ≈ 0.6 KB).
  4: `
    CREATE TABLE pooled (
      scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
      model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      vector BLOB NOT NULL,
      PRIMARY KEY (model_id, scan_id)
    ) WITHOUT ROWID;
    CREATE INDEX pooled_scan ON pooled (scan_id);
  `,
  // Per scan and phrase (as promptPair normalises it), its best region's margin (scoring/region-score.ts):
  // zero-shot scores weigh it with the whole image's. Written when a scan is encoded for a run that names
  // the phrase (a screening job's phrases, a query's); a scan indexed without it is encoded again by such a
  // run (IndexStore.need), for its patch embeddings are not kept.
  5: `
    CREATE TABLE regions (
      scan_id INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
      model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      phrase TEXT NOT NULL,
      margin REAL NOT NULL,
      PRIMARY KEY (model_id, phrase, scan_id)
    ) WITHOUT ROWID;
    CREATE INDEX regions_scan ON regions (scan_id);
  `,
  // A failed scan's finer code beside its error code (util/coded-error.ts `detail`): for NOT_AN_IMAGE, which object
  // it is (dicom/non-image.ts NonImageKind), which counts of skipped files read instead of the message. The rows
  // written before it get theirs from their messages, as RadSift up to schema 5 wrote them (fixed: they are history).
  6: `
    ALTER TABLE scans ADD COLUMN error_detail TEXT;
    UPDATE scans SET error_detail = CASE
      WHEN error LIKE 'a DICOMDIR:%' THEN 'dicomdir'
      ${Object.entries({
        'key-object-selection': 'a key object selection',
        'structured-report': 'a structured report',
        'presentation-state': 'a presentation state',
        'encapsulated-document': 'an encapsulated document',
        waveform: 'a waveform',
        'rt-structure-set': 'a radiotherapy structure set',
        'rt-plan': 'a radiotherapy plan',
        'spatial-registration': 'a spatial registration',
        'deformable-registration': 'a deformable registration',
        'surface-segmentation': 'a surface segmentation',
        'raw-data': 'raw data',
      })
        .map(([kind, what]) => `WHEN error = '${what}: a DICOM object that holds no image' THEN '${kind}'`)
        .join('\n      ')}
    END
    WHERE error_code = 'NOT_AN_IMAGE';
  `,
  // Kept patch grids (embeddings.patches, keepPatches) are stored quantised from now on: per cell a float32
  // scale, then int8 components (util/quantised-grid.ts), ≈ 132 KB a scan for the default model instead of
  // 512 KB. The float32 grids kept before are dropped, not converted: they are a cache of the opened
  // collection, made again by the next encode of its scans; the margins computed from them stay.
  7: `UPDATE embeddings SET patches = NULL WHERE patches IS NOT NULL;`,
};
