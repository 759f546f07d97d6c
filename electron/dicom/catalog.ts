/**
 * Catalog: walk a folder (streaming, one directory handle at a time), read
 * each file's header only, and group Patient → Study → Series → Instance.
 * Files that are not DICOM at all are listed as skipped; files that claim to
 * be DICOM but cannot be read as failed, each with its reason.
 * DICOMDIR files are read as directories of their referenced files.
 */
import type { Dir, Dirent } from 'node:fs';
import { opendir, realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DatasetReader } from './dataset.js';
import {
  DicomError,
  UNREADABLE_NAME,
  fileReadError,
  isNotDicomFile,
  isUnreadableName,
  toDicomError,
} from './errors.js';
import { parseDicom, type ParsedDicom } from './parse.js';
import { declaredFrames } from './pixel-module.js';
import { systemErrorReason } from '../util/error-text.js';
import { openRegularFile } from '../util/regular-file.js';
import { isInside } from '../util/path-inside.js';

export interface InstanceEntry {
  path: string;
  sopInstanceUID?: string;
  sopClassUID?: string;
  instanceNumber?: number;
  /** View Position (PA, AP, LL…), for naming a radiograph the way a reader does. */
  viewPosition?: string;
  /** Position along the slice normal (from Image Position/Orientation), for ordering. */
  slicePosition?: number;
  rows?: number;
  columns?: number;
  frames?: number;
  transferSyntaxUID?: string;
}

export interface SeriesEntry {
  seriesInstanceUID: string;
  seriesNumber?: number;
  modality?: string;
  description?: string;
  instances: InstanceEntry[];
}

export interface StudyEntry {
  studyInstanceUID: string;
  studyDate?: string;
  description?: string;
  accessionNumber?: string;
  series: SeriesEntry[];
}

export interface PatientEntry {
  patientId: string;
  patientName?: string;
  studies: StudyEntry[];
}

export interface SkippedFile {
  path: string;
  code: string;
  reason: string;
}

export interface Catalog {
  patients: PatientEntry[];
  /** Not DICOM at all (isNotDicomFile): masks, tables, notes. */
  skipped: SkippedFile[];
  /** Claim to be DICOM but cannot be read. */
  failed: SkippedFile[];
  dicomdirs: string[];
}

/** Header fields needed to place one instance in the tree. */
export interface InstanceHeader {
  patientId: string;
  patientName?: string;
  study: Omit<StudyEntry, 'series'>;
  series: Omit<SeriesEntry, 'instances'>;
  instance: InstanceEntry;
}

/**
 * Yields every regular file under `root`, depth first, without listing whole trees in memory. Symlinks are not
 * followed (a link to a parent would loop, one to a sibling count its files twice): each is passed to `onLink`. A
 * folder that cannot be opened or read (permissions, a path too long) is passed to `onUnreadable` with a reason
 * that names no path, and the walk goes on without it.
 */
export async function* walkFiles(
  root: string,
  onUnreadable?: (folder: string, error: DicomError) => void,
  onLink?: (link: string) => void,
): AsyncGenerator<string> {
  const unreadable = (error: unknown) =>
    onUnreadable?.(
      root,
      (error as { code?: unknown }).code === 'ENOENT' && isUnreadableName(root)
        ? new DicomError('IO', UNREADABLE_NAME) // a folder named in another encoding
        : new DicomError('IO', `cannot open folder: ${systemErrorReason(error) ?? 'unknown error'}`),
    );
  let dir: Dir;
  try {
    dir = await opendir(root);
  } catch (error) {
    unreadable(error);
    return;
  }
  try {
    for (;;) {
      let entry: Dirent | null;
      try {
        entry = await dir.read();
      } catch (error) {
        unreadable(error);
        return;
      }
      if (!entry) return;
      const full = path.join(root, entry.name);
      if (entry.isDirectory()) yield* walkFiles(full, onUnreadable, onLink);
      else if (entry.isFile()) yield full;
      else if (entry.isSymbolicLink()) onLink?.(full);
    }
  } finally {
    await dir.close().catch(() => undefined);
  }
}

const HEADER_READS = [256 << 10, 4 << 20];

/** Reads and parses the header of one file (no pixel data), growing the read until the header fits. */
export async function readHeaderFile(file: string): Promise<ParsedDicom> {
  // Only a regular file is read: a FIFO would wait for a writer (util/regular-file.ts).
  const handle = await openRegularFile(file).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'EFTYPE') throw new DicomError('IO', 'not a regular file');
    throw fileReadError(error, file, `cannot open ${path.basename(file)}`);
  });
  try {
    return await readHeader(handle);
  } finally {
    await handle.close();
  }
}

/** readHeaderFile's read, of a file opened already (and checked: api/opened-file.ts); the caller closes it. */
export async function readHeader(handle: FileHandle): Promise<ParsedDicom> {
  const { size } = await handle.stat();
  for (const limit of [...HEADER_READS.filter((n) => n < size), size]) {
    const buffer = Buffer.alloc(limit);
    const { bytesRead } = await handle.read(buffer, 0, limit, 0);
    const whole = limit === size;
    try {
      const parsed = parseDicom(buffer.subarray(0, bytesRead), { untilTag: 'x7fe00010' });
      // A part is the whole header only when the parse reached Pixel Data within it. Otherwise it may have
      // stopped inside the header, silently: an Implicit VR element running past the cut is passed over
      // without a word, and a DICOMDIR's records or an enhanced file's per-frame sequences lost their end.
      if (whole || parsed.dataSet.elements.x7fe00010) return parsed;
    } catch (error) {
      // A header cut by our own partial read fails in many ways (truncated, an item's length past the cut):
      // read more, unless this was the whole file or it is no DICOM at all (known from its first bytes).
      if (whole || (error instanceof DicomError && error.code === 'NOT_DICOM')) throw error;
    }
  }
  throw new DicomError('NOT_DICOM', 'empty file');
}

export function instanceHeader(parsed: ParsedDicom, file: string): InstanceHeader {
  const r = new DatasetReader(parsed.dataSet, parsed.textDecoder);
  const studyInstanceUID = r.string('x0020000d');
  const seriesInstanceUID = r.string('x0020000e');
  if (!studyInstanceUID || !seriesInstanceUID) {
    throw new DicomError('INVALID_ATTRIBUTE', 'no Study or Series Instance UID: not a composite instance');
  }
  return {
    patientId: r.string('x00100020') ?? '',
    patientName: r.string('x00100010'),
    study: {
      studyInstanceUID,
      studyDate: r.string('x00080020'),
      description: r.string('x00081030'),
      accessionNumber: r.string('x00080050'),
    },
    series: {
      seriesInstanceUID,
      seriesNumber: r.decimal('x00200011'),
      modality: r.string('x00080060'),
      description: r.string('x0008103e'),
    },
    instance: {
      path: file,
      sopInstanceUID: r.string('x00080018'),
      sopClassUID: r.string('x00080016'),
      instanceNumber: r.decimal('x00200013'),
      viewPosition: r.string('x00185101'),
      slicePosition: slicePosition(r.decimals('x00200032'), r.decimals('x00200037')),
      rows: r.uint16('x00280010'),
      columns: r.uint16('x00280011'),
      frames: declaredFrames(r) ?? (r.has('x7fe00010') || r.has('x00280010') ? 1 : undefined),
      transferSyntaxUID: parsed.transferSyntaxUID,
    },
  };
}

/** Distance along the slice normal (row × column direction cosines); z when orientation is missing. */
function slicePosition(position: number[], orientation: number[]): number | undefined {
  if (position.length !== 3) return undefined;
  if (orientation.length !== 6) return position[2];
  const [rx, ry, rz, cx, cy, cz] = orientation as [number, number, number, number, number, number];
  const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  return normal[0]! * position[0]! + normal[1]! * position[1]! + normal[2]! * position[2]!;
}

/** Builds the tree as headers arrive, then sorts it. */
export class CatalogBuilder {
  private readonly patients = new Map<string, PatientEntry>();
  private readonly studies = new Map<string, StudyEntry>();
  private readonly seriesByUid = new Map<string, SeriesEntry>();
  readonly skipped: SkippedFile[] = [];
  readonly failed: SkippedFile[] = [];
  readonly dicomdirs: string[] = [];

  add(header: InstanceHeader): void {
    let patient = this.patients.get(header.patientId);
    if (!patient) {
      patient = { patientId: header.patientId, patientName: header.patientName, studies: [] };
      this.patients.set(header.patientId, patient);
    }
    let study = this.studies.get(header.study.studyInstanceUID);
    if (!study) {
      study = { ...header.study, series: [] };
      this.studies.set(study.studyInstanceUID, study);
      patient.studies.push(study);
    }
    let series = this.seriesByUid.get(header.series.seriesInstanceUID);
    if (!series) {
      series = { ...header.series, instances: [] };
      this.seriesByUid.set(series.seriesInstanceUID, series);
      study.series.push(series);
    }
    series.instances.push(header.instance);
  }

  /** Lists a file that is not an instance: skipped when it is not DICOM at all, failed otherwise. */
  skip(file: string, error: unknown): void {
    const typed = toDicomError(error, 'IO', 'cannot read');
    (isNotDicomFile(file, typed.code) ? this.skipped : this.failed).push({
      path: file,
      code: typed.code,
      reason: typed.message,
    });
  }

  build(): Catalog {
    const patients = [...this.patients.values()].sort((a, b) => a.patientId.localeCompare(b.patientId));
    for (const patient of patients) {
      patient.studies.sort((a, b) => (a.studyDate ?? '').localeCompare(b.studyDate ?? ''));
      for (const study of patient.studies) {
        study.series.sort((a, b) => (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity));
        for (const series of study.series) series.instances.sort(compareInstances);
      }
    }
    return { patients, skipped: this.skipped, failed: this.failed, dicomdirs: this.dicomdirs };
  }
}

/** Instance Number first, then position along the slice normal, then path (stable). */
export function compareInstances(a: InstanceEntry, b: InstanceEntry): number {
  const byNumber = (a.instanceNumber ?? Infinity) - (b.instanceNumber ?? Infinity);
  if (byNumber) return byNumber;
  const byPosition = (a.slicePosition ?? 0) - (b.slicePosition ?? 0);
  if (byPosition) return byPosition;
  return a.path.localeCompare(b.path);
}

/** Catalogs every file under `root`. DICOMDIR files are noted and their records read too. */
export async function catalogFolder(root: string, onFile?: (file: string) => void): Promise<Catalog> {
  const builder = new CatalogBuilder();
  for await (const file of walkFiles(root, (folder, error) => builder.skip(folder, error))) {
    await catalogFile(builder, file);
    onFile?.(file);
  }
  return builder.build();
}

/** Adds one file to a catalog: an instance, a DICOMDIR to note, or a skipped file with its reason. */
export async function catalogFile(builder: CatalogBuilder, file: string): Promise<void> {
  try {
    const parsed = await readHeaderFile(file);
    if (parsed.dataSet.elements.x00041220) {
      builder.dicomdirs.push(file);
      return;
    }
    builder.add(instanceHeader(parsed, file));
  } catch (error) {
    builder.skip(file, error);
  }
}

export interface DicomdirRecord {
  type: string;
  /** Absolute path of the referenced file (IMAGE and other leaf records), inside the DICOMDIR's folder. */
  file?: string;
  /** A reference that is not followed, listed like a file that cannot be read. */
  refused?: SkippedFile;
  depth: number;
}

/**
 * A Referenced File ID component (up to 8 of A-Z, 0-9, _ in the standard; any case here) that cannot leave the
 * DICOMDIR's folder: not empty, not dots only, no separator or drive colon.
 */
function isFileIdComponent(part: string): boolean {
  return part !== '' && !/^\.+$/.test(part) && !/[/\\:\0]/.test(part);
}

/** Strictly below `folder` (not the folder itself). */
function isBelow(folder: string, target: string): boolean {
  return path.relative(folder, target) !== '' && isInside(folder, target);
}

/**
 * Reads a DICOMDIR's Directory Record Sequence. Records are listed in the
 * order of the sequence, which in files written by standard tools is the
 * hierarchy walked depth first (patient, its studies, their series, images).
 * A referenced file must be in the DICOMDIR's folder, links resolved: a crafted
 * record cannot make the catalog read (and show) a file elsewhere.
 */
export async function readDicomdir(file: string): Promise<DicomdirRecord[]> {
  const parsed = await readHeaderFile(file);
  const reader = new DatasetReader(parsed.dataSet, parsed.textDecoder);
  const depth: Record<string, number> = { PATIENT: 0, STUDY: 1, SERIES: 2 };
  const folder = path.dirname(file);
  const realFolder = await realpath(folder);
  const records: DicomdirRecord[] = [];
  for (const record of reader.sequence('x00041220')) {
    const type = record.string('x00041430') ?? 'UNKNOWN';
    const entry: DicomdirRecord = { type, depth: depth[type] ?? 3 };
    records.push(entry);
    const parts = record.strings('x00041500');
    if (parts.every((p) => p === '')) continue; // no reference
    const refuse = (where: string, reason: string) => {
      entry.refused = { path: where, code: 'IO', reason: `reference refused: ${reason}` };
    };
    if (!parts.every(isFileIdComponent)) {
      refuse(file, 'a Referenced File ID component is empty, dots only, or holds a separator');
      continue;
    }
    const target = path.join(folder, ...parts);
    // A missing file stays a reference: opening it says so.
    const real = await realpath(target).catch(() => null);
    if (real !== null && !isBelow(realFolder, real)) refuse(target, "it resolves outside the DICOMDIR's folder");
    else entry.file = target;
  }
  return records;
}

/** Catalogs the files a DICOMDIR references (their own headers decide the grouping). */
export async function catalogDicomdir(file: string): Promise<Catalog> {
  const builder = new CatalogBuilder();
  for (const record of await readDicomdir(file)) {
    if (record.refused) builder.failed.push(record.refused);
    else if (record.file) await catalogFile(builder, record.file);
  }
  return builder.build();
}
