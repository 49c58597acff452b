// Runs Lighthouse (the pinned npm package, tests/browser/package.json) on a list of pages,
// one after the other in one headless Chromium, and writes each page's JSON and HTML
// report. Called by tests/browser/test_lighthouse.py; usable by hand (docs/lighthouse.md):
//
//   node tests/browser/lighthouse.mjs pages.json OUT_DIR
//
// pages.json: [{"name": "home-en-us", "url": "http://127.0.0.1:8000/"}, ...]. Writes
// OUT_DIR/NAME.report.json and OUT_DIR/NAME.report.html for each page, then prints one
// JSON line per page ({"name", "json", "html"}). Chromium: $CHROME_PATH, else
// /usr/bin/chromium (never a downloaded browser). Mobile emulation with simulated
// throttling: Lighthouse's defaults.
import fs from 'node:fs';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'];
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

async function main() {
  const [pagesFile, outDir] = process.argv.slice(2);
  if (!pagesFile || !outDir) {
    console.error('usage: node lighthouse.mjs pages.json OUT_DIR');
    process.exit(2);
  }
  const pages = JSON.parse(fs.readFileSync(pagesFile, 'utf8'));
  fs.mkdirSync(outDir, {recursive: true});
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    chromeFlags: FLAGS,
  });
  try {
    for (const page of pages) {
      const result = await lighthouse(page.url, {
        port: chrome.port,
        output: ['json', 'html'],
        onlyCategories: CATEGORIES,
        logLevel: 'error',
      });
      const [json, html] = result.report;
      const base = path.join(outDir, `${page.name}.report`);
      fs.writeFileSync(`${base}.json`, json);
      fs.writeFileSync(`${base}.html`, html);
      console.log(JSON.stringify({name: page.name, json: `${base}.json`, html: `${base}.html`}));
    }
  } finally {
    await chrome.kill();
  }
}

await main();
