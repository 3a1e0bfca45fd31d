/**
 * The one sanitizer: every model-supplied name (graph, value, node,
 * initializer) becomes a valid, unique, non-reserved C++ identifier before
 * it reaches generated code, comments, the Makefile or the TCL script.
 *
 * Rules, in order:
 *  - every character outside [A-Za-z0-9] becomes `_` (unicode, spaces,
 *    quotes, `;`, `$`, `/`, backslashes, newlines: all of them);
 *  - runs of `_` collapse to one and leading/trailing `_` are dropped, so no
 *    identifier contains `__` or starts with `_` (both reserved in C++);
 *  - an empty result becomes `v`; a leading digit gets an `n` prefix;
 *  - C++ keywords, alternative tokens, well-known library/macro names and
 *    names reserved by Vitis HLS, Bambu and llm2hls itself get a `v_` prefix;
 *  - long names are cut to a fixed length plus a short hash of the original,
 *    so distinct long names stay distinct and RTL port names stay readable;
 *  - a NameTable makes names unique per scope (`x`, `x_2`, `x_3` ...).
 *
 * The output alphabet is [A-Za-z0-9_], so it is also safe inside Make
 * variables, TCL words, shell words, JSON strings and C++ comments.
 */

const CPP_KEYWORDS = [
  'alignas', 'alignof', 'and', 'and_eq', 'asm', 'atomic_cancel', 'atomic_commit', 'atomic_noexcept', 'auto', 'bitand',
  'bitor', 'bool', 'break', 'case', 'catch', 'char', 'char8_t', 'char16_t', 'char32_t', 'class', 'compl', 'concept',
  'const', 'consteval', 'constexpr', 'constinit', 'const_cast', 'continue', 'co_await', 'co_return', 'co_yield',
  'decltype', 'default', 'delete', 'do', 'double', 'dynamic_cast', 'else', 'enum', 'explicit', 'export', 'extern',
  'false', 'float', 'for', 'friend', 'goto', 'if', 'inline', 'int', 'long', 'mutable', 'namespace', 'new', 'noexcept',
  'not', 'not_eq', 'nullptr', 'operator', 'or', 'or_eq', 'private', 'protected', 'public', 'reflexpr', 'register',
  'reinterpret_cast', 'requires', 'return', 'short', 'signed', 'sizeof', 'static', 'static_assert', 'static_cast',
  'struct', 'switch', 'synchronized', 'template', 'this', 'thread_local', 'throw', 'true', 'try', 'typedef', 'typeid',
  'typename', 'union', 'unsigned', 'using', 'virtual', 'void', 'volatile', 'wchar_t', 'while', 'xor', 'xor_eq',
  // contextual identifiers and C names that would confuse readers or compilers
  'final', 'override', 'import', 'module', 'restrict', '_Bool', '_Complex', '_Pragma', 'fortran',
];

/** Library, macro and tool names a generated identifier must not shadow. */
const LIBRARY_NAMES = [
  'main', 'std', 'NULL', 'EOF', 'assert', 'errno', 'stdin', 'stdout', 'stderr', 'printf', 'fprintf', 'malloc', 'free',
  'exit', 'abort', 'system', 'memcpy', 'memset', 'size_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t',
  'uint16_t', 'uint32_t', 'uint64_t', 'float_t', 'double_t', 'exp', 'log', 'sqrt', 'tanh', 'erf', 'min', 'max',
  'abs', 'fabs', 'pow', 'INFINITY', 'NAN', 'unix', 'linux', 'i386', 'vector', 'string', 'file', 'FILE', 'time',
  'signal', 'select', 'index', 'round', 'floor', 'ceil',
  // Vitis HLS (ap_int.h, ap_fixed.h, hls_stream.h, hls_math.h, pragma keywords and RTL port names)
  'hls', 'ap_int', 'ap_uint', 'ap_fixed', 'ap_ufixed', 'ap_axis', 'ap_axiu', 'ap_axis_str', 'stream', 'ap_clk',
  'ap_rst', 'ap_rst_n', 'ap_start', 'ap_done', 'ap_idle', 'ap_ready', 'ap_return', 'ap_ctrl_hs', 'ap_ctrl_chain',
  'ap_ctrl_none', 'ap_none', 'ap_vld', 'ap_memory', 'ap_fifo', 'm_axi', 's_axilite', 'axis', 'control', 'interrupt',
  'return', 'port', 'bundle', 'depth', 'variable', 'AP_RND', 'AP_TRN', 'AP_SAT', 'AP_WRAP',
  // Bambu (ac_int.h, ac_fixed.h, ac_channel.h, its port names)
  'ac', 'ac_int', 'ac_fixed', 'ac_float', 'ac_channel', 'ac_std_float', 'clock', 'reset', 'start_port', 'done_port',
  'return_port', 'AC_RND', 'AC_TRN', 'AC_SAT', 'AC_WRAP',
  // Verilog keywords (Bambu and Vitis name RTL ports after C++ arguments)
  'module', 'endmodule', 'input', 'output', 'inout', 'wire', 'reg', 'logic', 'assign', 'always', 'begin', 'end',
  'initial', 'parameter', 'localparam', 'integer', 'genvar', 'generate', 'function', 'task', 'posedge', 'negedge',
  // llm2hls's own namespace and macros
  'llm2hls', 'top',
];

const RESERVED = new Set<string>([...CPP_KEYWORDS, ...LIBRARY_NAMES].map((s) => s.toLowerCase()));

/** Longest identifier produced (before a uniqueness suffix). */
export const MAX_IDENTIFIER = 48;

/** A short, stable hash (FNV-1a, base 36) of a string, used for cut names. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    h ^= c & 0xff; h = Math.imul(h, 0x01000193);
    h ^= (c >>> 8) & 0xffff; h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36).padStart(7, '0');
}

/** Prefixes the toolchains and our own headers use for their names. */
const RESERVED_PREFIX = /^(ap_|ac_|hls_|llm2hls|xlnx|xcl_|autopilot)/i;

export function isReserved(identifier: string): boolean {
  return RESERVED.has(identifier.toLowerCase()) || RESERVED_PREFIX.test(identifier);
}

/** A valid, non-reserved C++ identifier for `name` (not yet unique: see NameTable). */
export function sanitizeIdentifier(name: string): string {
  let s = String(name).replace(/[^A-Za-z0-9]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  if (s === '') s = 'v';
  if (/^[0-9]/.test(s)) s = `n${s}`;
  if (s.length > MAX_IDENTIFIER) s = `${s.slice(0, MAX_IDENTIFIER - 9).replace(/_+$/, '')}_${shortHash(name)}`;
  if (isReserved(s)) s = `v_${s}`;
  return s;
}

/** Checks the guarantee the sanitizer gives (used by tests and as an assertion before emitting). */
export function isSafeIdentifier(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/.test(s) && !isReserved(s);
}

/**
 * Unique identifiers within one C++ scope. The same original name (in the
 * same role) always maps to the same identifier; different names that
 * sanitize alike get `_2`, `_3` ... in order of first use.
 */
export class NameTable {
  private readonly byKey = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r.toLowerCase());
  }

  /** Identifier for `original`, with an optional role prefix (`w`, `s` ...). */
  get(original: string, prefix = ''): string {
    const key = `${prefix}\u0000${original}`;
    const known = this.byKey.get(key);
    if (known) return known;
    const base = sanitizeIdentifier(prefix ? `${prefix}_${original}` : original);
    let id = base;
    // Compare case-insensitively: RTL tools and file systems may fold case.
    for (let i = 2; this.used.has(id.toLowerCase()); i++) id = `${base}_${i}`;
    this.used.add(id.toLowerCase());
    this.byKey.set(key, id);
    return id;
  }

  /** Claims a fixed identifier the emitter itself chose (must already be safe). */
  claim(identifier: string): string {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(identifier)) throw new Error(`not an identifier: ${identifier}`);
    let id = identifier;
    for (let i = 2; this.used.has(id.toLowerCase()); i++) id = `${identifier}_${i}`;
    this.used.add(id.toLowerCase());
    return id;
  }
}
