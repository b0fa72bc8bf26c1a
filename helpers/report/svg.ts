// Tiny helpers for hand-written SVG: everything that reaches the markup goes through `esc` or `num`.

/** Escapes text and attribute values (probe errors and node names are arbitrary strings). */
export function esc(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Control characters are not allowed in XML 1.0 at all; show them as a replacement mark.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd')
  );
}

/** A coordinate with at most two decimals, never NaN or Infinity (which would make the SVG invalid). */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  return String(Math.round(value * 100) / 100);
}

export type Attrs = Record<string, string | number | undefined>;

export function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : esc(v)}"`)
    .join('');
}

export function el(name: string, a: Attrs, children: string | readonly string[] = ''): string {
  const body = typeof children === 'string' ? children : children.join('');
  return body === '' ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${body}</${name}>`;
}

/** A text node; `title` children give native tooltips in browsers and in the allure attachment viewer. */
export function text(a: Attrs, content: string): string {
  return `<text${attrs(a)}>${esc(content)}</text>`;
}

export function tooltip(content: string): string {
  return `<title>${esc(content)}</title>`;
}

export function svgDocument(width: number, height: number, title: string, body: readonly string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" font-family="system-ui, sans-serif" font-size="12">`,
    tooltip(title),
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** Seconds relative to the first event, the unit a reader of a drain timeline thinks in. */
export function formatOffset(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
}

/** A tick step (1, 2, 5 × 10ⁿ ms) giving about `target` ticks across `span`. */
export function tickStep(span: number, target = 8): number {
  const raw = Math.max(span, 1) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
