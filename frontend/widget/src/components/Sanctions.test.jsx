import { describe, expect, it } from 'vitest';
import { shownSanctions } from './Sanctions.jsx';

describe('shownSanctions', () => {
  const s = (kind, acknowledgedAt = null) => ({ id: kind + acknowledgedAt, kind, acknowledgedAt });
  it('keeps bans, suspensions and review whether or not acknowledged', () => {
    expect(shownSanctions([s('BAN'), s('SUSPEND'), s('PREMOD', '2026-01-01')]).map((x) => x.kind)).toEqual(['BAN', 'SUSPEND', 'PREMOD']);
  });
  it('drops a warning or message once acknowledged', () => {
    expect(shownSanctions([s('WARN', '2026-01-01'), s('MESSAGE', '2026-01-01'), s('WARN')]).map((x) => x.kind)).toEqual(['WARN']);
  });
});
