// What each picture shows at one rate: pure numbers, the JavaScript twin of
// dropout_lab.lesson.explore and lesson.variants (same streams, same order of draws, so the same
// masks; the variants' draws are read from the table the server sends).
// Uniforms do not depend on the rate, only on the seed: they are drawn once per seed and
// compared with the rate on every move.

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const ALPHA_PRIME = -SELU_SCALE * SELU_ALPHA;

class Draws {
  constructor(data) {
    this.seed = data.seed;
    this.streams = data.streams;
    this.cache = new Map();
  }

  // The first n uniforms of a named stream.
  uniforms(name, n) {
    const have = this.cache.get(name);
    if (have && have.length >= n) return have.subarray(0, n);
    const u = new CounterRNG(this.seed, this.streams[name]).random(n);
    this.cache.set(name, u);
    return u;
  }
}

function normals(u, loc, scale) {  // Box-Muller, as CounterRNG.normal: radii first, angles next
  const n = u.length / 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = loc + scale * Math.sqrt(-2 * Math.log1p(-u[i])) * Math.cos(2 * Math.PI * u[n + i]);
  }
  return out;
}

function layerView(data, draws, rate) {
  const x = data.activations;
  const keep = keepFrom(draws.uniforms("layer", x.length), rate);
  const out = new Float64Array(x.length);
  const inverted = data.form === "inverted";
  let kept = 0;
  for (let i = 0; i < x.length; i++) {
    kept += keep[i];
    if (!data.training) out[i] = inverted ? x[i] : x[i] * (1 - rate);
    else out[i] = keep[i] ? (inverted ? x[i] / (1 - rate) : x[i]) : 0;
  }
  let scale;
  if (data.training) scale = inverted ? 1 / (1 - rate) : 1;
  else scale = inverted ? 1 : 1 - rate;
  const shownKeep = data.training ? keep : new Uint8Array(x.length).fill(1);
  const dropped = data.training ? 1 - kept / x.length : 0;
  return { activations: x, keep: shownKeep, output: out, scale, dropped };
}

function batchView(data, draws, rate) {
  const { examples: n, units: u, channels: c } = data.batch;
  const ones = () => new Uint8Array(n * u).fill(1);
  if (!data.training) return { per_example: ones(), shared: ones(), spatial: ones() };
  const perExample = keepFrom(draws.uniforms("batch_example", n * u), rate);
  const row = keepFrom(draws.uniforms("batch_shared", u), rate);
  const maps = keepFrom(draws.uniforms("batch_spatial", n * c), rate);  // (batch, 1, channels)
  const shared = new Uint8Array(n * u);
  const spatial = new Uint8Array(n * u);
  const steps = u / c;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < u; j++) {
      shared[i * u + j] = row[j];
      spatial[i * u + j] = maps[i * c + Math.floor(j / steps)];  // channel-major columns
    }
  }
  return { per_example: perExample, shared, spatial };
}

function convergenceView(data, draws, rate, k) {
  const x = data.activations;
  const m = x.length;
  const u = draws.uniforms("convergence", k * m);
  const scale = data.form === "inverted" ? 1 / (1 - rate) : 1;
  const expected = x.map((v) => v * (scale * (1 - rate)));
  const ks = data.masks.ks[String(k)];
  const sums = new Float64Array(m);
  const errors = [];
  let next = 0;
  for (let r = 0; r < k; r++) {
    const base = r * m;
    for (let j = 0; j < m; j++) if (u[base + j] >= rate) sums[j] += x[j] * scale;
    if (r + 1 === ks[next]) {
      let e = 0;
      for (let j = 0; j < m; j++) e += Math.abs(sums[j] / (r + 1) - expected[j]);
      errors.push(e / m);
      next++;
    }
  }
  const average = Array.from(sums, (s) => s / k);
  return { expected, average, ks, errors };
}

function networkView(data, draws, rate) {
  const sizes = data.network.sizes;
  const keeps = [null];
  let offset = 0;
  const hidden = sizes.slice(1, -1);
  const total = hidden.reduce((a, b) => a + b, 0);
  const u = data.training ? draws.uniforms("network", total) : null;
  for (const n of hidden) {
    keeps.push(u ? keepFrom(u.subarray(offset, offset + n), rate) : null);
    offset += n;
  }
  keeps.push(null);
  return { keeps };
}

function dropblock(u, size, rate, block) {
  const valid = size - block + 1;
  const gamma = (rate / block ** 2) * size ** 2 / valid ** 2;
  const keep = new Uint8Array(size * size).fill(1);
  for (let i = 0; i < valid; i++) {
    for (let j = 0; j < valid; j++) {
      if (u[i * valid + j] >= gamma) continue;
      for (let a = i; a < i + block; a++) {
        for (let b = j; b < j + block; b++) keep[a * size + b] = 0;
      }
    }
  }
  return keep;
}

// The mask rules of lesson/variants.py, on each variant's own draws (named as its table says).
const RULES = {
  keep: (v, d, rate) => ({ keep: keepFrom(d.keep, rate) }),
  spatial: (v, d, rate) => {
    const maps = d.maps.map(Math.abs);
    const keep = keepFrom(d.keep, rate);
    const per = maps.length / keep.length;
    return { keep, values: maps.map((x, i) => (keep[Math.floor(i / per)] ? x / (1 - rate) : 0)) };
  },
  dropblock: (v, d, rate) => ({ keep: dropblock(d.centres, v.grid.rows, rate, v.block) }),
  time: (v, d, rate) => {
    const locked = keepFrom(d.locked, rate);
    const repeated = new Uint8Array(d.per_step.length).map((_, i) => locked[i % locked.length]);
    return { per_step: keepFrom(d.per_step, rate), locked: repeated };
  },
  alpha: (v, d, rate) => {
    if (rate === 0) return { before: d.values, after: d.values };
    const q = 1 - rate;
    const a = (q + ALPHA_PRIME ** 2 * q * (1 - q)) ** -0.5;
    const b = -a * (1 - q) * ALPHA_PRIME;
    const after = d.values.map((x, i) => a * (d.keep[i] >= rate ? x : ALPHA_PRIME) + b);
    return { before: d.values, after };
  },
};

// Every variant of the table the server sent (data.variants), each from its own stretch of the
// variants' stream: its draws' sizes are the table's, never written here.
function variantsView(data, draws, rate) {
  const total = data.variants.reduce((sum, v) => sum + v.uniforms, 0);
  const u = draws.uniforms("variants", total);
  const out = {};
  let at = 0;
  for (const v of data.variants) {
    const named = {};
    let from = at;
    for (const d of v.draws) {
      const part = u.subarray(from, from + d.uniforms);
      named[d.name] = d.normal ? normals(part, d.normal[0], d.normal[1]) : part;
      from += d.uniforms;
    }
    out[v.name] = RULES[v.rule](v, named, rate);
    at += v.uniforms;
  }
  return out;
}

function histogram(before, after, bins) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const arr of [before, after]) {
    for (const v of arr) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const width = (hi - lo) / bins || 1;
  const count = (arr) => {
    const c = new Array(bins).fill(0);
    for (const v of arr) c[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    return c;
  };
  return { lo, hi, before: count(before), after: count(after) };
}

function mean(arr) {
  let s = 0;
  for (const v of arr) s += v;
  return s / arr.length;
}

function std(arr) {
  const m = mean(arr);
  let s = 0;
  for (const v of arr) s += (v - m) ** 2;
  return Math.sqrt(s / arr.length);
}
