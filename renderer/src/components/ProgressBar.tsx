/** A thin progress bar; `value` of `max` (indeterminate when max is 0). */
export function ProgressBar({ value, max, label, testId }: { value: number; max: number; label: string; testId?: string }) {
  const known = max > 0;
  return (
    <div
      className={known ? 'progress' : 'progress indeterminate'}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? max : undefined}
      aria-valuenow={known ? value : undefined}
      data-testid={testId}
    >
      <div className="progress-fill" style={known ? { width: `${Math.min(100, (100 * value) / max)}%` } : undefined} />
    </div>
  );
}
