/**
 * PACS connections (Models view): the configured archives with where each points and whether its
 * password is stored, a form to add or change one (the password or token is never shown again and is
 * sent only when typed), "Test" (each service ✓ / ✗ / – with the server's reason), where passwords
 * are kept, and the retrieve cache.
 */
import { useId, useState, type FormEvent } from 'react';
import { getApi } from '../api';
import { counted } from '../format';
import { CACHE_GB_MAX, CACHE_GB_MIN, CONNECTION_NAME_MAX_LENGTH } from '../../../electron/api/limits';
import {
  connectionAddress,
  formatBytes,
  needsSecret,
  pacsErrorText,
  requestIssues,
  usePacsConnections,
  type CaChoice,
  type CertificateView,
  type PacsCheck,
  type PacsConnection,
  type PacsConnectionInput,
  type PacsListing,
} from '../pacs';

interface Form {
  /** The name the connection had (editing), or null for a new one. */
  replaces: string | null;
  /** Whether the connection being edited has a stored password or token. */
  hadSecret: boolean;
  kind: 'dicomweb' | 'dimse';
  name: string;
  url: string;
  auth: 'none' | 'basic' | 'bearer';
  username: string;
  /** The CA certificate to save with (DICOMweb), and how it reads (the stored one, or the one chosen). */
  ca: CaChoice;
  certificate: CertificateView | null;
  callingAet: string;
  calledAet: string;
  host: string;
  port: string;
  retrieve: 'C-GET' | 'C-MOVE';
  storePort: string;
  /** Other addresses the archive sends a C-MOVE from, comma-separated as typed. */
  storePeers: string;
  timeoutSeconds: string;
  /** Typed by the user; never filled from what is stored. */
  secret: string;
  forgetSecret: boolean;
}
type FormField = Exclude<keyof Form, 'replaces' | 'hadSecret' | 'kind' | 'forgetSecret' | 'ca' | 'certificate'>;
type FormErrors = Partial<Record<FormField, string>>;

const NEW_FORM: Form = {
  replaces: null,
  hadSecret: false,
  kind: 'dicomweb',
  name: '',
  url: '',
  auth: 'basic',
  username: '',
  ca: 'keep',
  certificate: null,
  callingAet: 'RADSIFT',
  calledAet: '',
  host: '',
  port: '104',
  retrieve: 'C-GET',
  storePort: '',
  storePeers: '',
  timeoutSeconds: '30',
  secret: '',
  forgetSecret: false,
};

function formOf(c: PacsConnection, hasSecret: boolean, certificate: CertificateView | null): Form {
  const base = { ...NEW_FORM, replaces: c.name, hadSecret: hasSecret, name: c.name, certificate };
  return c.kind === 'dicomweb'
    ? {
        ...base,
        kind: 'dicomweb',
        url: c.url,
        auth: c.auth,
        username: c.username ?? '',
        timeoutSeconds: String(c.timeoutSeconds),
      }
    : {
        ...base,
        kind: 'dimse',
        callingAet: c.callingAet,
        calledAet: c.calledAet,
        host: c.host,
        port: String(c.port),
        retrieve: c.retrieve,
        storePort: c.storePort ? String(c.storePort) : '',
        storePeers: c.storePeers?.join(', ') ?? '',
        timeoutSeconds: String(c.timeoutSeconds),
      };
}

const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

/** "a, b c" → ["a", "b", "c"]: commas or spaces between addresses. */
const addressList = (text: string) => text.split(/[\s,]+/).filter(Boolean);

function integer(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

/** The connection a form describes, or why it cannot be saved (by field). */
function toConnection(f: Form): { connection: PacsConnectionInput | null; errors: FormErrors } {
  const errors: FormErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'a name is needed';
  else if (name.length > CONNECTION_NAME_MAX_LENGTH) errors.name = `at most ${CONNECTION_NAME_MAX_LENGTH} characters`;
  const timeoutSeconds = integer(f.timeoutSeconds, 1, 600);
  if (timeoutSeconds === null) errors.timeoutSeconds = 'whole seconds, 1 to 600';
  let connection: PacsConnectionInput;
  if (f.kind === 'dicomweb') {
    const url = f.url.trim();
    const parsed = URL.canParse(url) ? new URL(url) : null;
    if (!url) errors.url = 'the DICOMweb root, e.g. https://pacs.example.org/dicom-web';
    else if (!parsed || !/^https?:$/.test(parsed.protocol)) errors.url = 'an http:// or https:// URL';
    else if (parsed.username || parsed.password) errors.url = 'no user or password in the URL: use the fields below';
    const username = f.username.trim();
    if (f.auth === 'basic' && !username) errors.username = 'basic authentication needs a user name';
    const stored = f.replaces !== null && f.hadSecret && !f.forgetSecret;
    if (f.auth !== 'none' && !f.secret && !stored)
      errors.secret = f.auth === 'basic' ? 'a password is needed' : 'a token is needed';
    connection = {
      kind: 'dicomweb',
      name,
      url,
      auth: f.auth,
      ...(f.auth === 'basic' ? { username } : {}),
      timeoutSeconds: timeoutSeconds ?? 30,
    };
  } else {
    const callingAet = f.callingAet.trim() ? f.callingAet : 'RADSIFT';
    for (const key of ['callingAet', 'calledAet'] as const) {
      const v = key === 'callingAet' ? callingAet : f.calledAet;
      if (!v.trim()) errors[key] = 'an AE title is needed';
      else if (!AE_TITLE.test(v)) errors[key] = '1–16 printable characters, no backslash';
    }
    const host = f.host.trim();
    if (!host) errors.host = 'a host name or IP address is needed';
    const port = integer(f.port, 1, 65535);
    if (port === null) errors.port = 'a port, 1 to 65535';
    const storePort = f.storePort.trim() ? integer(f.storePort, 1, 65535) : null;
    if (f.storePort.trim() && storePort === null) errors.storePort = 'a port, 1 to 65535';
    else if (f.retrieve === 'C-MOVE' && storePort === null)
      errors.storePort = 'C-MOVE needs the port RadSift receives on (the archive must know it)';
    // Each address is checked by the main process (the connection schema): its reason comes back to this field.
    const storePeers = f.retrieve === 'C-MOVE' ? addressList(f.storePeers) : [];
    connection = {
      kind: 'dimse',
      name,
      callingAet,
      calledAet: f.calledAet,
      host,
      port: port ?? 104,
      retrieve: f.retrieve,
      ...(storePort !== null ? { storePort } : {}),
      ...(storePeers.length ? { storePeers } : {}),
      timeoutSeconds: timeoutSeconds ?? 30,
    };
  }
  return { connection: Object.keys(errors).length ? null : connection, errors };
}

type TestState = { running: true } | { running: false; checks: PacsCheck[] } | { running: false; error: string };

export function PacsSettings() {
  const api = getApi();
  const { listing, error: loadError, setListing } = usePacsConnections();
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [tests, setTests] = useState<Record<string, TestState>>({});
  const [confirmDelete, setConfirmDelete] = useState<string | null>(null);

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm((f) => f && { ...f, [key]: value });
  const forget = (name: string) =>
    setTests(({ [name]: _gone, ...rest }) => {
      return rest;
    });

  const onSave = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const { connection, errors: found } = toConnection(form);
    setErrors(found);
    setError(null);
    if (!connection) return;
    const secret = needsSecret(connection) ? (form.secret ? form.secret : form.forgetSecret ? null : undefined) : null;
    setSaving(true);
    try {
      const next = await api.call('pacs.saveConnection', {
        connection,
        ...(secret !== undefined ? { secret } : {}),
        ...(form.replaces !== null ? { replaces: form.replaces } : {}),
        // A new connection trusts only what its form shows: no certificate unless one was chosen.
        ...(connection.kind === 'dicomweb'
          ? { ca: form.replaces === null && form.ca === 'keep' ? 'none' : form.ca }
          : {}),
      });
      setListing(next);
      forget(connection.name);
      if (form.replaces) forget(form.replaces);
      setForm(null);
    } catch (err) {
      // The main process checks the same schema: its issues go to their fields, anything else above the form.
      const byField: FormErrors = {};
      for (const issue of requestIssues(err)) {
        const field = issue.path[0] === 'connection' ? (issue.path[1] as FormField | undefined) : undefined;
        // One of the other sender addresses: named as typed, not by its place in the list.
        const peer =
          field === 'storePeers' && connection.kind === 'dimse'
            ? connection.storePeers?.[Number(issue.path[2])]
            : undefined;
        if (peer !== undefined) byField.storePeers ??= `${peer}: ${issue.message}`;
        else if (field && field in NEW_FORM) byField[field] ??= issue.message;
        else if (issue.path[0] === 'secret') byField.secret ??= issue.message;
      }
      setErrors(byField);
      if (!Object.keys(byField).length) setError((err as Error).message);
    } finally {
      setSaving(false);
    }
  };

  const onDelete = async (name: string) => {
    setConfirmDelete(null);
    setError(null);
    try {
      setListing(await api.call('pacs.deleteConnection', { name }));
      forget(name);
      if (form?.replaces === name) setForm(null);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const onTest = async (name: string) => {
    setTests((t) => ({ ...t, [name]: { running: true } }));
    try {
      const { checks } = await api.call('pacs.test', { name });
      setTests((t) => ({ ...t, [name]: { running: false, checks } }));
    } catch (err) {
      setTests((t) => ({ ...t, [name]: { running: false, error: pacsErrorText(err) } }));
    }
  };

  return (
    <section className="pacs-settings" aria-labelledby="pacs-settings-title">
      <h2 id="pacs-settings-title">PACS connections</h2>
      <p className="muted">
        Archives RadSift can search and retrieve from (DICOMweb or DIMSE). Nothing is sent to a server until you test,
        search or open something on it.
      </p>
      {loadError && (
        <p className="error" role="alert">
          {loadError}
        </p>
      )}
      {listing && <StorageNotes listing={listing} onChange={setListing} />}
      {listing && listing.connections.length > 0 && (
        <table className="results-table pacs-connections" aria-label="PACS connections">
          <thead>
            <tr>
              <th>Name</th>
              <th>Kind</th>
              <th>Address</th>
              <th>Password stored</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {listing.connections.map(({ connection: c, hasSecret, certificate }) => {
              const test = tests[c.name];
              return (
                <ConnectionRow
                  key={c.name}
                  connection={c}
                  hasSecret={hasSecret}
                  test={test}
                  confirming={confirmDelete === c.name}
                  onTest={() => void onTest(c.name)}
                  onEdit={() => {
                    setForm(formOf(c, hasSecret, certificate));
                    setErrors({});
                    setError(null);
                  }}
                  onDelete={() => setConfirmDelete(c.name)}
                  onConfirmDelete={(yes) => (yes ? void onDelete(c.name) : setConfirmDelete(null))}
                />
              );
            })}
          </tbody>
        </table>
      )}
      {listing && !listing.connections.length && !form && <p className="muted">No connection yet.</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!form && (
        <div className="actions">
          <button
            type="button"
            onClick={() => {
              setForm(NEW_FORM);
              setErrors({});
              setError(null);
            }}
          >
            Add connection…
          </button>
        </div>
      )}
      {form && (
        <ConnectionForm
          key={form.replaces ?? '(new)'}
          form={form}
          errors={errors}
          saving={saving}
          set={set}
          onSubmit={onSave}
          onCancel={() => {
            setForm(null);
            setErrors({});
          }}
        />
      )}
    </section>
  );
}

function StorageNotes({ listing, onChange }: { listing: PacsListing; onChange: (l: PacsListing) => void }) {
  const { cache } = listing;
  const [size, setSize] = useState(String(cache.maxGB));
  const [problem, setProblem] = useState<string | null>(null);
  const change = (req: { maxGB?: number; folder?: 'choose' | 'default' }) => {
    setProblem(null);
    getApi()
      .call('pacs.setCache', req)
      .then(onChange, (e: Error & { code?: string }) => {
        if (e.code !== 'CANCELLED') setProblem(e.message);
      });
  };
  const gb = Number(size);
  const sizeValid = Number.isFinite(gb) && gb >= CACHE_GB_MIN && gb <= CACHE_GB_MAX;
  return (
    <>
      <p className={listing.secretStorage === 'os' ? 'muted' : 'notice'} data-testid="pacs-secret-storage">
        {listing.secretStorage === 'os'
          ? 'Passwords and tokens are encrypted by the OS for your user account.'
          : 'Passwords and tokens are kept until RadSift quits: there is no OS keyring here, so they are never written to disk and must be typed again after a restart.'}
      </p>
      <p className="muted" data-testid="pacs-cache">
        Retrieved studies are cached in <span className="path">{cache.dir}</span> (up to {cache.maxGB} GB
        {cache.files === null || cache.bytes === null
          ? '; its size is counted once RadSift retrieves from a PACS'
          : `; now ${formatBytes(cache.bytes)} in ${counted(cache.files, 'file')}`}
        ). Delete the folder to remove them.
      </p>
      <div className="pacs-cache-settings">
        <label>
          Cache size (GB){' '}
          <input
            type="number"
            min={CACHE_GB_MIN}
            max={CACHE_GB_MAX}
            step="any"
            value={size}
            aria-label="Cache size in GB"
            aria-invalid={!sizeValid}
            onChange={(e) => setSize(e.target.value)}
          />
        </label>
        <button type="button" disabled={!sizeValid || gb === cache.maxGB} onClick={() => change({ maxGB: gb })}>
          Set size
        </button>
        <button type="button" onClick={() => change({ folder: 'choose' })}>
          Move cache…
        </button>
        <button type="button" onClick={() => change({ folder: 'default' })}>
          Default place
        </button>
        {!sizeValid && <span className="field-error">between 0.1 and 100,000 GB</span>}
        {problem && <span className="field-error">{problem}</span>}
      </div>
    </>
  );
}

function ConnectionRow({
  connection: c,
  hasSecret,
  test,
  confirming,
  onTest,
  onEdit,
  onDelete,
  onConfirmDelete,
}: {
  connection: PacsConnection;
  hasSecret: boolean;
  test: TestState | undefined;
  confirming: boolean;
  onTest: () => void;
  onEdit: () => void;
  onDelete: () => void;
  onConfirmDelete: (yes: boolean) => void;
}) {
  const secretNeeded = needsSecret(c);
  const secretWord = c.kind === 'dicomweb' && c.auth === 'bearer' ? 'token' : 'password';
  return (
    <>
      <tr data-testid="pacs-connection" data-name={c.name}>
        <td>
          <strong>{c.name}</strong>
        </td>
        <td>
          {c.kind === 'dicomweb' ? `DICOMweb${c.auth !== 'none' ? ` (${c.auth})` : ''}` : `DIMSE (${c.retrieve})`}
        </td>
        <td className="path">{connectionAddress(c)}</td>
        <td data-testid="pacs-has-secret">
          {!secretNeeded ? (
            <span className="muted">not needed</span>
          ) : hasSecret ? (
            'yes'
          ) : (
            <span className="notice">no: edit to give the {secretWord}</span>
          )}
        </td>
        <td>
          <div className="row-actions">
            <button type="button" onClick={onTest} disabled={test?.running}>
              {test?.running ? 'Testing…' : 'Test connection'}
            </button>
            <button type="button" onClick={onEdit}>
              Edit
            </button>
            {confirming ? (
              <>
                <button type="button" className="danger" onClick={() => onConfirmDelete(true)}>
                  Delete {c.name}
                </button>
                {/* The focused "Delete…" is gone: focus lands on the safe answer. */}
                <button type="button" autoFocus onClick={() => onConfirmDelete(false)}>
                  Keep
                </button>
              </>
            ) : (
              <button type="button" onClick={onDelete}>
                Delete…
              </button>
            )}
          </div>
        </td>
      </tr>
      {test && !test.running && (
        <tr className="pacs-test-row">
          <td colSpan={5}>
            {'error' in test ? (
              <p className="error" role="alert" data-testid="pacs-test-error">
                {test.error}
              </p>
            ) : (
              <ul className="plain pacs-checks" aria-label={`Test of ${c.name}`}>
                {test.checks.map((check) => (
                  <li
                    key={check.service}
                    data-testid="pacs-check"
                    data-service={check.service}
                    data-ok={check.ok === null ? 'skipped' : String(check.ok)}
                  >
                    <span
                      className={`check-mark ${check.ok === null ? 'skipped' : check.ok ? 'ok' : 'failed'}`}
                      aria-label={check.ok === null ? 'not tried' : check.ok ? 'works' : 'fails'}
                    >
                      {check.ok === null ? '–' : check.ok ? '✓' : '✗'}
                    </span>{' '}
                    <strong>{check.service}</strong> <span className="muted">{check.detail}</span>
                  </li>
                ))}
              </ul>
            )}
          </td>
        </tr>
      )}
    </>
  );
}

function ConnectionForm({
  form,
  errors,
  saving,
  set,
  onSubmit,
  onCancel,
}: {
  form: Form;
  errors: FormErrors;
  saving: boolean;
  set: <K extends keyof Form>(key: K, value: Form[K]) => void;
  onSubmit: (e: FormEvent) => void;
  onCancel: () => void;
}) {
  const id = useId();
  const title = form.replaces === null ? 'New connection' : `Edit ${form.replaces}`;
  // The label names the field; its reason or hint describes it (aria-describedby), outside the name.
  const text = (key: FormField, label: string, extra: { placeholder?: string; type?: string; hint?: string } = {}) => {
    const note = errors[key] ?? extra.hint;
    return (
      <div className="field">
        <label htmlFor={`${id}-${key}`}>{label}</label>
        <input
          id={`${id}-${key}`}
          type={extra.type ?? 'text'}
          value={form[key]}
          placeholder={extra.placeholder}
          aria-invalid={errors[key] ? true : undefined}
          aria-describedby={note ? `${id}-${key}-note` : undefined}
          autoComplete={extra.type === 'password' ? 'new-password' : 'off'}
          onChange={(e) => set(key, e.target.value)}
        />
        {note && (
          <span id={`${id}-${key}-note`} className={errors[key] ? 'field-error' : 'muted field-hint'}>
            {note}
          </span>
        )}
      </div>
    );
  };
  const secretWord = form.auth === 'bearer' ? 'Token' : 'Password';
  const stored = form.replaces !== null && form.hadSecret;
  return (
    <form className="pacs-form" aria-label={title} onSubmit={onSubmit} noValidate>
      <h3>{title}</h3>
      <fieldset className="kind">
        <legend>Kind</legend>
        <label>
          <input
            type="radio"
            name={`${id}-kind`}
            checked={form.kind === 'dicomweb'}
            onChange={() => set('kind', 'dicomweb')}
          />{' '}
          DICOMweb (QIDO-RS / WADO-RS)
        </label>
        <label>
          <input
            type="radio"
            name={`${id}-kind`}
            checked={form.kind === 'dimse'}
            onChange={() => set('kind', 'dimse')}
          />{' '}
          DIMSE (C-FIND / C-GET or C-MOVE)
        </label>
      </fieldset>
      <div className="form-grid">
        {text('name', 'Name', { placeholder: 'research' })}
        {form.kind === 'dicomweb' ? (
          <>
            {text('url', 'URL', { placeholder: 'https://pacs.example.org/dicom-web' })}
            <label className="field">
              <span>Authentication</span>
              <select value={form.auth} onChange={(e) => set('auth', e.target.value as Form['auth'])}>
                <option value="none">none</option>
                <option value="basic">user name and password (basic)</option>
                <option value="bearer">token (bearer)</option>
              </select>
            </label>
            {inClear(form.url, form.auth) && (
              <p className="hint" data-testid="pacs-in-clear">
                <span aria-hidden="true">⚠ </span>Over http:// the {secretWord.toLowerCase()} is sent in the clear: use
                https:// unless the archive runs on this computer.
              </p>
            )}
            {form.auth === 'basic' && text('username', 'User name')}
            {form.auth !== 'none' &&
              text('secret', secretWord, {
                type: 'password',
                placeholder: stored && !form.forgetSecret ? 'stored: type to replace' : '',
                hint: stored
                  ? `Leave empty to keep the stored ${secretWord.toLowerCase()} (for the same server and user only).`
                  : undefined,
              })}
            {form.auth !== 'none' && stored && (
              <label className="field checkbox">
                <input
                  type="checkbox"
                  checked={form.forgetSecret}
                  onChange={(e) => set('forgetSecret', e.target.checked)}
                />{' '}
                Forget the stored {secretWord.toLowerCase()}
              </label>
            )}
            <CertificateField
              certificate={form.certificate}
              onChange={(ca, certificate) => {
                set('ca', ca);
                set('certificate', certificate);
              }}
            />
          </>
        ) : (
          <>
            {text('calledAet', 'Archive AE title', { placeholder: 'ARCHIVE' })}
            {text('host', 'Host', { placeholder: '10.0.0.5' })}
            {text('port', 'Port', { type: 'number' })}
            {text('callingAet', 'RadSift AE title', { hint: 'How the archive knows RadSift.' })}
            <label className="field">
              <span>Retrieve with</span>
              <select value={form.retrieve} onChange={(e) => set('retrieve', e.target.value as Form['retrieve'])}>
                <option value="C-GET">C-GET (images come back on the same association)</option>
                <option value="C-MOVE">C-MOVE (to RadSift's storage port)</option>
              </select>
            </label>
            {form.retrieve === 'C-MOVE' && text('storePort', 'Storage port', { type: 'number', placeholder: '11112' })}
            {form.retrieve === 'C-MOVE' &&
              text('storePeers', 'Other sender addresses', {
                placeholder: '10.0.0.6, gateway.example.org',
                hint: "RadSift's storage port accepts instances only from the archive's host. If the archive sends from other addresses, list them, comma-separated (at most 16).",
              })}
          </>
        )}
        {text('timeoutSeconds', 'Time-out (seconds)', { type: 'number' })}
      </div>
      <div className="actions">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save connection'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * The CA certificate a DICOMweb connection trusts: chosen in the main process's dialog (the page never
 * names a file), shown by name, subject and expiry, or removed so only the system's CAs are trusted.
 */
function CertificateField({
  certificate,
  onChange,
}: {
  certificate: CertificateView | null;
  onChange: (ca: CaChoice, certificate: CertificateView | null) => void;
}) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const choose = () => {
    setProblem(null);
    getApi()
      .call('pacs.chooseCertificate', {})
      .then(
        (chosen) => onChange({ ref: chosen.ref }, chosen.certificate),
        (e: Error & { code?: string }) => {
          if (e.code !== 'CANCELLED') setProblem(e.message);
        },
      );
  };
  return (
    <div className="field" role="group" aria-labelledby={`${id}-label`} data-testid="pacs-certificate">
      <span id={`${id}-label`}>CA certificate (optional)</span>
      {certificate === null ? (
        <span className="muted">None: the system's certificate authorities are trusted.</span>
      ) : 'error' in certificate ? (
        <span className="field-error">
          {certificate.file}: {certificate.error}
        </span>
      ) : (
        <span>
          {certificate.file}: {certificate.subject}
          {certificate.count > 1 ? ` and ${certificate.count - 1} more` : ''};{' '}
          <span className={certificate.expired || certificate.notYetValid ? 'field-error' : 'muted'}>
            {certificate.expired ? 'expired' : certificate.notYetValid ? 'not valid yet; until' : 'valid until'}{' '}
            {certificate.validTo.slice(0, 10)}
          </span>
        </span>
      )}
      <span>
        <button type="button" onClick={choose}>
          Choose certificate…
        </button>{' '}
        {certificate !== null && (
          <button type="button" onClick={() => onChange('none', null)}>
            Remove certificate
          </button>
        )}
      </span>
      {problem ? (
        <span className="field-error" role="alert">
          {problem}
        </span>
      ) : (
        <span className="muted field-hint">
          For an https:// server whose certificate comes from your hospital's own CA.
        </span>
      )}
    </div>
  );
}

/** Credentials that would cross the network unencrypted: http:// to a host other than this computer. */
function inClear(url: string, auth: Form['auth']): boolean {
  if (auth === 'none' || !URL.canParse(url.trim())) return false;
  const { protocol, hostname } = new URL(url.trim());
  return protocol === 'http:' && !/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i.test(hostname);
}
