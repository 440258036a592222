// The playground's Web Worker. web/build puts it after wasm-bindgen's glue (which defines
// `wasm_bindgen`) and the core as base64 (`SCALESIM_WASM`), so the page can start it from a
// Blob even when opened from file://. Runs block this worker, never the page.
//
// Messages in:  {type: "check", id, text, source, sets}
//               {type: "run", id, text, source, sets, seed, traceSample}
// Messages out: {type: "ready"}
//               {type: "checked", id, result}            (the core's check(): see web/wasm)
//               {type: "progress", id, done}             (0..1, while running)
//               {type: "done", id, summary, table, timeseries, traces, events, ms}
//               {type: "failed", id, error, fatal}       (what the command line would print;
//                                                         fatal: the module trapped)

let current = null;

// Called by the core every 2^18 events (its `scalesimProgress` import).
function scalesimProgress(done) {
  postMessage({ type: "progress", id: current, done });
}

const bytes = Uint8Array.from(atob(SCALESIM_WASM), (c) => c.charCodeAt(0));
wasm_bindgen.initSync({ module: bytes });

onmessage = (event) => {
  const m = event.data;
  if (m.type === "check") {
    const result = JSON.parse(wasm_bindgen.check(m.text, m.source, m.sets));
    postMessage({ type: "checked", id: m.id, result });
  } else if (m.type === "run") {
    current = m.id;
    const started = performance.now();
    let out;
    try {
      out = wasm_bindgen.run(m.text, m.source, m.sets, m.seed, m.traceSample);
    } catch (e) {
      // A trap (a bug in the core) leaves the module unusable: the page starts a new worker.
      const fatal = e instanceof WebAssembly.RuntimeError;
      const error = fatal ? `internal error (a bug in scalesim): ${e.message}` : String(e && e.message ? e.message : e);
      postMessage({ type: "failed", id: m.id, error, fatal });
      return;
    }
    const ms = performance.now() - started;
    postMessage({
      type: "done",
      id: m.id,
      summary: out.summary(),
      table: out.table(),
      timeseries: out.timeseries(),
      traces: out.traces(),
      events: out.events(),
      ms,
    });
    out.free();
  }
};

postMessage({ type: "ready" });
