/**
 * A scan named as a reader knows it: patient (name · ID) on one line, study and image
 * (date · view · series/instance · accession) on the next; the file path as a third, muted line
 * when asked for (not while identifiers are hidden: folders are often named after the patient). Identifiers follow the "Hide identifiers" toggle; a scan without a label (not in
 * the opened studies, or indexed before RadSift stored names) is named by its path.
 */
import { shortPath } from '../format';
import { formatPersonName, patientParts, studyParts } from '../naming';
import { useScanNames, useScanNaming } from '../scanNames';

export function ScanName({ path, showPath = false }: { path: string; showPath?: boolean }) {
  const { hideIdentifiers } = useScanNames();
  const { label, path: shown } = useScanNaming()(path);
  const patient = patientParts(label, hideIdentifiers);
  const study = studyParts(label, hideIdentifiers);
  if (!patient.length && !study.length)
    return (
      <span className="scan-name" data-testid="scan-name">
        <span className="path">{shortPath(shown)}</span>
      </span>
    );
  return (
    <span className="scan-name" data-testid="scan-name">
      {patient.length > 0 && (
        <span className="scan-patient" data-testid="scan-patient">
          <Parts parts={patient} wrapFirst={!!formatPersonName(label?.patientName)} />
        </span>
      )}
      {study.length > 0 && (
        <span className="scan-study" data-testid="scan-study">
          <Parts parts={study} />
        </span>
      )}
      {showPath && !hideIdentifiers && <span className="path scan-path">{shortPath(shown)}</span>}
    </span>
  );
}

/**
 * "a · b · c", where a narrow line breaks after a separator, never inside an ID, a date or a code;
 * a person's name (`wrapFirst`) may break between its words.
 */
function Parts({ parts, wrapFirst = false }: { parts: string[]; wrapFirst?: boolean }) {
  return parts.map((p, i) => (
    <span key={i}>
      {i > 0 && ' · '}
      <span className={i === 0 && wrapFirst ? undefined : 'nowrap'}>{p}</span>
    </span>
  ));
}
