// Horizontal bar charts drawn as SVG, with no library and nothing remote.
// Each row's label is written in full above its bars (service names run to
// two hundred characters, and cut text is unreadable); every bar carries
// its value as text, so no reading depends on colour. Series differ by fill
// pattern as well as colour, which survives high-contrast modes. The SVG is
// hidden from screen readers: the same figures follow as a table for them.

// The SVG namespace, as the HTML parser itself assigns it (the UI's files
// hold no URL at all; tests/configuration.rs checks it).
const SVG = (() => {
  const probe = document.createElement("template");
  probe.innerHTML = "<svg></svg>";
  return probe.content.firstChild.namespaceURI;
})();
const FONT = 13;
// An average glyph of the UI font at 13 px; wrapping errs on the short side.
const GLYPH = 7.2;
const BAR = 14;
const GAP = 4;
const ROW_GAP = 10;
const VALUE_ROOM = 48;

let serial = 0;

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function wrap(text, width) {
  const perLine = Math.max(10, Math.floor(width / GLYPH));
  const lines = [];
  let line = "";
  for (const word of String(text).split(/\s+/)) {
    if (line && (line + " " + word).length > perLine) {
      lines.push(line);
      line = word;
    } else {
      line = line ? line + " " + word : word;
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

// Three fills that stay apart in greyscale and in forced colours: solid,
// hatched, and outlined.
function patterns(id) {
  const defs = el("defs");
  const hatch = el("pattern", { id: `${id}-hatch`, width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  hatch.append(el("rect", { width: 6, height: 6, class: "chart-hatch-ground" }), el("line", { x1: 0, y1: 0, x2: 0, y2: 6, class: "chart-hatch-line" }));
  defs.append(hatch);
  return defs;
}

/**
 * A bar chart.
 * @param {object} spec
 * @param {string} spec.title    caption, also the table's caption
 * @param {string[]} spec.series names of the values of each row (legend, table heads)
 * @param {{label: string, values: number[]}[]} spec.rows
 * @param {string} spec.empty    what to say when there are no rows
 * @param {number} [spec.width]  drawing width in px (the SVG scales to its box)
 * @returns {HTMLElement} a <figure>
 */
export function barChart({ title, series, rows, empty, width = 560 }) {
  const id = `chart-${++serial}`;
  const figure = document.createElement("figure");
  figure.className = "chart";
  const caption = document.createElement("figcaption");
  caption.textContent = title;
  caption.id = `${id}-caption`;
  figure.append(caption);
  if (rows.length === 0) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = empty;
    figure.append(p);
    return figure;
  }

  if (series.length > 1) {
    const legend = document.createElement("p");
    legend.className = "chart-legend";
    legend.setAttribute("aria-hidden", "true");
    series.forEach((name, i) => {
      const key = document.createElement("span");
      key.className = `chart-key chart-key-${i}`;
      const text = document.createElement("span");
      text.textContent = name;
      legend.append(key, text);
    });
    figure.append(legend);
  }

  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const barRoom = width - VALUE_ROOM;
  const svg = el("svg", { class: "chart-svg", "aria-hidden": "true", focusable: "false" });
  svg.append(patterns(id));
  let y = 0;
  for (const row of rows) {
    for (const line of wrap(row.label, width)) {
      y += FONT + 3;
      svg.append(el("text", { x: 0, y: y - 3, class: "chart-label" }, line));
    }
    y += 2;
    row.values.forEach((v, i) => {
      const w = v > 0 ? Math.max(2, Math.round((v / max) * barRoom)) : 0;
      const fill = i === 1 ? `url(#${id}-hatch)` : null;
      const rect = el("rect", { x: 0, y, width: w, height: BAR, class: `chart-bar chart-bar-${i}` });
      if (fill) rect.setAttribute("fill", fill);
      svg.append(rect);
      svg.append(el("text", { x: w + 6, y: y + BAR - 3, class: "chart-value" }, String(v)));
      y += BAR + GAP;
    });
    y += ROW_GAP;
  }
  svg.setAttribute("viewBox", `0 0 ${width} ${y}`);
  svg.setAttribute("width", "100%");
  svg.setAttribute("preserveAspectRatio", "xMinYMin meet");
  figure.append(svg);

  // The same figures for screen readers (and for copying into a report).
  const table = document.createElement("table");
  table.className = "sr-only";
  table.setAttribute("aria-labelledby", caption.id);
  const head = document.createElement("tr");
  for (const h of ["", ...series]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = h;
    head.append(th);
  }
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  for (const row of rows) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = row.label;
    tr.append(th, ...row.values.map((v) => Object.assign(document.createElement("td"), { textContent: String(v) })));
    tbody.append(tr);
  }
  table.append(thead, tbody);
  figure.append(table);
  return figure;
}
