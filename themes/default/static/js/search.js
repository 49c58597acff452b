/* mmsite search box: Pagefind's JS API (pagefind/pagefind.js, written by the build).
   Pagefind loads the index of the page's language (<html lang>), so a French page
   finds French pages. Results are built with DOM calls only (no innerHTML): text from
   the index becomes text nodes; the <mark> of excerpts is rebuilt from an inert parse.
   No inline script or style, so the site's Content-Security-Policy holds. */
const form = document.querySelector("form.search-form");
const LIMIT = 8;

if (form) {
  const input = form.querySelector(".search-input");
  const panel = form.querySelector(".search-panel");
  const status = form.querySelector(".search-status");
  const list = form.querySelector(".search-results");
  const lang = document.documentElement.lang || "en";
  const forms = JSON.parse(form.dataset.results || "{}");
  // Built on first use: creating Intl objects loads the locale's data, ~35 ms of main
  // thread that would otherwise block every page while it loads (Lighthouse: TBT).
  let counting = null;
  let pagefind = null;
  let latest = 0;
  let timer = 0;

  const load = async () => {
    if (!pagefind) {
      pagefind = await import(form.dataset.bundle);
      await pagefind.options({ baseUrl: form.dataset.base || "/" });
      pagefind.init();
    }
    return pagefind;
  };

  const countText = (count) => {
    counting = counting || [new Intl.PluralRules(lang), new Intl.NumberFormat(lang)];
    const [plural, number] = counting;
    const text = forms[plural.select(count)] || forms.other || "{count}";
    return text.replace("{count}", number.format(count));
  };

  const excerpt = (html) => {
    // An inert document: nothing in it runs or loads. Only its text and <mark> are kept.
    const parsed = new DOMParser().parseFromString(html, "text/html");
    const out = document.createElement("p");
    out.className = "search-excerpt";
    for (const node of parsed.body.childNodes) {
      if (node.nodeName === "MARK") {
        const mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.append(mark);
      } else {
        out.append(document.createTextNode(node.textContent || ""));
      }
    }
    return out;
  };

  const item = (data) => {
    const li = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.className = "search-title";
    link.textContent = (data.meta && data.meta.title) || data.url;
    li.append(link);
    if (data.meta && data.meta.price) {
      const price = document.createElement("span");
      price.className = "search-price";
      price.textContent = data.meta.price;
      li.append(" ", price);
    }
    if (data.excerpt) {
      li.append(excerpt(data.excerpt));
    }
    return li;
  };

  const close = () => {
    panel.hidden = true;
  };

  const run = async () => {
    const query = input.value.trim();
    const mine = ++latest;
    if (!query) {
      list.replaceChildren();
      status.textContent = "";
      close();
      return;
    }
    const api = await load();
    const found = await api.search(query);
    if (mine !== latest || !found) {
      return; // a newer query is on its way
    }
    const shown = await Promise.all(found.results.slice(0, LIMIT).map((r) => r.data()));
    if (mine !== latest) {
      return;
    }
    list.replaceChildren(...shown.map(item));
    status.textContent = found.results.length
      ? countText(found.results.length)
      : form.dataset.none;
    panel.hidden = false;
  };

  input.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 150);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    window.clearTimeout(timer);
    run();
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      close();
      input.focus();
    } else if (event.key === "ArrowDown" && event.target === input && !panel.hidden) {
      const first = list.querySelector("a");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  form.hidden = false;
}
