/**
 * The one parser of `module:export` specs: a companion's `target` (the export
 * is required) and the web `app` (the default export when none is named).
 */

const EXPORT_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A module specifier and the name of one of its exports. */
export interface ModuleExport {
  module: string;
  exportName: string;
}

/**
 * Splits `spec` at its last colon when what follows is an identifier (a module
 * path may contain colons, an export name cannot). Without one, the whole spec
 * is the module and the export is `defaultExport`, or the spec is rejected
 * (null) when `defaultExport` is null.
 *
 * @example parseModuleExport("./jobs.ts:run", null)   // { module: "./jobs.ts", exportName: "run" }
 * @example parseModuleExport("app.ts", "default")     // { module: "app.ts", exportName: "default" }
 * @example parseModuleExport("./jobs.ts", null)       // null
 */
export function parseModuleExport(spec: string, defaultExport: string | null): ModuleExport | null {
  const colon = spec.lastIndexOf(":");
  if (colon > 0) {
    const exportName = spec.slice(colon + 1);
    if (EXPORT_NAME.test(exportName)) return { module: spec.slice(0, colon), exportName };
  }
  return defaultExport === null ? null : { module: spec, exportName: defaultExport };
}
