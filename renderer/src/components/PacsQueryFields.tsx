/** The study search fields (PACS tab of Studies, PACS source of Screening) and the connection chooser. */
import { useId } from 'react';
import type { PacsListing, QueryErrors, QueryFields } from '../pacs';
import { useScanNames } from '../scanNames';

/** Typed identifiers: masked on screen while "Hide identifiers" is on (screenshots, screen sharing). */
const IDENTIFIERS: ReadonlySet<keyof QueryFields> = new Set(['patientId', 'patientName', 'accession']);

const FIELDS: { key: keyof QueryFields; label: string; placeholder?: string; type?: 'date'; hint?: string }[] = [
  { key: 'patientId', label: 'Patient ID' },
  { key: 'patientName', label: 'Patient name', placeholder: 'DOE^J*', hint: '* and ? are wildcards' },
  { key: 'accession', label: 'Accession' },
  { key: 'dateFrom', label: 'Study date from', type: 'date' },
  { key: 'dateTo', label: 'Study date to', type: 'date' },
  { key: 'modalities', label: 'Modalities', placeholder: 'CR, DX', hint: 'empty: any' },
  { key: 'description', label: 'Description', placeholder: '*CHEST*' },
];

export function PacsQueryFields({
  value,
  onChange,
  errors,
  disabled,
}: {
  value: QueryFields;
  onChange: (next: QueryFields) => void;
  errors: QueryErrors;
  disabled?: boolean;
}) {
  const id = useId();
  const { hideIdentifiers } = useScanNames();
  return (
    <div className="pacs-query">
      {FIELDS.map((f) => {
        const error = errors[f.key];
        return (
          <div key={f.key} className="field">
            <label htmlFor={`${id}-${f.key}`}>{f.label}</label>
            <input
              id={`${id}-${f.key}`}
              type={f.type ?? 'text'}
              className={hideIdentifiers && IDENTIFIERS.has(f.key) ? 'masked' : undefined}
              value={value[f.key]}
              placeholder={f.placeholder}
              disabled={disabled}
              aria-invalid={error ? true : undefined}
              aria-describedby={
                [f.hint && `${id}-${f.key}-hint`, error && `${id}-${f.key}-error`].filter(Boolean).join(' ') ||
                undefined
              }
              onChange={(e) => onChange({ ...value, [f.key]: e.target.value })}
            />
            {f.hint && (
              <span className="muted field-hint" id={`${id}-${f.key}-hint`}>
                {f.hint}
              </span>
            )}
            {error && (
              <span className="field-error" id={`${id}-${f.key}-error`}>
                {error}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** A select of the configured connections; none configured: says where to add one. */
export function ConnectionSelect({
  listing,
  value,
  onChange,
  disabled,
  onConfigure,
}: {
  listing: PacsListing | null;
  value: string;
  onChange: (name: string) => void;
  disabled?: boolean;
  /** Opens the settings (Models view, PACS connections). */
  onConfigure?: () => void;
}) {
  if (!listing) return <span className="muted">Loading PACS connections…</span>;
  if (!listing.connections.length)
    return (
      <span className="muted" data-testid="pacs-none">
        No PACS connection yet: add one under Models ▸ PACS connections.{' '}
        {onConfigure && (
          <button type="button" className="link" onClick={onConfigure}>
            Add a connection
          </button>
        )}
      </span>
    );
  return (
    <label className="field inline">
      <span>Connection</span>
      <select aria-label="PACS connection" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
        {listing.connections.map(({ connection: c }) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );
}
