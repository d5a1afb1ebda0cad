// @vitest-environment jsdom
/**
 * The companion picker in Generate: the companions (and main's cache when offline), the template shown and
 * edited with the prompt it makes, saving it or going back to the default, and the companion id carried by
 * the submitted job. The template's rules are the contract's (test/unit/electron/contract/companion-template.test.ts).
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Companion, StudioHandlers } from '../../../../electron/contract';
import { CompanionPicker } from '../../../../renderer/src/features/companions/CompanionPicker';
import { EMBEDDED, FakeFailure, fakeStudio, renderWith } from '../support';

afterEach(cleanup);

const DEFAULT_TEMPLATE = '{prompt}, {companion.traits}';
const AURORA: Companion = {
  id: 'cmp_aurora01',
  name: 'Aurora',
  description: 'A cartographer of northern skies who sketches what she sees.',
  traits: [
    { key: 'hair', label: 'Hair', value: 'long silver hair' },
    { key: 'eyes', label: 'Eyes', value: ' pale green eyes ' },
  ],
  updatedAt: '2026-11-01T00:00:00Z',
};

function companionStudio(handlers: Partial<StudioHandlers> = {}) {
  let template = DEFAULT_TEMPLATE;
  return fakeStudio({
    listModels: async () => [EMBEDDED],
    listCompanions: async () => ({ items: [AURORA], fetchedAt: 1, offline: false }),
    getCompanionTemplate: async () => ({ template, defaultTemplate: DEFAULT_TEMPLATE }),
    setCompanionTemplate: async (input) => {
      if (input.template !== null && !input.template.includes('{prompt}')) throw new FakeFailure({ code: 'INVALID_INPUT', message: 'The template must contain {prompt}.' });
      template = input.template ?? DEFAULT_TEMPLATE;
      return { template, defaultTemplate: DEFAULT_TEMPLATE };
    },
    submitGeneration: async () => ({ jobIds: [1] }),
    ...handlers,
  });
}

const preview = () => screen.getByTestId('companion-prompt-preview').textContent;

describe('CompanionPicker', () => {
  it('shows the chosen companion’s traits, the template and the prompt it makes, and submits the companion with the job', async () => {
    const studio = companionStudio();
    await studio.store.getState().loadModels();
    studio.store.getState().setForm({ prompt: 'a lighthouse at dusk ' });
    renderWith(studio, <CompanionPicker />);
    const select = screen.getByTestId('companion-select') as HTMLSelectElement;
    await waitFor(() => expect([...select.options].map((o) => o.text)).toEqual(['None', 'Aurora']));
    expect(screen.queryByTestId('companion-details')).toBeNull();

    fireEvent.change(select, { target: { value: AURORA.id } });
    expect(within(screen.getByTestId('companion-traits')).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['long silver hair', ' pale green eyes ']);
    expect((screen.getByTestId('companion-template') as HTMLTextAreaElement).value).toBe(DEFAULT_TEMPLATE);
    expect(preview()).toBe('a lighthouse at dusk, long silver hair, pale green eyes');

    expect(await studio.store.getState().submit()).toBe(true);
    expect(studio.calls.find((c) => c.name === 'submitGeneration')?.input).toMatchObject({ prompt: 'a lighthouse at dusk ', companionId: AURORA.id });

    fireEvent.change(select, { target: { value: '' } });
    await studio.store.getState().submit();
    expect(studio.calls.filter((c) => c.name === 'submitGeneration').at(-1)?.input).not.toHaveProperty('companionId');
  });

  it('edits the template with the prompt following, refuses one without {prompt}, saves it and goes back to the default', async () => {
    const studio = companionStudio();
    studio.store.getState().setForm({ prompt: 'a lighthouse' });
    studio.store.getState().chooseCompanion(AURORA.id);
    renderWith(studio, <CompanionPicker />);
    const editor = (await screen.findByTestId('companion-template')) as HTMLTextAreaElement;
    const save = screen.getByTestId('companion-template-save') as HTMLButtonElement;
    const reset = screen.getByTestId('companion-template-reset') as HTMLButtonElement;
    expect([save.disabled, reset.disabled]).toEqual([true, true]);

    fireEvent.change(editor, { target: { value: '{companion.name} with {companion.trait.hair}: {prompt}' } });
    expect(preview()).toBe('Aurora with long silver hair: a lighthouse');
    expect(save.disabled).toBe(false);
    expect(screen.getByText('Not saved: generations use the saved template.')).toBeTruthy();

    fireEvent.change(editor, { target: { value: '{companion.traits} {mood}' } });
    expect(screen.getByText('The template must contain {prompt}.')).toBeTruthy();
    expect(screen.getByText('Unknown placeholders: {mood}')).toBeTruthy();
    expect(preview()).toBe('—');
    expect(save.disabled).toBe(true);

    fireEvent.change(editor, { target: { value: '{prompt}, portrait of {companion.name}' } });
    fireEvent.click(save);
    await waitFor(() => expect(save.disabled).toBe(true));
    expect(studio.store.getState().companionTemplate?.template).toBe('{prompt}, portrait of {companion.name}');
    expect(reset.disabled).toBe(false);
    fireEvent.click(reset);
    await waitFor(() => expect(editor.value).toBe(DEFAULT_TEMPLATE));
    expect(studio.calls.filter((c) => c.name === 'setCompanionTemplate').map((c) => c.input)).toEqual([{ template: '{prompt}, portrait of {companion.name}' }, { template: null }]);
  });

  it('shows main’s refusal of a template beside the editor', async () => {
    const studio = companionStudio({
      setCompanionTemplate: async () => {
        throw new FakeFailure({ code: 'INVALID_INPUT', message: 'The template is longer than 2000 characters.' });
      },
    });
    studio.store.getState().chooseCompanion(AURORA.id);
    renderWith(studio, <CompanionPicker />);
    fireEvent.change(await screen.findByTestId('companion-template'), { target: { value: '{prompt}!' } });
    fireEvent.click(screen.getByTestId('companion-template-save'));
    const error = await screen.findByTestId('companion-template-error');
    expect(error.textContent).toBe('Some values are not accepted; correct them and try again.The template is longer than 2000 characters.');
  });

  it('says where the list comes from when the platform cannot be asked, and drops a companion it no longer has', async () => {
    const studio = companionStudio({ listCompanions: async () => ({ items: [], fetchedAt: null, offline: true }) });
    studio.store.getState().chooseCompanion(AURORA.id);
    renderWith(studio, <CompanionPicker />);
    expect(await screen.findByText('Sign in (Account tab) to load the platform’s companions.')).toBeTruthy();
    expect(studio.store.getState().companionId).toBeNull();
    cleanup();

    const cached = companionStudio({ listCompanions: async () => ({ items: [AURORA], fetchedAt: 1, offline: true }) });
    renderWith(cached, <CompanionPicker />);
    expect(await screen.findByText('The platform cannot be reached: these companions are from the last time it could.')).toBeTruthy();
  });
});
