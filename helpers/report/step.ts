import * as allure from 'allure-js-commons';
import { BaseMessageTestRuntime, getGlobalTestRuntime } from 'allure-js-commons/sdk/runtime';

/**
 * Where steps and evidence go. Inside a vitest worker with allure-vitest that is allure; anywhere else
 * (the CLI, a script, a unit test that wants to look) it is a sink that runs the body and drops evidence —
 * allure's own no-op runtime would print a warning for every call.
 */
export interface EvidenceSink {
  step<T>(title: string, body: () => Promise<T>): Promise<T>;
  attach(name: string, body: string | Uint8Array, contentType: string): Promise<void>;
  describe(markdown: string): Promise<void>;
  label(name: string, value: string): Promise<void>;
}

export const noopSink: EvidenceSink = {
  step: (_title, body) => body(),
  attach: async () => {},
  describe: async () => {},
  label: async () => {},
};

export const allureSink: EvidenceSink = {
  step: async (title, body) => allure.step(title, () => body()),
  attach: async (name, body, contentType) => {
    await allure.attachment(name, typeof body === 'string' ? body : Buffer.from(body), contentType);
  },
  describe: async (markdown) => {
    await allure.description(markdown);
  },
  label: async (name, value) => {
    await allure.label(name, value);
  },
};

/** True inside a test run by allure-vitest (its runtime is a message runtime; the fallback is a no-op). */
export function allureActive(): boolean {
  return getGlobalTestRuntime() instanceof BaseMessageTestRuntime;
}

/**
 * Keeps a test out of the allure results (allure-vitest drops a task whose `meta.allureSkip` is set, as it does
 * for tests outside a test plan). For tests that only repeat an error reported once already, e.g. the steps of a
 * scenario that could not be opened; JUnit and the summary still count them.
 */
export function leaveOutOfAllure(task: { meta: object }): void {
  (task.meta as { allureSkip?: boolean }).allureSkip = true;
}

export function currentSink(): EvidenceSink {
  return allureActive() ? allureSink : noopSink;
}

/**
 * `030 wait: Istio ready` — the one title format for a suite step, shared by the plan, allure and the
 * summary's step timings so a reader can find the same step in all three.
 */
export function stepTitle(index: number, action: string, name: string): string {
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`step index must be a whole number ≥ 0: ${index}`);
  if (!/^[a-z][a-z-]*$/.test(action))
    throw new RangeError(`step action must be a lower-case word: "${action}"`);
  const oneLine = name.replace(/\s+/g, ' ').trim();
  if (oneLine === '') throw new RangeError('step name must not be empty');
  return `${String(index).padStart(3, '0')} ${action}: ${oneLine}`;
}

export interface StepOptions {
  sink?: EvidenceSink;
}

/** Runs `body` as one named allure step and returns its value; a throw fails the step and propagates. */
export async function suiteStep<T>(
  index: number,
  action: string,
  name: string,
  body: () => Promise<T>,
  { sink = currentSink() }: StepOptions = {},
): Promise<T> {
  return sink.step(stepTitle(index, action, name), body);
}

export const CONTENT_TYPES = {
  json: 'application/json',
  text: 'text/plain',
  svg: 'image/svg+xml',
  yaml: 'text/yaml',
  csv: 'text/csv',
} as const;

/** Attaches evidence to the current step (or test); a no-op outside allure. */
export async function attach(
  name: string,
  body: string | Uint8Array,
  contentType: string,
  { sink = currentSink() }: StepOptions = {},
): Promise<void> {
  await sink.attach(name, body, contentType);
}

/** JSON evidence (a plan step, a probe verdict, Sail CR statuses), pretty-printed so it reads in the report. */
export async function attachJson(name: string, value: unknown, options: StepOptions = {}): Promise<void> {
  await attach(name, `${JSON.stringify(value, null, 2)}\n`, CONTENT_TYPES.json, options);
}

/** Plain-text evidence such as a proxy-status table; kept verbatim. */
export async function attachText(name: string, text: string, options: StepOptions = {}): Promise<void> {
  await attach(name, text, CONTENT_TYPES.text, options);
}

export async function attachSvg(name: string, svg: string, options: StepOptions = {}): Promise<void> {
  await attach(name, svg, CONTENT_TYPES.svg, options);
}
