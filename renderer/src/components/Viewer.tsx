/**
 * One image, as a radiologist expects to look at it: window/level by left-drag
 * (horizontal = width, vertical = level), zoom with the wheel, pan with
 * shift-drag or the middle button, presets, frame scrolling, and the file's
 * header beside it. Pixels are rendered by the main process (scan://), so the
 * window is applied to the real modality values, MONOCHROME1 included.
 * Optionally a phrase heatmap (grounding) on top: the model's patch grid,
 * coloured by how well each patch matches the phrase, placed where the model's
 * letterbox put it on the image, with an opacity control.
 */
import {
  type CSSProperties,
  useCallback,
  useEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
  type WheelEvent,
} from 'react';
import { getApi } from '../api';
import { viridis } from '../colormap';
import { UnitSlider } from './UnitSlider';

interface Heatmap {
  phrase: string;
  grid: [number, number];
  values: number[];
  box: { x: number; y: number; width: number; height: number };
}

interface Window {
  center: number;
  width: number;
}

interface Summary {
  transferSyntax?: { uid: string; name?: string };
  modality?: string;
  image?: {
    rows: number;
    columns: number;
    frames: number;
    photometric: string;
    bitsStored: number;
    pixelRepresentation: number;
  };
  windows?: { center: number; width: number; explanation?: string }[];
  errors?: { code: string; message: string }[];
  [key: string]: unknown;
}

export function Viewer({ path, phrase, onClose }: { path: string; phrase?: string; onClose?: () => void }) {
  const api = getApi();
  const [draftPhrase, setDraftPhrase] = useState(phrase ?? '');
  const [heatPhrase, setHeatPhrase] = useState(phrase ?? '');
  const [heatOn, setHeatOn] = useState(!!phrase);
  const [opacity, setOpacity] = useState(0.5);
  const [heat, setHeat] = useState<Heatmap | null>(null);
  const [heatError, setHeatError] = useState<string | null>(null);
  const [imgSize, setImgSize] = useState<{ width: number; height: number } | null>(null);
  const imgRef = useRef<HTMLImageElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [win, setWin] = useState<Window | null>(null);
  const [shownWin, setShownWin] = useState<Window | null>(null);
  const [frame, setFrame] = useState(0);
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const drag = useRef<{ mode: 'window' | 'pan'; x: number; y: number; win: Window | null; view: typeof view } | null>(
    null,
  );

  useEffect(() => {
    setSummary(null);
    setError(null);
    setWin(null);
    setFrame(0);
    setView({ zoom: 1, x: 0, y: 0 });
    api.call('studies.fileInfo', { path }).then(
      (r) => {
        const s = r.summary as Summary;
        setSummary(s);
        setWin(defaultWindow(s));
      },
      (e: Error) => setError(e.message),
    );
  }, [api, path]);

  useEffect(() => {
    setHeat(null);
    setHeatError(null);
    if (!heatOn || !heatPhrase.trim()) return;
    let live = true;
    api.call('query.heatmap', { path, phrase: heatPhrase, frame }).then(
      (h) => live && setHeat(h),
      (e: Error) => live && setHeatError(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, path, heatPhrase, heatOn, frame]);

  // One canvas pixel per grid cell; the browser's smoothing interpolates when it is scaled up.
  // The canvas mounts once both the heatmap and the image's size are known, in either order.
  const canvasShown = heatOn && !!heat && !!imgSize;
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !heat) return;
    const [rows, cols] = heat.grid;
    canvas.width = cols;
    canvas.height = rows;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const top = Math.max(...heat.values, 1e-6);
    const pixels = ctx.createImageData(cols, rows);
    heat.values.forEach((v, i) => {
      const t = Math.max(0, v) / top; // only where the phrase matches: cosine > 0
      const [r, g, b] = viridis(t);
      pixels.data.set([r, g, b, Math.round(255 * Math.min(1, t * 1.5))], i * 4);
    });
    ctx.putImageData(pixels, 0, 0);
  }, [heat, canvasShown]);

  useEffect(() => {
    const img = imgRef.current;
    if (!img) return;
    const observer = new ResizeObserver(() => setImgSize({ width: img.clientWidth, height: img.clientHeight }));
    observer.observe(img);
    return () => observer.disconnect();
  }, []);

  // Re-render in the main process at most every 120 ms while dragging.
  useEffect(() => {
    const t = setTimeout(() => setShownWin(win), 120);
    return () => clearTimeout(t);
  }, [win]);

  const frames = summary?.image?.frames ?? 1;
  const query: Record<string, string | number> = { kind: 'display', frame };
  if (shownWin) Object.assign(query, { wc: shownWin.center.toFixed(3), ww: shownWin.width.toFixed(3) });
  const src = api.scanUrl(path, query);

  const onPointerDown = (e: ReactPointerEvent) => {
    (e.target as Element).setPointerCapture(e.pointerId);
    drag.current = { mode: e.shiftKey || e.button === 1 ? 'pan' : 'window', x: e.clientX, y: e.clientY, win, view };
  };
  const onPointerMove = (e: ReactPointerEvent) => {
    const d = drag.current;
    if (!d) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    if (d.mode === 'pan') setView({ ...d.view, x: d.view.x + dx, y: d.view.y + dy });
    else if (d.win) {
      const scale = Math.max(1, d.win.width / 256);
      setWin({ center: d.win.center + dy * scale, width: Math.max(1, d.win.width + dx * scale) });
    }
  };
  const onWheel = (e: WheelEvent) =>
    setView((v) => ({ ...v, zoom: Math.min(16, Math.max(0.1, v.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15))) }));

  const onKey = useCallback(
    (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement) return;
      if (e.key === 'ArrowDown' || e.key === 'PageDown') setFrame((f) => Math.min(frames - 1, f + 1));
      if (e.key === 'ArrowUp' || e.key === 'PageUp') setFrame((f) => Math.max(0, f - 1));
      if (e.key === 'r') {
        setView({ zoom: 1, x: 0, y: 0 });
        if (summary) setWin(defaultWindow(summary));
      }
    },
    [frames, summary],
  );
  useEffect(() => {
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onKey]);

  const presets = presetsFor(summary);
  return (
    <section className="viewer" aria-label="Image viewer">
      <div className="viewer-toolbar">
        <span className="path" title={path}>
          {path.split(/[\\/]/).slice(-2).join('/')}
        </span>
        {presets.map((p) => (
          <button
            key={p.label}
            type="button"
            onClick={() => setWin(p.window)}
            title={`Window ${Math.round(p.window.center)} / ${Math.round(p.window.width)}`}
          >
            {p.label}
          </button>
        ))}
        <button type="button" onClick={() => setView({ zoom: 1, x: 0, y: 0 })} title="Reset zoom and pan (r)">
          Fit
        </button>
        {win && (
          <span className="muted" data-testid="window-readout">
            W {Math.round(win.width)} · L {Math.round(win.center)}
          </span>
        )}
        <form
          className="heatmap-controls"
          onSubmit={(e) => {
            e.preventDefault();
            setHeatPhrase(draftPhrase);
            setHeatOn(true);
          }}
        >
          <label>
            <input
              type="checkbox"
              checked={heatOn}
              onChange={(e) => setHeatOn(e.target.checked)}
              aria-label="Show phrase heatmap"
            />{' '}
            Heatmap
          </label>
          <input
            type="text"
            value={draftPhrase}
            placeholder="phrase, e.g. pleural effusion"
            aria-label="Heatmap phrase"
            onChange={(e) => setDraftPhrase(e.target.value)}
          />
          <label title="Heatmap opacity">
            <UnitSlider value={opacity} label="Heatmap opacity" onChange={setOpacity} />
          </label>
        </form>
        {onClose && (
          <button type="button" onClick={onClose} aria-label="Close viewer">
            ✕
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {heatOn && heatError && (
        <p className="error" role="alert">
          Heatmap: {heatError}
        </p>
      )}
      {heatOn && heat && (
        <p className="muted heatmap-legend" data-testid="heatmap-legend">
          Where the model matches “{heat.phrase}”: brighter = stronger (cosine up to{' '}
          {Math.max(...heat.values).toFixed(2)}); {heat.grid[0]}×{heat.grid[1]} patches. A model's attention, not a
          segmentation — research use only.
        </p>
      )}
      <div className="viewer-body">
        <div
          className="viewport"
          data-testid="viewport"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => (drag.current = null)}
          onWheel={onWheel}
          title="Drag: window/level · Shift-drag: pan · Wheel: zoom · r: reset"
        >
          <img
            ref={imgRef}
            src={src}
            alt={`Frame ${frame + 1} of ${path.split(/[\\/]/).pop()}`}
            draggable={false}
            onError={() => setError('This image could not be rendered; see the header panel for the reason.')}
            onLoad={(e) => {
              setError(null);
              setImgSize({ width: e.currentTarget.clientWidth, height: e.currentTarget.clientHeight });
            }}
            className="viewer-image"
            data-testid="viewer-image"
            style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` }}
          />
          {canvasShown && (
            <canvas
              ref={canvasRef}
              className="heatmap"
              data-testid="heatmap"
              aria-label={`Heatmap of “${heat.phrase}”`}
              style={heatmapStyle(heat.box, imgSize, view, opacity)}
            />
          )}
        </div>
        <aside className="metadata" aria-label="Image header">
          {summary ? <Metadata summary={summary} /> : <p className="muted">Reading header…</p>}
          {frames > 1 && (
            <label className="frame-slider">
              Frame {frame + 1} / {frames}
              <input
                type="range"
                min={0}
                max={frames - 1}
                value={frame}
                onChange={(e) => setFrame(Number(e.target.value))}
              />
            </label>
          )}
        </aside>
      </div>
    </section>
  );
}

/**
 * The canvas is anchored at the viewport centre (where the image's centre is), sized to the
 * grid's box over the image, offset to the box, moved with the image's own pan and zoom (about
 * the same centre), and clipped to the image (letterbox padding is not drawn).
 */
function heatmapStyle(
  box: Heatmap['box'],
  img: { width: number; height: number },
  view: { zoom: number; x: number; y: number },
  opacity: number,
): CSSProperties {
  const width = box.width * img.width;
  const height = box.height * img.height;
  // Top-left of the box relative to the image centre.
  const dx = (box.x - 0.5) * img.width;
  const dy = (box.y - 0.5) * img.height;
  const pct = (v: number) => `${(Math.max(0, v) * 100).toFixed(3)}%`;
  return {
    width,
    height,
    opacity,
    transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom}) translate(${dx}px, ${dy}px)`,
    clipPath: `inset(${pct(-box.y / box.height)} ${pct((box.x + box.width - 1) / box.width)} ${pct((box.y + box.height - 1) / box.height)} ${pct(-box.x / box.width)})`,
  };
}

function Metadata({ summary }: { summary: Summary }) {
  const img = summary.image;
  const rows: [string, string][] = [
    ['Modality', summary.modality ?? '—'],
    ['Transfer syntax', summary.transferSyntax?.name ?? summary.transferSyntax?.uid ?? '—'],
    ['Size', img ? `${img.columns} × ${img.rows}${img.frames > 1 ? ` × ${img.frames} frames` : ''}` : '—'],
    ['Photometric', img?.photometric ?? '—'],
    ['Bits stored', img ? `${img.bitsStored}${img.pixelRepresentation ? ' (signed)' : ''}` : '—'],
    [
      'Windows',
      summary.windows?.map((w) => `${w.center}/${w.width}${w.explanation ? ` ${w.explanation}` : ''}`).join(', ') ||
        'none',
    ],
  ];
  return (
    <dl className="facts">
      {rows.map(([k, v]) => (
        <div key={k} className="fact">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
      {summary.errors?.map((e) => (
        <p key={e.code + e.message} className="error">
          {e.code}: {e.message}
        </p>
      ))}
    </dl>
  );
}

function defaultWindow(s: Summary): Window | null {
  const w = s.windows?.[0];
  if (w) return { center: w.center, width: w.width };
  const bits = s.image?.bitsStored;
  if (!bits) return null;
  const max = 2 ** bits;
  return s.image?.pixelRepresentation ? { center: 0, width: max } : { center: max / 2, width: max };
}

function presetsFor(s: Summary | null): { label: string; window: Window }[] {
  if (!s) return [];
  const out = (s.windows ?? []).map((w, i) => ({
    label: w.explanation || `Window ${i + 1}`,
    window: { center: w.center, width: w.width },
  }));
  const full = defaultWindow({ ...s, windows: [] });
  if (full) out.push({ label: 'Full range', window: full });
  return out;
}
