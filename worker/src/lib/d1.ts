// D1 limits that shape how we write: at most 100 bound parameters per statement, and statements sent
// together in one db.batch() run as one transaction.
export const D1_MAX_PARAMS = 100;

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Splits rows so that one multi-row INSERT stays under D1's bound-parameter limit. */
export function chunkRows<T extends object>(rows: readonly T[]): T[][] {
  const first = rows[0];
  if (!first) return [];
  return chunk(rows, Math.max(1, Math.floor(D1_MAX_PARAMS / Object.keys(first).length)));
}
