/** Bytes as the pieces of a stream come: joined once, where a whole unit is needed. */

/**
 * `parts` in order as one buffer: the part itself when there is only one (not
 * a copy), else a new buffer. `total` is their length when the caller keeps it.
 */
export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let size = total ?? 0;
  if (total === undefined) for (const part of parts) size += part.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
