// Replay of sampled requests on the topology diagram: play, pause, step and scrub through
// simulated time while each request moves along the diagram's edges as a dot, queues fill and
// drain beside each component, and a failed request turns red and shows its cause. Plain
// browser script with no library; defines `window.Replay`:
//
//   const r = new Replay(container, { svg, placement, traces, timeseries });
//   r.destroy();
//
// `traces` is an array of trace objects (traces.jsonl parsed line by line). Hooks for tests:
// controls carry data-act="play|pause|step|back|scrub|speed|failed-only|pick"; dots are
// <circle class="replay-dot" data-trace="INDEX"> (INDEX into `traces`); the container gets
// data-t-ms (current time), data-visible (dots drawn) and data-playing ("1" or "0").
(function () {
  "use strict";

  const NS = "http://www.w3.org/2000/svg";
  // Simulated ms per real ms, with their labels; the second is the default.
  const SPEEDS = [[0.01, "1/100×"], [0.05, "1/20×"], [0.2, "1/5×"], [1, "1×"], [10, "10×"], [100, "100×"]];
  const DOT_R = 4;
  const PICK_OTHERS = 300; // ok requests listed in the pick menu after the failed ones
  const PICK_FAILED = 2000;
  const EMPTY_REAL_MS = 1000; // skip ahead when the view would stay empty longer than this
  const LEAD_REAL_MS = 300; // ...landing this long (real time) before the next request

  const STYLE = `
.replay{font:13px/1.4 system-ui,sans-serif;color:#222} .replay:focus{outline:none}
.replay-controls{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-bottom:6px}
.replay-controls button{padding:2px 9px;cursor:pointer} .replay-controls button.replay-on{font-weight:700;background:#e3ecfb}
.replay-controls select[data-act=pick]{max-width:22em} .replay-scrub input{display:block;width:100%;margin:0}
.replay-timeline{display:block;width:100%;height:10px;background:#f0f0f0;cursor:pointer}
.replay-status{display:flex;flex-wrap:wrap;gap:6px 18px;margin:4px 0}
.replay-time{font-variant-numeric:tabular-nums;font-weight:600}
.replay-faults{color:#b00;font-weight:600} .replay-faults.replay-none{color:#888;font-weight:400}
.replay-body{display:flex;flex-wrap:wrap;gap:12px;align-items:flex-start}
.replay-diagram{flex:1 1 420px;min-width:260px} .replay-diagram svg{display:block;width:100%;height:auto}
.replay-detail{flex:1 1 300px;max-width:520px;font-size:12px;border:1px solid #ddd;border-radius:4px;padding:6px 8px;background:#fafafa}
.replay-detail dl{display:grid;grid-template-columns:auto 1fr;gap:1px 10px;margin:4px 0 8px}
.replay-detail dt{color:#666} .replay-detail dd{margin:0} .replay-hint{color:#777} .replay-bad{color:#c00;font-weight:700}
.replay-hops{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
.replay-hops th{color:#666;font-weight:400;border-bottom:1px solid #ddd} .replay-hops tbody tr{cursor:pointer}
.replay-hops th,.replay-hops td{padding:1px 5px;text-align:right;white-space:nowrap}
.replay-hops th:first-child,.replay-hops td:first-child{text-align:left}
.replay-hops tr.replay-hop-now td{background:#fff1c9} .replay-hops tr.replay-hop-failed td{color:#b00;background:#fde6e6;font-weight:700}
.replay-dot{fill:#2f6fce;fill-opacity:.85;stroke:#fff;stroke-width:.8;cursor:pointer}
.replay-dot.replay-red{fill:#d62728} .replay-dot.replay-grey{fill:#8a8a8a}
.replay-ring{fill:none;stroke:#111;stroke-width:1.8;pointer-events:none}
.replay-route{fill:none;stroke:#f5a623;stroke-width:6;stroke-opacity:.45;stroke-linejoin:round;stroke-linecap:round;pointer-events:none}
.replay-mark{pointer-events:none;font-family:sans-serif} .replay-mark text{fill:#d62728;stroke:#fff;stroke-width:2.5px;paint-order:stroke}
.replay-mark.replay-soft text{fill:#e07b00} .replay-x{font-size:17px;font-weight:700} .replay-cause{font-size:10px;font-weight:700}
.replay-qtrack{fill:#000;fill-opacity:.08} .replay-qbar{fill:#7a4fd0} .replay-qtext{font-size:9px;fill:#333;font-family:sans-serif}
.replay-hot{fill:#d62728;fill-opacity:.12;stroke:#d62728;stroke-width:2.5;pointer-events:none}
`;

  // ---- small helpers ------------------------------------------------------------------

  // Make an element (HTML, or SVG with `ns`) with attributes and text, appended to `parent`.
  function make(ns, tag, attrs, parent, text) {
    const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  const html = (...a) => make(null, ...a);
  const svgEl = (...a) => make(NS, ...a);

  const fmtS = (ms) => (ms / 1000).toFixed(4) + " s";
  const fmtMs = (ms) => (ms == null || !isFinite(ms) ? "–" : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));
  const num = (v, dflt) => (typeof v === "number" && isFinite(v) ? v : dflt);

  // A stable pseudo-random number in [0, 1) from a few integers, to spread dots.
  function hash01(a, b, c) {
    let h = (Math.imul(a | 0, 0x9e3779b1) ^ Math.imul(b | 0, 0x85ebca77) ^ Math.imul(c | 0, 0xc2b2ae3d)) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39) >>> 0;
    return ((h ^ (h >>> 15)) >>> 0) / 4294967296;
  }

  // In a sorted array, the first index whose value is > x (upper) or >= x (lower).
  function bisect(arr, x, orEqual) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (arr[m] < x || (!orEqual && arr[m] === x)) lo = m + 1; else hi = m; }
    return lo;
  }
  const upper = (arr, x) => bisect(arr, x, false);
  const lower = (arr, x) => bisect(arr, x, true);

  // The point a fraction f of the way along a polyline, by length.
  function along(pts, f) {
    let total = 0;
    const seg = [];
    for (let i = 1; i < pts.length; i++) {
      const d = Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      seg.push(d);
      total += d;
    }
    let want = f * total;
    for (let i = 0; i < seg.length; i++) {
      if (want <= seg[i] || i === seg.length - 1) {
        const k = seg[i] > 0 ? Math.min(1, want / seg[i]) : 1;
        return [pts[i][0] + (pts[i + 1][0] - pts[i][0]) * k, pts[i][1] + (pts[i + 1][1] - pts[i][1]) * k];
      }
      want -= seg[i];
    }
    return pts[pts.length - 1];
  }

  // ---- the replay ---------------------------------------------------------------------

  class Replay {
    constructor(container, data) {
      data = data || {};
      Object.assign(this, { container, t: 0, speed: SPEEDS[1][0], playing: false, failedOnly: false, sel: null, raf: 0 });
      this.rowIndex = -2; // timeseries row shown (-1: none; -2: not drawn yet)
      this.faultText = null;
      this._tick = this._tick.bind(this);
      if (!document.getElementById("replay-style")) html("style", { id: "replay-style" }, document.head, STYLE);
      this._geometry(data.placement || { width: 400, height: 300, nodes: [], edges: [] });
      this._records(Array.isArray(data.traces) ? data.traces : []);
      this._series(data.timeseries);
      this._dom(data.svg || "");
      this._render(this.t0);
    }

    // Node boxes, edges by node pair, and how many instances each component shows as lanes.
    _geometry(p) {
      this.place = p;
      this.nodes = (p.nodes || []).map((n) => ({ name: n.name, users: !!n.users, x: +n.x, y: +n.y, w: +n.w, h: +n.h, lanes: 1 }));
      this.byName = new Map();
      this.nodes.forEach((n, i) => { if (!this.byName.has(n.name)) this.byName.set(n.name, i); });
      this.usersNodes = this.nodes.map((n, i) => (n.users ? i : -1)).filter((i) => i >= 0);
      this.edges = new Map();
      for (const e of p.edges || []) this.edges.set(e.from + ">" + e.to, e.points);
      for (const e of p.edges || []) {
        const k = e.to + ">" + e.from;
        if (!this.edges.has(k)) this.edges.set(k, e.points.slice().reverse());
      }
    }

    // Where a trace's dot sits inside a node box: in the lane of its instance, spread a little.
    _hold(ni, inst, hx, hy) {
      const n = this.nodes[ni];
      const lane = inst >= 0 ? inst % n.lanes : 0;
      const lw = (n.w - 10) / n.lanes;
      return [n.x + 5 + lw * (lane + 0.5 + (hx - 0.5) * 0.7), n.y + n.h * (0.28 + 0.44 * hy)];
    }

    // One record per trace with its keyframes (time, node, position), failure marks and colour.
    _records(traces) {
      for (const tr of traces) {
        for (const s of tr.spans || []) {
          const ni = this.byName.get(s.component);
          if (ni !== undefined) this.nodes[ni].lanes = Math.max(this.nodes[ni].lanes, (s.instance | 0) + 1);
        }
      }
      this.recs = traces.map((tr, index) => this._record(tr, index)).filter((r) => r);
      this.recs.sort((a, b) => a.start - b.start || a.index - b.index);
      this.byIndex = new Map(this.recs.map((r) => [r.index, r]));
      this.views = { all: this._makeView(this.recs), failed: this._makeView(this.recs.filter((r) => r.failed)) };
    }

    _record(tr, index) {
      const start = num(tr.start_ms, null);
      if (start === null || !this.nodes.length) return null;
      const end = tr.latency_ms == null ? Infinity : start + Math.max(0, +tr.latency_ms);
      const rec = {
        index, tr, start, end,
        failed: tr.outcome !== "ok" && tr.outcome !== "in_flight",
        grey: tr.outcome === "in_flight",
        kt: [], kn: [], kx: [], ky: [], marks: [], redAt: Infinity,
      };
      const hx = hash01(tr.user, tr.key, index), hy = hash01(index, tr.user, 7);

      // The call tree: spans sorted by arrival, nested by time containment. A child that
      // outlives its parent (a timeout) is cut at the parent's end.
      const spans = (tr.spans || [])
        .filter((s) => this.byName.has(s.component) && Number.isFinite(s.arrive_ms))
        .map((s) => ({ s, node: this.byName.get(s.component), inst: s.instance | 0, arrive: +s.arrive_ms, end: s.end_ms == null ? Infinity : +s.end_ms, kids: [] }))
        .sort((a, b) => a.arrive - b.arrive || b.end - a.end);
      const roots = [], stack = [];
      for (const sp of spans) {
        while (stack.length && stack[stack.length - 1].eff <= sp.arrive) stack.pop();
        const parent = stack[stack.length - 1];
        sp.arrive = Math.max(sp.arrive, parent ? parent.arrive : start);
        sp.eff = Math.max(sp.arrive, Math.min(sp.end, parent ? parent.eff : end));
        (parent ? parent.kids : roots).push(sp);
        stack.push(sp);
      }
      // The users node this trace starts from: one with an edge to its first hop, if several.
      const first = roots.length ? roots[0].node : -1;
      const users = this.usersNodes.find((u) => this.edges.has(u + ">" + first)) ?? this.usersNodes[0] ?? 0;

      const emit = (t, ni, inst) => {
        if (!isFinite(t)) return;
        const n = rec.kt.length;
        t = n ? Math.max(t, rec.kt[n - 1]) : t;
        if (n && rec.kn[n - 1] === ni && rec.kt[n - 1] === t) return;
        const [x, y] = this._hold(ni, inst, hx, hy);
        rec.kt.push(t); rec.kn.push(ni); rec.kx.push(x); rec.ky.push(y);
      };
      // Visit a span: arrive, work, then for each call travel out and back, then end. The way
      // back takes as long as the way out did (network time), but never past the next event.
      const visit = (sp) => {
        emit(sp.arrive, sp.node, sp.inst);
        let at = sp.kids.length ? Math.min(sp.arrive + num(sp.s.wait_ms, 0) + num(sp.s.service_ms, 0), sp.kids[0].arrive) : sp.eff;
        sp.kids.forEach((c, i) => {
          emit(at, sp.node, sp.inst);
          const out = Math.max(0, c.arrive - at);
          visit(c);
          const next = i + 1 < sp.kids.length ? sp.kids[i + 1].arrive : sp.eff;
          if (sp.users && !isFinite(next)) { at = Infinity; return; } // in flight: stays put
          at = Math.min(c.eff + out, i + 1 < sp.kids.length ? (c.eff + next) / 2 : next);
          emit(at, sp.node, sp.inst);
        });
        emit(sp.eff, sp.node, sp.inst);
      };
      visit({ s: {}, node: users, inst: -1, users: true, arrive: start, eff: end, kids: roots });

      // Failure marks at each failing hop; a failed request turns red at the failure of its last
      // attempt (the earliest failing hop after the last root arrival), or at its end.
      const lastRoot = roots.length ? roots[roots.length - 1].arrive : start;
      for (const s of tr.spans || []) {
        if (!s.outcome || s.outcome === "ok" || s.end_ms == null) continue;
        const t = Math.min(Math.max(+s.end_ms, start), end);
        rec.marks.push({ t, cause: s.outcome, pos: this._pos(rec, t), soft: !rec.failed });
        if (rec.failed && t >= lastRoot) rec.redAt = Math.min(rec.redAt, t);
      }
      if (rec.failed && !isFinite(rec.redAt)) {
        rec.redAt = rec.marks.length ? Math.max(...rec.marks.map((m) => m.t)) : end;
        if (!rec.marks.length) rec.marks.push({ t: end, cause: tr.outcome, pos: this._pos(rec, end), soft: false });
      }
      rec.marks.sort((a, b) => a.t - b.t);
      rec.last = Math.max(end, ...rec.marks.map((m) => m.t));
      return rec;
    }

    // Position of a record's dot at time t: held in a box, or on its way along an edge.
    _pos(rec, t) {
      const kt = rec.kt, n = kt.length;
      if (!n) return [0, 0];
      const i = upper(kt, t) - 1;
      if (i < 0) return [rec.kx[0], rec.ky[0]];
      if (i >= n - 1) return [rec.kx[n - 1], rec.ky[n - 1]];
      const f = kt[i + 1] > kt[i] ? (t - kt[i]) / (kt[i + 1] - kt[i]) : 1;
      return along(this._leg(rec, i), f);
    }

    // The path from keyframe i to i+1: out of the box, along the edge, into the next box.
    _leg(rec, i) {
      const a = rec.kn[i], b = rec.kn[i + 1];
      const mid = a === b ? [] : this.edges.get(a + ">" + b) || [];
      return [[rec.kx[i], rec.ky[i]], ...mid, [rec.kx[i + 1], rec.ky[i + 1]]];
    }

    // A set of records to draw: starts, running maximum of last-visible times, keyframe times.
    _makeView(recs) {
      let m = -Infinity;
      const maxLast = recs.map((r) => (m = Math.max(m, r.last)));
      const times = recs.flatMap((r) => (isFinite(r.end) ? [r.start, ...r.kt, r.end] : [r.start, ...r.kt]));
      times.sort((a, b) => a - b);
      return { recs, starts: recs.map((r) => r.start), maxLast, times };
    }

    // Time range, timeseries rows, queue scale and faults.
    _series(ts) {
      ts = ts && Array.isArray(ts.rows) ? ts : { window_s: 1, components: [], rows: [], faults: [] };
      this.ts = ts;
      this.winMs = num(ts.window_s, 1) * 1000;
      this.rowStarts = ts.rows.map((r) => r.t_s * 1000);
      const runEnd = ts.rows.length ? this.rowStarts[ts.rows.length - 1] + this.winMs : 0;
      let qmax = 0;
      for (const r of ts.rows) for (const q of r.queue_mean || []) if (q != null) qmax = Math.max(qmax, q);
      this.qmax = qmax;
      if (this.recs.length) {
        this.t0 = this.recs[0].start;
        this.t1 = this.recs.reduce((m, r) => (isFinite(r.end) ? Math.max(m, r.end) : m), this.t0);
        if (this.recs.some((r) => !isFinite(r.end))) this.t1 = Math.max(this.t1, runEnd);
      } else {
        this.t0 = this.rowStarts.length ? this.rowStarts[0] : 0;
        this.t1 = Math.max(this.t0, runEnd);
      }
      this.faults = (ts.faults || []).map((f) => ({ label: f.label, a: f.start_s * 1000, b: f.end_s == null ? Infinity : f.end_s * 1000 }));
    }

    // ---- DOM ----

    _dom(svgText) {
      const root = (this.root = html("div", { class: "replay", tabindex: "0" }, this.container));
      const bar = html("div", { class: "replay-controls" }, root);
      const button = (act, text, title) => html("button", { type: "button", "data-act": act, title }, bar, text);
      this.ui = {
        back: button("back", "◀ back", "previous event (←)"),
        play: button("play", "▶ play", "play (space)"),
        pause: button("pause", "❚❚ pause", "pause (space)"),
        step: button("step", "step ▶", "next event (→)"),
      };
      const speedLabel = html("label", {}, bar, "speed ");
      const speed = (this.ui.speed = html("select", { "data-act": "speed", title: "simulated time per real time" }, speedLabel));
      for (const [v, label] of SPEEDS) html("option", { value: String(v) }, speed, label);
      speed.value = String(this.speed);
      const fo = html("label", {}, bar);
      this.ui.failedOnly = html("input", { type: "checkbox", "data-act": "failed-only" }, fo);
      fo.appendChild(document.createTextNode(" failed only"));
      this.ui.pick = html("select", { "data-act": "pick", title: "jump to a request" }, bar);
      this._fillPick();

      const scrub = html("div", { class: "replay-scrub" }, root);
      this.ui.scrub = html("input", { type: "range", "data-act": "scrub", min: String(this.t0), max: String(this.t1), step: "any", value: String(this.t0) }, scrub);
      this._timeline(scrub);
      const status = html("div", { class: "replay-status" }, root);
      this.ui.time = html("span", { class: "replay-time" }, status);
      this.ui.faults = html("span", { class: "replay-faults" }, status);

      const body = html("div", { class: "replay-body" }, root);
      const diagram = html("div", { class: "replay-diagram" }, body);
      diagram.innerHTML = svgText;
      let svg = diagram.querySelector("svg");
      if (!svg) svg = svgEl("svg", { viewBox: `0 0 ${this.place.width} ${this.place.height}` }, diagram);
      svg.style.maxWidth = Math.round(num(+this.place.width, 600) * 1.8) + "px";
      this.svg = svg;
      const overlay = svgEl("g", { class: "replay-overlay" }, svg);
      this._queues(svgEl("g", {}, overlay));
      this.routeLayer = svgEl("g", {}, overlay);
      this.dotLayer = svgEl("g", {}, overlay);
      this.ring = svgEl("circle", { class: "replay-ring", r: DOT_R + 2.5 }, null);
      this.markLayer = svgEl("g", {}, overlay);
      this.dots = [];
      this.marks = [];
      this.detail = html("div", { class: "replay-detail" }, body);
      this._showDetail();

      // Events: one delegated handler per kind.
      root.addEventListener("click", (e) => {
        const act = e.target.closest("[data-act]");
        const name = act && act.getAttribute("data-act");
        if (name === "play") this.play();
        else if (name === "pause") this.pause();
        else if (name === "step") this.step(1);
        else if (name === "back") this.step(-1);
        const dot = e.target.closest(".replay-dot");
        if (dot) this.select(+dot.getAttribute("data-trace"));
        const hop = e.target.closest("tr[data-t]");
        if (hop) { this.pause(); this.setTime(+hop.getAttribute("data-t")); }
      });
      this.ui.scrub.addEventListener("input", () => this.setTime(+this.ui.scrub.value));
      speed.addEventListener("change", () => { this.speed = +speed.value; });
      this.ui.failedOnly.addEventListener("change", () => { this.failedOnly = this.ui.failedOnly.checked; this._render(this.t); });
      this.ui.pick.addEventListener("change", () => {
        if (this.ui.pick.value === "") return;
        const rec = this.byIndex.get(+this.ui.pick.value);
        this.select(rec.index);
        this.setTime(rec.start);
      });
      root.addEventListener("keydown", (e) => {
        if (e.target !== root) return;
        if (e.key === " ") this.playing ? this.pause() : this.play();
        else if (e.key === "ArrowRight") this.step(1);
        else if (e.key === "ArrowLeft") this.step(-1);
        else return;
        e.preventDefault();
      });
      this._playState();
    }

    _fillPick() {
      const pick = this.ui.pick;
      html("option", { value: "" }, pick, `pick a request (${this.recs.length})…`);
      const label = (r) => {
        const bad = r.failed && r.marks.find((m) => !m.soft);
        const where = bad ? " at " + this.nodes[r.kn[Math.max(0, upper(r.kt, bad.t) - 1)]].name : "";
        return `${fmtS(r.start)} · ${r.tr.class} · ${r.tr.outcome}${where}`;
      };
      const group = (title, recs) => {
        if (!recs.length) return;
        const g = html("optgroup", { label: title }, pick);
        for (const r of recs) html("option", { value: String(r.index) }, g, label(r));
      };
      const failed = this.views.failed.recs;
      group(`failed (${failed.length})`, failed.slice(0, PICK_FAILED));
      group("others", this.recs.filter((r) => !r.failed).slice(0, PICK_OTHERS));
    }

    // A strip under the scrubber: fault intervals, failed requests as ticks, and a cursor.
    _timeline(parent) {
      const strip = svgEl("svg", { class: "replay-timeline", viewBox: "0 0 1000 10", preserveAspectRatio: "none" }, parent);
      const span = Math.max(1e-9, this.t1 - this.t0);
      const x = (t) => Math.max(0, Math.min(1000, ((t - this.t0) / span) * 1000));
      for (const f of this.faults) {
        svgEl("rect", { x: x(f.a), y: 0, width: Math.max(2, x(f.b) - x(f.a)), height: 10, fill: "#f6c1c1" }, strip)
          .appendChild(svgEl("title", {}, null, f.label));
      }
      const ticks = this.views.failed.recs.map((r) => `M${x(r.redAt).toFixed(1)} 1V9`).join("");
      if (ticks) svgEl("path", { d: ticks, stroke: "#d62728", "stroke-width": 1.2, "vector-effect": "non-scaling-stroke" }, strip);
      this.cursor = svgEl("rect", { y: 0, width: 3, height: 10, fill: "#222" }, strip);
      this.timelineX = x;
      strip.addEventListener("click", (e) => {
        const box = strip.getBoundingClientRect();
        this.setTime(this.t0 + ((e.clientX - box.left) / Math.max(1, box.width)) * span);
      });
    }

    // Per component: a queue bar along the bottom of its box, a number, a busy outline.
    _queues(layer) {
      this.qs = [];
      const comps = this.ts.components || [];
      this.nodes.forEach((n) => {
        const ci = comps.indexOf(n.name);
        if (n.users || ci < 0) return;
        const g = svgEl("g", { class: "replay-queue", "data-component": n.name, display: "none" }, layer);
        const hot = svgEl("rect", { class: "replay-hot", x: n.x, y: n.y, width: n.w, height: n.h, rx: 4, display: "none" }, layer);
        svgEl("rect", { class: "replay-qtrack", x: n.x + 5, y: n.y + n.h - 6, width: n.w - 10, height: 4 }, g);
        const bar = svgEl("rect", { class: "replay-qbar", x: n.x + 5, y: n.y + n.h - 6, width: 0, height: 4 }, g);
        const text = svgEl("text", { class: "replay-qtext", x: n.x + n.w - 2, y: n.y + n.h + 10, "text-anchor": "end" }, g);
        this.qs.push({ n, ci, g, hot, bar, text });
      });
    }

    // ---- time and playback ----

    play() {
      if (this.playing) return;
      if (this.t >= this.t1) this.setTime(this.t0);
      this.playing = true;
      this.lastNow = performance.now();
      this.raf = requestAnimationFrame(this._tick);
      this._playState();
    }

    pause() {
      this.playing = false;
      cancelAnimationFrame(this.raf);
      this._playState();
    }

    // Jump to the next (dir 1) or previous (dir -1) keyframe time of any shown trace.
    step(dir) {
      this.pause();
      const times = this._view().times;
      const i = dir > 0 ? upper(times, this.t + 1e-6) : lower(times, this.t - 1e-6) - 1;
      this.setTime(i >= 0 && i < times.length ? times[i] : dir > 0 ? this.t1 : this.t0);
    }

    setTime(ms) {
      this._render(Math.max(this.t0, Math.min(this.t1, num(ms, this.t0))));
    }

    _view() {
      return this.failedOnly ? this.views.failed : this.views.all;
    }

    _playState() {
      this.ui.play.classList.toggle("replay-on", this.playing);
      this.ui.pause.classList.toggle("replay-on", !this.playing);
      this.container.setAttribute("data-playing", this.playing ? "1" : "0");
    }

    _tick(now) {
      if (!this.playing) return;
      const dt = Math.min(100, Math.max(0, now - this.lastNow));
      this.lastNow = now;
      let t = this.t + dt * this.speed;
      if (t >= this.t1) { t = this.t1; this.pause(); }
      const shown = this._render(t);
      // Nothing on screen and the next request far away: skip to just before it.
      const v = this._view();
      if (this.playing && shown === 0 && v.recs.length) {
        const i = upper(v.starts, this.t);
        const next = i < v.starts.length ? v.starts[i] : this.t1;
        if (next - this.t > this.speed * EMPTY_REAL_MS) this._render(Math.min(this.t1, next - this.speed * LEAD_REAL_MS));
      }
      if (this.playing) this.raf = requestAnimationFrame(this._tick);
    }

    // How long (simulated ms) a failure mark stays: about 0.7 s of real time at this speed.
    _linger() {
      return Math.max(5, Math.min(30000, this.speed * 700));
    }

    // Draw everything at time t; returns how many dots and passing marks are shown.
    _render(t) {
      this.t = t;
      const v = this._view(), linger = this._linger();
      let nd = 0, nm = 0, selDrawn = false;
      const drawDot = (rec) => {
        const c = this.dots[nd] || (this.dots[nd] = svgEl("circle", { class: "replay-dot", r: DOT_R }));
        if (!c.parentNode) this.dotLayer.appendChild(c);
        const [x, y] = this._pos(rec, t);
        c.setAttribute("cx", x.toFixed(2));
        c.setAttribute("cy", y.toFixed(2));
        c.setAttribute("data-trace", rec.index);
        c.setAttribute("class", "replay-dot" + (rec.grey ? " replay-grey" : t >= rec.redAt ? " replay-red" : ""));
        if (rec === this.sel) { this.ring.setAttribute("cx", x); this.ring.setAttribute("cy", y); selDrawn = true; }
        nd++;
      };
      const drawMark = (m) => {
        let g = this.marks[nm];
        if (!g) {
          g = this.marks[nm] = svgEl("g", { class: "replay-mark" });
          svgEl("text", { class: "replay-x", "text-anchor": "middle", "dominant-baseline": "central" }, g, "×");
          svgEl("text", { class: "replay-cause", x: 7, y: -6 }, g);
        }
        if (!g.parentNode) this.markLayer.appendChild(g);
        g.setAttribute("transform", `translate(${m.pos[0].toFixed(1)},${m.pos[1].toFixed(1)})`);
        g.setAttribute("class", "replay-mark" + (m.soft ? " replay-soft" : ""));
        const label = g.lastChild, left = m.pos[0] > this.place.width * 0.7;
        label.setAttribute("x", left ? -7 : 7);
        label.setAttribute("text-anchor", left ? "end" : "start");
        if (label.textContent !== m.cause) label.textContent = m.cause;
        nm++;
      };
      // Records that may show: started by t, and not all finished before t - linger.
      const hi = upper(v.starts, t);
      for (let i = lower(v.maxLast, t - linger); i < hi; i++) {
        const rec = v.recs[i];
        if (rec.last < t - linger) continue;
        if (t <= rec.end) drawDot(rec);
        for (const m of rec.marks) if (m.t <= t && t <= m.t + linger && rec !== this.sel) drawMark(m);
      }
      const shown = nd + nm; // what would vanish by itself: the selection's marks don't
      const sel = this.sel;
      if (sel) {
        if (!selDrawn && t >= sel.start && t <= sel.end) drawDot(sel);
        for (const m of sel.marks) if (m.t <= t) drawMark(m); // the chosen one keeps its marks
      }
      for (let i = nd; i < this.dots.length && this.dots[i].parentNode; i++) this.dots[i].remove();
      for (let i = nm; i < this.marks.length && this.marks[i].parentNode; i++) this.marks[i].remove();
      if (selDrawn) this.dotLayer.appendChild(this.ring);
      else this.ring.remove();

      this.container.setAttribute("data-t-ms", t.toFixed(3));
      this.container.setAttribute("data-visible", String(nd));
      this.ui.time.textContent = `t = ${fmtS(t)} · ${nd} in flight`;
      this.ui.scrub.value = String(t);
      this.cursor.setAttribute("x", (this.timelineX(t) - 1.5).toFixed(1));
      this._drawSeries(t);
      this._hopNow(t);
      return shown;
    }

    // Queue bars, busy outlines and the fault line for the timeseries window holding t.
    _drawSeries(t) {
      let ri = upper(this.rowStarts, t) - 1;
      if (ri >= 0 && t >= this.rowStarts[ri] + this.winMs && ri < this.rowStarts.length - 1) ri = -1;
      if (ri !== this.rowIndex) {
        this.rowIndex = ri;
        const row = ri >= 0 ? this.ts.rows[ri] : null;
        for (const q of this.qs) {
          const qm = row && row.queue_mean ? row.queue_mean[q.ci] : null;
          const u = row && row.utilization ? row.utilization[q.ci] : null;
          q.g.setAttribute("display", qm == null ? "none" : "inline");
          q.hot.setAttribute("display", u != null && u >= 0.9 ? "inline" : "none");
          if (qm == null) continue;
          q.bar.setAttribute("width", this.qmax > 0 ? ((q.n.w - 10) * Math.min(1, qm / this.qmax)).toFixed(1) : 0);
          q.text.textContent = `queue ${qm < 10 ? qm.toFixed(2) : qm.toFixed(0)}` + (u == null ? "" : ` · busy ${Math.round(u * 100)}%`);
        }
      }
      const active = this.faults.filter((f) => f.a <= t && t < f.b).map((f) => f.label);
      const text = active.length ? "fault: " + active.join(", ") : this.faults.length ? "no active fault" : "";
      if (text !== this.faultText) {
        this.faultText = text;
        this.ui.faults.textContent = text;
        this.ui.faults.classList.toggle("replay-none", !active.length);
      }
    }

    // ---- selection and the detail panel ----

    select(index) {
      const rec = this.byIndex.get(index) || null;
      this.sel = rec;
      this.routeLayer.textContent = "";
      if (rec) {
        // The route: each move between two different nodes, drawn under the dots.
        for (let i = 0; i + 1 < rec.kt.length; i++) {
          if (rec.kn[i] === rec.kn[i + 1]) continue;
          const pts = this._leg(rec, i).map((p) => p[0].toFixed(1) + "," + p[1].toFixed(1)).join(" ");
          svgEl("polyline", { class: "replay-route", points: pts }, this.routeLayer);
        }
      }
      this.ui.pick.value = rec && this.ui.pick.querySelector(`option[value="${rec.index}"]`) ? String(rec.index) : "";
      this._showDetail();
      this._render(this.t);
    }

    _showDetail() {
      const d = this.detail, rec = this.sel;
      d.textContent = "";
      this.hopRows = [];
      if (!rec) {
        html("div", { class: "replay-hint" }, d, "Click a dot, or pick a request above, to see its path.");
        return;
      }
      const tr = rec.tr;
      html("strong", {}, d, `request #${rec.index}`);
      const dl = html("dl", {}, d);
      const latency = tr.latency_ms == null ? "still in flight at the end" : fmtMs(+tr.latency_ms) + " ms";
      for (const [k, v] of [["class", tr.class], ["user", tr.user], ["key", tr.key], ["outcome", tr.outcome],
        ["attempts", tr.attempts], ["start", fmtS(rec.start)], ["latency", latency]]) {
        html("dt", {}, dl, k);
        html("dd", k === "outcome" && rec.failed ? { class: "replay-bad" } : {}, dl, String(v));
      }
      // The hops in arrival order, indented by call depth; times in ms after the start.
      const spans = (tr.spans || []).slice().sort((a, b) => a.arrive_ms - b.arrive_ms || (b.end_ms ?? Infinity) - (a.end_ms ?? Infinity));
      const table = html("table", { class: "replay-hops" }, d);
      const head = html("tr", {}, html("thead", {}, table));
      for (const h of ["hop", "arrive", "wait", "service", "end", "outcome"]) html("th", {}, head, h);
      const body = html("tbody", {}, table);
      const stack = [];
      for (const s of spans) {
        const end = s.end_ms == null ? Infinity : s.end_ms;
        while (stack.length && stack[stack.length - 1] <= s.arrive_ms) stack.pop();
        const row = html("tr", { "data-t": String(s.arrive_ms), title: "jump to this hop" }, body);
        if (s.outcome && s.outcome !== "ok") row.classList.add("replay-hop-failed");
        const hop = "\u2003".repeat(stack.length) + `${s.component}#${s.instance}` + (this.byName.has(s.component) ? "" : " (not drawn)");
        const cells = [hop, "+" + fmtMs(s.arrive_ms - rec.start), fmtMs(s.wait_ms), fmtMs(s.service_ms),
          isFinite(end) ? "+" + fmtMs(end - rec.start) : "–", String(s.outcome || "–")];
        for (const c of cells) html("td", {}, row, c);
        this.hopRows.push({ row, a: s.arrive_ms, b: end });
        stack.push(Math.min(end, stack.length ? stack[stack.length - 1] : Infinity)); // cut at the caller's end
      }
      if (!spans.length) html("div", { class: "replay-hint" }, d, "No hops recorded.");
      html("div", { class: "replay-hint" }, d, "Times in ms after the start; click a hop to jump there.");
    }

    // Mark the deepest hop the selected request is in at time t.
    _hopNow(t) {
      let now = null;
      for (const h of this.hopRows || []) if (h.a <= t && t < h.b) now = h;
      for (const h of this.hopRows || []) h.row.classList.toggle("replay-hop-now", h === now);
    }

    destroy() {
      this.pause();
      this.container.textContent = "";
      for (const a of ["data-t-ms", "data-visible", "data-playing"]) this.container.removeAttribute(a);
    }
  }

  window.Replay = Replay;
})();
