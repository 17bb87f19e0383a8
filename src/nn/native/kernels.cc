// The kernels of src/nn/kernels (AssemblyScript) as native code, compiled on the user's machine by
// scripts/build-native.js with the CPU's own vector width (-march=native: 256- or 512-bit
// vectors against WebAssembly's 128). Same functions, arguments and results; every pointer
// argument is a byte offset into the engine's shared WebAssembly memory, whose base address
// `attach` returns (a shared memory never moves when it grows).
#include <node_api.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float f32;

#if defined(__AVX512F__)
#define VW 16
#elif defined(__AVX__)
#define VW 8
#else
#define VW 4
#endif
typedef f32 vec __attribute__((vector_size(VW * 4)));
typedef f32 uvec __attribute__((vector_size(VW * 4), aligned(4)));

static inline vec vload(const f32* p) { return *(const uvec*)p; }
static inline void vstore(f32* p, vec v) { *(uvec*)p = v; }
static inline vec vsplat(f32 x) { return (vec){} + x; }

// Rows of C per register block: 8 x 2 vectors are 16 of AVX-512's 32 registers; 6 x 2 fit
// AVX's 16. Measured here (AVX-512): 4 rows ~75, 8 rows ~100 GFLOP/s for the LSTM's products.
#if defined(__AVX512F__)
#define MR 8
#elif defined(__AVX__)
#define MR 6
#else
#define MR 4
#endif

// An MR x 2*VW block of C kept in registers over the whole k loop.
static inline void block(const f32* a, intptr_t ars, intptr_t acs, const f32* b, intptr_t ldb, f32* c, intptr_t ldc,
                         int k, int accumulate, const f32* bias) {
  vec x[MR][2];
  for (int r = 0; r < MR; r++) {
    if (accumulate) { x[r][0] = vload(c + r * ldc); x[r][1] = vload(c + r * ldc + VW); }
    else if (bias) { x[r][0] = vload(bias); x[r][1] = vload(bias + VW); }
    else { x[r][0] = vsplat(0); x[r][1] = vsplat(0); }
  }
  for (int p = 0; p < k; p++) {
    const vec b0 = vload(b + p * ldb);
    const vec b1 = vload(b + p * ldb + VW);
    for (int r = 0; r < MR; r++) {
      const vec s = vsplat(a[r * ars + p * acs]);
      x[r][0] += s * b0;
      x[r][1] += s * b1;
    }
  }
  for (int r = 0; r < MR; r++) { vstore(c + r * ldc, x[r][0]); vstore(c + r * ldc + VW, x[r][1]); }
}

typedef f32 vec4 __attribute__((vector_size(16)));
typedef f32 uvec4 __attribute__((vector_size(16), aligned(4)));

// MR x 4 with 4-float vectors: for outputs narrower than two full vectors (the dense layer's
// few classes). Same per-value operations as `block`: start value, then a product and a sum per step.
static inline void block4x4(const f32* a, intptr_t ars, intptr_t acs, const f32* b, intptr_t ldb, f32* c, intptr_t ldc,
                            int k, int accumulate, const f32* bias) {
  vec4 x[MR];
  for (int r = 0; r < MR; r++) {
    if (accumulate) x[r] = *(const uvec4*)(c + r * ldc);
    else if (bias) x[r] = *(const uvec4*)bias;
    else x[r] = (vec4){};
  }
  for (int p = 0; p < k; p++) {
    const vec4 b0 = *(const uvec4*)(b + p * ldb);
    for (int r = 0; r < MR; r++) x[r] += a[r * ars + p * acs] * b0;
  }
  for (int r = 0; r < MR; r++) *(uvec4*)(c + r * ldc) = x[r];
}

static inline f32 startValue(const f32* pc, int accumulate, const f32* bias, int j) {
  if (accumulate) return *pc;
  return bias ? bias[j] : 0.0f;
}

// MR rows of C over all columns.
static void rowBlock(const f32* a, intptr_t ars, intptr_t acs, const f32* b, intptr_t ldb, f32* c, intptr_t ldc,
                  int n, int k, int accumulate, const f32* bias) {
  int j = 0;
  for (; j + 2 * VW <= n; j += 2 * VW) block(a, ars, acs, b + j, ldb, c + j, ldc, k, accumulate, bias ? bias + j : nullptr);
  for (; j + 4 <= n; j += 4) block4x4(a, ars, acs, b + j, ldb, c + j, ldc, k, accumulate, bias ? bias + j : nullptr);
  for (; j < n; j++) {
    for (int r = 0; r < MR; r++) {
      f32* pc = c + r * ldc + j;
      f32 s = startValue(pc, accumulate, bias, j);
      for (int p = 0; p < k; p++) s += a[r * ars + p * acs] * b[p * ldb + j];
      *pc = s;
    }
  }
}

static void gemmBlock(const f32* a, intptr_t ars, intptr_t acs, const f32* b, intptr_t ldb, f32* c, intptr_t ldc,
                      int m, int n, int k, int accumulate, const f32* bias) {
  int i = 0;
  for (; i + MR <= m; i += MR) rowBlock(a + i * ars, ars, acs, b, ldb, c + i * ldc, ldc, n, k, accumulate, bias);
  const int left = m - i;
  if (left == 0) return;
  // The last rows go through the very same code, padded to MR rows with zeros: the
  // compiler fuses multiply-adds in some loops and not others, and a row's result must not
  // depend on where it sits in the batch (classify and evaluate batch flows differently).
  static thread_local f32* pa = nullptr;
  static thread_local f32* pc = nullptr;
  static thread_local size_t cap = 0;
  const size_t need = (size_t)MR * (k > n ? k : n);
  if (need > cap) {
    delete[] pa;
    delete[] pc;
    pa = new f32[need];
    pc = new f32[need];
    cap = need;
  }
  for (int r = 0; r < MR; r++) {
    for (int p = 0; p < k; p++) pa[r * k + p] = r < left ? a[(i + r) * ars + p * acs] : 0.0f;
    for (int j = 0; j < n; j++) pc[r * n + j] = r < left && accumulate ? c[(i + r) * ldc + j] : 0.0f;
  }
  rowBlock(pa, k, 1, b, ldb, pc, n, n, k, accumulate, bias);
  for (int r = 0; r < left; r++) memcpy(c + (i + r) * ldc, pc + r * n, (size_t)n * 4);
}

static void gemm(f32* a, int ars, int acs, f32* b, int ldb, f32* c, int ldc, int m, int n, int k, int accumulate, f32* bias) {
  // As the wasm kernel: a long k runs in chunks of B that stay in the L2 cache.
  int chunk = 65536 / (n > 0 ? n : 1);
  chunk &= ~3;
  if (chunk < 64) chunk = 64;
  if (k > chunk) {
    for (int p = 0; p < k; p += chunk) {
      int kk = k - p < chunk ? k - p : chunk;
      gemmBlock(a + (intptr_t)p * acs, ars, acs, b + (intptr_t)p * ldb, ldb, c, ldc, m, n, kk, p == 0 ? accumulate : 1, p == 0 ? bias : nullptr);
    }
    return;
  }
  gemmBlock(a, ars, acs, b, ldb, c, ldc, m, n, k, accumulate, bias);
}

static void transpose(f32* src, int rows, int cols, f32* dst) {
  for (int r = 0; r < rows; r++)
    for (int c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c];
}

static void sumRows(f32* __restrict x, int rows, int cols, f32* __restrict out, int accumulate) {
  if (!accumulate) memset(out, 0, (size_t)cols * 4);
  for (int r = 0; r < rows; r++)
    for (int j = 0; j < cols; j++) out[j] += x[r * cols + j];
}

static void addInto(f32* __restrict x, f32* __restrict y, int n) { for (int i = 0; i < n; i++) y[i] += x[i]; }
static void mulInto(f32* __restrict m, f32* __restrict x, int n) { for (int i = 0; i < n; i++) x[i] *= m[i]; }
static void multiply(f32* __restrict x, f32* __restrict m, f32* __restrict out, int n) { for (int i = 0; i < n; i++) out[i] = x[i] * m[i]; }
static void zero(f32* x, int n) { memset(x, 0, (size_t)n * 4); }

static void toTimeMajor(f32* src, int rows, int seqLen, int span, int width, f32* dst) {
  for (int t = 0; t < span; t++)
    for (int r = 0; r < rows; r++) memcpy(dst + (size_t)(t * rows + r) * width, src + (size_t)(r * seqLen + t) * width, (size_t)width * 4);
}

// tanh as the wasm kernels compute it (Eigen's rational form), so both builds agree closely.
static inline f32 tanhr(f32 x) {
  x = x < -7.90531110763549805f ? -7.90531110763549805f : (x > 7.90531110763549805f ? 7.90531110763549805f : x);
  const f32 x2 = x * x;
  f32 p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-8f;
  p = p * x2 + 1.48572235717979e-5f;
  p = p * x2 + 6.37261928875436e-4f;
  p = p * x2 + 4.89352455891786e-3f;
  p = p * x;
  f32 q = 1.19825839466702e-6f;
  q = q * x2 + 1.18534705686654e-4f;
  q = q * x2 + 2.26843463243900e-3f;
  q = q * x2 + 4.89352518554385e-3f;
  return p / q;
}
static inline f32 sigmoidr(f32 x) { return tanhr(x * 0.5f) * 0.5f + 0.5f; }

static void cellForward(f32* __restrict z, f32* __restrict cPrev, f32* __restrict hPrev, f32* __restrict c, f32* __restrict tc,
                        f32* __restrict h, f32* mask, int rows, int units) {
  const int H = units;
  for (int r = 0; r < rows; r++) {
    f32* zr = z + (size_t)r * 4 * H;
    const size_t o = (size_t)r * H;
    if (mask && mask[r] == 0) {
      memcpy(c + o, cPrev + o, (size_t)H * 4);
      memcpy(h + o, hPrev + o, (size_t)H * 4);
      memset(tc + o, 0, (size_t)H * 4);
      continue;
    }
    for (int j = 0; j < H; j++) {
      const f32 gi = sigmoidr(zr[j]);
      const f32 gf = sigmoidr(zr[H + j]);
      const f32 gg = tanhr(zr[2 * H + j]);
      const f32 go = sigmoidr(zr[3 * H + j]);
      zr[j] = gi; zr[H + j] = gf; zr[2 * H + j] = gg; zr[3 * H + j] = go;
      const f32 cn = gf * cPrev[o + j] + gi * gg;
      const f32 t = tanhr(cn);
      c[o + j] = cn; tc[o + j] = t; h[o + j] = go * t;
    }
  }
}

// The engine writes dz over the activations (act == dz); with one pointer the compiler sees that
// each step reads and writes the same four places and vectorises the loop.
static void cellBackwardInPlace(f32* __restrict dh, f32* __restrict dc, f32* __restrict z, f32* __restrict cPrev, f32* __restrict tc,
                                f32* mask, int rows, int units) {
  const int H = units;
  for (int r = 0; r < rows; r++) {
    f32* __restrict zr = z + (size_t)r * 4 * H;
    const size_t o = (size_t)r * H;
    if (mask && mask[r] == 0) { memset(zr, 0, (size_t)H * 16); continue; }
    for (int j = 0; j < H; j++) {
      const f32 gi = zr[j], gf = zr[H + j], gg = zr[2 * H + j], go = zr[3 * H + j];
      const f32 t = tc[o + j];
      const f32 dhj = dh[o + j];
      const f32 dct = dc[o + j] + dhj * go * (1 - t * t);
      zr[j] = dct * gg * (gi * (1 - gi));
      zr[H + j] = dct * cPrev[o + j] * (gf * (1 - gf));
      zr[2 * H + j] = dct * gi * (1 - gg * gg);
      zr[3 * H + j] = dhj * t * (go * (1 - go));
      dc[o + j] = dct * gf;
    }
  }
}

static void cellBackward(f32* __restrict dh, f32* __restrict dc, f32* act, f32* __restrict cPrev, f32* __restrict tc, f32* dz,
                         f32* mask, int rows, int units) {
  if (act != dz) memcpy(dz, act, (size_t)rows * units * 16);
  cellBackwardInPlace(dh, dc, dz, cPrev, tc, mask, rows, units);
}

static void carryRows(f32* mask, f32* src, f32* dst, int rows, int units) {
  for (int r = 0; r < rows; r++) {
    if (mask[r] != 0) continue;
    for (int j = 0; j < units; j++) dst[r * units + j] += src[r * units + j];
  }
}

static void dropoutMask(f32* out, int n, uint32_t first, uint32_t seed, f32 rate) {
  const f32 keep = 1 / (1 - rate);
  const uint32_t threshold = (uint32_t)(rate * 16777216.0f);
  for (int i = 0; i < n; i++) {
    uint32_t x = seed ^ ((first + (uint32_t)i) * 0x9e3779b9u);
    x ^= x >> 16; x *= 0x85ebca6bu; x ^= x >> 13; x *= 0xc2b2ae35u; x ^= x >> 16;
    out[i] = (x >> 8) < threshold ? 0.0f : keep;
  }
}

static void softmaxCrossEntropy(f32* logits, int32_t* y, f32* w, int rows, int k, f32 scale, f32* dlogits, double* result) {
  double loss = 0, correct = 0;
  for (int r = 0; r < rows; r++) {
    f32* row = logits + (size_t)r * k;
    f32 max = row[0];
    int best = 0;
    for (int j = 1; j < k; j++) if (row[j] > max) { max = row[j]; best = j; }
    f32 sum = 0;
    for (int j = 0; j < k; j++) { const f32 e = expf(row[j] - max); row[j] = e; sum += e; }
    const f32 inv = 1 / sum;
    for (int j = 0; j < k; j++) row[j] *= inv;
    const int target = y[r];
    const f32 weight = w[r];
    if (target >= 0) {
      if (best == target) correct += 1;
      const f32 p = row[target];
      loss += (double)weight * -(double)logf(p > 1e-30f || p != p ? p : 1e-30f);
    }
    if (dlogits) {
      f32* drow = dlogits + (size_t)r * k;
      const f32 s = weight * scale;
      for (int j = 0; j < k; j++) drow[j] = target >= 0 ? s * (row[j] - (j == target ? 1.0f : 0.0f)) : 0.0f;
    }
  }
  result[0] = loss;
  result[1] = correct;
}

static void squaredError(f32* out, int32_t* y, f32* w, int rows, int classes, f32 scale, f32* dout, double* result) {
  double loss = 0, correct = 0;
  for (int r = 0; r < rows; r++) {
    const int target = y[r];
    const f32 weight = w[r];
    const f32 v = out[r];
    f32 d = 0;
    if (target >= 0) {
      d = v - (f32)target;
      loss += (double)weight * (double)d * (double)d;
      int cls = v == v ? (int)floorf(v + 0.5f) : 0;
      if (cls < 0) cls = 0;
      if (cls > classes - 1) cls = classes - 1;
      if (cls == target) correct += 1;
    }
    if (dout) dout[r] = target >= 0 ? 2 * weight * scale * d : 0.0f;
  }
  result[0] = loss;
  result[1] = correct;
}

static void adam(f32* __restrict w, f32* __restrict g, f32* __restrict m, f32* __restrict v, int n, f32 lr, f32 b1, f32 b2, f32 eps, f32 c1, f32 c2) {
  const f32 step = lr / c1;
  const f32 ic2 = 1 / c2;
  for (int i = 0; i < n; i++) {
    const f32 mv = b1 * m[i] + (1 - b1) * g[i];
    const f32 vv = b2 * v[i] + (1 - b2) * g[i] * g[i];
    m[i] = mv;
    v[i] = vv;
    w[i] -= step * mv / (sqrtf(vv * ic2) + eps);
  }
}

// ---- Node-API glue: every function takes (base, args...) with base from attach(). ----

static bool args(napi_env env, napi_callback_info info, size_t want, double* out) {
  napi_value argv[16];
  size_t argc = 16;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc < want) {
    napi_throw_type_error(env, nullptr, "ntc native kernels: wrong number of arguments");
    return false;
  }
  for (size_t i = 0; i < want; i++) {
    if (napi_get_value_double(env, argv[i], &out[i]) != napi_ok) {
      napi_throw_type_error(env, nullptr, "ntc native kernels: arguments must be numbers");
      return false;
    }
  }
  return true;
}

#define BASE ((uint8_t*)(uintptr_t)d[0])
#define F(i) ((f32*)(d[i] ? BASE + (uintptr_t)d[i] : nullptr))
#define I32(i) ((int32_t*)(BASE + (uintptr_t)d[i]))
#define D64(i) ((double*)(BASE + (uintptr_t)d[i]))
#define N(i) ((int)d[i])
#define U(i) ((uint32_t)d[i])
#define R(i) ((f32)d[i])
#define EXPORT(name, count, call) \
  static napi_value js_##name(napi_env env, napi_callback_info info) { \
    double d[16]; \
    if (args(env, info, count + 1, d)) call; \
    return nullptr; \
  }

EXPORT(gemm, 12, gemm(F(1), N(2), N(3), F(4), N(5), F(6), N(7), N(8), N(9), N(10), N(11), F(12)))
EXPORT(transpose, 4, transpose(F(1), N(2), N(3), F(4)))
EXPORT(sumRows, 5, sumRows(F(1), N(2), N(3), F(4), N(5)))
EXPORT(addInto, 3, addInto(F(1), F(2), N(3)))
EXPORT(mulInto, 3, mulInto(F(1), F(2), N(3)))
EXPORT(multiply, 4, multiply(F(1), F(2), F(3), N(4)))
EXPORT(zero, 2, zero(F(1), N(2)))
EXPORT(toTimeMajor, 6, toTimeMajor(F(1), N(2), N(3), N(4), N(5), F(6)))
EXPORT(cellForward, 9, cellForward(F(1), F(2), F(3), F(4), F(5), F(6), F(7), N(8), N(9)))
EXPORT(cellBackward, 9, cellBackward(F(1), F(2), F(3), F(4), F(5), F(6), F(7), N(8), N(9)))
EXPORT(carryRows, 5, carryRows(F(1), F(2), F(3), N(4), N(5)))
EXPORT(dropoutMask, 5, dropoutMask(F(1), N(2), U(3), U(4), R(5)))
EXPORT(softmaxCrossEntropy, 8, softmaxCrossEntropy(F(1), I32(2), F(3), N(4), N(5), R(6), F(7), D64(8)))
EXPORT(squaredError, 8, squaredError(F(1), I32(2), F(3), N(4), N(5), R(6), F(7), D64(8)))
EXPORT(adam, 11, adam(F(1), F(2), F(3), F(4), N(5), R(6), R(7), R(8), R(9), R(10), R(11)))

/** attach(view): the base address of the memory under a typed array, as a number. */
static napi_value js_attach(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  size_t argc = 1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  napi_typedarray_type type;
  size_t length, offset;
  void* data;
  napi_value buffer;
  if (argc < 1 || napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &offset) != napi_ok) {
    napi_throw_type_error(env, nullptr, "ntc native kernels: attach needs a typed array over the engine's memory");
    return nullptr;
  }
  napi_value out;
  napi_create_double(env, (double)(uintptr_t)data, &out);
  return out;
}

/** The vector width the kernels were compiled for, in floats (4, 8 or 16). */
static napi_value js_vectorWidth(napi_env env, napi_callback_info) {
  napi_value out;
  napi_create_int32(env, VW, &out);
  return out;
}

#define REG(name) { #name, nullptr, js_##name, nullptr, nullptr, nullptr, napi_enumerable, nullptr }

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
    REG(attach), REG(vectorWidth), REG(gemm), REG(transpose), REG(sumRows), REG(addInto), REG(mulInto), REG(multiply), REG(zero),
    REG(toTimeMajor), REG(cellForward), REG(cellBackward), REG(carryRows), REG(dropoutMask), REG(softmaxCrossEntropy),
    REG(squaredError), REG(adam),
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
