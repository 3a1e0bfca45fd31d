import { describe, expect, it } from 'vitest';
import { NameTable, isSafeIdentifier, sanitizeIdentifier, MAX_IDENTIFIER } from '../../backend-hls/sanitize.js';

const NASTY = [
  'a;system("rm -rf /")//', '$(rm -rf ~)', '`reboot`', '*/ evil(); /*', 'x\\', 'line\nbreak', "'; DROP TABLE t; --",
  '#include <stdlib.h>', '__LINE__', '_Reserved', 'double__underscore', '', '   ', '___', '0', '1bias', '42abc',
  'λ-γ', 'ап_int', '名前', '🙂', 'a b', 'a.b.c', '/blocks.0/attn/MatMul', 'onnx::MatMul_146', 'x'.repeat(300),
  'class', 'int', 'template', 'namespace', 'return', 'main', 'std', 'NULL', 'ap_int', 'ap_fixed_16', 'hls', 'stream',
  'ac_channel', 'llm2hls', 'llm2hls_top', 'module', 'wire', 'AP_SAT', 'alignas', 'co_await', 'and_eq', 'xor',
];

describe('sanitizeIdentifier', () => {
  it.each(NASTY)('makes %j a safe identifier', (name) => {
    const id = sanitizeIdentifier(name);
    expect(isSafeIdentifier(id), id).toBe(true);
    expect(id.length).toBeLessThanOrEqual(MAX_IDENTIFIER + 2);
  });

  it('keeps ordinary names readable', () => {
    expect(sanitizeIdentifier('blocks.0.ln1.weight')).toBe('blocks_0_ln1_weight');
    expect(sanitizeIdentifier('/blocks.0/attn/MatMul')).toBe('blocks_0_attn_MatMul');
    expect(sanitizeIdentifier('onnx::MatMul_146')).toBe('onnx_MatMul_146');
  });

  it('never leaves shell or C++ fragments', () => {
    for (const name of NASTY) {
      const id = sanitizeIdentifier(name);
      expect(id).toMatch(/^[A-Za-z0-9_]+$/);
      expect(id).not.toMatch(/__|^_|_$/);
    }
  });

  it('renames keywords, reserved tool names and leading digits', () => {
    expect(sanitizeIdentifier('class')).toBe('v_class');
    expect(sanitizeIdentifier('int')).toBe('v_int');
    expect(sanitizeIdentifier('main')).toBe('v_main');
    expect(sanitizeIdentifier('ap_int')).toBe('v_ap_int');
    expect(sanitizeIdentifier('llm2hls_top')).toBe('v_llm2hls_top');
    expect(sanitizeIdentifier('wire')).toBe('v_wire');
    expect(sanitizeIdentifier('1bias')).toBe('n1bias');
    expect(sanitizeIdentifier('')).toBe('v');
  });

  it('cuts long names with a hash so they stay distinct', () => {
    const a = sanitizeIdentifier(`${'x'.repeat(100)}a`), b = sanitizeIdentifier(`${'x'.repeat(100)}b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(MAX_IDENTIFIER);
  });
});

describe('NameTable', () => {
  it('makes colliding names unique, stably and case-insensitively', () => {
    const t = new NameTable();
    const ids = ['a.b', 'a_b', 'a-b', 'A_B', 'a b'].map((n) => t.get(n));
    expect(new Set(ids.map((s) => s.toLowerCase())).size).toBe(5);
    expect(ids[0]).toBe('a_b');
    expect(ids[1]).toBe('a_b_2');
    expect(t.get('a.b')).toBe('a_b');
    ids.forEach((id) => expect(isSafeIdentifier(id)).toBe(true));
  });

  it('separates roles by prefix and respects claimed names', () => {
    const t = new NameTable();
    expect(t.claim('act_type')).toBe('act_type');
    expect(t.get('act_type')).toBe('act_type_2');
    expect(t.get('x', 'w')).toBe('w_x');
    expect(t.get('x', 's')).toBe('s_x');
    expect(t.get('w_x')).toBe('w_x_2');
  });
});
