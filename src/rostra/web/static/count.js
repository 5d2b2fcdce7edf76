/* Rostra comment counts for article lists, in one request:
 *   <script src="https://comments.example/count.js" data-site="news" defer></script>
 *   <a href="/article-42#comments" data-rostra-count="article-42">Comments</a>
 * Elements may name a page by URL instead: data-rostra-count-url="https://…".
 */
(() => {
  const script = document.currentScript;
  const site = script.dataset.site;
  const api = new URL('api/v1/counts', script.src);
  // The counter carries its own two strings so it stays tiny; the widget's
  // catalogue holds the rest.
  const words = {
    en: ['{n} comment', '{n} comments', 'Comments'],
    de: ['{n} Kommentar', '{n} Kommentare', 'Kommentare'],
  };
  const run = () => {
    const els = [...document.querySelectorAll('[data-rostra-count],[data-rostra-count-url]')];
    const id = (el) => el.dataset.rostraCount || el.dataset.rostraCountUrl;
    const params = new URLSearchParams({ site });
    const asked = new Set();
    for (const el of els) {
      if (asked.has(id(el))) continue;
      asked.add(id(el));
      params.append(el.dataset.rostraCount ? 'key' : 'url', id(el));
    }
    if (!asked.size) return;
    fetch(api + '?' + params, { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then(({ counts }) => {
        for (const el of els) {
          const n = counts[id(el)] || 0;
          const lang = (el.closest('[lang]')?.lang || 'en').slice(0, 2);
          const w = words[lang] || words.en;
          const text = n ? w[new Intl.PluralRules(lang).select(n) === 'one' ? 0 : 1] : w[2];
          el.textContent = text.replace('{n}', n.toLocaleString(lang));
          el.dataset.count = n;
        }
      })
      .catch(() => {});
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
