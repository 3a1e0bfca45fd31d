/**
 * The tolerant C++ parser the lint reads HLS files with: tree-sitter's C++
 * grammar (npm tree-sitter-cpp's wasm) through web-tree-sitter. Tree-sitter
 * recovers from what fragments lack (unknown types, absent headers and
 * macros, template parameters from nowhere) with a local ERROR node instead of
 * giving up, keeps `#pragma` lines as nodes where they stand, and needs no
 * native build: the wasm runs on any Node >= 20.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import type { Node, Tree } from 'web-tree-sitter';

export type { Node, Tree };

let ready: Promise<Parser> | undefined;

/** One parser for the process, loaded on first use (~30 ms). */
export function cppParser(): Promise<Parser> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    await Parser.init();
    const language = await Language.load(require.resolve('tree-sitter-cpp/tree-sitter-cpp.wasm'));
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

export async function parseCpp(source: string): Promise<Tree> {
  const parser = await cppParser();
  const tree = parser.parse(source);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
