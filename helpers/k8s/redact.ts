/**
 * Removes credentials from text that may embed request options, kubeconfig fragments or headers, so an error
 * message or an evidence file never carries a bearer token, a password or a private key.
 */
const patterns: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [
    /(["']?(?:authorization|token|id-token|refresh-token|access-token|password|client-key-data|client-key|key|passphrase|client-secret)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,}]+)/gi,
    '$1[redacted]',
  ],
];

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of patterns) out = out.replace(pattern, replacement);
  return out;
}
