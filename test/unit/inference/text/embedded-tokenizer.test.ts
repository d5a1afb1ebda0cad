import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadTokenizer } from '../../../../inference/text';
import evaluation from '../../../fixtures/embedded-model-eval.json' with { type: 'json' };
import { EMBEDDED_MODEL } from '../../../support/paths';

describe('the embedded model tokenizer', () => {
  it('gives the ids the training code gave every held-out caption (training/bpe.py)', async () => {
    const tokenizer = await loadTokenizer(join(EMBEDDED_MODEL, 'tokenizer'));
    for (const item of evaluation.heldOut) expect(tokenizer.encode(item.caption).ids, item.caption).toEqual(item.ids);
  });
});
