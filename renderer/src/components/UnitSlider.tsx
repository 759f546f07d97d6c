/** A 0–1 slider in steps of 0.05 (thresholds, opacity); `onCommit` fires when the user lets go. */
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
  return (
    <input
      type="range"
      min={0}
      max={1}
      step={0.05}
      value={value}
      aria-label={label}
      onChange={(e) => onChange(Number(e.target.value))}
      onMouseUp={onCommit}
      onKeyUp={onCommit}
    />
  );
}
