import { Modal } from './Modal';
import type { AppInfo } from '../api';
import type { Loadable } from '../useAppInfo';
import { activeLabel, fallbackReasons } from '../provider';

export function AboutDialog({ info, onClose }: { info: Loadable<AppInfo>; onClose: () => void }) {
  const provider = info.state === 'ready' ? info.value.executionProvider : null;
  const fallbacks = provider ? fallbackReasons(provider) : [];
  return (
    <Modal title="About RadSift" id="about-title" onClose={onClose}>
      {info.state === 'loading' && <p>Loading…</p>}
      {info.state === 'error' && <p className="error">Could not reach the main process: {info.message}</p>}
      {info.state === 'ready' && (
        <dl className="facts">
          <dt>Version</dt>
          <dd data-testid="about-version">{info.value.version}</dd>
          <dt>Model</dt>
          <dd data-testid="about-model">
            {info.value.model
              ? `${info.value.model.name} ${info.value.model.version}${info.value.model.trainedOnSyntheticData ? ' — trained on synthetic data' : ''}`
              : 'No model loaded'}
          </dd>
          <dt>Execution provider</dt>
          <dd data-testid="about-provider">{provider ? activeLabel(provider) : 'None (no model session yet)'}</dd>
          {fallbacks.length > 0 && (
            <>
              <dt>Not loaded</dt>
              <dd data-testid="about-provider-fallbacks">
                <ul className="plain">
                  {fallbacks.map((f) => (
                    <li key={f.provider}>
                      {f.provider}: {f.reason || 'failed'}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          <dt>Platform</dt>
          <dd>{info.value.platform}</dd>
          <dt>Runtime</dt>
          <dd>
            {Object.entries(info.value.versions)
              .map(([k, v]) => `${k} ${v}`)
              .join(' · ')}
          </dd>
        </dl>
      )}
      <p className="notice" data-testid="about-notice">
        {info.state === 'ready' ? info.value.researchUseNotice : 'Research use only — not for clinical decisions.'}
      </p>
      <p className="muted">Everything runs on this computer: no image, report or result leaves it.</p>
    </Modal>
  );
}
