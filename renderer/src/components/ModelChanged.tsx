/**
 * Why a view's result is gone after another model was loaded (its scores were the previous model's), with the one
 * click that runs the same phrases, examples or columns again with the new model.
 */
export function ModelChanged({
  model,
  action,
  disabled,
  onRun,
}: {
  /** The model now loaded, as the status bar names it. */
  model: string;
  /** What the button does: "Search again", "Compute again". */
  action: string;
  disabled: boolean;
  onRun: () => void;
}) {
  return (
    <p className="notice model-changed" role="status">
      The last result was the previous model’s: {model} is loaded now.{' '}
      <button type="button" disabled={disabled} onClick={onRun}>
        {action}
      </button>
    </p>
  );
}
