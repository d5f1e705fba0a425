import manifest from "../package.json" with { type: "json" };

/** The product version, from package.json (baked into bundles and the binary). */
export const VERSION: string = manifest.version;
