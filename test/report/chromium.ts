import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** Headless Chromium (Debian's `chromium`), with the flags the simulation's report test uses. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

export async function chromium(userDataDir: string, ...args: string[]): Promise<string> {
  // Without the background-networking flags Chromium keeps calling home, which floods a closed network.
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--hide-scrollbars',
    `--user-data-dir=${userDataDir}`,
  ];
  const { stdout } = await promisify(execFile)(CHROMIUM, [...flags, ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

/** What the layout measurement found, per evaluation section and overall. */
export interface LayoutMeasurement {
  readonly sections: ReadonlyArray<{ readonly id: string; readonly firstChart: { readonly metric: string; readonly failing: boolean } | null; readonly bands: number; readonly tolerances: number; readonly markers: number }>;
  /** SVG texts whose box leaves their chart's view box (a clipped axis label). */
  readonly clippedSvgText: readonly string[];
  /** HTML boxes whose content is wider than the box (text overflowing). */
  readonly overflowingBoxes: readonly string[];
  readonly svgTexts: number;
  /** How far the page is wider than the window (0: no horizontal scrolling). */
  readonly pageOverflowPx: number;
  /** Pairs of SVG labels in one chart whose boxes overlap, as laid out. */
  readonly overlappingLabels: readonly string[];
  /** Table cells with a word broken across lines (a header broken into "mi nu te"), as Chromium laid them out. */
  readonly brokenWords: readonly string[];
}

/**
 * Measures the laid-out report inside Chromium: the report is copied with a measuring script appended
 * (the report itself has none), and the result is read back from the dumped DOM.
 */
const MEASURE = `<script>
addEventListener('load', () => {
  const clippedSvgText = [];
  let svgTexts = 0;
  for (const svg of document.querySelectorAll('svg.chart')) {
    const view = svg.viewBox.baseVal;
    for (const text of svg.querySelectorAll('text')) {
      svgTexts += 1;
      const box = text.getBBox();
      if (box.x < view.x - 0.5 || box.y < view.y - 0.5 || box.x + box.width > view.x + view.width + 0.5 || box.y + box.height > view.y + view.height + 0.5) {
        clippedSvgText.push(svg.dataset.metric + ': "' + text.textContent + '" at ' + [box.x, box.y, box.width, box.height].map(Math.round).join(','));
      }
    }
  }
  const overflowingBoxes = [];
  for (const element of document.querySelectorAll('td, th, li, figcaption, p, h2, h3, figure')) {
    if (element.scrollWidth > element.clientWidth + 1) overflowingBoxes.push(element.tagName + ': ' + element.textContent.slice(0, 80));
  }
  const sections = [...document.querySelectorAll('section.evaluation')].map((section) => {
    const first = section.querySelector('.charts figure');
    return {
      id: section.id,
      firstChart: first ? { metric: first.querySelector('svg').dataset.metric, failing: first.classList.contains('failing') } : null,
      bands: section.querySelectorAll('rect.band').length,
      tolerances: section.querySelectorAll('line.tolerance').length,
      markers: section.querySelectorAll('line.decision').length,
    };
  });
  const overlappingLabels = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const boxes = [...svg.querySelectorAll('text')].map((text) => ({ text: text.textContent, box: text.getBoundingClientRect() }));
    for (let i = 0; i < boxes.length; i += 1) {
      for (let j = i + 1; j < boxes.length; j += 1) {
        const a = boxes[i].box;
        const b = boxes[j].box;
        const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        if (overlap) overlappingLabels.push(svg.dataset.metric + ': "' + boxes[i].text + '" / "' + boxes[j].text + '"');
      }
    }
  }
  // A word broken across lines: a line starts between two letters or digits (the browser's own line
  // breaks, read character by character, rather than a guess at where it may break).
  const brokenWords = [];
  const range = document.createRange();
  for (const cell of document.querySelectorAll('td, th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let previous = null;
    let broken = false;
    for (let node = walker.nextNode(); node && !broken; node = walker.nextNode()) {
      for (let i = 0; i < node.length; i += 1) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const box = range.getBoundingClientRect();
        const char = node.data[i];
        if (box.width === 0 && box.height === 0) continue;
        if (previous && box.top > previous.top + 2 && /[\\p{L}\\p{N}]/u.test(previous.char) && /[\\p{L}\\p{N}]/u.test(char)) {
          brokenWords.push(cell.tagName + ' "' + cell.textContent.slice(0, 40) + '": broken at "' + previous.char + char + '"');
          broken = true;
          break;
        }
        previous = { top: box.top, char };
      }
    }
  }
  const pageOverflowPx = Math.max(0, document.documentElement.scrollWidth - window.innerWidth);
  const pre = document.createElement('pre');
  pre.id = 'layout-measurement';
  pre.textContent = JSON.stringify({ sections, clippedSvgText, overflowingBoxes, svgTexts, pageOverflowPx, overlappingLabels, brokenWords });
  document.body.append(pre);
});
</script>`;

export async function measureLayout(html: string, folder: string, window = { width: 1400, height: 1200 }): Promise<LayoutMeasurement> {
  const path = join(folder, 'measured.html');
  writeFileSync(path, html.replace('</body>', `${MEASURE}\n</body>`));
  const dom = await chromium(join(folder, 'measure-profile'), `--window-size=${window.width},${window.height}`, '--dump-dom', `file://${path}`);
  const match = /<pre id="layout-measurement">([^<]*)<\/pre>/.exec(dom);
  if (!match) throw new Error('the measuring script did not run in Chromium (no #layout-measurement in the dumped DOM)');
  return JSON.parse(match[1].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')) as LayoutMeasurement;
}
