import { useId } from 'react';
import { SAMPLERS } from '../../../electron/contract';
import { useT } from '../store/react';

type Sampler = (typeof SAMPLERS)[number];

interface SamplerSelectProps {
  readonly label: string;
  readonly value: Sampler | null;
  /** With a label here, a first choice that means "none" (null): "any" in a filter, "the model's" in defaults. */
  readonly emptyLabel?: string;
  readonly onChange: (sampler: Sampler | null) => void;
  readonly testId?: string;
}

/** The samplers the engine knows, by their names in the interface's language. */
export function SamplerSelect({ label, value, emptyLabel, onChange, testId }: SamplerSelectProps) {
  const id = useId();
  const t = useT();
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <select id={id} data-testid={testId} value={value ?? ''} onChange={(e) => onChange(SAMPLERS.find((s) => s === e.target.value) ?? null)}>
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {SAMPLERS.map((s) => (
          <option key={s} value={s}>
            {t(`sampler.${s}`)}
          </option>
        ))}
      </select>
    </label>
  );
}
