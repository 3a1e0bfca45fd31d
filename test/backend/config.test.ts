import { describe, expect, it } from 'vitest';
import { UserError } from '../../compiler/errors.js';
import { checkLayerNames, overridesFor, parseConfig, parsePlacement } from '../../backend-hls/config.js';

const err = (f: () => unknown): string => {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(UserError); return (e as Error).message; }
  throw new Error('expected an error');
};

describe('--config', () => {
  it('parses model, layer-type and layer overrides with precedence layer > type > model', () => {
    const c = parseConfig({
      model: { precision: 'fp32', parallelism: 2, fifoDepth: 16, weightPlacement: 'DDR[1]', kvPlacement: 'HBM[3]' },
      layerTypes: { 'llm.Linear': { parallelism: 4 } },
      layers: { 'fc 1': { parallelism: 8, weightPlacement: 'HBM' } },
    });
    expect(overridesFor(c, 'llm.Linear', 'other')).toMatchObject({ parallelism: 4, fifoDepth: 16, weightPlacement: { memory: 'DDR', bank: 1 } });
    expect(overridesFor(c, 'llm.Linear', 'fc 1')).toMatchObject({ parallelism: 8, weightPlacement: { memory: 'HBM', bank: 0 } });
    expect(overridesFor(c, 'llm.Gelu', 'g')).toMatchObject({ parallelism: 2 });
    expect(c.model.kvPlacement).toEqual({ memory: 'HBM', bank: 3 });
  });

  it('names the key path of unknown keys and bad values', () => {
    expect(err(() => parseConfig({ modle: {} }, 'cfg.json'))).toMatch(/^cfg\.json\.modle: unknown key/);
    expect(err(() => parseConfig({ model: { paralelism: 2 } }, 'cfg.json'))).toMatch(/^cfg\.json\.model\.paralelism: unknown key/);
    expect(err(() => parseConfig({ layers: { 'a.b': { fifo: 1 } } }, 'c'))).toMatch(/^c\.layers\["a\.b"\]\.fifo: unknown key/);
    expect(err(() => parseConfig({ layerTypes: { 'llm.Foo': {} } }, 'c'))).toMatch(/^c\.layerTypes\["llm\.Foo"\]: unknown layer type/);
    expect(err(() => parseConfig({ model: { parallelism: 0 } }, 'c'))).toMatch(/^c\.model\.parallelism: expected a positive integer/);
    expect(err(() => parseConfig({ model: { precision: 'fp64' } }, 'c'))).toMatch(/^c\.model\.precision: unknown precision/);
    expect(err(() => parseConfig({ layers: { x: { kvPlacement: 'HBM[0]' } } }, 'c'))).toMatch(/^c\.layers\.x\.kvPlacement: unknown key/);
    expect(err(() => parsePlacement('SRAM[2]', 'p'))).toMatch(/^p: expected a memory/);
    expect(err(() => parseConfig([], 'c'))).toMatch(/^c: expected an object/);
  });

  it('rejects layer names that are not in the fused graph', () => {
    const c = parseConfig({ layers: { nope: { fifoDepth: 4 } } });
    expect(err(() => checkLayerNames(c, new Set(['a', 'b']), 'c.json'))).toMatch(/^c\.json\.layers\.nope: no fused layer has this name/);
  });
});
