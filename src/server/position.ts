/** A resume position (`pos`, `seq`, `ack`): a whole number ≥ 0 that JavaScript holds exactly. */
export const isPosition = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

/** A position from a query parameter, written in digits only; undefined when absent or malformed. */
export function position(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name) ?? '';
  return /^\d+$/.test(raw) && isPosition(+raw) ? +raw : undefined;
}
