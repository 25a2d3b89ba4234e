import { mkdir, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { build } from "esbuild";

export const DELETE_FUNCTION_ENTRY = resolve(__dirname, "src/delete-item/handler.ts");

/** The Lambda handler setting for the bundle: `index.js`, export `handler`. */
export const DELETE_FUNCTION_HANDLER = "index.handler";

/**
 * Bundles the DELETE function into `outdir/index.js` (+ `index.js.map`) for the nodejs22.x
 * runtime and returns the absolute directory, ready to zip as the function's code.
 *
 * The AWS SDK is bundled rather than taken from the runtime: the function then runs the exact
 * SDK version its tests ran against, and a minified single file loads faster at cold start than
 * the runtime's unbundled SDK.
 */
export async function bundleDeleteFunction(outdir: string): Promise<string> {
  const directory = resolve(outdir);
  await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await build({
    entryPoints: [DELETE_FUNCTION_ENTRY],
    outfile: resolve(directory, "index.js"),
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ["module", "main"],
    legalComments: "none",
    logLevel: "warning",
  });
  return directory;
}

if (require.main === module) {
  const outdir = process.argv[2] ?? resolve(__dirname, "../dist/functions/delete-item");
  bundleDeleteFunction(outdir).then(
    (directory) => console.log(`Bundled the DELETE function into ${directory}/index.js`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
