/** A position (`pos`, `seq`) from a query parameter: a whole number ≥ 0, or undefined when absent or malformed. */
export function position(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name) ?? '';
  const value = Number(raw);
  return /^\d{1,15}$/.test(raw) ? value : undefined;
}
