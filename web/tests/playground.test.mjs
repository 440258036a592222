// Browser tests of the playground: the page built by web/build, opened from disk in headless
// Chromium (Debian's /usr/bin/chromium, or $CHROMIUM), driven by playwright-core.
//
//   web/build && (cd web/tests && npm ci && npm test)
//
// The command line's answers come from the release binary ($SCALESIM, default
// target/release/scalesim): the page must give the same JSON summary, byte for byte.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const page_url = pathToFileURL(path.join(root, process.env.PLAYGROUND || "results/playground", "index.html")).href;
const scalesim = process.env.SCALESIM || path.join(root, "target/release/scalesim");
const STAGE = "scenarios/03-load-balancer.yaml";

let browser;
let context;
let profile;
const errors = [];

function cli(...args) {
  const r = spawnSync(scalesim, args, { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `scalesim ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

async function open(fragment) {
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(page_url + fragment);
  return page;
}

// Waits until the page has finished `n` runs, and returns the last one.
async function runs(page, n) {
  await page.waitForFunction((n) => window.playground && window.playground.runs >= n && !window.playground.busy, n, { timeout: 120_000 });
  return page.evaluate(() => window.playground.last);
}

before(async () => {
  profile = mkdtempSync(path.join(tmpdir(), "scalesim-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    acceptDownloads: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  browser = context;
});

after(async () => {
  if (browser) await browser.close();
  rmSync(profile, { recursive: true, force: true });
  assert.deepEqual(errors, [], "the page reported errors");
});

test("stage 03 gives the command line's JSON, a slider changes it, the replay plays", async () => {
  const page = await open("#stage=" + STAGE);
  const first = await runs(page, 1);
  const expected = cli("run", STAGE, "--json", "-", "--no-wall-clock");
  assert.equal(first.summary, expected, "the browser's summary differs from the command line's");
  const simulated = JSON.parse(first.summary).duration_s;
  console.log(`# stage 03 (${simulated} s simulated): ${(first.ms / 1000).toFixed(2)} s in the browser, ${(first.events / first.ms / 1000).toFixed(2)}M events/s, ${first.traces} traces`);
  assert.ok(first.traces > 100, `only ${first.traces} traces sampled`);
  assert.match(await page.textContent("#table"), /throughput/);
  assert.ok((await page.locator("figure.chart").count()) >= 5, "charts missing");

  // Move the web tier's count slider: the figures change, and stay the command line's.
  const slider = page.locator('input[type=range][data-knob="web.count"]');
  await slider.fill("2");
  await slider.dispatchEvent("change");
  const second = await runs(page, 2);
  assert.notEqual(second.summary, first.summary);
  const fewer = JSON.parse(second.summary);
  assert.ok(fewer.throughput_rps < JSON.parse(first.summary).throughput_rps, "two servers should serve less than four");
  assert.equal(second.summary, cli("run", STAGE, "--set", "web.count=2", "--json", "-", "--no-wall-clock"));
  assert.match(await page.textContent("#cli"), /--set 'web\.count=2'/);

  // The replay: play, and time moves with requests on screen.
  const replay = page.locator("#replay");
  const t0 = Number(await replay.getAttribute("data-t-ms"));
  await page.click('#replay [data-act="play"]');
  await page.waitForFunction((t0) => Number(document.querySelector("#replay").dataset.tMs) > t0 + 1, t0, { timeout: 10_000 });
  await page.waitForFunction(() => Number(document.querySelector("#replay").dataset.visible) > 0, null, { timeout: 10_000 });
  assert.ok((await page.locator("#replay circle.replay-dot").count()) > 0);
  await page.click('#replay [data-act="pause"]');
  const paused = await replay.getAttribute("data-t-ms");
  await page.click('#replay [data-act="step"]');
  assert.ok(Number(await replay.getAttribute("data-t-ms")) > Number(paused), "step did not move time forward");

  // Saving a chart.
  const download = page.waitForEvent("download");
  await page.click('figure.chart[data-chart="throughput"] .chart-save button:first-child');
  assert.equal((await download).suggestedFilename(), "throughput.svg");
  await page.close();
});

test("a bad scenario shows its problems with line and column, as the command line does", async () => {
  const page = await open("#stage=" + STAGE);
  await runs(page, 1);
  const text = await page.inputValue("#editor");
  const bad = text.replace(/count: \d+/, "count: many");
  await page.fill("#editor", bad);
  await page.waitForFunction(() => window.playground.error, null, { timeout: 10_000 });
  const shown = await page.innerText("#problems");
  assert.match(shown, /^scenarios\/03-load-balancer\.yaml:\d+:\d+: components\.web\.count: /);
  // The same words as the command line's, from the same text.
  const dir = mkdtempSync(path.join(tmpdir(), "scalesim-bad-"));
  try {
    const file = path.join(dir, "bad.yaml");
    (await import("node:fs")).writeFileSync(file, bad);
    const r = spawnSync(scalesim, ["validate", file], { encoding: "utf8" });
    assert.equal(r.status, 1);
    const cliFirst = r.stderr.split("\n")[0].replace(file, STAGE);
    assert.equal(shown.split("\n")[0], cliFirst);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(await page.isDisabled("#run"), true);
  await page.close();
});

test("a shared link carries the scenario and its knobs", async () => {
  const page = await open("#stage=" + STAGE);
  await runs(page, 1);
  const box = page.locator('input[type=number]').first();
  const knob = await page.locator(".knob").first().getAttribute("data-path");
  await page.locator(`.knob[data-path="${knob}"] input[type=number]`).fill("3000");
  await page.locator(`.knob[data-path="${knob}"] input[type=number]`).dispatchEvent("change");
  const changed = await runs(page, 2);
  const link = await page.evaluate(() => window.playground.shareLink());
  assert.match(link, /#s=[A-Za-z0-9_-]+$/);
  await page.close();
  const again = await open(link.slice(link.indexOf("#")));
  const same = await runs(again, 1);
  assert.equal(same.summary, changed.summary);
  assert.ok(box);
  await again.close();
});

test("a long run reports its progress and can be cancelled, and the page runs again after", async () => {
  const page = await open("#stage=scenarios/11-monitoring-and-autoscaling.yaml");
  await page.waitForFunction(() => window.playground.busy && Number(document.querySelector("#progress").value) > 0, null, { timeout: 60_000 });
  await page.click("#cancel");
  assert.equal(await page.textContent("#status"), "cancelled");
  assert.equal(await page.evaluate(() => window.playground.busy), false);
  assert.equal(await page.evaluate(() => window.playground.runs), 0);
  await page.selectOption("#picker", "scenarios/01-single-server.yaml");
  const done = await runs(page, 1);
  assert.equal(done.summary, cli("run", "scenarios/01-single-server.yaml", "--json", "-", "--no-wall-clock"));
  await page.close();
});
