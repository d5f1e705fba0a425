const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Splits a companion target `module:export` at its last colon (a module path
 * may contain colons, an export name cannot). Null when either side is missing
 * or the export is not an identifier.
 */
export function parseTarget(target: string): { module: string; exportName: string } | null {
  const colon = target.lastIndexOf(":");
  if (colon <= 0) return null;
  const module = target.slice(0, colon);
  const exportName = target.slice(colon + 1);
  if (!EXPORT_NAME.test(exportName)) return null;
  return { module, exportName };
}
