// The expectation chart, the network and the variants gallery, built once and redrawn in place.

function niceTicks(lo, hi, count = 5) {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || mag * 10;
  const ticks = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
    ticks.push(Number(v.toPrecision(6)));
  }
  return ticks;
}

// A pool of tick marks with labels, shown or hidden as the axis needs.
class Ticks {
  constructor(parent, n, vertical) {
    this.vertical = vertical;
    this.items = Array.from({ length: n }, () => {
      const g = svgNode("g", { class: "dl-tick" }, parent);
      return { g, line: svgNode("line", {}, g), label: svgText(g, 0, 0, "") };
    });
  }

  // ticks: [value, position]; `at` is the axis line's coordinate, `span` the grid's far end.
  draw(ticks, at, span) {
    this.items.forEach((item, i) => {
      const tick = ticks[i];
      setAttr(item.g, "visibility", tick ? "visible" : "hidden");
      if (!tick) return;
      const [value, pos] = tick;
      if (this.vertical) {
        setAttr(item.line, "x1", at); setAttr(item.line, "x2", span);
        setAttr(item.line, "y1", pos.toFixed(1)); setAttr(item.line, "y2", pos.toFixed(1));
        setAttr(item.label, "x", at - 6); setAttr(item.label, "y", pos.toFixed(1));
        setAttr(item.label, "text-anchor", "end");
        setAttr(item.label, "dominant-baseline", "central");
      } else {
        setAttr(item.line, "x1", pos.toFixed(1)); setAttr(item.line, "x2", pos.toFixed(1));
        setAttr(item.line, "y1", at); setAttr(item.line, "y2", at + 5);
        setAttr(item.label, "x", pos.toFixed(1)); setAttr(item.label, "y", at + 17);
        setAttr(item.label, "text-anchor", "middle");
      }
      setText(item.label, tickLabel(value));
    });
  }
}

// The two charts side by side, or on a phone one above the other: side by side in 358 px the
// 940-wide picture would shrink its 13 px words to 5 px.
const CONVERGENCE = {
  row: { width: 940, height: 340, left: { x0: 56, x1: 440, y0: 40, y1: 256 },
    right: { x0: 560, x1: 920, y0: 40, y1: 256 }, legend: [56, 318], perRow: 4, step: 215 },
  stacked: { width: 480, height: 676, left: { x0: 76, x1: 466, y0: 40, y1: 250 },
    right: { x0: 76, x1: 466, y0: 360, y1: 570 }, legend: [40, 640], perRow: 2, step: 210 },
};

function buildConvergence(root, data, view) {
  const t = data.text;
  const node = section(root, t.expectation.heading, t.expectation.explain);
  const label = htmlNode("label", { class: "dl-select" }, node, `${t.live.masks} `);
  const select = htmlNode("select", { "data-testid": "explore-masks" }, label);
  for (const k of data.masks.choices) {
    const option = htmlNode("option", { value: k }, select, k.toLocaleString("en"));
    if (k === data.masks.default) option.selected = true;
  }
  select.addEventListener("change", () => {
    view.k = Number(select.value);
    view.render();
  });
  const layout = narrow(root) ? "stacked" : "row";
  const g = CONVERGENCE[layout];
  const svg = svgNode("svg", { viewBox: `0 0 ${g.width} ${g.height}`, role: "img",
    class: layout === "stacked" ? "dl-figure dl-phone" : "dl-figure",
    "aria-label": `${t.live.average_title}; ${t.live.error_title}` }, node);
  const axes = svgNode("g", { class: "dl-axes" }, svg);
  const boxes = [[g.left, t.live.average_title, t.live.unit_axis, t.live.value_axis],
    [g.right, t.live.error_title, t.live.k_axis, t.live.error_axis]];
  for (const [box, title, xTitle, yTitle] of boxes) {
    const middle = (box.x0 + box.x1) / 2;
    svgText(svg, middle, box.y0 - 22, title, { "text-anchor": "middle", class: "dl-title" });
    svgNode("path", { d: `M${box.x0},${box.y0}V${box.y1}H${box.x1}`, class: "dl-axis" }, axes);
    svgText(svg, middle, box.y1 + 36, xTitle, { "text-anchor": "middle" });
    svgText(svg, 0, 0, yTitle, { "text-anchor": "middle",
      transform: `translate(${box.x0 - 46},${(box.y0 + box.y1) / 2}) rotate(-90)` });
  }
  const m = data.activations.length;
  const bars = Array.from({ length: m }, () => svgNode("rect", { class: "dl-bar" }, svg));
  const parts = {
    bars, left: g.left, right: g.right,
    yLeft: new Ticks(axes, 8, true), yRight: new Ticks(axes, 8, true),
    xRight: new Ticks(axes, 6, false),
    average: svgNode("path", { class: "dl-average" }, svg),
    reference: svgNode("path", { class: "dl-reference", fill: "none" }, svg),
    error: svgNode("path", { class: "dl-error", fill: "none" }, svg),
    errorDots: svgNode("path", { class: "dl-error-dots" }, svg),
  };
  const legend = svgNode("g", { transform: `translate(${g.legend[0]},${g.legend[1]})` }, svg);
  const entries = [["dl-bar", t.live.expected], ["dl-average", ""], ["dl-error", t.live.error],
    ["dl-reference", t.live.reference]];
  parts.legend = entries.map(([cls, text], i) => {
    const at = `translate(${(i % g.perRow) * g.step},${Math.floor(i / g.perRow) * 26})`;
    const entry = svgNode("g", { transform: at }, legend);
    svgNode("rect", { x: 0, y: -6, width: 18, height: 10, class: `${cls} dl-swatch` }, entry);
    return svgText(entry, 24, 0, text, { "dominant-baseline": "central" });
  });
  return parts;
}

function drawConvergence(p, t, conv, k, colours) {
  const { expected, average, ks, errors } = conv;
  const LEFT = p.left;
  const RIGHT = p.right;
  const m = expected.length;
  const ymax = Math.max(1e-9, ...expected, ...average) * 1.08;
  const y = linearScale(0, ymax, LEFT.y1, LEFT.y0);
  const band = (LEFT.x1 - LEFT.x0) / m;
  let diamonds = "";
  for (let j = 0; j < m; j++) {
    const x = LEFT.x0 + band * (j + 0.5);
    const top = y(expected[j]);
    setAttr(p.bars[j], "x", (x - band * 0.4).toFixed(1));
    setAttr(p.bars[j], "width", (band * 0.8).toFixed(1));
    setAttr(p.bars[j], "y", top.toFixed(1));
    setAttr(p.bars[j], "height", (LEFT.y1 - top).toFixed(1));
    const ya = y(average[j]);
    diamonds += `M${x.toFixed(1)},${(ya - 4).toFixed(1)}l4,4l-4,4l-4,-4z`;
  }
  setAttr(p.average, "d", diamonds);
  setAttr(p.average, "fill", colours.kept);
  p.yLeft.draw(niceTicks(0, ymax).map((v) => [v, y(v)]), LEFT.x0, LEFT.x1);
  const reference = ks.map((kk) => errors[0] / Math.sqrt(kk));
  const positive = [...errors, ...reference].filter((v) => v > 0);
  const lo = Math.min(...positive) * 0.8;
  const hi = Math.max(...positive) * 1.25;
  const x = logScale(1, Math.max(k, 2), RIGHT.x0, RIGHT.x1);
  const ye = logScale(lo, hi, RIGHT.y1, RIGHT.y0);
  const clampY = (v) => ye(Math.max(v, lo));
  setAttr(p.error, "d", pathFrom(ks.map((kk, i) => [x(kk), clampY(errors[i])])));
  const dot = (kk, i) => `M${x(kk).toFixed(1)},${clampY(errors[i]).toFixed(1)}`
    + "m-2,0a2,2 0 1,0 4,0a2,2 0 1,0 -4,0";
  setAttr(p.errorDots, "d", ks.map(dot).join(""));
  setAttr(p.reference, "d", pathFrom(ks.map((kk, i) => [x(kk), clampY(reference[i])])));
  let yTicks = logTicks(lo, hi);
  if (yTicks.length < 2) yTicks = niceTicks(lo, hi, 3).filter((v) => v > 0);
  p.yRight.draw(yTicks.map((v) => [v, ye(v)]), RIGHT.x0, RIGHT.x1);
  p.xRight.draw(logTicks(1, Math.max(k, 2)).map((v) => [v, x(v)]), RIGHT.y1);
  setText(p.legend[1], fill(t.live.average, { k: k.toLocaleString("en") }));
}

// Layers as columns, or on a phone as rows (12 units across 358 px keep their labels readable).
function buildNetwork(root, data) {
  const t = data.text;
  const node = section(root, t.network.heading, t.network.explain);
  const inference = htmlNode("div", { class: "dl-caption" }, node);
  setHTML(inference, t.network.inference);
  const stacked = narrow(root);
  const { sizes, names, picks } = data.network;
  const shown = Math.max(...picks.map((p) => p.length));
  const box = stacked ? `0 0 480 ${88 + (picks.length - 1) * 96 + 24}` : "0 0 940 430";
  const svg = svgNode("svg", { viewBox: box, role: "img",
    class: stacked ? "dl-figure dl-phone" : "dl-figure" }, node);
  const edges = svgNode("path", { class: "dl-edges", fill: "none" }, svg);
  const radius = stacked ? 11 : 9;
  const units = [];
  picks.forEach((idx, col) => {
    const offset = (shown - idx.length) / 2;
    const name = fill(t.live.layer_label, { name: names[col], n: sizes[col] });
    const place = stacked
      ? (row) => [36 + (row + offset) * 37, 88 + col * 96]
      : (row) => [90 + col * 190, 52 + (row + offset) * 28];
    idx.forEach((unit, row) => {
      const [x, y] = place(row);
      const g = svgNode("g", { transform: `translate(${x},${y})` }, svg);
      units.push({ col, unit, x, y, circle: svgNode("circle", { r: radius }, g),
        cross: svgText(g, 0, 0, "✕", { "text-anchor": "middle", "dominant-baseline": "central",
          class: "dl-cross" }) });
    });
    if (stacked) svgText(svg, 20, 88 + col * 96 - 24, name, { class: "dl-halo" });
    else svgText(svg, 90 + col * 190, 410, name, { "text-anchor": "middle" });
  });
  const legend = svgNode("g", { transform: "translate(20,14)" }, svg);
  const active = svgNode("circle", { cx: 8, cy: 0, r: 7 }, legend);
  svgText(legend, 22, 0, t.live.active_unit, { "dominant-baseline": "central" });
  const dropped = svgNode("circle", { cx: stacked ? 168 : 128, cy: 0, r: 7 }, legend);
  svgText(legend, stacked ? 182 : 142, 0, t.live.dropped_unit, { "dominant-baseline": "central" });
  return { inference, svg, edges, units, legend: { active, dropped } };
}

function drawNetwork(p, t, d, net, colours) {
  setHidden(p.inference, d.training);
  const alive = p.units.map(({ col, unit }) => !net.keeps[col] || net.keeps[col][unit] === 1);
  let path = "";
  let count = 0;
  p.units.forEach((a, i) => {
    p.units.forEach((b, j) => {
      if (b.col === a.col + 1 && alive[i] && alive[j]) {
        path += `M${a.x},${a.y}L${b.x},${b.y}`;
      }
    });
  });
  setAttr(p.edges, "d", path);
  setAttr(p.edges, "stroke", colours.kept);
  p.units.forEach((u, i) => {
    count += alive[i];
    setAttr(u.circle, "fill", alive[i] ? colours.kept : colours.dropped);
    setAttr(u.circle, "class", alive[i] ? "dl-unit" : "dl-unit dl-unit-dropped");
    setAttr(u.cross, "visibility", alive[i] ? "hidden" : "visible");
  });
  setAttr(p.legend.active, "fill", colours.kept);
  setAttr(p.legend.dropped, "fill", colours.dropped);
  const label = fill(t.live.network_label, { active: count, shown: p.units.length });
  setAttr(p.svg, "aria-label", label);
}

const PANEL = { width: 300, height: 180 };  // each variant's picture, in SVG units

// One figure per variant of the table the server sent, its grid laid as the table says.
function buildVariants(root, data) {
  const t = data.text.variants;
  const node = section(root, t.heading, t.explain);
  const gallery = htmlNode("div", { class: "dl-gallery" }, node);
  const panels = {};
  for (const v of data.variants) {
    const testid = `explore-variant-${v.name}`;
    const fig = htmlNode("figure", { class: "dl-panel", "data-testid": testid }, gallery);
    const title = htmlNode("figcaption", { class: "dl-title" }, fig, t.titles[v.name]);
    const svg = svgNode("svg", { viewBox: `0 0 ${PANEL.width} ${PANEL.height}`, role: "img",
      class: "dl-figure", "aria-label": fill(t.titles[v.name], { mean: "", std: "" }) }, fig);
    setHTML(htmlNode("div", { class: "dl-caption" }, fig), t.captions[v.name]);
    panels[v.name] = v.grid ? { title, grid: centredGrid(svg, v.grid) }
      : { title, ...buildHistogram(svg, v.bins, t.titles) };
  }
  return panels;
}

function centredGrid(svg, g) {
  const groups = g.group_every ? Math.floor((g.cols - 1) / g.group_every) : 0;
  const width = g.cols * (g.cell + g.gap) - g.gap + groups * g.group_gap;
  const height = g.rows * (g.cell + g.gap) - g.gap;
  return new Grid(svg, { x: Math.round((PANEL.width - width) / 2),
    y: Math.round((PANEL.height - height) / 2), rows: g.rows, cols: g.cols, cell: g.cell,
    gap: g.gap, groupEvery: g.group_every, groupGap: g.group_gap });
}

function buildHistogram(svg, bins, titles) {
  const bars = (cls) => Array.from({ length: bins }, () => svgNode("rect", { class: cls }, svg));
  const parts = { before: bars("dl-hist-before"), after: bars("dl-hist-after") };
  svgNode("rect", { x: 70, y: 166, width: 10, height: 10, class: "dl-hist-before" }, svg);
  svgText(svg, 84, 171, titles.alpha_before, { "dominant-baseline": "central", "font-size": 11 });
  parts.swatch = svgNode("rect", { x: 150, y: 166, width: 10, height: 10,
    class: "dl-hist-after" }, svg);
  svgText(svg, 164, 171, titles.alpha_after, { "dominant-baseline": "central", "font-size": 11 });
  return parts;
}

function drawMask(grid, keep, colours) {
  for (let i = 0; i < keep.length; i++) grid.set(i, keep[i] ? colours.kept : colours.dropped);
}

// Panes side by side (feature maps, or the per-step and the locked masks): cell (r, c) of the
// grid is cell (r, c mod w) of pane floor(c / w), w = the grid's group_every.
function drawPanes(grid, g, panes, colour) {
  const w = g.group_every;
  for (let r = 0; r < g.rows; r++) {
    for (let c = 0; c < g.cols; c++) {
      const pane = Math.floor(c / w);
      grid.set(r * g.cols + c, colour(pane, panes[pane], r * w + (c % w)));
    }
  }
}

function drawHistogram(p, t, out, colours) {
  const h = histogram(out.before, out.after, p.before.length);
  const top = Math.max(...h.before, ...h.after);
  const w = 280 / h.before.length;
  for (const [rects, counts] of [[p.before, h.before], [p.after, h.after]]) {
    counts.forEach((c, i) => {
      const height = (150 * c) / top;
      setAttr(rects[i], "x", (10 + i * w).toFixed(1));
      setAttr(rects[i], "width", (w * 0.95).toFixed(1));
      setAttr(rects[i], "y", (156 - height).toFixed(1));
      setAttr(rects[i], "height", height.toFixed(1));
    });
  }
  p.after.forEach((r) => setAttr(r, "fill", colours.kept));
  setAttr(p.swatch, "fill", colours.kept);
  const m = mean(out.after);
  setText(p.title, fill(t, { mean: `${m >= 0 ? "+" : ""}${m.toFixed(2)}`,
    std: std(out.after).toFixed(2) }));
}

function drawVariants(p, t, data, drawn, colours) {
  const mask = (_, keep, i) => (keep[i] ? colours.kept : colours.dropped);
  for (const v of data.variants) {
    const out = drawn[v.name];
    const part = p[v.name];
    if (v.rule === "alpha") {
      drawHistogram(part, t.variants.titles[v.name], out, colours);
    } else if (v.rule === "spatial") {
      const per = out.values.length / out.keep.length;
      const top = Math.max(...out.values) || 1;
      const maps = Array.from(out.keep, (_, m) => out.values.subarray(m * per, (m + 1) * per));
      drawPanes(part.grid, v.grid, maps, (m, values, i) =>
        (out.keep[m] ? colours.value(values[i] / top).fill : colours.dropped));
    } else if (v.rule === "time") {
      drawPanes(part.grid, v.grid, [out.per_step, out.locked], mask);
    } else {
      drawMask(part.grid, out.keep, colours);
    }
  }
}
