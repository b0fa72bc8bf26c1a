import { describe, expect, it } from 'vitest';
import {
  ArgError,
  numberArg,
  parseCommand,
  parseProbeArgs,
  targetArg,
  urlArg,
} from '../../../helpers/probes/args.ts';
import type { ProbeIo } from '../../../helpers/probes/io.ts';

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
  it('urlArg accepts the listed protocols only, naming them', () => {
    expect(urlArg('url', 'http://a/b', ['http:']).href).toBe('http://a/b');
    expect(urlArg('url', 'https://a/', ['http:', 'https:']).protocol).toBe('https:');
    expect(() => urlArg('url', 'nope', ['http:'])).toThrow("--url is not a URL: 'nope'");
    expect(() => urlArg('url', 'https://a/', ['http:'])).toThrow("--url must be http:// (got 'https:')");
    expect(() => urlArg('url', 'ftp://a/', ['http:', 'https:'])).toThrow(
      "--url must be http:// or https:// (got 'ftp:')",
    );
  });

  describe('parseCommand', () => {
    const capture = (): ProbeIo & { out: string[]; err: string[] } => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, stdout: (text) => out.push(text), stderr: (text) => err.push(text) };
    };

    it('returns the parsed arguments', () => {
      const io = capture();
      expect(parseCommand('x', ['a'], (argv) => ({ argv }), 'HELP', io)).toEqual({ argv: ['a'] });
      expect(io.out).toEqual([]);
      expect(io.err).toEqual([]);
    });

    it('prints help and returns 0', () => {
      const io = capture();
      expect(parseCommand('x', [], () => 'help', 'HELP', io)).toBe(0);
      expect(io.out).toEqual(['HELP']);
      expect(io.err).toEqual([]);
    });

    it('prints an ArgError as one line naming the subcommand and returns 2', () => {
      const io = capture();
      const parse = (): never => {
        throw new ArgError('--y is required');
      };
      expect(parseCommand('x', [], parse, 'HELP', io)).toBe(2);
      expect(io.err).toEqual(['probe x: --y is required (see probe x --help)\n']);
      expect(io.out).toEqual([]);
    });

    it('rethrows anything but an ArgError', () => {
      const parse = (): never => {
        throw new TypeError('bug');
      };
      expect(() => parseCommand('x', [], parse, 'HELP', capture())).toThrow(TypeError);
    });
  });
});
