/**
 * The two Box–Muller kernels behind PyTorch's `normal_fill` (aten/src/ATen/native/cpu/DistributionTemplates.h),
 * used by `torch.randn` for 16 or more contiguous float32 elements. Both turn a block of 16 uniforms in
 * [0, 1) into 16 normals: u1 = 1 − data[j] and u2 = data[j + 8] for j < 8, radius sqrt(−2 ln u1) and angle
 * 2π u2, the cosines into the first half and the sines into the second. They differ only in how they
 * compute ln, cos and sin in float32, which is why they give different last bits:
 *
 * - `avx2`: `normal_fill_16_AVX2`, which x86-64 builds of PyTorch run on every CPU with AVX2 (AVX-512 ones
 *   included). ln, sin and cos come from avx_mathfun.h, Cephes polynomials evaluated in float32. Linux
 *   builds are compiled by GCC, which fuses a multiply and the add that consumes it into one FMA (one
 *   rounding); we reproduce that fusing site by site, because without it about 1% of values differ by up to
 *   2 ulp. A build that does not fuse (MSVC does not contract intrinsics) shows those differences.
 * - `scalar`: `normal_fill_16`, which builds run without AVX2: ARM (Apple Silicon included) and older x86.
 *   ln, cos and sin are the C library's float functions, which no standard pins to the last bit; we use
 *   the correctly rounded result, so a value can differ from a given libm's by a few ulp (glibc's: about
 *   1.5% of values, at most 3 ulp).
 */

const { fround } = Math;

/**
 * float32 fused multiply-add, rounded once like the FMA instruction. `a * b` of two float32 values is
 * exact in float64, so only the sum can round twice (to float64, then to float32): that matters only when
 * the float64 sum falls exactly halfway between two float32 values, where the lost low bits decide.
 */
function fmaf(a: number, b: number, c: number): number {
  const product = a * b;
  const sum = product + c;
  const rounded = fround(sum);
  if (rounded === sum) return rounded;
  const other = rounded + 2 * (sum - rounded);
  if (fround(other) !== other) return rounded;
  const cPart = sum - product;
  const lost = product - (sum - cPart) + (c - cPart);
  if (lost === 0) return rounded;
  return lost > 0 === other > rounded ? other : rounded;
}

const bits = new Float32Array(1);
const bitsAsUint = new Uint32Array(bits.buffer);

const SQRT_HALF = fround(0.707106781186547524);
const LOG_P0 = fround(7.0376836292e-2);
const LOG_P1 = fround(-1.151461031e-1);
const LOG_P2 = fround(1.167699874e-1);
const LOG_P3 = fround(-1.2420140846e-1);
const LOG_P4 = fround(1.4249322787e-1);
const LOG_P5 = fround(-1.6668057665e-1);
const LOG_P6 = fround(2.0000714765e-1);
const LOG_P7 = fround(-2.4999993993e-1);
const LOG_P8 = fround(3.3333331174e-1);
const LOG_Q1 = fround(-2.1219444e-4);
const LOG_Q2 = fround(0.693359375);

/** avx_mathfun's `log256_ps` for one lane, for the positive normal floats that `1 − uniform` yields. */
function cephesLog(x: number): number {
  bits[0] = x;
  const word = bitsAsUint[0];
  let exponent = (word >>> 23) - 126;
  bitsAsUint[0] = (word & ~0x7f800000) | 0x3f000000;
  let m = bits[0];
  // Both branches are exact (Sterbenz): m − 1, and 2m − 1 for m below √½.
  if (m < SQRT_HALF) {
    exponent -= 1;
    m = m - 1 + m;
  } else {
    m = m - 1;
  }
  const z = fround(m * m);
  let y = fmaf(LOG_P0, m, LOG_P1);
  y = fmaf(y, m, LOG_P2);
  y = fmaf(y, m, LOG_P3);
  y = fmaf(y, m, LOG_P4);
  y = fmaf(y, m, LOG_P5);
  y = fmaf(y, m, LOG_P6);
  y = fmaf(y, m, LOG_P7);
  y = fmaf(y, m, LOG_P8);
  y = fround(y * m);
  y = fmaf(y, z, fround(exponent * LOG_Q1));
  // z / 2 and exponent × Q2 are exact, so neither can be fused differently.
  y = fround(y - z * 0.5);
  m = fround(m + y);
  return fround(m + exponent * LOG_Q2);
}

const FOUR_OVER_PI = fround(1.27323954473516);
const MINUS_DP1 = fround(-0.78515625);
const MINUS_DP2 = fround(-2.4187564849853515625e-4);
const MINUS_DP3 = fround(-3.77489497744594108e-8);
const SIN_P0 = fround(-1.9515295891e-4);
const SIN_P1 = fround(8.3321608736e-3);
const SIN_P2 = fround(-1.6666654611e-1);
const COS_P0 = fround(2.443315711809948e-5);
const COS_P1 = fround(-1.388731625493765e-3);
const COS_P2 = fround(4.166664568298827e-2);
const TWO_PI_FLOAT = fround(2 * Math.PI);

/** `normal_fill_16_AVX2` on data[offset .. offset + 16), with mean 0 and standard deviation 1. */
export function boxMuller16Avx2(data: Float32Array, offset: number): void {
  for (let j = offset; j < offset + 8; j++) {
    const radius = fround(Math.sqrt(fround(-2 * cephesLog(1 - data[j]))));
    // sincos256_ps for one lane; the angle is never negative, so no sign to carry in.
    let x = fround(TWO_PI_FLOAT * data[j + 8]);
    const octant = (Math.trunc(fround(x * FOUR_OVER_PI)) + 1) & ~1;
    // Cody–Waite reduction by π/4; the first two products are exact.
    x = fround(x + octant * MINUS_DP1);
    x = fround(x + octant * MINUS_DP2);
    x = fmaf(octant, MINUS_DP3, x);
    const z = fround(x * x);
    let cosPoly = fmaf(COS_P0, z, COS_P1);
    cosPoly = fmaf(cosPoly, z, COS_P2);
    cosPoly = fround(cosPoly * z);
    cosPoly = fmaf(cosPoly, z, -fround(z * 0.5));
    cosPoly = fround(cosPoly + 1);
    let sinPoly = fmaf(SIN_P0, z, SIN_P1);
    sinPoly = fmaf(sinPoly, z, SIN_P2);
    sinPoly = fround(sinPoly * z);
    sinPoly = fmaf(sinPoly, x, x);
    const swapPolynomials = (octant & 2) !== 0;
    let sin = swapPolynomials ? cosPoly : sinPoly;
    let cos = swapPolynomials ? sinPoly : cosPoly;
    if ((octant & 4) !== 0) sin = -sin;
    if (((octant - 2) & 4) === 0) cos = -cos;
    // PyTorch ends with fmadd(n, std, mean); with mean +0 that turns a −0 into +0.
    data[j] = fround(radius * cos) + 0;
    data[j + 8] = fround(radius * sin) + 0;
  }
}

/** `normal_fill_16` for float, with mean 0 and standard deviation 1. */
export function boxMuller16Scalar(data: Float32Array, offset: number): void {
  for (let j = offset; j < offset + 8; j++) {
    const radius = fround(Math.sqrt(fround(-2 * fround(Math.log(1 - data[j])))));
    // PyTorch forms 2π·u2 in double and only then narrows the angle to float.
    const theta = fround(2 * Math.PI * data[j + 8]);
    data[j] = fround(radius * fround(Math.cos(theta))) + 0;
    data[j + 8] = fround(radius * fround(Math.sin(theta))) + 0;
  }
}
