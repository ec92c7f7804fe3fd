import { describe, expect, it } from 'vitest';
import { NoSinkTargetsError } from '../../../shared/governance/errors.js';
import { FanOutSink } from '../../../shared/governance/sinks.js';

describe('governance errors', () => {
  it('a fan-out over no target is a NoSinkTargetsError', () => {
    expect(() => new FanOutSink([])).toThrow(NoSinkTargetsError);
    expect(() => new FanOutSink([])).toThrow(expect.objectContaining({ code: 'NO_SINK_TARGETS', message: 'FanOutSink needs at least one target' }));
  });
});
