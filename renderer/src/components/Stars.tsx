import { useT } from '../store/react';

/** A 0–5 rating; choosing the current rating again clears it. */
export function Stars({ value, onChange, testId }: { value: number; onChange: (rating: number) => void; testId?: string }) {
  const t = useT();
  return (
    <div className="stars" role="radiogroup" aria-label={t('viewer.rating')} data-testid={testId} data-rating={value}>
      {[1, 2, 3, 4, 5].map((n) => (
        <button
          key={n}
          type="button"
          role="radio"
          aria-checked={value === n}
          aria-label={t('viewer.stars', { count: n })}
          className={n <= value ? 'star on' : 'star'}
          onClick={() => onChange(value === n ? 0 : n)}
        >
          ★
        </button>
      ))}
    </div>
  );
}
