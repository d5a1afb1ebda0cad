// @vitest-environment jsdom
/** Settings: a bad model folder gives a sentence to act on; switching the language switches every string. */
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../../../../electron/contract';
import { SettingsScreen } from '../../../../../renderer/src/features/settings/SettingsScreen';
import { en } from '../../../../../renderer/src/i18n/en';
import { fr } from '../../../../../renderer/src/i18n/fr';
import { EMBEDDED, FakeFailure, fakeStudio, renderWith } from '../../support';

afterEach(cleanup);

const systemInfo = { version: 'test', libraryDir: '/lib', modelsFolder: '/models', providers: [{ name: 'cpu' as const, available: true }] };

describe('SettingsScreen', () => {
  it('shows why a model folder was refused, without a stack', async () => {
    const studio = fakeStudio({
      getSettings: async () => DEFAULT_SETTINGS,
      getSystemInfo: async () => systemInfo,
      listModels: async () => [EMBEDDED],
      addModelFolder: async (input) => {
        throw new FakeFailure({ code: 'MODEL_INVALID', message: `${input.path} is not a usable model folder: model_index.json: missing` });
      },
    });
    await studio.store.getState().loadSettings();
    await studio.store.getState().loadModels();
    renderWith(studio, <SettingsScreen />);
    fireEvent.change(screen.getByTestId('settings-model-folder'), { target: { value: '/tmp/nothing' } });
    fireEvent.click(screen.getByTestId('settings-model-folder-add'));
    const error = await screen.findByTestId('settings-model-folder-error');
    expect(error.dataset['code']).toBe('MODEL_INVALID');
    expect(error.textContent).toContain(en['error.MODEL_INVALID']);
    expect(error.textContent).toContain('/tmp/nothing is not a usable model folder');
  });

  it('saves the language and shows the screen in French', async () => {
    let saved: Settings = DEFAULT_SETTINGS;
    const studio = fakeStudio({
      getSettings: async () => saved,
      getSystemInfo: async () => systemInfo,
      updateSettings: async (input) => (saved = input),
    });
    await studio.store.getState().loadSettings();
    renderWith(studio, <SettingsScreen />);
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(en['settings.title']);
    fireEvent.change(screen.getByTestId('settings-language'), { target: { value: 'fr' } });
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe(fr['settings.title']));
    expect(saved.language).toBe('fr');
    expect(studio.store.getState().locale).toBe('fr');
  });
});
