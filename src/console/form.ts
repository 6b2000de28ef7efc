/** A text field of a submitted form, trimmed; empty when absent (or a file). */
export function field(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === 'string' ? value.trim() : '';
}
