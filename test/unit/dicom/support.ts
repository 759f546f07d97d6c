/** Shared helpers for the DICOM tests: corpus paths, reference tools, decode shortcuts. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { decodeFrame, openDicom, type DecodedFrame, type DicomFile } from '../../../electron/dicom/image.js';
import { CORPUS } from '../../support/paths.js';

export { CORPUS };

export function corpusFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!name.endsWith('.md')) out.push(full);
    }
  };
  walk(path.join(CORPUS, folder));
  return out;
}

export async function decodePath(file: string, frame = 0): Promise<{ file: DicomFile; frame: DecodedFrame }> {
  const dicom = openDicom(readFileSync(file));
  return { file: dicom, frame: await decodeFrame(dicom, frame) };
}

/** A temp dir removed after the test file finishes. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `radsift-${prefix}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a reference tool; returns false (and the reason) when it refuses the file. */
export function runTool(tool: string, args: string[]): { ok: boolean; error?: string } {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
    return { ok: true };
  } catch (error) {
    return { ok: false, error: String((error as { stderr?: Buffer }).stderr ?? error).slice(0, 300) };
  }
}

/** Largest absolute difference between two sample arrays (Infinity when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
  }
  return max;
}

export function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): string {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `at ${i}: ${a[i]} vs ${b[i]}`;
  return 'identical';
}
