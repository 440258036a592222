// Charts for the playground: line charts over time and bar charts, drawn as SVG with no
// library, each in a figure with buttons that save it as SVG or PNG. Defines `window.Charts`.
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  const W = 560;
  const H = 250;
  const M = { left: 58, right: 12, top: 30, bottom: 40 };
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // Round tick steps: 1, 2 or 5 times a power of ten, about `n` of them up to `max`.
  function ticks(max, n) {
    if (!(max > 0)) return [0];
    const raw = max / n;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
    const out = [];
    for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
    return out;
  }

  function fmt(v) {
    if (v === 0) return "0";
    const a = Math.abs(v);
    if (a >= 1e6) return (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
    if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(a >= 10 ? 0 : 1);
    return v.toPrecision(2);
  }

  function frame(svg, title, xLabel, yLabel) {
    svg.appendChild(el("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff" }));
    svg.appendChild(el("text", { x: M.left, y: 18, "font-size": 13, "font-weight": "bold" }, title));
    svg.appendChild(el("text", { x: M.left + (W - M.left - M.right) / 2, y: H - 6, "font-size": 11, "text-anchor": "middle", fill: "#333" }, xLabel));
    svg.appendChild(el("text", { x: 12, y: M.top + (H - M.top - M.bottom) / 2, "font-size": 11, "text-anchor": "middle", fill: "#333", transform: `rotate(-90 12 ${M.top + (H - M.top - M.bottom) / 2})` }, yLabel));
  }

  // A line chart: `xs` (seconds), series [{name, values}] (null: no point), optional fault
  // `marks` [{start, end, label}] shaded, `yMax` to fix the scale, `percent` for 0..1 values.
  function line({ title, xLabel, yLabel, xs, series, marks, yMax, percent, xMin, xMax }) {
    const svg = el("svg", { xmlns: NS, width: W, height: H, viewBox: `0 0 ${W} ${H}`, "font-family": "sans-serif", role: "img" });
    frame(svg, title, xLabel, yLabel);
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const x0 = xMin !== undefined ? xMin : xs.length ? xs[0] : 0;
    const x1 = xMax !== undefined ? xMax : xs.length ? xs[xs.length - 1] : 1;
    let top = yMax;
    if (top === undefined) {
      top = 0;
      for (const s of series) for (const v of s.values) if (v !== null && v > top) top = v;
      top = top > 0 ? top * 1.08 : 1;
    }
    const X = (x) => M.left + ((x - x0) / Math.max(x1 - x0, 1e-9)) * pw;
    const Y = (y) => M.top + ph - (Math.min(y, top) / top) * ph;
    for (const m of marks || []) {
      const a = X(Math.max(m.start, x0));
      const b = X(Math.min(m.end === null || m.end === undefined ? x1 : m.end, x1));
      svg.appendChild(el("rect", { x: a, y: M.top, width: Math.max(b - a, 2), height: ph, fill: "#f6d7d7" }));
      svg.appendChild(el("text", { x: a + 3, y: M.top + 11, "font-size": 10, fill: "#a33" }, m.label));
    }
    for (const t of ticks(top, 4)) {
      svg.appendChild(el("line", { x1: M.left, x2: M.left + pw, y1: Y(t), y2: Y(t), stroke: "#e4e4e4" }));
      svg.appendChild(el("text", { x: M.left - 5, y: Y(t) + 4, "font-size": 10, "text-anchor": "end", fill: "#333" }, percent ? Math.round(t * 100) + "%" : fmt(t)));
    }
    for (const t of ticks(x1 - x0, 6)) {
      const x = X(x0 + t);
      svg.appendChild(el("line", { x1: x, x2: x, y1: M.top + ph, y2: M.top + ph + 4, stroke: "#333" }));
      svg.appendChild(el("text", { x, y: M.top + ph + 15, "font-size": 10, "text-anchor": "middle", fill: "#333" }, fmt(x0 + t)));
    }
    svg.appendChild(el("rect", { x: M.left, y: M.top, width: pw, height: ph, fill: "none", stroke: "#999" }));
    series.forEach((s, i) => {
      const color = PALETTE[i % PALETTE.length];
      let d = "";
      let pen = false;
      s.values.forEach((v, k) => {
        if (v === null || v === undefined || !isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? "L" : "M"}${X(xs[k]).toFixed(1)},${Y(v).toFixed(1)}`;
        pen = true;
      });
      svg.appendChild(el("path", { d, fill: "none", stroke: color, "stroke-width": 1.6 }));
      const lx = M.left + 8 + (i % 4) * 130;
      const ly = M.top + 14 + Math.floor(i / 4) * 13;
      svg.appendChild(el("rect", { x: lx, y: ly - 8, width: 10, height: 3, fill: color }));
      svg.appendChild(el("text", { x: lx + 14, y: ly - 3, "font-size": 10, fill: "#222", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" }, s.name));
    });
    return svg;
  }

  // A horizontal bar chart: bars [{name, value, label}] with value in 0..max.
  function bars({ title, xLabel, items, max, percent }) {
    const h = Math.max(H, M.top + M.bottom + items.length * 22);
    const svg = el("svg", { xmlns: NS, width: W, height: h, viewBox: `0 0 ${W} ${h}`, "font-family": "sans-serif", role: "img" });
    svg.appendChild(el("rect", { x: 0, y: 0, width: W, height: h, fill: "#fff" }));
    svg.appendChild(el("text", { x: 12, y: 18, "font-size": 13, "font-weight": "bold" }, title));
    svg.appendChild(el("text", { x: W / 2, y: h - 6, "font-size": 11, "text-anchor": "middle", fill: "#333" }, xLabel));
    const left = 130;
    const pw = W - left - 60;
    const top = max || Math.max(1e-9, ...items.map((b) => b.value || 0));
    items.forEach((b, i) => {
      const y = M.top + i * 22;
      const w = ((b.value || 0) / top) * pw;
      svg.appendChild(el("text", { x: left - 6, y: y + 13, "font-size": 11, "text-anchor": "end", fill: "#222" }, b.name));
      svg.appendChild(el("rect", { x: left, y, width: Math.max(w, 0), height: 16, fill: (b.value || 0) >= 0.9 * top && percent ? "#d62728" : PALETTE[0] }));
      svg.appendChild(el("text", { x: left + w + 4, y: y + 13, "font-size": 10, fill: "#333" }, b.label));
    });
    return svg;
  }

  function download(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  function svgText(svg) {
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(svg);
  }

  // The chart as a PNG at twice its size.
  function png(svg, name) {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svgText(svg)], { type: "image/svg+xml" }));
    img.onload = () => {
      const c = document.createElement("canvas");
      c.width = svg.width.baseVal.value * 2;
      c.height = svg.height.baseVal.value * 2;
      const g = c.getContext("2d");
      g.scale(2, 2);
      g.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      c.toBlob((b) => download(name + ".png", b), "image/png");
    };
    img.src = url;
  }

  // A figure: the chart and its SVG and PNG buttons. `name` names the saved files.
  function figure(name, svg) {
    const f = document.createElement("figure");
    f.className = "chart";
    f.dataset.chart = name;
    f.appendChild(svg);
    const bar = document.createElement("div");
    bar.className = "chart-save";
    const s = document.createElement("button");
    s.textContent = "SVG";
    s.title = "Save this chart as SVG";
    s.onclick = () => download(name + ".svg", new Blob([svgText(svg)], { type: "image/svg+xml" }));
    const p = document.createElement("button");
    p.textContent = "PNG";
    p.title = "Save this chart as PNG";
    p.onclick = () => png(svg, name);
    bar.append(s, p);
    f.appendChild(bar);
    return f;
  }

  // Every chart of a run: from the JSON summary and the time series.
  function all(summary, ts) {
    const xs = ts.rows.map((r) => r.t_s + ts.window_s / 2);
    const marks = ts.faults.map((f) => ({ start: f.start_s, end: f.end_s, label: f.label }));
    // The whole run on the time axis: from 0 to the end of the last window.
    const span = { xMin: 0, xMax: ts.rows.length ? ts.rows[ts.rows.length - 1].t_s + ts.window_s : 1 };
    const col = (k) => ts.rows.map((r) => r[k]);
    const per = (k) =>
      ts.components
        .map((name, i) => ({ name, values: ts.rows.map((r) => r[k][i]) }))
        .filter((s) => s.values.some((v) => v !== null));
    const out = [
      figure("throughput", line({ title: "Throughput and goodput", xLabel: "time (s)", yLabel: "req/s", xs, marks, ...span, series: [{ name: "throughput", values: col("throughput_rps") }, { name: "goodput", values: col("goodput_rps") }] })),
      figure("latency", line({ title: "Latency per window", xLabel: "time (s)", yLabel: "ms", xs, marks, ...span, series: [{ name: "p50", values: col("p50_ms") }, { name: "p99", values: col("p99_ms") }] })),
      figure("errors", line({ title: "Error rate", xLabel: "time (s)", yLabel: "share failed", xs, marks, ...span, percent: true, yMax: Math.max(0.05, ...col("error_rate")) * 1.05, series: [{ name: "error rate", values: col("error_rate") }] })),
      figure("utilization", line({ title: "Utilization per component", xLabel: "time (s)", yLabel: "busy", xs, marks, ...span, percent: true, yMax: 1.0, series: per("utilization") })),
    ];
    const queues = per("queue_mean");
    if (queues.length) {
      out.push(figure("queues", line({ title: "Requests waiting per component", xLabel: "time (s)", yLabel: "waiting", xs, marks, ...span, series: queues })));
    }
    const lat = summary.latency_ms || {};
    const pts = ["p50", "p90", "p99", "p999"].filter((k) => lat[k] !== null && lat[k] !== undefined);
    if (pts.length) {
      out.push(figure("percentiles", bars({ title: "Latency percentiles (whole run)", xLabel: "ms", items: pts.map((k) => ({ name: k, value: lat[k], label: lat[k].toPrecision(3) + " ms" })) })));
    }
    const comps = Object.entries(summary.components || {}).filter(([, c]) => c.utilization !== null && c.utilization !== undefined);
    if (comps.length) {
      out.push(figure("components", bars({ title: "Utilization per component (whole run)", xLabel: "share of worker time busy", max: 1, percent: true, items: comps.map(([n, c]) => ({ name: n, value: c.utilization, label: (c.utilization * 100).toFixed(1) + "%" })) })));
    }
    return out;
  }

  window.Charts = { line, bars, figure, all };
})();
