/** Where the embedded model is found (electron/core/models.ts): the checkout, the Electron bundle, a packaged app. */
import { describe, expect, it } from 'vitest';
import { EMBEDDED_MODEL, embeddedModelPath } from '../../../../electron/core/models';
import { EMBEDDED_MODEL as CHECKOUT_MODEL } from '../../../support/paths';

describe('embeddedModelPath', () => {
  it('is resources/models/studio-shapes of the checkout from the source and from the bundle in out/main', () => {
    expect(EMBEDDED_MODEL).toBe(CHECKOUT_MODEL);
    expect(embeddedModelPath('file:///repo/electron/core/models.ts')).toBe('/repo/resources/models/studio-shapes');
    expect(embeddedModelPath('file:///repo/out/main/index.mjs')).toBe('/repo/resources/models/studio-shapes');
  });

  it('is beside app.asar in a packaged app, where extraResources puts it', () => {
    expect(embeddedModelPath('file:///opt/Studio/resources/app.asar/out/main/index.mjs')).toBe('/opt/Studio/resources/models/studio-shapes');
    expect(embeddedModelPath('file:///Applications/Studio.app/Contents/Resources/app.asar/out/main/index.mjs')).toBe('/Applications/Studio.app/Contents/Resources/models/studio-shapes');
  });
});
