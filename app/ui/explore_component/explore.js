// The Explore live view: builds its DOM once, then redraws every picture synchronously on each
// slider `input` event (so the change shows in the next frame), and tells the server the
// settled rate once the learner lets go or pauses: no server round trip per move.
const SETTLE_MS = 250;  // a pause in key presses this long settles the rate
const AWAIT_MS = 5000;  // how long a sent rate outranks an older one coming back from the server

class ExploreView {
  constructor(root, data) {
    this.root = root;
    this.data = data;
    this.t = data.text;
    this.rate = data.rate;
    this.sent = data.rate;
    this.sentAt = -Infinity;
    this.timer = null;
    this.dragging = false;
    this.k = data.masks.default;
    this.draws = null;
    this.parts = buildParts(root, data, this);
    this.onPointerUp = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.scheduleSettle();
    };
    window.addEventListener("pointerup", this.onPointerUp);
    window.addEventListener("pointercancel", this.onPointerUp);
  }

  destroy() {
    clearTimeout(this.timer);
    window.removeEventListener("pointerup", this.onPointerUp);
    window.removeEventListener("pointercancel", this.onPointerUp);
  }

  snap(value) {
    const step = this.data.rateStep;
    const i = Math.round(Number(value) / step);
    const r = Number((i * step).toFixed(2));
    return Math.min(this.data.rateMax, Math.max(this.data.rateMin, r));
  }

  // New data from the server (a rerun): adopt its rate unless the learner's own move is newer.
  receive(data, send) {
    this.send = send;
    const busy = this.timer !== null || this.dragging
      || (this.sent !== data.rate && performance.now() - this.sentAt < AWAIT_MS);
    if (!busy) {
      this.rate = data.rate;
      this.sent = data.rate;
    }
    if (!this.draws || this.draws.seed !== data.seed) this.draws = new Draws(data);
    this.data = data;
    this.colours = palette(this.root);
    setAttr(this.root, "data-theme", this.colours.dark ? "dark" : "light");
    keepOpaque(this.root);
    // A rerun for the rate just sent changes nothing here: skip the redraw (the browser may be
    // the slow side of the machine).
    if (this.stateKey() === this.drawn) return;
    this.render();
    this.checkReference();
  }

  onInput() {
    this.rate = this.snap(this.parts.input.value);
    this.render();
    this.scheduleSettle();
  }

  scheduleSettle() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.dragging || this.rate === this.sent) return;
      this.sent = this.rate;
      this.sentAt = performance.now();
      this.send("rate", this.rate);
    }, SETTLE_MS);
  }

  // The server computed the same layer mask with NumPy: say on the page whether they agree.
  checkReference() {
    const d = this.data;
    if (d.mine || this.rate !== d.rate) return;
    const keep = Array.from(layerView(d, this.draws, this.rate).keep).join("");
    setAttr(this.root, "data-reference", keep === d.reference.keep ? "agrees" : "differs");
  }

  // Everything a redraw depends on but the number of masks (a redraw of its own).
  stateKey() {
    const d = this.data;
    return JSON.stringify([this.rate, d.seed, d.training, d.form, d.mine, d.note,
      this.colours.bg, this.colours.dark]);
  }

  render() {
    this.drawn = this.stateKey();
    const d = this.data;
    const p = this.parts;
    const rate = this.rate;
    const mine = d.mine;
    const layer = mine
      ? { activations: d.activations, keep: mine.keep, output: mine.output, scale: mine.scale,
          dropped: mine.dropped }
      : layerView(d, this.draws, rate);
    const pending = Boolean(mine) && mine.rate !== rate;
    const values = { rate: fmtRate(rate), scale: fmt4g(layer.scale) };
    const valueText = fill(this.t.live.slider_value, values);
    if (this.snap(p.input.value) !== rate) p.input.value = String(rate);  // a rate from the server
    setAttr(p.input, "aria-valuetext", valueText);
    setText(p.output, rate.toFixed(2));
    drawLayer(p.layer, this.t, d, layer, rate, this.colours, pending);
    drawBatch(p.batch, batchView(d, this.draws, rate), this.colours);
    drawConvergence(p.convergence, this.t, convergenceView(d, this.draws, rate, this.k), this.k,
      this.colours);
    drawForms(p.forms, this.t, rate);
    drawNetwork(p.network, this.t, d, networkView(d, this.draws, rate), this.colours);
    drawVariants(p.variants, this.t, d, variantsView(d, this.draws, rate), this.colours);
    setAttr(this.root, "data-rate", fmtRate(rate));
  }
}

// Streamlit dims an element while the script that owns it reruns (after 0.5 s, `opacity 1s
// ease-in 0.5s`). The live view is never out of date while the server reruns for a rate it
// already shows, so its container keeps full opacity (if Streamlit's markup changes, this
// finds nothing and does nothing).
function keepOpaque(root) {
  const host = root.getRootNode().host;
  const container = host?.closest('[data-testid="stElementContainer"]');
  if (!container || container.style.getPropertyValue("opacity") === "1") return;
  container.style.setProperty("opacity", "1", "important");
  container.style.setProperty("transition", "none", "important");
}

// For the browser tests: the generator and the views, callable from the page.
globalThis.dropoutLabExplore = {
  keepString, bitsString,
  layerKeep: (data, rate) => Array.from(layerView(data, new Draws(data), rate).keep).join(""),
  batch: (data, rate) => Object.fromEntries(Object.entries(batchView(data, new Draws(data), rate))
    .map(([k, v]) => [k, Array.from(v).join("")])),
  network: (data, rate) => networkView(data, new Draws(data), rate).keeps
    .map((k) => (k ? Array.from(k).join("") : null)),
  variants: (data, rate) => Object.fromEntries(
    Object.entries(variantsView(data, new Draws(data), rate)).map(([name, out]) => [name,
      Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v)]))])),
};

// Streamlit calls this again with the same parentElement whenever the data (or the theme)
// changes: the view is built once and then only receives.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".dl-explore");
  let view = parentElement.__dlExplore;
  if (!view || view.root !== root) {
    view?.destroy();
    view = parentElement.__dlExplore = new ExploreView(root, data);
  }
  view.receive(data, setStateValue);
  return () => {
    // Also called for a superseded call while the component stays on the page: keep the view.
    if (parentElement.host?.isConnected ?? root.isConnected) return;
    view.destroy();
    delete parentElement.__dlExplore;
  };
}
