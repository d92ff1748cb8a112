import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { DEFAULT_SCENARIOS } from '../../lib/cli/simulate-command';
import { scenarioPolicy } from '../../lib/simulate/scenario-policy';
import { synthesizeEvaluationDefinition } from '../../lib/simulate/definition';
import { chartGuides } from '../../lib/report/guides';
import { renderHtmlReport } from '../../lib/report/html-report';
import { loadScenario, runScenario, scenarioReport, type ScenarioRun } from '../../lib/simulate/scenario-run';
import { scenarioJson } from '../../lib/cli/simulate-command';
import { buildNotification, notificationText } from '../../lib/evaluation/notification';
import { metricDetails, metricHeadline, formatPlain, type MetricResult, type Verdict } from '../../lib/judge';
import { escapeHtml } from '../../lib/report/html-report';
import { renderEvaluationText, toleranceRatioFor } from '../../lib/report/text-report';
import { CHROMIUM, chromium, HAS_CHROMIUM, measureLayout, type LayoutMeasurement } from '../report/chromium';

/**
 * Renders the HTML report in headless Chromium (Debian's `chromium`, installed by `.ci/run`) and
 * checks that the charts are really drawn: the DOM Chromium parsed has every chart's SVG and
 * lines, and the screenshot has the canary and baseline line colours in quantity.
 */

const WINDOW = { width: 1400, height: 1200 };
// A 390-px-wide phone (iPhone 12 to 15 in CSS pixels): where an on-call engineer opens the link from chat.
const PHONE = { width: 390, height: 844 };
// Local binding: inside Jest's vm context `Math.abs` is a slow global lookup, and it runs per pixel.
const { abs } = Math;
const CANARY_RGB = [0xd9, 0x48, 0x0f];
const BASELINE_RGB = [0x1c, 0x7e, 0xd6];

if (!HAS_CHROMIUM) {
  console.warn(`Chromium not found at ${CHROMIUM}: skipping the HTML report render test (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`);
}


interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** RGB(A) rows, unfiltered. */
  readonly pixels: Buffer;
  readonly channels: number;
}

/** Minimal PNG decoder for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced. */
function decodePng(file: Buffer): DecodedPng {
  expect(file.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  while (offset < file.length) {
    const length = file.readUInt32BE(offset);
    const type = file.toString('ascii', offset + 4, offset + 8);
    const body = file.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [bitDepth, colourType, , , interlace] = body.subarray(8, 13);
      if (bitDepth !== 8 || (colourType !== 2 && colourType !== 6) || interlace !== 0) throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colourType}, interlace ${interlace}`);
      channels = colourType === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      data.push(body);
    }
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let row = 0; row < height; row += 1) {
    const filter = raw[row * (stride + 1)];
    const line = raw.subarray(row * (stride + 1) + 1, (row + 1) * (stride + 1));
    for (let i = 0; i < stride; i += 1) {
      const left = i >= channels ? pixels[row * stride + i - channels] : 0;
      const up = row > 0 ? pixels[(row - 1) * stride + i] : 0;
      const upLeft = row > 0 && i >= channels ? pixels[(row - 1) * stride + i - channels] : 0;
      let predictor = 0;
      if (filter === 1) predictor = left;
      else if (filter === 2) predictor = up;
      else if (filter === 3) predictor = (left + up) >> 1;
      else if (filter === 4) {
        const estimate = left + up - upLeft;
        const [dLeft, dUp, dUpLeft] = [abs(estimate - left), abs(estimate - up), abs(estimate - upLeft)];
        predictor = dLeft <= dUp && dLeft <= dUpLeft ? left : dUp <= dUpLeft ? up : upLeft;
      }
      pixels[row * stride + i] = (line[i] + predictor) & 0xff;
    }
  }
  return { width, height, pixels, channels };
}

/** Pixels within a small distance of a colour (line cores; anti-aliased edges fall outside). */
function countColour(png: DecodedPng, [r, g, b]: number[], tolerance = 16): number {
  let count = 0;
  for (let i = 0; i < png.pixels.length; i += png.channels) {
    if (abs(png.pixels[i] - r) <= tolerance && abs(png.pixels[i + 1] - g) <= tolerance && abs(png.pixels[i + 2] - b) <= tolerance) count += 1;
  }
  return count;
}

(HAS_CHROMIUM ? describe : describe.skip)('the HTML report in headless Chromium', () => {
  let folder: string;
  let dom: string;
  let screenshot: Buffer;
  let layout: LayoutMeasurement;
  let phone: LayoutMeasurement;
  const runs: ScenarioRun[] = [];
  // Per scenario, the charts whose final verdict has an interval to draw as a band.
  const bandsExpected = new Map<string, number>();
  // One chart per metric of each scenario's simulation policy (agent scenarios add their behaviour metrics).
  const chartsExpected = DEFAULT_SCENARIOS.reduce((sum, name) => sum + scenarioPolicy(loadScenario(name).scenario).metrics.length, 0);

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'html-report-'));
    const definition = synthesizeEvaluationDefinition();
    for (const name of DEFAULT_SCENARIOS) {
      const { scenario, source } = loadScenario(name);
      runs.push(await runScenario(scenario, { definition, source }));
    }
    const reportPath = join(folder, 'report.html');
    const reports = runs.map(scenarioReport);
    for (const report of reports) bandsExpected.set(report.id, report.charts.filter((chart) => chartGuides(report, chart).band).length);
    const html = renderHtmlReport(reports);
    writeFileSync(reportPath, html);
    layout = await measureLayout(html, folder, WINDOW);
    phone = await measureLayout(html, folder, PHONE);
    // One Chromium start does both: it prints the parsed DOM and writes the screenshot.
    const screenshotPath = join(folder, 'report.png');
    dom = await chromium(join(folder, 'profile'), `--window-size=${WINDOW.width},${WINDOW.height}`, `--screenshot=${screenshotPath}`, '--dump-dom', `file://${reportPath}`);
    screenshot = readFileSync(screenshotPath);
    // Six simulations and three Chromium starts: minutes on a loaded 2-core machine.
  }, 600_000);

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('the parsed DOM has one SVG chart per metric and scenario, each with both lines and the decision marked', () => {
    expect(dom).toContain('<h1>canary-evaluator: simulated deployments</h1>');
    expect(dom.match(/<svg [^>]*class="chart"/g)).toHaveLength(chartsExpected);
    expect(dom.match(/<path d="M[^"]+" class="line canary"/g)).toHaveLength(chartsExpected);
    expect(dom.match(/<path d="M[^"]+" class="line baseline"/g)).toHaveLength(chartsExpected);
    expect(dom.match(/<line [^>]*class="decision"/g)).toHaveLength(chartsExpected);
    for (const name of DEFAULT_SCENARIOS) expect(dom).toContain(`<section class="evaluation" id="${name}">`);
  });

  test('laid out by Chromium: the failing chart first and highlighted, band, tolerance and marker drawn, nothing clipped or overflowing', () => {
    const byId = Object.fromEntries(layout.sections.map((section) => [section.id, section]));
    expect(byId['error-regression'].firstChart).toEqual({ metric: 'lambda-error-rate', failing: true });
    expect(byId['latency-regression'].firstChart?.failing).toBe(true);
    expect(byId.healthy.firstChart?.failing).toBe(false);
    for (const section of layout.sections) {
      // One decision marker per chart: each scenario's policy has its own metrics.
      expect(section.markers).toBe(scenarioPolicy(loadScenario(section.id).scenario).metrics.length);
      expect(section.tolerances).toBeGreaterThanOrEqual(3);
      expect(section.bands).toBe(bandsExpected.get(section.id));
      // Every scenario has a band per count metric at least, but low traffic (inconclusive: a metric there is too
      // thin for an interval) and new-exception (its final verdict is the bake's, decided by the log signal
      // after two periods, before the cost metric has an interval).
      if (!['low-traffic', 'new-exception'].includes(section.id)) expect(section.bands).toBeGreaterThanOrEqual(3);
    }
    expect(layout.svgTexts).toBeGreaterThan(chartsExpected * 8);
    expect(layout.clippedSvgText).toEqual([]);
    expect(layout.overflowingBoxes).toEqual([]);
    expect(layout.overlappingLabels).toEqual([]);
    expect(layout.brokenWords).toEqual([]);
  });

  test('on a 390-px phone: no horizontal scrolling, no chart label over another, no table cell narrower than its words', () => {
    expect(phone.pageOverflowPx).toBe(0);
    expect(phone.overlappingLabels).toEqual([]);
    expect(phone.brokenWords).toEqual([]);
    expect(phone.clippedSvgText).toEqual([]);
    expect(phone.overflowingBoxes).toEqual([]);
    expect(phone.svgTexts).toBe(layout.svgTexts);
  });

  test('one set of numbers: each metric reads the same in the text report, the HTML as Chromium parsed it, the chat message and the JSON', () => {
    let checked = 0;
    for (const run of runs) {
      const report = scenarioReport(run);
      const text = renderEvaluationText(report);
      const json = JSON.parse(JSON.stringify(scenarioJson(run))) as { finalVerdict: Verdict };
      const verdict = run.finalVerdict!;
      const message = buildNotification({
          event: { deploymentId: 'd-1', lifecycleEvent: 'AfterAllowTraffic', applicationName: 'app', deploymentGroupName: 'group', status: verdict.decision === 'fail' ? 'Failed' : 'Succeeded', decision: verdict.decision === 'continue' ? 'pass' : verdict.decision, cause: 'verdict', reason: verdict.reason, dryRun: false, timeToVerdictSeconds: 600, verdict },
          links: {},
        });
      const chat = notificationText(message);
      // The text part of the chat message fits a phone screen.
      expect(message.content.description.length).toBeLessThanOrEqual(600);
      for (const result of verdict.metrics) {
        const headline = metricHeadline(result, toleranceRatioFor(report, result.metric));
        expect(text).toContain(headline);
        expect(dom).toContain(escapeHtml(headline));
        // The chat message names the metrics that decided a rollback, in the same words.
        if (verdict.decision === 'fail' && result.critical && result.decision === 'fail') expect(chat).toContain(headline);
        // The JSON has the counts the words were made from: the rates in the words are the JSON's rates.
        const fromJson = json.finalVerdict.metrics.find((entry: MetricResult) => entry.metric === result.metric)!;
        if (fromJson.canary.count !== undefined && fromJson.canary.total) {
          expect(headline).toContain(`${formatPlain((fromJson.canary.count / fromJson.canary.total) * 100)} % on the new version`);
          expect(headline).toContain(`${formatPlain((fromJson.baseline.count! / fromJson.baseline.total!) * 100)} % on the current one`);
        }
        if (fromJson.effect !== undefined && (fromJson.canary.count ?? 1) > 0 && (fromJson.baseline.count ?? 1) > 0 && fromJson.canary.median === undefined) expect(headline).toContain(`(×${formatPlain(fromJson.effect)})`);
        // The evidence the views say was needed is the threshold the method tested against (its own reason says E≥N).
        const tested = /E≥([\d.]+)(k?)/.exec(fromJson.reason);
        const said = /([\d,]+) needed/.exec(metricDetails(result, toleranceRatioFor(report, result.metric)));
        if (tested && said) expect(Number(said[1].replace(/,/g, ''))).toBeCloseTo(Number(tested[1]) * (tested[2] ? 1000 : 1), -1);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(DEFAULT_SCENARIOS.length * 4);
  });

  test('the screenshot is a full-size PNG in which the canary and baseline lines are drawn', () => {
    expect(screenshot.length).toBeGreaterThan(50_000);
    const png = decodePng(screenshot);
    expect({ width: png.width, height: png.height }).toEqual(WINDOW);
    // The first scenario's three charts are in the 1400×1200 view: a 2-px line over hundreds of pixels each.
    expect(countColour(png, CANARY_RGB)).toBeGreaterThan(1000);
    expect(countColour(png, BASELINE_RGB)).toBeGreaterThan(1000);
  });
});
