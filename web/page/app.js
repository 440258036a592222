// The playground page: pick or edit a scenario, turn its knobs, run it in a Web Worker, and
// show what the command line would: the table, the JSON summary, the charts, plus a replay of
// sampled requests on the topology. `window.playground` exposes the state for the browser tests.
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  const SCENARIOS = window.SCALESIM_SCENARIOS;
  // About this many requests are traced for the replay (the core keeps at most 100,000).
  const TRACED = 2000;
  // Keys whose value must stay at least 1.
  const AT_LEAST_ONE = /\.(count|workers|replicas|shards)$/;

  const state = {
    source: "scenarios/03-load-balancer.yaml",
    text: "",
    // Overrides by path, as `--set path=value` would give them.
    sets: {},
    faultsOff: false,
    seed: "",
    // From the last successful check.
    checked: null,
  };
  const playground = { state, runs: 0, last: null, error: null, busy: false };
  window.playground = playground;

  let worker = null;
  let ready = false;
  let nextId = 1;
  let checkId = 0;
  let runId = 0;
  let queued = null;
  let replay = null;

  function status(text, bad) {
    $("status").textContent = text;
    $("status").className = bad ? "failed" : "";
  }

  // ---- the worker ---------------------------------------------------------------------

  function startWorker() {
    const blob = new Blob([window.SCALESIM_WORKER_SOURCE], { type: "text/javascript" });
    worker = new Worker(URL.createObjectURL(blob));
    ready = false;
    worker.onmessage = onMessage;
    worker.onerror = (e) => status("the simulator stopped: " + (e.message || "unknown error"), true);
  }

  function post(msg) {
    if (ready) worker.postMessage(msg);
    else queued = msg;
  }

  function onMessage(event) {
    const m = event.data;
    if (m.type === "ready") {
      ready = true;
      $("run").disabled = false;
      if (queued) {
        worker.postMessage(queued);
        queued = null;
      }
    } else if (m.type === "checked" && m.id === checkId) {
      onChecked(m.result);
    } else if (m.type === "progress" && m.id === runId) {
      $("progress").value = m.done;
    } else if (m.type === "done" && m.id === runId) {
      onDone(m);
    } else if (m.type === "failed" && m.id === runId) {
      endRun();
      if (m.fatal) {
        worker.terminate();
        startWorker();
      }
      playground.error = m.error;
      status("the run stopped", true);
      $("problems").textContent = m.error;
    }
  }

  function overrides() {
    const lines = Object.entries(state.sets).map(([k, v]) => `${k}=${v}`);
    if (state.faultsOff) lines.push("faults=[]");
    return lines.join("\n");
  }

  // ---- checking -----------------------------------------------------------------------

  let checkTimer = null;
  function scheduleCheck(thenRun, delay) {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(() => check(thenRun), delay);
  }

  let runAfterCheck = false;
  function check(thenRun) {
    runAfterCheck = thenRun;
    checkId = nextId++;
    post({ type: "check", id: checkId, text: state.text, source: state.source, sets: overrides() });
    updateCli();
  }

  function onChecked(r) {
    const problems = $("problems");
    problems.textContent = "";
    if (!r.ok) {
      state.checked = null;
      playground.error = r.error;
      $("run").disabled = true;
      status("the scenario has problems", true);
      // The command line's text, each problem a link to its place in the editor.
      r.error.split("\n").forEach((line, i) => {
        const p = r.problems[i];
        if (p && p.line) {
          const a = document.createElement("a");
          a.textContent = line;
          a.onclick = () => goTo(p.line, p.column || 1);
          problems.appendChild(a);
        } else {
          problems.appendChild(document.createTextNode(line));
        }
        problems.appendChild(document.createElement("br"));
      });
      return;
    }
    playground.error = null;
    $("run").disabled = false;
    const first = !state.checked || state.checked.name !== r.name;
    state.checked = r;
    if (first || !$("knobs").childElementCount) renderKnobs(r.knobs);
    $("diagram").innerHTML = r.svg;
    if (runAfterCheck) run();
  }

  function goTo(line, column) {
    const ed = $("editor");
    const lines = ed.value.split("\n");
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += column - 1;
    ed.focus();
    ed.setSelectionRange(at, at);
    ed.scrollTop = Math.max(0, (line - 5) * 16);
  }

  // ---- knobs --------------------------------------------------------------------------

  const DURATION = /^(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)$/;

  function renderKnobs(knobs) {
    const box = $("knobs");
    box.textContent = "";
    for (const k of knobs) {
      const row = document.createElement("div");
      row.className = "knob";
      row.dataset.path = k.path;
      const label = document.createElement("label");
      label.textContent = k.path;
      row.appendChild(label);
      if (k.kind === "faults") {
        const on = document.createElement("input");
        on.type = "checkbox";
        on.checked = !state.faultsOff;
        on.dataset.knob = "faults";
        on.onchange = () => {
          state.faultsOff = !on.checked;
          row.classList.toggle("changed", state.faultsOff);
          changed();
        };
        const text = document.createElement("span");
        text.textContent = `${k.value} fault${k.value === "1" ? "" : "s"} on`;
        row.append(on, text);
        box.appendChild(row);
        continue;
      }
      let num = Number(k.value);
      let unit = "";
      if (k.kind === "duration") {
        const m = DURATION.exec(k.value);
        if (!m) continue;
        num = Number(m[1]);
        unit = m[2];
      }
      if (!isFinite(num)) continue;
      const integer = Number.isInteger(num);
      const min = AT_LEAST_ONE.test(k.path) ? 1 : 0;
      const max = Math.max(num * 4, num + 8);
      const step = integer ? Math.max(1, Math.round(max / 400)) : num / 20 || 0.1;
      const slider = document.createElement("input");
      slider.type = "range";
      slider.min = min;
      slider.max = max;
      slider.step = step;
      slider.dataset.knob = k.path;
      const field = document.createElement("input");
      field.type = "number";
      field.min = min;
      field.step = integer ? 1 : "any";
      const current = state.sets[k.path];
      const now = current === undefined ? num : Number(String(current).replace(unit, ""));
      slider.value = now;
      field.value = now;
      row.classList.toggle("changed", current !== undefined);
      const set = (v) => {
        const text = unit ? `${v}${unit}` : String(v);
        if (Number(v) === num) delete state.sets[k.path];
        else state.sets[k.path] = text;
        row.classList.toggle("changed", state.sets[k.path] !== undefined);
        changed();
      };
      slider.oninput = () => {
        field.value = slider.value;
      };
      slider.onchange = () => set(slider.value);
      field.onchange = () => {
        slider.value = field.value;
        set(field.value);
      };
      const cell = document.createElement("span");
      cell.append(field);
      if (unit) cell.append(" " + unit);
      row.append(slider, cell);
      box.appendChild(row);
    }
  }

  function changed() {
    cancel(false);
    scheduleCheck(true, 250);
  }

  function updateCli() {
    const sets = Object.entries(state.sets).map(([k, v]) => ` --set '${k}=${v}'`);
    if (state.faultsOff) sets.push(" --set 'faults=[]'");
    const seed = state.seed ? ` --seed ${state.seed}` : "";
    const edited = state.text !== SCENARIOS[state.source] ? "  # (edited here)" : "";
    $("cli").textContent = `scalesim run ${state.source}${sets.join("")}${seed} --json - --no-wall-clock${edited}`;
  }

  // ---- running ------------------------------------------------------------------------

  function run() {
    if (!state.checked) return;
    cancel(false);
    runId = nextId++;
    playground.busy = true;
    $("cancel").disabled = false;
    $("progress").value = 0;
    status("running…");
    const rate = Number(state.sets["traffic.rate"] || (state.checked.knobs.find((k) => k.path === "traffic.rate") || {}).value || 1000);
    const expected = Math.max(1, rate * state.checked.duration_s);
    post({
      type: "run",
      id: runId,
      text: state.text,
      source: state.source,
      sets: overrides(),
      seed: state.seed,
      traceSample: Math.min(1, TRACED / expected),
    });
  }

  function endRun() {
    playground.busy = false;
    $("cancel").disabled = true;
  }

  // Stops a run in progress: the worker is blocked in it, so it is replaced.
  function cancel(say) {
    if (!playground.busy) return;
    worker.terminate();
    endRun();
    runId = 0;
    startWorker();
    if (say) status("cancelled");
  }

  function onDone(m) {
    endRun();
    $("progress").value = 1;
    const summary = JSON.parse(m.summary);
    const ts = JSON.parse(m.timeseries);
    const traces = m.traces ? m.traces.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    playground.runs += 1;
    playground.last = { summary: m.summary, table: m.table, ms: m.ms, events: m.events, traces: traces.length };
    const sim = summary.duration_s;
    status(`${sim} s simulated in ${(m.ms / 1000).toFixed(2)} s · ${(m.events / 1e6).toFixed(1)}M events, ${(m.events / m.ms / 1000).toFixed(1)}M events/s`);
    $("title").textContent = `Results: ${summary.scenario}`;
    $("about").textContent = summary.about || "";
    $("table").textContent = m.table;
    $("summary").textContent = m.summary;
    const charts = $("charts");
    charts.textContent = "";
    for (const f of window.Charts.all(summary, ts)) charts.appendChild(f);
    if (replay) replay.destroy();
    $("replay").textContent = "";
    replay = new window.Replay($("replay"), {
      svg: state.checked.svg,
      placement: state.checked.placement,
      traces,
      timeseries: ts,
    });
  }

  // ---- scenarios and links ------------------------------------------------------------

  function load(source, text, sets, faultsOff, seed) {
    state.source = source;
    state.text = text;
    state.sets = sets || {};
    state.faultsOff = !!faultsOff;
    state.seed = seed || "";
    state.checked = null;
    $("picker").value = SCENARIOS[source] !== undefined ? source : "";
    $("editor").value = text;
    $("seed").value = state.seed;
    $("knobs").textContent = "";
    cancel(false);
    check(true);
  }

  function toBase64Url(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64Url(text) {
    const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  }

  async function pipe(bytes, stream) {
    const out = new Blob([bytes]).stream().pipeThrough(stream);
    return new Uint8Array(await new Response(out).arrayBuffer());
  }

  // The page's state in a link: the scenario's path, its text when edited, the knobs and
  // the seed, deflated into the fragment (which never leaves the browser).
  async function shareLink() {
    const s = { source: state.source, sets: state.sets, faultsOff: state.faultsOff, seed: state.seed };
    if (state.text !== SCENARIOS[state.source]) s.text = state.text;
    const packed = await pipe(new TextEncoder().encode(JSON.stringify(s)), new CompressionStream("deflate-raw"));
    return location.href.split("#")[0] + "#s=" + toBase64Url(packed);
  }

  async function fromFragment() {
    const h = location.hash.slice(1);
    if (h.startsWith("s=")) {
      const raw = await pipe(fromBase64Url(h.slice(2)), new DecompressionStream("deflate-raw"));
      const s = JSON.parse(new TextDecoder().decode(raw));
      const text = s.text !== undefined ? s.text : SCENARIOS[s.source];
      if (text === undefined) throw new Error(`no scenario ${s.source}`);
      return [s.source, text, s.sets, s.faultsOff, s.seed];
    }
    if (h.startsWith("stage=")) {
      const source = decodeURIComponent(h.slice(6));
      if (SCENARIOS[source] !== undefined) return [source, SCENARIOS[source]];
    }
    return null;
  }

  async function init() {
    const picker = $("picker");
    const groups = { scenarios: "Stages", "scenarios/failures": "Failures", "scenarios/validation": "Validation" };
    for (const [dir, label] of Object.entries(groups)) {
      const g = document.createElement("optgroup");
      g.label = label;
      for (const path of Object.keys(SCENARIOS)) {
        if (path.slice(0, path.lastIndexOf("/")) !== dir) continue;
        const o = document.createElement("option");
        o.value = path;
        o.textContent = path.slice(dir.length + 1).replace(/\.yaml$/, "");
        g.appendChild(o);
      }
      picker.appendChild(g);
    }
    const edited = document.createElement("option");
    edited.value = "";
    edited.textContent = "(edited)";
    edited.disabled = true;
    picker.appendChild(edited);
    picker.onchange = () => load(picker.value, SCENARIOS[picker.value]);
    $("editor").oninput = () => {
      state.text = $("editor").value;
      cancel(false);
      scheduleCheck(true, 700);
    };
    $("seed").onchange = () => {
      state.seed = $("seed").value.trim();
      changed();
    };
    $("run").onclick = () => check(true);
    $("cancel").onclick = () => cancel(true);
    $("share").onclick = async () => {
      const link = await shareLink();
      history.replaceState(null, "", link);
      try {
        await navigator.clipboard.writeText(link);
        status("link copied (it is also in the address bar)");
      } catch (e) {
        status("the link is in the address bar");
      }
    };
    startWorker();
    let first = null;
    try {
      first = await fromFragment();
    } catch (e) {
      status("could not read the link: " + e.message, true);
    }
    if (first) load(...first);
    else load(state.source, SCENARIOS[state.source]);
  }

  playground.shareLink = shareLink;
  init();
})();
