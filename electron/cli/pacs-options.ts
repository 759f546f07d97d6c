/**
 * Naming an archive on the command line, the same for `radsift pacs` and `radsift screen`:
 *   dicomweb+https://host/dicom-web        (--user NAME for basic auth, --auth bearer for a token)
 *   dimse://ARCHIVE_AET@host:104           (--aet OUR_AET, --retrieve C-GET|C-MOVE, --store-port N,
 *                                           --store-peers a,b)
 *   pacs:<name>                            (a connection from --pacs-config, default <data dir>/pacs.json)
 * The password or token comes from --secret-file (owner-only permissions) or the environment
 * (RADSIFT_PACS_PASSWORD, RADSIFT_PACS_TOKEN), never from an argument: arguments show up in `ps`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { dataDir } from '../app/paths.js';
import type { PacsClient } from '../pacs/client.js';
import { connectionLabel, connectionSchema, needsSecret, type PacsConnection } from '../pacs/connection.js';
import { commandLineSecret, SECRET_ENV } from '../pacs/credentials.js';
import { InstanceCache } from '../pacs/instance-cache.js';
import { openClient } from '../pacs/open-client.js';
import { DEFAULT_MODALITIES, parseDateRange, studyQuerySchema, type StudyQuery } from '../pacs/query.js';
import { UsageError } from './command.js';
import { integerOption, listOption, utf8Text } from './options.js';

export const PACS_OPTIONS = {
  user: { type: 'string' },
  auth: { type: 'string' },
  'secret-file': { type: 'string' },
  ca: { type: 'string' },
  timeout: { type: 'string' },
  aet: { type: 'string' },
  retrieve: { type: 'string' },
  'store-port': { type: 'string' },
  'store-peers': { type: 'string' },
  'pacs-config': { type: 'string' },
  cache: { type: 'string' },
  'cache-size': { type: 'string' },
} as const;

export const QUERY_OPTIONS = {
  'patient-id': { type: 'string' },
  'patient-name': { type: 'string' },
  accession: { type: 'string' },
  'study-date': { type: 'string' },
  modality: { type: 'string' },
  description: { type: 'string' },
} as const;

export const PACS_USAGE = `An archive is one of:
  dicomweb+https://host/dicom-web   [--user NAME | --auth bearer] [--ca cert.pem] [--timeout S]
  dimse://ARCHIVE_AET@host:port     [--aet RADSIFT] [--retrieve C-GET|C-MOVE] [--store-port N]
                                    [--store-peers a,b: other addresses the archive sends a C-MOVE from]
  pacs:<name>                       a connection in --pacs-config <file> (default <data dir>/pacs.json:
                                    {"connections": [{"kind": "dicomweb", "name": …, "url": …}, …]})
The password or token: --secret-file <file> (readable by its owner only) or the environment
(${SECRET_ENV.basic}, ${SECRET_ENV.bearer}); never on the command line.
Retrieved instances are cached in --cache <dir> (default <data dir>/pacs-cache), at most
--cache-size <GB> (default 10), least recently used evicted first.`;

export const QUERY_USAGE = `Query: [--patient-id ID] [--patient-name "DOE^J*"] [--accession A] [--study-date 20240101-20241231]
       [--modality CR,DX (default) | any] [--description "*CHEST*"]`;

type Values = Partial<Record<keyof typeof PACS_OPTIONS | keyof typeof QUERY_OPTIONS, string>>;

export function isArchiveSpec(input: string): boolean {
  return /^(dicomweb\+https?:\/\/|dimse:\/\/|pacs:)/i.test(input);
}

async function namedConnection(name: string, file: string): Promise<PacsConnection> {
  const text = utf8Text(
    await readFile(file).catch(() => {
      throw new UsageError(`pacs:${name}: no connections file ${file} (write one, or give --pacs-config)`);
    }),
    file,
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${file}: not valid JSON`);
  }
  const parsed = z.object({ connections: z.array(connectionSchema) }).safeParse(json);
  if (!parsed.success)
    throw new UsageError(`${file}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  const found = parsed.data.connections.find((c) => c.name === name);
  if (!found)
    throw new UsageError(
      `pacs:${name}: not in ${file} (${parsed.data.connections.map((c) => c.name).join(', ') || 'none there'})`,
    );
  return found;
}

/** An archive argument and the options → a checked connection (no secret in it). */
export async function connectionOption(spec: string, values: Values, cwd: string): Promise<PacsConnection> {
  const timeoutSeconds = integerOption(values.timeout, '--timeout', 1, 600);
  let candidate: unknown;
  if (/^pacs:/i.test(spec)) {
    return namedConnection(
      spec.slice(5),
      path.resolve(cwd, values['pacs-config'] ?? path.join(dataDir(), 'pacs.json')),
    );
  } else if (/^dicomweb\+/i.test(spec)) {
    const url = spec.slice('dicomweb+'.length);
    if (URL.canParse(url) && (new URL(url).username || new URL(url).password))
      throw new UsageError('put no user or password in the URL: use --user and --secret-file or the environment');
    const auth = values.auth ?? (values.user ? 'basic' : 'none');
    if (!['none', 'basic', 'bearer'].includes(auth)) throw new UsageError('--auth is none, basic or bearer');
    candidate = {
      kind: 'dicomweb',
      name: messageName(url),
      url,
      auth,
      ...(values.user ? { username: values.user } : {}),
      ...(values.ca ? { caFile: path.resolve(cwd, values.ca) } : {}),
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    };
  } else {
    const m = /^dimse:\/\/([^@]+)@(\[[^\]]+\]|[^:/]+):(\d+)\/?$/i.exec(spec);
    if (!m) throw new UsageError(`${spec}: a DIMSE archive is dimse://AE_TITLE@host:port`);
    const storePeers = values['store-peers'] === undefined ? undefined : listOption(values['store-peers']);
    if (storePeers && !storePeers.length)
      throw new UsageError('--store-peers lists host names or IP addresses, comma-separated');
    candidate = {
      kind: 'dimse',
      name: messageName(spec),
      calledAet: m[1],
      host: m[2]!.replace(/^\[|\]$/g, ''),
      port: Number(m[3]),
      ...(values.aet ? { callingAet: values.aet } : {}),
      ...(values.retrieve ? { retrieve: values.retrieve.toUpperCase() } : {}),
      ...(values['store-port'] ? { storePort: integerOption(values['store-port'], '--store-port', 1, 65535) } : {}),
      ...(storePeers ? { storePeers } : {}),
      ...(timeoutSeconds ? { timeoutSeconds } : {}),
    };
  }
  const parsed = connectionSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // An address given with --store-peers is named as it was typed, not by its index.
    const peer = issue.path[0] === 'storePeers' && typeof issue.path[1] === 'number' ? issue.path[1] : null;
    const storePeers = (candidate as { storePeers?: string[] }).storePeers;
    if (issue.path[0] === 'storePeers')
      throw new UsageError(
        `--store-peers${peer !== null ? ` "${storePeers?.[peer]?.slice(0, 60)}"` : ''}: ${issue.message}`,
      );
    throw new UsageError(`${issue.path.join('.') || spec}: ${issue.message}`);
  }
  return parsed.data;
}

/** Opens a client for an archive argument, reading its secret the safe way. */
export async function openArchive(spec: string, values: Values, cwd: string): Promise<PacsClient> {
  const connection = await connectionOption(spec, values, cwd);
  const auth = connection.kind === 'dicomweb' ? connection.auth : 'none';
  const secret = await commandLineSecret(
    auth,
    values['secret-file'] ? path.resolve(cwd, values['secret-file']) : undefined,
  );
  if (needsSecret(connection) && !secret)
    throw new UsageError(
      `${connectionLabel(connection)} needs a ${auth === 'basic' ? 'password' : 'token'}: --secret-file <file> or ${SECRET_ENV[auth as 'basic' | 'bearer']}`,
    );
  return openClient(connection, secret, { scratchDir: cacheFolder(values, cwd) });
}

/** --cache, or the data folder's pacs-cache. */
const cacheFolder = (values: Values, cwd: string): string =>
  path.resolve(cwd, values.cache ?? path.join(dataDir(), 'pacs-cache'));

export async function cacheOption(values: Values, cwd: string): Promise<InstanceCache> {
  const gb = values['cache-size'] === undefined ? 10 : Number(values['cache-size']);
  if (!(gb > 0 && gb <= 100_000)) throw new UsageError('--cache-size is in GB, more than 0');
  return InstanceCache.open(cacheFolder(values, cwd), gb * 1024 ** 3);
}

/** The query options → a checked study query (CR and DX unless --modality says otherwise). */
export function queryOption(values: Values): StudyQuery {
  const modalities =
    values.modality === undefined
      ? DEFAULT_MODALITIES
      : values.modality.toLowerCase() === 'any'
        ? []
        : listOption(values.modality.toUpperCase());
  const dates = values['study-date'] === undefined ? {} : parseDateRange(values['study-date']);
  if (!dates) throw new UsageError('--study-date is YYYYMMDD, YYYYMMDD-YYYYMMDD, YYYYMMDD- or -YYYYMMDD');
  const parsed = studyQuerySchema.safeParse({
    ...(values['patient-id'] ? { patientId: values['patient-id'] } : {}),
    ...(values['patient-name'] ? { patientName: values['patient-name'] } : {}),
    ...(values.accession ? { accession: values.accession } : {}),
    ...dates,
    ...(modalities.length ? { modalities } : {}),
    ...(values.description ? { description: values.description } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The name an archive typed on the command line goes by in messages: the URL or spec itself, cut to the 64
 * characters a connection's name may have (a Google Cloud Healthcare DICOMweb URL is longer than that, and was
 * refused as "name: Too big", a field never given).
 */
function messageName(spec: string): string {
  return spec.length <= 64 ? spec : `${spec.slice(0, 63)}…`;
}
