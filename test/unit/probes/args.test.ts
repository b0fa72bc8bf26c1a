import { describe, expect, it } from 'vitest';
import { ArgError, numberArg, parseProbeArgs, targetArg } from '../../../helpers/probes/args.ts';

describe('probe argument helpers', () => {
  it.each([
    ['10', { min: 0, integer: true }, 10],
    ['0.25', { min: 0 }, 0.25],
  ])('numberArg(%j) = %d', (raw, range, expected) => {
    expect(numberArg('n', raw, range)).toBe(expected);
  });

  it.each(['', '1e3', 'NaN', '-1', '1.5', ' 1', '0x10', '11'])('numberArg rejects %j', (raw) => {
    expect(() => numberArg('n', raw, { min: 0, max: 10, integer: true })).toThrow(ArgError);
  });

  it.each([
    ['127.0.4.1:80', { host: '127.0.4.1', port: 80 }],
    ['echo.ns.svc:9000', { host: 'echo.ns.svc', port: 9000 }],
    ['[fd00::1]:443', { host: 'fd00::1', port: 443 }],
  ])('targetArg(%j)', (raw, expected) => {
    expect(targetArg('target', raw)).toEqual(expected);
  });

  it.each(['host', ':80', 'h:0', 'h:65536', 'fd00::1:80', 'h:80x'])('targetArg rejects %j', (raw) => {
    expect(() => targetArg('target', raw)).toThrow(ArgError);
  });

  it('turns parseArgs errors into a one-line ArgError', () => {
    expect(() => parseProbeArgs(['--nope'], {})).toThrow(ArgError);
    expect(() => parseProbeArgs(['--x'], { x: { type: 'string' } })).toThrow(/argument missing/);
    expect(parseProbeArgs(['-h'], {})).toMatchObject({ help: true });
  });
});
