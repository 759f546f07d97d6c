/** The app's views, in sidebar order; the digit is the keyboard shortcut. */
export const VIEWS = [
  {
    id: 'studies',
    label: 'Studies',
    key: '1',
    blurb: 'Open DICOM files, folders and DICOMDIRs, or search a PACS; browse patients, studies and series.',
  },
  { id: 'query', label: 'Query', key: '2', blurb: 'Type a report phrase and rank scans by how well they match it.' },
  { id: 'matrix', label: 'Matrix', key: '3', blurb: 'Scans × phrases: how strongly each scan matches each phrase.' },
  {
    id: 'screening',
    label: 'Screening',
    key: '4',
    blurb: 'Batch-screen a folder or a PACS query for a finding, with progress, resume and export.',
  },
  {
    id: 'models',
    label: 'Models',
    key: '5',
    blurb: 'Installed model bundles, their cards and the execution provider; PACS connections.',
  },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

/**
 * A list whose entries are not files but rows of a PACS job (the archive and UIDs): `at` is the entry shown,
 * `open` finds its file in the cache or retrieves it when the viewer steps to an entry.
 */
export interface RemoteList {
  at: string;
  open: (entry: string) => Promise<string>;
}

/**
 * Opens a scan in the viewer overlay; `list`: the scans it was chosen from, in the order shown (← / →), as
 * files, or as the entries of `remote`.
 */
export type OpenViewer = (path: string, phrase?: string, list?: readonly string[], remote?: RemoteList) => void;
