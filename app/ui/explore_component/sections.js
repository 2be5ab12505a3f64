// The page's sections, built once: the rate control, one layer, a batch, the two forms. Each
// draw* function writes only what changed (see setAttr / setText / setHTML).

function section(root, heading, explain) {
  const node = htmlNode("section", { class: "dl-section" }, root);
  htmlNode("h2", {}, node, heading);  // the sections sit right under the page's h1
  const text = htmlNode("div", { class: "dl-text" }, node);
  setHTML(text, explain);
  return node;
}

function buildControl(root, data, view) {
  const t = data.text.live;
  const box = htmlNode("div", { class: "dl-control" }, root);
  htmlNode("label", { for: "dl-rate", id: "dl-rate-label" }, box, t.slider);
  const row = htmlNode("div", { class: "dl-slider-row" }, box);
  const input = htmlNode("input", {
    type: "range", id: "dl-rate", min: data.rateMin, max: data.rateMax, step: data.rateStep,
    value: data.rate, "data-testid": "explore-rate-slider",
  }, row);
  const output = htmlNode("output", { for: "dl-rate", "aria-hidden": "true" }, row);
  input.addEventListener("input", () => view.onInput());
  input.addEventListener("change", () => view.scheduleSettle());
  input.addEventListener("pointerdown", () => { view.dragging = true; });
  return { input, output };
}

function metric(parent, label, help, testid) {
  const box = htmlNode("div", { class: "dl-metric", title: help }, parent);
  htmlNode("div", { class: "dl-metric-label" }, box, label);
  return htmlNode("div", { class: "dl-metric-value", "data-testid": testid }, box);
}

function buildLayer(root, data) {
  const t = data.text;
  const node = section(root, t.layer.heading, "");
  const mode = node.querySelector(".dl-text");
  const note = htmlNode("div", { class: "dl-note", role: "note" }, node);
  const pending = htmlNode("div", { class: "dl-note dl-pending-note" }, node);
  const metrics = htmlNode("div", { class: "dl-metrics" }, node);
  const values = {
    scale: metric(metrics, t.live.scale, t.live.scale_help, "explore-scale"),
    dropped: metric(metrics, t.live.dropped, t.live.dropped_help, "explore-dropped"),
    rate: metric(metrics, t.live.rate, "", "explore-rate"),
  };
  const svg = svgNode("svg", { role: "img", class: "dl-figure" }, node);
  const n = Math.round(Math.sqrt(data.activations.length));
  const size = n * 32 + (n - 1) * 3;  // one grid's side: n cells of 32 and gaps of 3
  // On a phone the three grids stack: side by side they would shrink the numbers to 5 px.
  const stacked = narrow(root);
  const places = [0, 1, 2].map((i) => (stacked ? [0, i * (size + 44)] : [i * 331, 0]));
  setAttr(svg, "viewBox", stacked ? `0 0 ${size} ${3 * (size + 44) - 14}` : "0 0 940 312");
  setAttr(svg, "data-layout", stacked ? "stacked" : "row");
  const grids = places.map(([x, y]) => new Grid(svg, {
    x, y: y + 30, rows: n, cols: n, cell: 32, gap: 3, labels: true,
  }));
  const titles = places.map(([x, y]) => svgText(svg, x + size / 2, y + 16, "", {
    "text-anchor": "middle", class: "dl-title",
  }));
  setText(titles[0], fill(t.live.activations, { units: data.activations.length }));
  setText(titles[1], t.live.mask);
  const caption = htmlNode("div", { class: "dl-caption" }, node);
  setHTML(caption, t.layer.explain);
  return { mode, note, pending, metrics, values, svg, grids, titles };
}

function drawLayer(p, t, d, layer, rate, colours, pending) {
  const key = `${d.training ? "training" : "inference"}_${d.form}`;
  const shownRate = pending ? d.mine.rate : rate;
  setHTML(p.mode, fill(t.layer[key], { rate: fmtRate(shownRate), scale: fmt4g(layer.scale) }));
  setHTML(p.note, d.note);
  setHidden(p.note, !d.note);
  setHTML(p.pending, pending ? fill(t.live.pending, { rate: fmtRate(d.mine.rate) }) : "");
  setHidden(p.pending, !pending);
  setText(p.values.scale, `× ${fmt4g(layer.scale)}`);
  setText(p.values.dropped, pct0(layer.dropped));
  setText(p.values.rate, shownRate.toFixed(2));
  setAttr(p.metrics, "class", pending ? "dl-metrics dl-pending" : "dl-metrics");
  setAttr(p.svg, "class", pending ? "dl-figure dl-pending" : "dl-figure");
  setText(p.titles[2], d.training ? t.live.output_training : t.live.output_inference);
  const { activations: x, keep, output } = layer;
  let vmax = 1e-9;
  for (let i = 0; i < x.length; i++) vmax = Math.max(vmax, x[i], output[i]);
  for (let i = 0; i < x.length; i++) {
    const a = colours.value(x[i] / vmax);
    p.grids[0].set(i, a.fill, x[i].toFixed(1), a.label);
    p.grids[1].set(i, keep[i] ? colours.kept : colours.dropped, keep[i] ? "" : "✕",
      colours.dark ? "#F5F5F5" : "#222222");
    const o = colours.value(output[i] / vmax);
    p.grids[2].set(i, o.fill, output[i].toFixed(1), o.label);
  }
  setAttr(p.svg, "aria-label",
    `${t.live.mask}: ${pct0(layer.dropped)} ${t.live.dropped_cell}; × ${fmt4g(layer.scale)}`);
}

function buildBatch(root, data) {
  const t = data.text.batch;
  const node = section(root, t.heading, t.explain);
  htmlNode("p", { class: "dl-caption" }, node, t.rows);
  const row = htmlNode("div", { class: "dl-gallery" }, node);
  const { examples, units, channels } = data.batch;
  const panels = {};
  for (const [name, mode] of Object.entries(t.modes)) {
    const fig = htmlNode("figure", { class: "dl-panel", "data-testid": `explore-batch-${name}` },
      row);
    htmlNode("figcaption", { class: "dl-title" }, fig, mode.title);
    const svg = svgNode("svg", { viewBox: "0 0 290 140", role: "img", "aria-label": mode.title,
      class: "dl-figure" }, fig);
    const group = name === "spatial" ? units / channels : 0;
    panels[name] = new Grid(svg, { x: 0, y: 2, rows: examples, cols: units, cell: 14, gap: 2,
      groupEvery: group, groupGap: 6 });
    const explain = htmlNode("div", { class: "dl-caption" }, fig);
    setHTML(explain, mode.explain);
  }
  return panels;
}

function drawBatch(panels, batch, colours) {
  for (const [name, grid] of Object.entries(panels)) {
    const keep = batch[name];
    for (let i = 0; i < keep.length; i++) grid.set(i, keep[i] ? colours.kept : colours.dropped);
  }
}

function buildForms(root, data) {
  const t = data.text.forms;
  const node = section(root, t.heading, t.explain);
  const caption = htmlNode("div", { class: "dl-caption" }, node);
  const table = htmlNode("table", { class: "dl-table" }, node);
  const head = htmlNode("tr", {}, htmlNode("thead", {}, table));
  for (const column of t.columns) htmlNode("th", { scope: "col" }, head, column);
  const body = htmlNode("tbody", {}, table);
  const cells = t.names.map(() => {
    const tr = htmlNode("tr", {}, body);
    return t.columns.map((_, i) => htmlNode(i ? "td" : "th", i ? {} : { scope: "row" }, tr));
  });
  return { caption, cells };
}

function drawForms(p, t, rate) {
  const keep = 1 - rate;
  const rows = [
    [t.forms.names[0], fmt4g(1 / keep), fmt4g(keep * (1 / keep)), "1"],
    [t.forms.names[1], "1", fmt4g(keep), fmt4g(keep)],
  ];
  setHTML(p.caption, fill(t.forms.table, { rate: fmtRate(rate) }));
  rows.forEach((row, r) => row.forEach((v, c) => setText(p.cells[r][c], v)));
}

function buildParts(root, data, view) {
  const control = buildControl(root, data, view);
  return {
    ...control,
    layer: buildLayer(root, data),
    batch: buildBatch(root, data),
    convergence: buildConvergence(root, data, view),
    forms: buildForms(root, data),
    network: buildNetwork(root, data),
    variants: buildVariants(root, data),
  };
}
