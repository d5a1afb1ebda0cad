import { describe, expect, it } from 'vitest';
import { fullJitter, parseRetryAfter } from '../../../../electron/sync/client';
import { describeError, PlatformError } from '../../../../electron/sync/index';
import { moderateLocally } from '../../../../electron/sync/moderation';
import { platformCodeOf } from '../../../../electron/sync/errors';

describe('backoff', () => {
  it('draws full jitter below min(cap, base × 2^attempt)', () => {
    expect(fullJitter(0, 100, 10_000, () => 0.999)).toBe(99);
    expect(fullJitter(3, 100, 10_000, () => 0.5)).toBe(400);
    expect(fullJitter(20, 100, 10_000, () => 0.999)).toBe(9990);
    expect(fullJitter(5, 100, 10_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(parseRetryAfter('Sun, 29 Nov 2026 10:00:30 GMT', Date.parse('Sun, 29 Nov 2026 10:00:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('errors', () => {
  it('folds the platform\'s problem codes into the closed set, and says which are worth retrying', () => {
    expect(platformCodeOf('IDEMPOTENCY_CONFLICT', 409)).toBe('CONFLICT');
    expect(platformCodeOf('INTERNAL', 503)).toBe('PLATFORM_UNAVAILABLE');
    expect(platformCodeOf(undefined, 502)).toBe('PLATFORM_UNAVAILABLE');
    expect(platformCodeOf('SOMETHING_NEW', 418)).toBe('PROTOCOL');
    expect(new PlatformError('CONFLICT', 'busy', { problemCode: 'IDEMPOTENCY_CONFLICT' }).transient).toBe(true);
    expect(new PlatformError('CONFLICT', 'spent', { problemCode: 'CONSUMPTION_REFUNDED' }).transient).toBe(false);
    expect(new PlatformError('RATE_LIMITED', 'slow down').transient).toBe(true);
    expect(new PlatformError('INSUFFICIENT_TOKENS', 'no').transient).toBe(false);
    expect(describeError(new PlatformError('CONFLICT', 'busy', { problemCode: 'IDEMPOTENCY_CONFLICT' }))).toBe('CONFLICT (IDEMPOTENCY_CONFLICT): busy');
  });
});

describe('local moderation', () => {
  it('matches whole words by plan level and keeps the worst verdict', () => {
    expect(moderateLocally('strict', 'Gunther sails a bloodhound')).toEqual({ verdict: 'allow', level: 'strict', categories: [] });
    expect(moderateLocally('strict', 'a SWORD and blood').verdict).toBe('block');
    expect(moderateLocally('standard', 'a sword and blood')).toEqual({
      verdict: 'review',
      level: 'standard',
      categories: [
        { category: 'violence', verdict: 'review', terms: ['blood'] },
        { category: 'weapons', verdict: 'allow', terms: ['sword'] },
      ],
    });
    expect(moderateLocally('relaxed', 'bomb   making at home').verdict).toBe('block');
  });
});
