/** Evidence attached to a step: what was seen, as the report shows it. */
export interface Evidence {
  name: string;
  contentType: 'text/plain' | 'application/json' | 'image/svg+xml' | 'text/yaml';
  body: string;
}

/** What one plan step produced. A failed step carries the one-line reason and the evidence behind it. */
export interface StepOutcome {
  ok: boolean;
  summary: string;
  evidence: Evidence[];
  /** Probe figures for the certification summary (weights, authz, connections). */
  figures?: Record<string, unknown>;
}

export function passed(
  summary: string,
  evidence: Evidence[] = [],
  figures?: Record<string, unknown>,
): StepOutcome {
  return figures ? { ok: true, summary, evidence, figures } : { ok: true, summary, evidence };
}

export function failed(
  summary: string,
  evidence: Evidence[] = [],
  figures?: Record<string, unknown>,
): StepOutcome {
  return figures ? { ok: false, summary, evidence, figures } : { ok: false, summary, evidence };
}

export function json(name: string, value: unknown): Evidence {
  return { name, contentType: 'application/json', body: JSON.stringify(value, null, 2) };
}

export function text(name: string, body: string): Evidence {
  return { name, contentType: 'text/plain', body };
}
