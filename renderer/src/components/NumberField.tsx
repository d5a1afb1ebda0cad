import { useEffect, useId, useState } from 'react';

interface NumberFieldProps {
  readonly label: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step?: number;
  /** Whole numbers only (the default). */
  readonly integer?: boolean;
  readonly onChange: (value: number) => void;
  readonly testId?: string;
  readonly disabled?: boolean;
}

/**
 * A number input that lets the text be briefly invalid while typing (empty, "1.") and passes on only numbers
 * within its bounds; leaving the field shows the last good value again.
 */
export function NumberField({ label, value, min, max, step = 1, integer = true, onChange, testId, disabled = false }: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const valid = (n: number) => Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n));
  return (
    <label className="field" htmlFor={id}>
      <span className="field-label">{label}</span>
      <input
        id={id}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step}
        value={text}
        disabled={disabled}
        data-testid={testId}
        aria-invalid={!valid(Number(text))}
        onChange={(event) => {
          setText(event.target.value);
          const n = Number(event.target.value);
          if (event.target.value.trim() !== '' && valid(n)) onChange(n);
        }}
        onBlur={() => setText(String(value))}
      />
    </label>
  );
}
