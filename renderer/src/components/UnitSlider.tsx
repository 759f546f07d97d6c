import { useRef } from 'react';

/**
 * A 0–1 slider in steps of 0.05 (thresholds, opacity); `onCommit` fires when the user lets go of a value other
 * than the one last committed: a key that moves nothing (Tab onto it, Shift) or a click on the thumb commits nothing.
 */
export function UnitSlider({
  value,
  label,
  onChange,
  onCommit,
}: {
  value: number;
  label: string;
  onChange: (value: number) => void;
  onCommit?: () => void;
}) {
  const committed = useRef(value);
  const commit = () => {
    if (value === committed.current) return;
    committed.current = value;
    onCommit?.();
  };
  return (
    <input
      type="range"
      min={0}
      max={1}
      step={0.05}
      value={value}
      aria-label={label}
      onChange={(e) => onChange(Number(e.target.value))}
      onPointerUp={commit}
      onKeyUp={commit}
    />
  );
}
