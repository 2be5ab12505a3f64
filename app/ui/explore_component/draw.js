// Drawing helpers: SVG and HTML nodes whose attributes are written only when they change, so a
// redraw that changes nothing touches nothing (the page stays still after a server rerun).
const SVG_NS = "http://www.w3.org/2000/svg";
const OKABE_ITO = {
  blue: "#0072B2", orange: "#E69F00", sky: "#56B4E9", green: "#009E73",
  vermillion: "#D55E00", purple: "#CC79A7", yellow: "#F0E442",
};

function setAttr(node, name, value) {
  const v = String(value);
  const cache = node.__dl || (node.__dl = {});
  if (cache[name] !== v) {
    cache[name] = v;
    node.setAttribute(name, v);
  }
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setHTML(node, markup) {
  if (node.__dlHtml !== markup) {
    node.__dlHtml = markup;
    node.innerHTML = markup;
  }
}

function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

function svgNode(tag, attrs, parent) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) setAttr(node, k, v);
  if (parent) parent.appendChild(node);
  return node;
}

function htmlNode(tag, attrs, parent, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  if (parent) parent.appendChild(node);
  return node;
}

function svgText(parent, x, y, text, attrs) {
  const node = svgNode("text", { x, y, ...(attrs || {}) }, parent);
  node.textContent = text;
  return node;
}

// --- numbers as the Python side formats them ----------------------------------------------

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function fmtRate(r) {  // Python's f"{rate:g}" for rates on the 0.05 grid
  return String(Number(r.toFixed(2)));
}

function fmt4g(x) {  // Python's f"{x:.4g}" for the scales shown (0.1 to 10)
  return String(Number(x.toPrecision(4)));
}

function pct0(fraction) {  // Python's f"{x:.0%}": ties to even, as Python rounds
  const v = fraction * 100;
  const floor = Math.floor(v);
  const diff = v - floor;
  const r = diff > 0.5 || (diff === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
  return `${r}%`;
}

// --- colours: the Okabe-Ito palette, adapted to the Streamlit theme's background ----------

function parseColour(text) {
  const s = (text || "").trim();
  let m = s.match(/^#([0-9a-f]{3})$/i);
  if (m) return [...m[1]].map((c) => parseInt(c + c, 16));
  m = s.match(/^#([0-9a-f]{6})/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = s.match(/^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i);
  if (m) return [1, 2, 3].map((i) => Number(m[i]));
  return null;
}

function luminance([r, g, b]) {
  const lin = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

function mixRgb(a, b, t) {
  return a.map((v, i) => Math.round(v + (b[i] - v) * t));
}

function rgb(c) {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

// The colours of one theme, read from the CSS variables Streamlit gives v2 components.
function palette(root) {
  const style = getComputedStyle(root);
  const bg = parseColour(style.getPropertyValue("--st-background-color")) || [255, 255, 255];
  const ink = parseColour(style.getPropertyValue("--st-text-color")) || [34, 34, 34];
  const dark = luminance(bg) < 0.2;
  const orange = parseColour(OKABE_ITO.orange);
  const low = dark ? mixRgb(bg, [255, 255, 255], 0.08) : [255, 255, 255];
  return {
    dark, bg, ink,
    kept: dark ? OKABE_ITO.sky : OKABE_ITO.blue,
    dropped: dark ? rgb(mixRgb(bg, [255, 255, 255], 0.22)) : "#BBBBBB",
    line: OKABE_ITO.vermillion,
    // A value from 0 to 1 as a colour from the background's side to Okabe-Ito orange, and a
    // label colour that stays readable on it.
    value(t) {
      const c = mixRgb(low, orange, Math.max(0, Math.min(1, t)));
      return { fill: rgb(c), label: luminance(c) > 0.3 ? "#222222" : "#F5F5F5" };
    },
  };
}

// A phone-wide view: its wide pictures are laid one part above the other (decided when the view is
// built; side by side in 358 px, a 940-wide picture would shrink 13 px words to 5 px).
function narrow(root) {
  return (root.clientWidth || window.innerWidth) < 560;
}

// --- a grid of cells (heatmap) --------------------------------------------------------------

class Grid {
  // groupEvery: an extra groupGap after every that many columns (feature maps side by side).
  constructor(parent, { x, y, rows, cols, cell, gap = 2, labels = false, fontSize = 11,
    groupEvery = 0, groupGap = 0 }) {
    this.g = svgNode("g", { transform: `translate(${x},${y})` }, parent);
    this.rects = [];
    this.labels = [];
    const left = (c) => c * (cell + gap) + (groupEvery ? Math.floor(c / groupEvery) * groupGap : 0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const cx = left(c);
        const cy = r * (cell + gap);
        this.rects.push(svgNode("rect", { x: cx, y: cy, width: cell, height: cell, rx: 2 },
          this.g));
        if (labels) {
          this.labels.push(svgText(this.g, cx + cell / 2, cy + cell / 2, "", {
            "text-anchor": "middle", "dominant-baseline": "central", "font-size": fontSize,
          }));
        }
      }
    }
    this.width = left(cols - 1) + cell;
    this.height = rows * (cell + gap) - gap;
  }

  set(i, colour, label, labelColour) {
    setAttr(this.rects[i], "fill", colour);
    if (this.labels.length) {
      setText(this.labels[i], label);
      setAttr(this.labels[i], "fill", labelColour);
    }
  }
}

// --- axes ------------------------------------------------------------------------------------

function linearScale(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

function logScale(d0, d1, r0, r1) {
  const l0 = Math.log10(d0);
  const l1 = Math.log10(d1);
  const k = l1 === l0 ? 0 : (r1 - r0) / (l1 - l0);
  return (v) => r0 + (Math.log10(v) - l0) * k;
}

function logTicks(lo, hi) {
  const ticks = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
  }
  return ticks;
}

function tickLabel(v) {
  return v >= 1 ? String(v) : String(Number(v.toPrecision(2)));
}

function pathFrom(points) {
  return points.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
}
