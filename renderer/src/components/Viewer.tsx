/**
 * One image, as a radiologist expects to look at it: opened fitted (the whole
 * image in the viewport, whatever the window size, refitted when the window
 * changes), window/level by left-drag (horizontal = width, vertical = level),
 * zoom with the wheel about the pointer, pan with shift-drag or the middle
 * button, presets, frame scrolling, previous/next scan when opened from a
 * list, and the file's header beside it (collapsed when the viewer is narrow,
 * so that it never squeezes the image). Pixels are rendered by the main
 * process (scan://), so the window is applied to the real modality values,
 * MONOCHROME1 included.
 * Corner overlays as in PACS viewers: patient (name, ID) and study date top left, view and
 * series/instance top right, window/level bottom left, zoom and frame bottom right; the patient's
 * identifiers follow the "Hide identifiers" toggle.
 * "Use as example" adds the scan to the opened studies' example set (examples.tsx).
 * Optionally a phrase heatmap (grounding) on top: the model's patch grid,
 * coloured by how well each patch matches the phrase, placed where the model's
 * letterbox put it on the image, with an opacity control.
 */
import {
  type CSSProperties,
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type PointerEvent as ReactPointerEvent,
} from 'react';
import { getApi, type Response } from '../api';
import { viridis } from '../colormap';
import { UnitSlider } from './UnitSlider';
import { formatDicomDate, formatPersonName, scanText } from '../naming';
import { useScanNames } from '../scanNames';
import { ExampleToggle } from './Examples';
import { REVIEW_MARKS, useReviewerPresence, useReviewTarget, type ReviewMark } from '../reviewTarget';

type Heatmap = Response<'query.heatmap'>;
type DisplayWindow = Response<'studies.displayWindow'>;

interface Window {
  center: number;
  width: number;
}

/** The parts of `studies.fileInfo`'s summary (a free-form record in the contract) this view reads. */
interface Summary {
  transferSyntax?: { uid: string; name?: string; supported?: boolean };
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

interface Size {
  width: number;
  height: number;
}

/** Zoom 1 and no pan: the whole image fitted in the viewport. */
const FITTED = { zoom: 1, x: 0, y: 0 };

/**
 * What a viewer shows beyond its scan, kept by its owner across the viewer's unmounting (the Studies view's viewer
 * while another view is shown): window, frame, zoom and pan for the scan it was on, and the heatmap's phrase.
 */
export interface ViewerMemory {
  path: string;
  win: Window | null;
  frame: number;
  view: typeof FITTED;
  heatPhrase: string;
  heatOn: boolean;
  opacity: number;
}
/** Below this width the header panel starts collapsed: the image gets the room. */
const HEADER_MIN_VIEWER_WIDTH = 900;

/** Cosines with a real minus sign. */
const signed = (v: number) => v.toFixed(2).replace('-', '−');

/** Keys typed into these go to the field, not to the viewer (arrows move a caret or a slider). */
function isTyping(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}

/** The frame keys the viewer uses, on its frame slider too: the slider's own ↑ would go the other way. */
const FRAME_KEYS: Record<string, number> = { ArrowDown: 1, PageDown: 1, ArrowUp: -1, PageUp: -1 };

export function Viewer({
  path,
  phrase,
  onClose,
  list,
  at,
  stepping,
  stepError,
  onNavigate,
  prefetch,
  autoFocus,
  memory,
}: {
  path: string;
  phrase?: string;
  onClose?: () => void;
  /** The scans this one was opened from, in their order: ← / → and the arrow buttons step through them. */
  list?: readonly string[];
  /** The list's entry shown, when the list holds entries rather than files (PACS rows); else the path. */
  at?: string;
  /** The entry being opened after a step (a PACS row retrieved): steps and marks count from it meanwhile. */
  stepping?: string | null;
  /** The entry the last step could not open, and why. */
  stepError?: { entry: string; message: string } | null;
  /** Called with the list's entry to show next. */
  onNavigate?: (entry: string) => void;
  /** Asks for a list entry's image ahead of a step to it (App: prefetch.ts). */
  prefetch?: (entry: string) => void;
  /** Take the keyboard focus when opened (the overlay does). */
  autoFocus?: boolean;
  /** Where the viewer keeps what it shows, to show it again when mounted anew on the same scan. */
  memory?: { current: ViewerMemory | null };
}) {
  const api = getApi();
  const { hideIdentifiers, label: labelOf, hideText } = useScanNames();
  const label = labelOf(path);
  // What this viewer showed when it was last unmounted: restored for the same scan (window, frame, zoom and pan), and
  // the heatmap's phrase whatever the scan.
  const [kept] = useState(() => memory?.current ?? null);
  const keptHere = kept?.path === path ? kept : null;
  const [draftPhrase, setDraftPhrase] = useState(kept?.heatPhrase ?? phrase ?? '');
  const [heatPhrase, setHeatPhrase] = useState(kept?.heatPhrase ?? phrase ?? '');
  const [heatOn, setHeatOn] = useState(kept?.heatOn ?? !!phrase);
  const [opacity, setOpacity] = useState(kept?.opacity ?? 0.5);
  const [heat, setHeat] = useState<Heatmap | null>(null);
  const [heatError, setHeatError] = useState<string | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const phraseRef = useRef<HTMLInputElement | null>(null);
  const sectionRef = useRef<HTMLElement | null>(null);
  const viewportRef = useRef<HTMLDivElement | null>(null);
  const [summary, setSummary] = useState<Summary | null>(null);
  /** Why the file's header could not be read (studies.fileInfo refused or failed): said in the header panel. */
  const [headerError, setHeaderError] = useState<string | null>(null);
  /** The window the user chose; null: the file's own grey levels (its window, VOI LUT or value range). */
  const [win, setWin] = useState<Window | null>(keptHere?.win ?? null);
  /** `win` as last sent to the main process, for the scan it was chosen on (a step never takes it along). */
  const [shownWin, setShownWin] = useState<{ path: string; win: Window | null }>({ path, win: keptHere?.win ?? null });
  /** What the file's own grey levels are, for the frame shown (studies.displayWindow): the readout, a drag's start. */
  const [own, setOwn] = useState<{ path: string; frame: number; value: DisplayWindow } | null>(null);
  // The frame shown, for the scan it was chosen on: the first render after a step asks for frame 0 of the new
  // scan, not the frame the last one was at.
  const [frameOf, setFrameOf] = useState({ path, frame: keptHere?.frame ?? 0 });
  const frame = frameOf.path === path ? frameOf.frame : 0;
  const setFrame = useCallback(
    (f: number | ((current: number) => number)) =>
      setFrameOf((v) => {
        const current = v.path === path ? v.frame : 0;
        return { path, frame: typeof f === 'function' ? f(current) : f };
      }),
    [path],
  );
  const [view, setView] = useState(keptHere?.view ?? FITTED);
  /** The rendered frame's pixel size, once it has loaded. */
  const [natural, setNatural] = useState<Size | null>(null);
  const [viewport, setViewport] = useState<Size>({ width: 0, height: 0 });
  const [viewerWidth, setViewerWidth] = useState(0);
  /** The user's choice for the header panel; null: open when the viewer is wide enough. */
  const [headerChoice, setHeaderChoice] = useState<boolean | null>(null);
  const headerId = useId();
  const drag = useRef<{ mode: 'window' | 'pan'; x: number; y: number; win: Window | null; view: typeof view } | null>(
    null,
  );

  // The scan as it was shown when this viewer was mounted again on it; any other scan (a step) starts afresh.
  const mountedOn = useRef(keptHere);
  useEffect(() => {
    const restored = mountedOn.current?.path === path ? mountedOn.current : null;
    mountedOn.current = null;
    setSummary(null);
    setHeaderError(null);
    setWin(restored?.win ?? null);
    setFrameOf({ path, frame: restored?.frame ?? 0 }); // a scan stepped back to starts at its first frame too
    setView(restored?.view ?? FITTED);
    // `natural` stays: the previous frame is still drawn, at its own size, until the new one loads.
    let live = true;
    api.call('studies.fileInfo', { path }).then(
      (r) => {
        if (!live) return;
        setSummary(r.summary as Summary);
      },
      (e: Error) => live && setHeaderError(e.message),
    );
    return () => {
      live = false;
    };
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

  const heatTop = heat ? Math.max(...heat.values) : 0;
  // One canvas pixel per grid cell; the browser's smoothing interpolates when it is scaled up.
  const canvasShown = heatOn && !!heat && heatTop > 0;
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

  // The viewport's and the viewer's sizes: the fit follows every change (window resize, panel, toolbar wrap).
  useLayoutEffect(() => {
    const box = viewportRef.current;
    const section = sectionRef.current;
    if (!box || !section) return;
    const measure = () => {
      setViewport((old) =>
        old.width === box.clientWidth && old.height === box.clientHeight
          ? old
          : { width: box.clientWidth, height: box.clientHeight },
      );
      setViewerWidth(section.clientWidth);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(box);
    observer.observe(section);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (autoFocus) sectionRef.current?.focus({ preventScroll: true });
  }, [autoFocus]);

  useEffect(() => {
    if (memory) memory.current = { path, win, frame, view, heatPhrase, heatOn, opacity };
  }, [memory, path, win, frame, view, heatPhrase, heatOn, opacity]);

  // Re-render in the main process at most every 120 ms while dragging.
  useEffect(() => {
    const t = setTimeout(() => setShownWin({ path, win }), 120);
    return () => clearTimeout(t);
  }, [path, win]);

  // The wheel zooms about the pointer; a native listener, so that the page does not scroll as well.
  useEffect(() => {
    const box = viewportRef.current;
    if (!box) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const rect = box.getBoundingClientRect();
      const px = e.clientX - rect.left - rect.width / 2;
      const py = e.clientY - rect.top - rect.height / 2;
      setView((v) => {
        const zoom = Math.min(32, Math.max(0.1, v.zoom * (e.deltaY < 0 ? 1.15 : 1 / 1.15)));
        const k = zoom / v.zoom;
        return { zoom, x: px - (px - v.x) * k, y: py - (py - v.y) * k };
      });
    };
    box.addEventListener('wheel', onWheel, { passive: false });
    return () => box.removeEventListener('wheel', onWheel);
  }, []);

  const frames = summary?.image?.frames ?? 1;
  // Colour (RGB, YBR, palette) is shown as it is: no window to drag, read out or choose.
  const monochrome = !summary?.image || summary.image.photometric.startsWith('MONOCHROME');
  // Frames of a multi-frame file without a window of its own keep the first frame's value range as they are
  // scrolled (each frame's own range would make the grey levels jump); frame 0 itself keeps its own render.
  // (Read from frame 0's own render once it has loaded: asked earlier, it would be decoded a second time.)
  const [firstRange, setFirstRange] = useState<{ path: string; window: Window } | null>(null);
  const keptRange = frames > 1 && firstRange?.path === path ? firstRange.window : null;
  // Scrolled on before frame 0's own render was read (a held ↓): ask for it directly, one more decode.
  const askedFirst = useRef<string | null>(null);
  useEffect(() => {
    if (frames < 2 || frame === 0 || keptRange || askedFirst.current === path) return;
    askedFirst.current = path;
    api.call('studies.displayWindow', { path, frame: 0 }).then(
      (value) => value.voi === 'range' && value.window && setFirstRange({ path, window: value.window }),
      () => undefined,
    );
  }, [api, path, frames, frame, keptRange]);
  // Sent with the image request: the user's window (only for the scan it was chosen on, and not once reset),
  // else the first frame's range for the others; none for the file's own grey levels.
  const asked = win ? (shownWin.path === path ? shownWin.win : null) : frame > 0 ? keptRange : null;
  const query: Record<string, string | number> = { kind: 'display', frame };
  if (asked) Object.assign(query, { wc: asked.center.toFixed(3), ww: asked.width.toFixed(3) });
  const src = api.scanUrl(path, query);
  // The file's own grey levels as last read for this scan (any frame: the readout does not blink between them).
  const ownShown = own && own.path === path ? own.value : null;
  // Once the file's own rendering of this frame has loaded, ask what it was (answered from that render).
  const [loadedSrc, setLoadedSrc] = useState<string | null>(null);
  const ownLoaded = !asked && loadedSrc === src;
  useEffect(() => {
    if (!ownLoaded) return;
    let live = true;
    api.call('studies.displayWindow', { path, frame }).then(
      (value) => {
        // Frame 0's range stays this scan's even when the reader has scrolled on meanwhile (keyed by path).
        if (frame === 0 && value.voi === 'range' && value.window) setFirstRange({ path, window: value.window });
        if (live) setOwn({ path, frame, value });
      },
      () => undefined, // the readout stays empty; the image is shown all the same
    );
    return () => {
      live = false;
    };
  }, [api, path, frame, ownLoaded]);
  // An image that did not load: <img> cannot read the scan protocol's answer, so the reason is asked of the
  // main process (studies.displayWindow decodes the same frame and fails as the render did, or says the file is
  // gone or not in an opened folder). Kept by the image URL it was for: a step or a new window starts afresh.
  const [failed, setFailed] = useState<{ src: string; reason: string | null } | null>(null);
  const failedShown = failed?.src === src ? failed : null;
  const failedSrc = failedShown ? src : null;
  useEffect(() => {
    if (!failedSrc) return;
    let live = true;
    const because = (reason: string) => live && setFailed((f) => (f?.src === failedSrc ? { ...f, reason } : f));
    api.call('studies.displayWindow', { path, frame }).then(
      // It decoded this time: the render failed for a reason that has passed (or is not the decoder's).
      () => because('the reason is not known (the frame decodes when asked again)'),
      (e: Error) => because(e.message),
    );
    return () => {
      live = false;
    };
  }, [api, path, frame, failedSrc]);
  /** The window in effect: the user's, else the first frame's range on the others, else the file's own. */
  const effective = monochrome ? (win ?? (frame > 0 ? keptRange : null) ?? ownShown?.window ?? null) : null;

  // Counted from the entry being opened, if any (a second → while one retrieves goes one further), else from
  // one that could not be opened (→ goes on past it).
  const position = stepping ?? stepError?.entry ?? at ?? path;
  const index = list ? list.indexOf(position) : -1;
  // Once this scan is on screen, the next one of the list is asked for, so that a step to it shows it at once.
  const shownLoaded = loadedSrc === src;
  const ahead = !stepping && index >= 0 ? list?.[index + 1] : undefined;
  // Once per entry: a window dragged or a frame scrolled loads this scan's image again, not the next one.
  const askedAhead = useRef<string | null>(null);
  useEffect(() => {
    if (!shownLoaded || !ahead || askedAhead.current === ahead) return;
    askedAhead.current = ahead;
    prefetch?.(ahead);
  }, [shownLoaded, ahead, prefetch]);
  const neighbour = (step: number): string | null => (index < 0 ? null : (list?.[index + step] ?? null));
  const go = useCallback(
    (step: number) => {
      const next = index < 0 ? undefined : list?.[index + step];
      if (!next || !onNavigate) return;
      // The review buttons go while a step retrieves: the focus must not go with them (out of the dialog).
      if (document.activeElement?.closest('.viewer-review')) sectionRef.current?.focus();
      onNavigate(next);
    },
    [index, list, onNavigate],
  );
  // Opened from screening results: the scan can be reviewed here (reviewTarget), Y / N marking it and stepping on.
  const reviewTarget = useReviewTarget();
  useReviewerPresence();
  // While a step retrieves the next scan (or after one failed), the scan shown is not the list's position: no
  // marks meanwhile.
  const reviewMark = position !== (at ?? path) ? undefined : reviewTarget?.markOf(path);
  // A refused mark, by the scan it was on: named when shown, so "Hide identifiers" applies to it too.
  const [reviewError, setReviewError] = useState<{ path: string; message: string } | null>(null);
  // What a key's mark did, for screen readers (no identifiers: the scan shown says which).
  const [reviewSaid, setReviewSaid] = useState('');
  /** A button's mark (null: the one pressed again, cleared). */
  const markScan = useCallback(
    (mark: ReviewMark | null) => {
      if (!reviewTarget) return;
      setReviewError(null);
      reviewTarget.mark(path, mark).catch((e: Error) => setReviewError({ path, message: e.message }));
    },
    [reviewTarget, path],
  );
  /** Y / N: the mark, then the next scan. */
  const markAndStep = useCallback(
    (mark: ReviewMark) => {
      markScan(mark);
      const label = REVIEW_MARKS.find((m) => m.mark === mark)!.label;
      setReviewSaid(`${label}: marked${index >= 0 && list && index + 1 < list.length ? ', next scan' : ''}`);
      go(1);
    },
    [markScan, go, index, list],
  );
  const reviewErrorName = (p: string) => scanText(labelOf(p), hideIdentifiers) || hideText(p, labelOf(p));
  const fit = () => setView(FITTED);
  const reset = useCallback(() => {
    setView(FITTED);
    setWin(null);
  }, []);

  const askForPhrase = () => phraseRef.current?.focus();
  const showHeatmap = (on: boolean) => {
    setHeatOn(on);
    const typed = draftPhrase.trim();
    if (!on) return;
    if (typed) setHeatPhrase(typed);
    else askForPhrase();
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      // A dialog above the viewer (shortcuts, About) takes its own keys, focused or not (a click on its text
      // leaves the focus on the page).
      if ((e.target instanceof Element && e.target.closest('.dialog')) || document.querySelector('.dialog')) return;
      if (e.key === 'Escape') {
        // From anywhere, a text field inside the viewer included.
        if (onClose) {
          e.preventDefault();
          onClose();
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      // Zoom and pan from the keyboard too, not only by wheel and Shift-drag: + / − about the centre, as the wheel
      // zooms about the pointer; Shift + arrows move the image a tenth of the viewport, as a Shift-drag would.
      const zoomBy = (f: number) =>
        setView((v) => {
          const zoom = Math.min(32, Math.max(0.1, v.zoom * f));
          const k = zoom / v.zoom;
          return { zoom, x: v.x * k, y: v.y * k };
        });
      const panBy = (dx: number, dy: number) =>
        setView((v) => ({ ...v, x: v.x + (dx * viewport.width) / 10, y: v.y + (dy * viewport.height) / 10 }));
      const pans: Record<string, [number, number]> = {
        ArrowLeft: [-1, 0],
        ArrowRight: [1, 0],
        ArrowUp: [0, -1],
        ArrowDown: [0, 1],
      };
      const pan = e.shiftKey ? pans[e.key] : undefined;
      if (pan) {
        e.preventDefault();
        return panBy(...pan);
      }
      const actions: Record<string, () => void> = {
        '+': () => zoomBy(1.25),
        '=': () => zoomBy(1.25),
        '-': () => zoomBy(1 / 1.25),
        ArrowLeft: () => go(-1),
        ArrowRight: () => go(1),
        ArrowDown: () => setFrame((f) => Math.min(frames - 1, f + 1)),
        PageDown: () => setFrame((f) => Math.min(frames - 1, f + 1)),
        ArrowUp: () => setFrame((f) => Math.max(0, f - 1)),
        PageUp: () => setFrame((f) => Math.max(0, f - 1)),
        f: () => setView(FITTED),
        r: reset,
      };
      // Y / N: once per press (a held key would mark a run of scans), either case.
      if (reviewMark !== undefined && reviewMark !== 'example' && !e.repeat)
        for (const { mark, key } of REVIEW_MARKS) actions[key] = actions[key.toUpperCase()] = () => markAndStep(mark);
      const action = actions[e.key];
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [frames, go, onClose, reset, reviewMark, markAndStep, setFrame, viewport]);

  const onPointerDown = (e: ReactPointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    // A window drag starts from the one shown: the user's, the file's own, else the full range of its bits.
    const from = monochrome ? (effective ?? (summary ? fullRange(summary) : null)) : null;
    drag.current = {
      mode: e.shiftKey || e.button === 1 ? 'pan' : 'window',
      x: e.clientX,
      y: e.clientY,
      win: from,
      view,
    };
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

  // The image's own size: the decoded frame once loaded, the header's matrix until then.
  const size = natural ?? (summary?.image ? { width: summary.image.columns, height: summary.image.rows } : null);
  const stage = stageStyle(size, viewport, view);
  const headerOpen = headerChoice ?? viewerWidth >= HEADER_MIN_VIEWER_WIDTH;
  const shown = hideText(path, label);
  const fileName = shown.split(/[\\/]/).pop();
  const scale = stageScale(size, viewport) * view.zoom;
  const seriesInstance =
    label && (label.seriesNumber !== undefined || label.instanceNumber !== undefined)
      ? `S${label.seriesNumber ?? '?'} / I${label.instanceNumber ?? '?'}`
      : '';
  const presets = monochrome ? presetsFor(summary) : [];
  return (
    <section className="viewer" aria-label="Image viewer" ref={sectionRef} tabIndex={-1}>
      <div className="viewer-toolbar">
        {list && list.length > 1 && index >= 0 && (
          <span className="viewer-nav">
            <button
              type="button"
              onClick={() => go(-1)}
              disabled={!neighbour(-1)}
              aria-label="Previous scan"
              title="Previous scan (←)"
            >
              ◀
            </button>
            <span className="muted" data-testid="viewer-position">
              {index + 1} of {list.length}
            </span>
            <button
              type="button"
              onClick={() => go(1)}
              disabled={!neighbour(1)}
              aria-label="Next scan"
              title="Next scan (→)"
            >
              ▶
            </button>
          </span>
        )}
        <span className="path" title={shown} data-path={path} data-testid="viewer-path">
          {shown.split(/[\\/]/).slice(-2).join('/')}
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
        <button type="button" onClick={fit} title="Fit the whole image in the view (f)">
          Fit
        </button>
        <button type="button" onClick={reset} title="Reset: fit the image and restore the file's own window (r)">
          Reset
        </button>
        {frames > 1 && (
          <label className="frame-slider">
            Frame {frame + 1} of {frames}
            <input
              type="range"
              min={0}
              max={frames - 1}
              value={frame}
              aria-label="Frame"
              onChange={(e) => setFrame(Number(e.target.value))}
              // ↓ / Page Down the next frame and ↑ / Page Up the previous, as everywhere in the viewer (a range's
              // own ↑ is "more", the next frame); ← / → stay the range's, along its axis.
              onKeyDown={(e) => {
                const step = FRAME_KEYS[e.key];
                if (step === undefined) return;
                e.preventDefault();
                setFrame((f) => Math.min(frames - 1, Math.max(0, f + step)));
              }}
            />
          </label>
        )}
        <form
          className="heatmap-controls"
          onSubmit={(e) => {
            e.preventDefault();
            showHeatmap(true);
          }}
        >
          <label>
            <input
              type="checkbox"
              checked={heatOn}
              onChange={(e) => showHeatmap(e.target.checked)}
              aria-label="Show phrase heatmap"
            />{' '}
            Heatmap
          </label>
          <input
            ref={phraseRef}
            type="text"
            value={draftPhrase}
            placeholder="e.g. pleural effusion"
            aria-label="Heatmap phrase"
            title="A report phrase, e.g. pleural effusion; Enter shows where it matches"
            onChange={(e) => setDraftPhrase(e.target.value)}
          />
          {/* A visible word beside the slider: a bare range said nothing of what it changes. Its accessible name
              ("Heatmap opacity") holds the word shown, as a voice-control user would say it. */}
          <label className="heatmap-opacity" title="Heatmap opacity">
            Opacity <UnitSlider value={opacity} label="Heatmap opacity" onChange={setOpacity} />
          </label>
        </form>
        <span className="viewer-toolbar-end">
          {reviewMark === 'example' && (
            <span
              className="muted"
              data-testid="viewer-review-example"
              title="One of the screening job's example scans"
            >
              example
            </span>
          )}
          {reviewMark !== undefined && reviewMark !== 'example' && (
            <span className="viewer-review" role="group" aria-label="Review this result">
              {REVIEW_MARKS.map(({ mark, label, key, title }) => (
                <button
                  key={mark}
                  type="button"
                  aria-pressed={reviewMark === mark}
                  data-testid={`viewer-review-${mark}`}
                  title={`${title}. ${key.toUpperCase()}: mark it and go to the next scan`}
                  onClick={() => markScan(reviewMark === mark ? null : mark)}
                >
                  {label}
                </button>
              ))}
            </span>
          )}
          <ExampleToggle key={path} path={path} />
          <button
            type="button"
            aria-expanded={headerOpen}
            aria-controls={headerId}
            onClick={() => setHeaderChoice(!headerOpen)}
            title={headerOpen ? 'Hide the file header' : 'Show the file header'}
          >
            Header {headerOpen ? '▸' : '◂'}
          </button>
          {onClose && (
            <button type="button" onClick={onClose} aria-label="Close viewer" title="Close (Esc)">
              ✕
            </button>
          )}
        </span>
      </div>
      {failedShown && (
        <p className="error" role="alert" data-testid="viewer-image-error">
          This image could not be rendered{failedShown.reason ? `: ${failedShown.reason}` : '.'}
        </p>
      )}
      {stepping && (
        <p className="muted" role="status" data-testid="viewer-stepping">
          Opening scan {index + 1} of {list?.length ?? 0} (retrieved from the archive when it is not cached)…
        </p>
      )}
      {stepError && (
        <p className="error" role="alert" data-testid="viewer-step-error">
          Scan {index + 1} of {list?.length ?? 0} could not be opened: {stepError.message}. The scan shown is the one
          before it; ← / → go on from scan {index + 1}.
        </p>
      )}
      {reviewError && (
        <p className="error" role="alert" data-testid="viewer-review-error">
          The mark on {reviewErrorName(reviewError.path)} was not kept: {reviewError.message}
        </p>
      )}
      <span className="visually-hidden" role="status" data-testid="viewer-review-said">
        {reviewSaid}
      </span>
      {heatOn && !heatPhrase.trim() && (
        <p className="hint" role="status" data-testid="heatmap-hint">
          Type a report phrase in the box beside Heatmap (e.g. “pleural effusion”) and press Enter: the map shows where
          on this scan the model finds it.
        </p>
      )}
      {heatOn && heatPhrase.trim() && !heat && !heatError && (
        <p className="muted" role="status" data-testid="heatmap-busy">
          Computing where “{heatPhrase.trim()}” matches on this scan…
        </p>
      )}
      {heatOn && heatError && (
        <p className="error" role="alert">
          Heatmap: {heatError}
        </p>
      )}
      {heatOn && heat && (
        <p className="muted heatmap-legend" data-testid="heatmap-legend">
          {heatTop > 0 ? (
            <>
              Where the model matches “{heat.phrase}”: brighter = stronger (cosine up to {signed(heatTop)});{' '}
              {heat.grid[0]}×{heat.grid[1]} patches.
            </>
          ) : (
            <>
              “{heat.phrase}” matches nowhere on this scan (highest cosine {signed(heatTop)}), so nothing is coloured.
            </>
          )}{' '}
          A model's attention, not a segmentation — research use only.
        </p>
      )}
      <div className="viewer-body">
        <div
          className="viewport"
          ref={viewportRef}
          data-testid="viewport"
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => (drag.current = null)}
          title="Drag: window/level · Shift-drag: pan · Wheel: zoom · f: fit · r: reset window and fit"
        >
          <div className="viewer-stage" style={stage}>
            <img
              src={src}
              alt={`Frame ${frame + 1} of ${fileName}`}
              draggable={false}
              onError={(e) => {
                const failedAt = e.currentTarget.getAttribute('src');
                if (failedAt) setFailed((f) => (f?.src === failedAt ? f : { src: failedAt, reason: null }));
              }}
              onLoad={(e) => {
                const img = e.currentTarget;
                setFailed(null);
                setLoadedSrc(img.getAttribute('src'));
                setNatural((old) =>
                  old && old.width === img.naturalWidth && old.height === img.naturalHeight
                    ? old
                    : { width: img.naturalWidth, height: img.naturalHeight },
                );
              }}
              className="viewer-image"
              data-testid="viewer-image"
            />
            {canvasShown && (
              <canvas
                ref={canvasRef}
                className="heatmap"
                data-testid="heatmap"
                aria-label={`Heatmap of “${heat.phrase}”`}
                style={heatmapStyle(heat.box, opacity)}
              />
            )}
          </div>
          <div className="corner top-left" data-testid="corner-patient">
            {!hideIdentifiers && label?.patientName && <div>{formatPersonName(label.patientName)}</div>}
            {!hideIdentifiers && label?.patientId && <div>{label.patientId}</div>}
            {!hideIdentifiers && label?.accession && <div>Acc {label.accession}</div>}
            {label?.studyDate && <div>{formatDicomDate(label.studyDate)}</div>}
          </div>
          <div className="corner top-right" data-testid="corner-image">
            {label?.viewPosition && <div>{label.viewPosition}</div>}
            {seriesInstance && <div>{seriesInstance}</div>}
          </div>
          <div className="corner bottom-left">
            {!win && ownShown?.voi === 'voi-lut' ? (
              <div data-testid="window-readout" title="The file's VOI LUT; drag to set a window">
                VOI LUT
              </div>
            ) : (
              effective && (
                <div data-testid="window-readout">
                  W {Math.round(effective.width)} · L {Math.round(effective.center)}
                </div>
              )
            )}
          </div>
          <div className="corner bottom-right" data-testid="corner-zoom">
            {/* Only over an image: not before the first one has loaded, nor when this one could not be rendered. */}
            {scale > 0 && natural && !failedShown && <div>Zoom {Math.round(scale * 100)}%</div>}
            <div>
              Frame {frame + 1} of {frames}
            </div>
          </div>
        </div>
        {headerOpen && (
          <aside className="metadata" id={headerId} aria-label="Image header">
            {summary ? (
              <Metadata summary={summary} />
            ) : headerError ? (
              <p className="error" data-testid="viewer-header-error">
                Header could not be read: {headerError}
              </p>
            ) : (
              <p className="muted">Reading header…</p>
            )}
          </aside>
        )}
      </div>
    </section>
  );
}

/**
 * Where the image is drawn: scaled to fit the viewport whole (up or down), centred, then moved
 * by the user's pan and zoom about its centre. The stage clips what it holds to the image.
 */
function stageStyle(size: Size | null, viewport: Size, view: typeof FITTED): CSSProperties {
  const scale = stageScale(size, viewport);
  if (!size || !scale) return { visibility: 'hidden', left: 0, top: 0, width: viewport.width, height: viewport.height };
  const width = size.width * scale;
  const height = size.height * scale;
  return {
    left: (viewport.width - width) / 2,
    top: (viewport.height - height) / 2,
    width,
    height,
    transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`,
  };
}

/** Screen pixels per image pixel when fitted (zoom 1); 0 before the image's size is known. */
function stageScale(size: Size | null, viewport: Size): number {
  if (!size || !size.width || !size.height || !viewport.width || !viewport.height) return 0;
  return Math.min(viewport.width / size.width, viewport.height / size.height);
}

/**
 * The canvas covers the grid's box over the image (fractions of the image's size); the stage
 * moves it with the image and clips it to the image, so letterbox padding is not drawn.
 */
function heatmapStyle(box: Heatmap['box'], opacity: number): CSSProperties {
  const pct = (v: number) => `${(v * 100).toFixed(4)}%`;
  return { left: pct(box.x), top: pct(box.y), width: pct(box.width), height: pct(box.height), opacity };
}

function Metadata({ summary }: { summary: Summary }) {
  const img = summary.image;
  const rows: [string, string][] = [
    ['Modality', summary.modality ?? '—'],
    [
      'Transfer syntax',
      `${summary.transferSyntax?.name ?? summary.transferSyntax?.uid ?? '—'}${
        summary.transferSyntax?.supported === false ? ' (not supported: no decoder)' : ''
      }`,
    ],
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

/** The whole range of the stored bits: a preset, and where a drag starts before anything else is known. */
function fullRange(s: Summary): Window | null {
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
  const full = fullRange(s);
  if (full) out.push({ label: 'Full range', window: full });
  return out;
}
