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

const LEFT = { x0: 56, x1: 440, y0: 40, y1: 256 };
const RIGHT = { x0: 560, x1: 920, y0: 40, y1: 256 };

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
  const svg = svgNode("svg", { viewBox: "0 0 940 340", role: "img", class: "dl-figure",
    "aria-label": `${t.live.average_title}; ${t.live.error_title}` }, node);
  const axes = svgNode("g", { class: "dl-axes" }, svg);
  for (const [box, title] of [[LEFT, t.live.average_title], [RIGHT, t.live.error_title]]) {
    svgText(svg, (box.x0 + box.x1) / 2, 18, title, { "text-anchor": "middle", class: "dl-title" });
    svgNode("path", { d: `M${box.x0},${box.y0}V${box.y1}H${box.x1}`, class: "dl-axis" }, axes);
  }
  svgText(svg, (LEFT.x0 + LEFT.x1) / 2, 292, t.live.unit_axis, { "text-anchor": "middle" });
  svgText(svg, (RIGHT.x0 + RIGHT.x1) / 2, 292, t.live.k_axis, { "text-anchor": "middle" });
  svgText(svg, 0, 0, t.live.value_axis, { transform: `translate(14,148) rotate(-90)`,
    "text-anchor": "middle" });
  svgText(svg, 0, 0, t.live.error_axis, { transform: `translate(500,148) rotate(-90)`,
    "text-anchor": "middle" });
  const m = data.activations.length;
  const bars = Array.from({ length: m }, () => svgNode("rect", { class: "dl-bar" }, svg));
  const parts = {
    bars,
    yLeft: new Ticks(axes, 8, true), yRight: new Ticks(axes, 8, true),
    xRight: new Ticks(axes, 6, false),
    average: svgNode("path", { class: "dl-average" }, svg),
    reference: svgNode("path", { class: "dl-reference", fill: "none" }, svg),
    error: svgNode("path", { class: "dl-error", fill: "none" }, svg),
    errorDots: svgNode("path", { class: "dl-error-dots" }, svg),
  };
  const legend = svgNode("g", { transform: "translate(56,318)" }, svg);
  const entries = [["dl-bar", t.live.expected], ["dl-average", ""], ["dl-error", t.live.error],
    ["dl-reference", t.live.reference]];
  parts.legend = entries.map(([cls, text], i) => {
    const g = svgNode("g", { transform: `translate(${i * 215},0)` }, legend);
    svgNode("rect", { x: 0, y: -6, width: 18, height: 10, class: `${cls} dl-swatch` }, g);
    return svgText(g, 24, 0, text, { "dominant-baseline": "central" });
  });
  return parts;
}

function drawConvergence(p, t, conv, k, colours) {
  const { expected, average, ks, errors } = conv;
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

function buildNetwork(root, data) {
  const t = data.text;
  const node = section(root, t.network.heading, t.network.explain);
  const inference = htmlNode("div", { class: "dl-caption" }, node);
  setHTML(inference, t.network.inference);
  const svg = svgNode("svg", { viewBox: "0 0 940 430", role: "img", class: "dl-figure" }, node);
  const edges = svgNode("path", { class: "dl-edges", fill: "none" }, svg);
  const { sizes, names, picks } = data.network;
  const shown = Math.max(...picks.map((p) => p.length));
  const units = [];
  picks.forEach((idx, col) => {
    const offset = (shown - idx.length) / 2;
    const x = 90 + col * 190;
    idx.forEach((unit, row) => {
      const y = 52 + (row + offset) * 28;
      const g = svgNode("g", { transform: `translate(${x},${y})` }, svg);
      units.push({ col, unit, x, y, circle: svgNode("circle", { r: 9 }, g),
        cross: svgText(g, 0, 0, "✕", { "text-anchor": "middle", "dominant-baseline": "central",
          "font-size": 11 }) });
    });
    svgText(svg, x, 410, fill(t.live.layer_label, { name: names[col], n: sizes[col] }),
      { "text-anchor": "middle" });
  });
  const legend = svgNode("g", { transform: "translate(20,14)" }, svg);
  const active = svgNode("circle", { cx: 8, cy: 0, r: 7 }, legend);
  svgText(legend, 22, 0, t.live.active_unit, { "dominant-baseline": "central" });
  const dropped = svgNode("circle", { cx: 128, cy: 0, r: 7 }, legend);
  svgText(legend, 142, 0, t.live.dropped_unit, { "dominant-baseline": "central" });
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

function buildVariants(root, data) {
  const t = data.text.variants;
  const node = section(root, t.heading, t.explain);
  const gallery = htmlNode("div", { class: "dl-gallery" }, node);
  const panels = {};
  for (const name of Object.keys(t.captions)) {
    const fig = htmlNode("figure", { class: "dl-panel", "data-testid": `explore-variant-${name}` },
      gallery);
    const title = htmlNode("figcaption", { class: "dl-title" }, fig, t.titles[name]);
    const svg = svgNode("svg", { viewBox: "0 0 300 180", role: "img", class: "dl-figure",
      "aria-label": fill(t.titles[name], { mean: "", std: "" }) }, fig);
    setHTML(htmlNode("div", { class: "dl-caption" }, fig), t.captions[name]);
    panels[name] = { title, svg };
  }
  const grid = (name, opts) => new Grid(panels[name].svg, { y: 4, ...opts });
  panels.standard.grid = grid("standard", { x: 67, rows: 8, cols: 8, cell: 19, gap: 2 });
  panels.spatial.grid = grid("spatial", { x: 6, y: 50, rows: 6, cols: 24, cell: 10, gap: 1,
    groupEvery: 6, groupGap: 8 });
  panels.dropconnect.grid = grid("dropconnect", { x: 67, rows: 8, cols: 8, cell: 19, gap: 2 });
  panels.dropblock.grid = grid("dropblock", { x: 62, rows: 16, cols: 16, cell: 10, gap: 1 });
  panels.variational.grid = grid("variational", { x: 50, rows: 10, cols: 12, cell: 14, gap: 2,
    groupEvery: 6, groupGap: 12 });
  const bins = 40;
  const svg = panels.alpha.svg;
  const bars = (cls) => Array.from({ length: bins }, () => svgNode("rect", { class: cls }, svg));
  panels.alpha.before = bars("dl-hist-before");
  panels.alpha.after = bars("dl-hist-after");
  svgNode("rect", { x: 70, y: 166, width: 10, height: 10, class: "dl-hist-before" }, svg);
  svgText(svg, 84, 171, t.titles.alpha_before, { "dominant-baseline": "central", "font-size": 11 });
  panels.alpha.swatch = svgNode("rect", { x: 150, y: 166, width: 10, height: 10,
    class: "dl-hist-after" }, svg);
  svgText(svg, 164, 171, t.titles.alpha_after, { "dominant-baseline": "central", "font-size": 11 });
  return panels;
}

function drawMask(grid, keep, colours) {
  for (let i = 0; i < keep.length; i++) grid.set(i, keep[i] ? colours.kept : colours.dropped);
}

function drawVariants(p, t, v, colours) {
  drawMask(p.standard.grid, v.standard, colours);
  drawMask(p.dropconnect.grid, v.dropconnect, colours);
  drawMask(p.dropblock.grid, v.dropblock, colours);
  for (let m = 0; m < 4; m++) {
    for (let r = 0; r < 6; r++) {
      for (let c = 0; c < 6; c++) {
        const value = v.spatial[m * 36 + r * 6 + c];
        const colour = v.mapKeep[m] ? colours.value(value / v.spatialMax).fill : colours.dropped;
        p.spatial.grid.set(r * 24 + m * 6 + c, colour);
      }
    }
  }
  for (let r = 0; r < 10; r++) {
    for (let c = 0; c < 6; c++) {
      p.variational.grid.set(r * 12 + c, v.perStep[r * 6 + c] ? colours.kept : colours.dropped);
      p.variational.grid.set(r * 12 + 6 + c, v.locked[c] ? colours.kept : colours.dropped);
    }
  }
  const h = histogram(v.selu, v.alpha, p.alpha.before.length);
  const top = Math.max(...h.before, ...h.after);
  const w = 280 / h.before.length;
  for (const [rects, counts] of [[p.alpha.before, h.before], [p.alpha.after, h.after]]) {
    counts.forEach((c, i) => {
      const height = (150 * c) / top;
      setAttr(rects[i], "x", (10 + i * w).toFixed(1));
      setAttr(rects[i], "width", (w * 0.95).toFixed(1));
      setAttr(rects[i], "y", (156 - height).toFixed(1));
      setAttr(rects[i], "height", height.toFixed(1));
    });
  }
  p.alpha.after.forEach((r) => setAttr(r, "fill", colours.kept));
  setAttr(p.alpha.swatch, "fill", colours.kept);
  const m = mean(v.alpha);
  const s = std(v.alpha);
  setText(p.alpha.title, fill(t.variants.titles.alpha,
    { mean: `${m >= 0 ? "+" : ""}${m.toFixed(2)}`, std: s.toFixed(2) }));
}
