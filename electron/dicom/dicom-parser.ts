/**
 * dicom-parser is a CommonJS UMD bundle; load it once through createRequire so
 * the ES-module build sees its real exports.
 */
import { createRequire } from 'node:module';
import type * as DicomParserModule from 'dicom-parser';

export type { DataSet, Element, Fragment } from 'dicom-parser';

const require = createRequire(import.meta.url);
export const dicomParser = require('dicom-parser') as typeof DicomParserModule;
