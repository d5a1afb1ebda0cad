import type { StudioError } from '../../../electron/contract';
import { describeError } from '../errors';
import { useT } from '../store/react';

/** An error in place (under a field, in a panel): the sentence, and main's specific message where it helps. */
export function ErrorText({ error, testId }: { error: StudioError; testId?: string }) {
  const t = useT();
  const { sentence, detail } = describeError(t, error);
  return (
    <div className="error-text" role="alert" data-testid={testId} data-code={error.code}>
      <strong>{sentence}</strong>
      {detail !== null && <span className="error-detail">{detail}</span>}
    </div>
  );
}
