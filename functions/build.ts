import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { build } from "esbuild";

const REPOSITORY_ROOT = resolve(__dirname, "..");

export const DELETE_FUNCTION_ENTRY = resolve(__dirname, "src/delete-item/index.ts");

/** The Lambda handler setting for the bundle: `index.js`, export `handler`. */
export const DELETE_FUNCTION_HANDLER = "index.handler";

/**
 * Bundles the DELETE function into `outdir/index.js` (+ `index.js.map`) for the nodejs22.x
 * runtime and returns the absolute directory, ready to zip as the function's code. The output
 * is the same bytes whatever the directory or checkout location, so an unchanged function
 * never shows up as a code change in a deployment.
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
  await makeSourcesRepositoryRelative(resolve(directory, "index.js.map"));
  return directory;
}

/** esbuild names sources relative to the output directory; name them from the repository root. */
async function makeSourcesRepositoryRelative(mapFile: string): Promise<void> {
  const map = JSON.parse(await readFile(mapFile, "utf8")) as { sources: string[] };
  map.sources = map.sources.map((source) =>
    relative(REPOSITORY_ROOT, resolve(mapFile, "..", source)),
  );
  await writeFile(mapFile, JSON.stringify(map));
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
