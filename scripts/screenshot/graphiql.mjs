// Takes the README's GraphiQL screenshot from a running `platform dev`: opens GraphiQL in headless Chromium, runs
// a federated query and saves the page.
//   cargo run -p platform -- dev &          (then, from this folder)
//   npm install && node graphiql.mjs http://127.0.0.1:4000/graphql ../../docs/images/graphiql.png
import { chromium } from 'playwright-core';
const [url, out] = process.argv.slice(2);
const query = `# One request, three subgraphs: posts (blog), authors' names (identity), plans (billing)
query FrontPage {
  posts(first: 3) {
    edges {
      node {
        title
        status
        author { displayName }
      }
    }
  }
  plans {
    code
    name
    interval
    price { formatted }
  }
}
`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
await page.goto(url, { waitUntil: 'networkidle' });
await page.waitForSelector('.graphiql-query-editor .CodeMirror');
await page.evaluate((text) => {
  document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(text);
}, query);
await page.click('.graphiql-execute-button');
await page.waitForFunction(() => {
  const result = document.querySelector('.graphiql-response .CodeMirror');
  return result && result.CodeMirror.getValue().includes('formatted');
}, null, { timeout: 20000 });
await page.waitForTimeout(500);
await page.screenshot({ path: out });
const text = await page.evaluate(() => document.querySelector('.graphiql-response .CodeMirror').CodeMirror.getValue());
console.log(text);
await browser.close();
