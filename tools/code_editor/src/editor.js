// The labs' code editor: CodeMirror 6 mounted as a Streamlit custom component (v2).
//
// The learner's text goes to the server as the component's `code` state a short pause after the
// last keystroke (and at once when the editor loses focus); the server reads it, and sends back
// the refusals (line, severity, message) as data. They are drawn as a marker in the gutter, an
// underline, and the message under the refused line. Refusals computed for an older version of
// the text are mapped through the edits made since, so a marker never jumps to the wrong line.
//
// The server's text is taken over only when it carries a new `token`: the server changed the
// code itself (the starter, a learner coming back, a test); its echo of what the editor sent is
// ignored, so typing is never overwritten by a slower round trip.
//
// Tab indents; Esc then Tab (or Ctrl+M, which toggles it) moves the focus on: CodeMirror's own
// way out, said in the hint under the editor.

import { ChangeSet, countColumn, EditorState, RangeSet, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  drawSelection,
  EditorView,
  GutterMarker,
  gutter,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  ViewPlugin,
  WidgetType,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { pythonLanguage } from "@codemirror/lang-python";
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { lintKeymap, setDiagnostics } from "@codemirror/lint";
import { classHighlighter } from "@lezer/highlight";

const DEBOUNCE_MS = 150; // the pause after the last keystroke that sends the text
const KEPT_VERSIONS = 8; // sent versions remembered to map late refusals onto the current text
const SEVERITIES = new Set(["error", "warning", "info"]);

// --- refusals: gutter markers, line classes and the message under the line ------------------

const setRefusals = StateEffect.define();

class RefusalMarker extends GutterMarker {
  constructor(severity, label) {
    super();
    this.severity = severity;
    this.label = label;
  }

  eq(other) {
    return other.severity === this.severity && other.label === this.label;
  }

  toDOM() {
    const el = document.createElement("span");
    el.className = `dl-marker dl-marker-${this.severity}`;
    if (this.severity === "spacer") return el; // only sizes the gutter
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", this.label);
    el.title = this.label;
    el.textContent = this.severity === "error" ? "✕" : "i";
    return el;
  }
}

// `code` spans of a message as <code>, everything else as text (never parsed as HTML).
function fillMessage(el, message) {
  message.split("`").forEach((part, i) => {
    if (!part) return;
    if (i % 2) {
      const code = document.createElement("code");
      code.textContent = part;
      el.appendChild(code);
    } else {
      el.appendChild(document.createTextNode(part));
    }
  });
}

class MessageWidget extends WidgetType {
  constructor(items) {
    super();
    this.items = items; // [{severity, message}]
  }

  eq(other) {
    return JSON.stringify(other.items) === JSON.stringify(this.items);
  }

  toDOM() {
    const box = document.createElement("div");
    box.className = "dl-line-messages";
    for (const { severity, message } of this.items) {
      const p = document.createElement("div");
      p.className = `dl-line-message dl-line-message-${severity}`;
      fillMessage(p, message);
      box.appendChild(p);
    }
    return box;
  }

  ignoreEvent() {
    return false;
  }
}

// items: [{from, line, severity, message}] in the current document, sorted by position.
function buildRefusals(state, items) {
  const byLine = new Map();
  for (const item of items) {
    const line = state.doc.lineAt(item.from);
    if (!byLine.has(line.number)) byLine.set(line.number, { line, items: [] });
    byLine.get(line.number).items.push(item);
  }
  const markers = [];
  const decorations = [];
  for (const { line, items: here } of [...byLine.values()].sort((a, b) => a.line.from - b.line.from)) {
    const worst = here.some((i) => i.severity === "error") ? "error" : here[0].severity;
    const label = here.map((i) => `Line ${line.number}: ${i.message.replaceAll("`", "")}`).join("\n");
    markers.push(new RefusalMarker(worst, label).range(line.from));
    decorations.push(Decoration.line({ class: `dl-refused dl-refused-${worst}` }).range(line.from));
    const widget = new MessageWidget(here.map(({ severity, message }) => ({ severity, message })));
    decorations.push(Decoration.widget({ widget, block: true, side: 1 }).range(line.to));
  }
  return { markers: RangeSet.of(markers), decorations: Decoration.set(decorations, true) };
}

const refusalField = StateField.define({
  create: () => ({ markers: RangeSet.empty, decorations: Decoration.none }),
  update(value, tr) {
    for (const effect of tr.effects) if (effect.is(setRefusals)) return buildRefusals(tr.state, effect.value);
    if (!tr.docChanged) return value;
    return { markers: value.markers.map(tr.changes), decorations: value.decorations.map(tr.changes) };
  },
  provide: (field) => EditorView.decorations.from(field, (value) => value.decorations),
});

const refusalGutter = gutter({
  class: "dl-refusals",
  markers: (view) => view.state.field(refusalField).markers,
  initialSpacer: () => new RefusalMarker("spacer", ""),
});

// --- long lines wrap, with a hanging indent -------------------------------------------------
//
// Nothing is hidden sideways at any width (a phone, a narrow column): a long line wraps, and its
// continuation hangs HANG columns past the line's own indentation, so it never reads as a line of
// its own (the gutter shows one number for it). The CSS turns --dl-hang into padding-left and a
// negative text-indent of the same size.

const HANG = 4;
const hangs = new Map(); // columns -> its line decoration (one object per width, reused)

function hangOf(columns) {
  if (!hangs.has(columns)) {
    hangs.set(columns, Decoration.line({ attributes: { style: `--dl-hang: ${columns}ch` } }));
  }
  return hangs.get(columns);
}

function hangingIndents(view) {
  const { doc, tabSize } = view.state;
  const ranges = [];
  for (const { from, to } of view.visibleRanges) {
    for (let pos = from; pos <= to; ) {
      const line = doc.lineAt(pos);
      if (line.length) { // an empty line has nothing to wrap (and its cursor sits at the start)
        const indent = countColumn(/^\s*/.exec(line.text)[0], tabSize);
        ranges.push(hangOf(indent + HANG).range(line.from));
      }
      pos = line.to + 1;
    }
  }
  return Decoration.set(ranges);
}

const hangingIndent = ViewPlugin.fromClass(
  class {
    constructor(view) {
      this.decorations = hangingIndents(view);
    }

    update(update) {
      if (update.docChanged || update.viewportChanged) this.decorations = hangingIndents(update.view);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

// --- the component ---------------------------------------------------------------------------

function luminance(colour) {
  const m = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/.exec(colour || "");
  if (!m) return 1;
  const [r, g, b] = m.slice(1, 4).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// The background Streamlit's theme gives the page, as the browser resolves it (any CSS colour).
function themeIsDark(el) {
  const probe = document.createElement("span");
  probe.style.color = "var(--st-background-color, #fff)";
  probe.style.display = "none";
  el.appendChild(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return luminance(colour) < 0.2;
}

class CodeEditor {
  constructor(root, data) {
    this.root = root;
    this.box = root.querySelector(".dl-editor-box");
    this.hint = root.querySelector(".dl-editor-hint");
    this.send = null;
    this.token = null;
    this.timer = null;
    this.sentCount = 0;
    this.versions = []; // [{text, doc, changes}]: what was sent, and the edits made since
    this.maxChars = data.maxChars || 100000;
    this.view = new EditorView({
      parent: this.box,
      root: root.getRootNode(),
      state: this.newState(data.doc),
    });
    // A long text scrolls inside the editor (up and down; long lines wrap): the scroller itself
    // takes focus, so a keyboard user can reach and scroll it (WCAG scrollable-region-focusable).
    this.view.scrollDOM.setAttribute("tabindex", "0");
    this.view.scrollDOM.setAttribute("aria-label", "Code, scrolls");
    // A message under a refused line stays in view: as wide as the visible text area, and held
    // beside the gutter (CSS position: sticky).
    this.resize = new ResizeObserver(() => this.measureWidth());
    this.resize.observe(this.view.scrollDOM);
  }

  measureWidth() {
    const gutters = this.view.dom.querySelector(".cm-gutters");
    const left = gutters ? gutters.offsetWidth : 0;
    const style = this.view.dom.style;
    style.setProperty("--dl-gutter-width", `${left}px`);
    style.setProperty("--dl-visible-width", `${Math.max(120, this.view.scrollDOM.clientWidth - left)}px`);
  }

  newState(doc) {
    const label = this.root.dataset.label || "Code";
    return EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        refusalGutter,
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        indentUnit.of("    "),
        EditorState.tabSize.of(4),
        pythonLanguage,
        syntaxHighlighting(classHighlighter),
        bracketMatching(),
        highlightActiveLine(),
        EditorView.lineWrapping,
        hangingIndent,
        refusalField,
        keymap.of([
          // Ctrl+Enter, the text box's old way to check, checks now (instead of a blank line).
          { key: "Mod-Enter", run: () => { this.flush(); return true; } },
          ...defaultKeymap, ...historyKeymap, ...lintKeymap, indentWithTab,
        ]),
        EditorState.changeFilter.of((tr) => tr.newDoc.length <= this.maxChars),
        EditorView.contentAttributes.of({
          "aria-label": label,
          "aria-describedby": this.hint.id,
          "data-testid": "code-editor-input",
        }),
        EditorView.updateListener.of((update) => this.onUpdate(update)),
        EditorView.domEventHandlers({ blur: () => this.flush() }),
      ],
    });
  }

  get text() {
    return this.view.state.doc.toString();
  }

  onUpdate(update) {
    if (!update.docChanged) return;
    for (const version of this.versions) version.changes = version.changes.compose(update.changes);
    this.schedule();
  }

  schedule() {
    clearTimeout(this.timer);
    this.root.dataset.state = "typing";
    this.timer = setTimeout(() => this.flush(), DEBOUNCE_MS);
  }

  flush() {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.sendNow(this.text);
  }

  sendNow(text) {
    const doc = this.view.state.doc;
    this.versions.push({ text, doc, changes: ChangeSet.empty(doc.length) });
    if (this.versions.length > KEPT_VERSIONS) this.versions.shift();
    this.sentCount += 1;
    this.root.dataset.sent = String(this.sentCount);
    this.root.dataset.state = "checking";
    this.send?.("code", text);
  }

  // New data from the server (a rerun, or a theme change).
  receive(data, send) {
    this.send = send;
    this.maxChars = data.maxChars || this.maxChars;
    this.root.dataset.theme = themeIsDark(this.root) ? "dark" : "light";
    this.root.style.setProperty("--dl-editor-height", `${data.height || 420}px`);
    this.hint.textContent = data.hint || "";
    const first = this.token === null;
    if (data.token !== this.token) {
      this.token = data.token;
      if (data.doc !== this.text) {
        // A fresh state, so that undo cannot bring back the text it replaces (on a shared
        // classroom computer, the previous learner's code).
        clearTimeout(this.timer);
        this.timer = null;
        this.versions = [];
        this.view.setState(this.newState(data.doc));
      }
      // Keep the component's state equal to what it shows (a learner who left must not leave
      // their code in the browser's copy of it).
      if (!first && data.heard !== data.doc) this.sendNow(data.doc);
    }
    this.showRefusals(data);
  }

  showRefusals(data) {
    const items = this.place(data.doc, data.diagnostics || []);
    if (items === null) return; // refusals of a text neither shown nor sent: a newer one comes
    const state = this.view.state;
    const lint = setDiagnostics(state, items.map((i) => ({
      from: i.from, to: i.to, severity: i.severity, message: i.message.replaceAll("`", ""),
    })));
    this.view.dispatch({ effects: [setRefusals.of(items), ...[lint.effects].flat()] });
    if (this.timer === null && data.doc === this.text) this.root.dataset.state = "checked";
    this.root.dataset.refusals = String(items.length);
  }

  // Refusals for `checked` (line numbers) as ranges of the current text, or null.
  place(checked, diagnostics) {
    let doc;
    let changes = null;
    if (checked === this.text) {
      doc = this.view.state.doc;
    } else {
      const version = [...this.versions].reverse().find((v) => v.text === checked);
      if (!version) return null;
      ({ doc, changes } = version);
    }
    const items = [];
    for (const d of diagnostics) {
      if (!Number.isInteger(d.line) || d.line < 1 || d.line > doc.lines) continue;
      const line = doc.line(d.line);
      let from = line.from;
      let to = line.to;
      if (changes) {
        from = changes.mapPos(from, -1);
        to = Math.max(from, changes.mapPos(to, 1));
      }
      const severity = SEVERITIES.has(d.severity) ? d.severity : "error";
      items.push({ from, to, severity, message: String(d.message || "") });
    }
    return items.sort((a, b) => a.from - b.from);
  }

  destroy() {
    clearTimeout(this.timer);
    this.resize.disconnect();
    this.view.destroy();
  }
}

// Streamlit calls this again with the same parentElement whenever the data (or the theme)
// changes: the editor is built once and then only receives.
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".dl-editor");
  root.dataset.label = data.label || "Code";
  const hint = root.querySelector(".dl-editor-hint");
  if (!hint.id) hint.id = `dl-editor-hint-${Math.random().toString(36).slice(2)}`;
  let editor = parentElement.__dlEditor;
  if (!editor || editor.root !== root) {
    editor?.destroy();
    editor = parentElement.__dlEditor = new CodeEditor(root, data);
  }
  editor.receive(data, setStateValue);
  return () => {
    // Also called for a superseded call while the component stays on the page: keep the editor.
    if (parentElement.host?.isConnected ?? root.isConnected) return;
    editor.flush();
    editor.destroy();
    delete parentElement.__dlEditor;
  };
}
