// @vitest-environment jsdom
/** The Generate screen as a user drives it: type, see the token count, generate, see the job in the queue. */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GenerateScreen } from '../../../../../renderer/src/features/generate/GenerateScreen';
import { bindEvents } from '../../../../../renderer/src/store/events';
import { EMBEDDED, fakeStudio, job, renderWith } from '../../support';

afterEach(cleanup);

describe('GenerateScreen', () => {
  it('counts tokens while typing, submits the form, and shows the queued job with its progress', async () => {
    const studio = fakeStudio({
      listModels: async () => [EMBEDDED],
      tokenize: async (input) => ({ tokenCount: input.text.split(/\s+/).length + 2, maxTokens: 32, truncated: 0 }),
      submitGeneration: async () => ({ jobIds: [1] }),
    });
    bindEvents(studio.store, studio.host);
    await studio.store.getState().loadModels();
    renderWith(studio, <GenerateScreen />);

    expect(screen.getByTestId<HTMLButtonElement>('generate-button').disabled).toBe(true);
    fireEvent.change(screen.getByTestId('prompt-editor'), { target: { value: 'a large red circle' } });
    await waitFor(() => expect(screen.getByTestId('prompt-editor-tokens').textContent).toBe('6 / 32 tokens'));
    fireEvent.change(screen.getByTestId('steps-input'), { target: { value: '8' } });
    fireEvent.click(screen.getByTestId('seed-lock'));
    fireEvent.change(screen.getByTestId('seed-input'), { target: { value: '77' } });
    fireEvent.click(screen.getByTestId('generate-button'));
    await waitFor(() => expect(studio.calls.some((c) => c.name === 'submitGeneration')).toBe(true));
    expect(studio.calls.find((c) => c.name === 'submitGeneration')?.input).toMatchObject({ prompt: 'a large red circle', steps: 8, seed: 77, width: 64, height: 64 });

    act(() => {
      studio.emit('job.queued', { job: job(1) });
      studio.emit('job.started', { job: job(1, { status: 'running' }) });
      studio.emit('job.progress', { jobId: 1, step: 2, totalSteps: 8, previews: [{ width: 8, height: 8, dataUrl: 'data:image/png;base64,AAAA' }] });
    });
    const item = screen.getByTestId('queue-item');
    expect(item.dataset['status']).toBe('running');
    expect(screen.getByTestId('job-progress').getAttribute('aria-valuenow')).toBe('2');
    expect(screen.getByTestId<HTMLImageElement>('job-preview').src).toBe('data:image/png;base64,AAAA');
  });

  it('marks a prompt longer than the model reads', async () => {
    const studio = fakeStudio({ listModels: async () => [EMBEDDED], tokenize: async () => ({ tokenCount: 40, maxTokens: 32, truncated: 8 }) });
    await studio.store.getState().loadModels();
    renderWith(studio, <GenerateScreen />);
    fireEvent.change(screen.getByTestId('prompt-editor'), { target: { value: 'many words' } });
    await waitFor(() => expect(screen.getByTestId('prompt-editor-tokens').textContent).toBe('40 / 32 tokens — the last 8 will be ignored'));
    expect(screen.getByTestId('prompt-editor-tokens').className).toContain('over');
  });
});
