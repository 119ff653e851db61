/** Choices for the shared enumerations (libs/domain), with labels people read. */
const acronyms = new Set(['ai', 'id', 'it', 'mcp', 'scim', 'sts', 'xaa']);

/** `ai_agent` → "AI agent", `it-admin` → "IT admin". */
export function humanize(value: string): string {
  const text = value
    .split(/[_-]/)
    .map((word) => (acronyms.has(word) ? word.toUpperCase() : word))
    .join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface Choice {
  id: string;
  name: string;
}

export function choicesOf(values: readonly string[], label: (value: string) => string = humanize): Choice[] {
  return values.map((value) => ({ id: value, name: label(value) }));
}
