// The counter-based generator of app/lesson/rng.py, bit for bit: the n-th number of a stream is
// a pure function of (seed, stream, n). All arithmetic is uint32 modulo 2**32.
const GOLDEN = 0x9e3779b9;
const STREAM_MULT = 0x85ebca6b;
const TWO_32 = 4294967296;

// lowbias32 (Chris Wellons, hash-prospector): a bijective 32-bit integer hash.
function mix32(x) {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

function streamKey(seed, stream) {
  const s = mix32((seed + GOLDEN) >>> 0);
  const t = Math.imul((stream + 1) >>> 0, STREAM_MULT) >>> 0;
  return mix32((s ^ t) >>> 0);
}

function bitsAt(key, counter) {
  return mix32((mix32((counter + key) >>> 0) ^ key) >>> 0);
}

// A stream read in order, like CounterRNG.random: successive draws use successive counters.
class CounterRNG {
  constructor(seed, stream) {
    this.key = streamKey(seed, stream);
    this.counter = 0;
  }

  random(n) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = bitsAt(this.key, this.counter + i) / TWO_32;
    this.counter += n;
    return out;
  }
}

// keep[i] = uniform[i] >= rate, as 0/1 bytes.
function keepFrom(uniforms, rate) {
  const keep = new Uint8Array(uniforms.length);
  for (let i = 0; i < uniforms.length; i++) keep[i] = uniforms[i] >= rate ? 1 : 0;
  return keep;
}

// The same mask as rng.keep_bits(seed, stream, rate, n) in Python, as a string of 0s and 1s
// (the browser test compares these with NumPy's).
function keepString(seed, stream, rate, n) {
  return Array.from(keepFrom(new CounterRNG(seed, stream).random(n), rate)).join("");
}

function bitsString(seed, stream, n) {
  const key = streamKey(seed, stream);
  const out = [];
  for (let i = 0; i < n; i++) out.push(bitsAt(key, i));
  return out.join(",");
}
