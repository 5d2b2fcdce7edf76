/* Rostra comment widget.
 *
 *   <script src="https://comments.example/embed.js" defer></script>
 *   <rostra-comments site="news" thread="article-42" title="Headline"></rostra-comments>
 *
 * Everything is drawn inside an open shadow root, so the page's CSS cannot
 * reach in and ours cannot leak out. Plain JavaScript; readers get a copy
 * without comments and indentation (embed.min.js, written by
 * `python -m rostra.web.build`). See docs/WIDGET.md.
 */
(() => {
  'use strict';
  if (customElements.get('rostra-comments')) return;

  const SCRIPT = document.currentScript;
  // The API and the stylesheet live next to this script, wherever it is served.
  const BASE = new URL('.', SCRIPT ? SCRIPT.src : location.href).href;
  const API = BASE + 'api/v1/';
  const SORTS = ['best', 'newest', 'oldest'];
  const PAGE = 10; // top-level comments per page
  const INDENT = 3; // levels indented; deeper replies name whom they answer
  const PENDING_DAYS = 7;
  const OWN_DAYS = 30; // own comments are remembered this long, to mark replies to them
  const LIVE = ['comment', 'edit', 'remove', 'vote'];

  // ------------------------------------------------------------------
  // The string catalogue. A value that is an array is [one, other] for
  // plurals; {n} and {name} are filled in.
  const STRINGS = {
    en: {
      comments: ['{n} comment', '{n} comments'],
      heading: 'Comments',
      loading: 'Loading comments…',
      loadFailed: 'The comments could not be loaded.',
      retry: 'Try again',
      empty: 'No comments yet. Start the conversation.',
      sort: 'Sort comments',
      best: 'Best',
      newest: 'Newest',
      oldest: 'Oldest',
      name: 'Name',
      email: 'Email (optional, never shown)',
      website: 'Website (optional)',
      body: 'Your comment',
      replyBody: 'Your reply to {name}',
      hint: 'Markdown works: **bold**, _italic_, > quote, [link](https://…). Ctrl+Enter posts.',
      write: 'Write',
      preview: 'Preview',
      nothingToPreview: 'Nothing to preview yet.',
      post: 'Post comment',
      postReply: 'Post reply',
      save: 'Save changes',
      sending: 'Sending…',
      cancel: 'Cancel',
      reply: 'Reply',
      edit: 'Edit',
      del: 'Delete',
      confirmDelete: 'Delete this comment? This cannot be undone.',
      confirmYes: 'Yes, delete',
      upvote: 'Vote up',
      downvote: 'Vote down',
      votes: 'Votes',
      points: ['{n} point', '{n} points'],
      ownVote: 'You cannot vote on your own comment.',
      collapse: 'Collapse thread',
      expand: 'Expand thread',
      hidden: ['{n} comment hidden', '{n} comments hidden'],
      readMore: 'Read more',
      readLess: 'Show less',
      removed: 'Comment removed',
      removedBody: 'This comment was removed.',
      pending: 'Awaiting moderation. Only you can see this comment until it is approved.',
      pendingBadge: 'Awaiting moderation',
      loadMore: ['Load {n} more comment', 'Load {n} more comments'],
      moreReplies: ['{n} more reply', '{n} more replies'],
      replyingTo: 'replying to {name}',
      repliesTo: 'Replies to {name}',
      edited: 'edited',
      permalink: 'Link to this comment',
      justNow: 'just now',
      posted: 'Your comment was posted.',
      heldPosted: 'Your comment was received and awaits moderation.',
      saved: 'Your changes were saved.',
      deleted: 'Your comment was deleted.',
      loaded: ['{n} more comment loaded.', '{n} more comments loaded.'],
      linked: 'Showing the comment you followed a link to.',
      showAll: 'Show all comments',
      needBody: 'Please write something first.',
      offline: 'The comment server could not be reached. Your text is still here; please try again.',
      failed: 'Something went wrong. Please try again.',
      windowClosed: 'The time for changing this comment is over.',
      thinkAgain: 'Your comment may come across as hurtful. Would you like to rephrase it before it is posted?',
      postAnyway: 'Post anyway',
      rejected: 'Your comment was not published because it breaks this site’s rules. You are welcome to reword it and try again.',
      featured: 'Featured',
      closed: 'Comments are closed.',
      replyToYou: 'Reply to you',
      report: 'Report',
      reported: 'Reported',
      newComments: ['{n} new comment', '{n} new comments'],
      verified: 'Verified',
      notify: 'Email me replies',
    },
    de: {
      comments: ['{n} Kommentar', '{n} Kommentare'],
      heading: 'Kommentare',
      loading: 'Kommentare werden geladen …',
      loadFailed: 'Die Kommentare konnten nicht geladen werden.',
      retry: 'Erneut versuchen',
      empty: 'Noch keine Kommentare. Schreiben Sie den ersten.',
      sort: 'Kommentare sortieren',
      best: 'Beste',
      newest: 'Neueste',
      oldest: 'Älteste',
      name: 'Name',
      email: 'E-Mail (freiwillig, wird nie angezeigt)',
      website: 'Website (freiwillig)',
      body: 'Ihr Kommentar',
      replyBody: 'Ihre Antwort an {name}',
      hint: 'Markdown geht: **fett**, _kursiv_, > Zitat, [Link](https://…). Strg+Enter sendet.',
      write: 'Schreiben',
      preview: 'Vorschau',
      nothingToPreview: 'Noch nichts für die Vorschau.',
      post: 'Kommentar senden',
      postReply: 'Antwort senden',
      save: 'Änderungen speichern',
      sending: 'Wird gesendet …',
      cancel: 'Abbrechen',
      reply: 'Antworten',
      edit: 'Bearbeiten',
      del: 'Löschen',
      confirmDelete: 'Diesen Kommentar löschen? Das lässt sich nicht rückgängig machen.',
      confirmYes: 'Ja, löschen',
      upvote: 'Positiv bewerten',
      downvote: 'Negativ bewerten',
      votes: 'Bewertungen',
      points: ['{n} Punkt', '{n} Punkte'],
      ownVote: 'Eigene Kommentare können Sie nicht bewerten.',
      collapse: 'Diskussion einklappen',
      expand: 'Diskussion ausklappen',
      hidden: ['{n} Kommentar ausgeblendet', '{n} Kommentare ausgeblendet'],
      readMore: 'Weiterlesen',
      readLess: 'Weniger anzeigen',
      removed: 'Kommentar entfernt',
      removedBody: 'Dieser Kommentar wurde entfernt.',
      pending: 'Wartet auf Freischaltung. Bis dahin sehen nur Sie diesen Kommentar.',
      pendingBadge: 'Wartet auf Freischaltung',
      loadMore: ['{n} weiteren Kommentar laden', '{n} weitere Kommentare laden'],
      moreReplies: ['{n} weitere Antwort', '{n} weitere Antworten'],
      replyingTo: 'Antwort an {name}',
      repliesTo: 'Antworten an {name}',
      edited: 'bearbeitet',
      permalink: 'Link zu diesem Kommentar',
      justNow: 'gerade eben',
      posted: 'Ihr Kommentar wurde veröffentlicht.',
      heldPosted: 'Ihr Kommentar ist eingegangen und wartet auf Freischaltung.',
      saved: 'Ihre Änderungen wurden gespeichert.',
      deleted: 'Ihr Kommentar wurde gelöscht.',
      loaded: ['{n} weiterer Kommentar geladen.', '{n} weitere Kommentare geladen.'],
      linked: 'Sie sehen den verlinkten Kommentar.',
      showAll: 'Alle Kommentare anzeigen',
      needBody: 'Bitte schreiben Sie zuerst etwas.',
      offline: 'Der Kommentar-Server ist nicht erreichbar. Ihr Text bleibt erhalten; bitte versuchen Sie es erneut.',
      failed: 'Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.',
      windowClosed: 'Die Zeit zum Ändern dieses Kommentars ist abgelaufen.',
      thinkAgain: 'Ihr Kommentar könnte verletzend wirken. Möchten Sie ihn umformulieren, bevor er erscheint?',
      postAnyway: 'Trotzdem senden',
      rejected: 'Ihr Kommentar wurde nicht veröffentlicht, weil er gegen die Regeln dieser Seite verstößt. Sie können ihn gern umformulieren und erneut senden.',
      featured: 'Empfohlen',
      closed: 'Kommentare geschlossen.',
      replyToYou: 'Antwort an Sie',
      report: 'Melden',
      reported: 'Gemeldet',
      newComments: ['{n} neuer Kommentar', '{n} neue Kommentare'],
      verified: 'Verifiziert',
      notify: 'Antworten per E-Mail',
    },
  };

  // ------------------------------------------------------------------
  // Small helpers

  // Builds an element. Strings become text nodes, never markup.
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid);
    return el;
  }

  let extras; // the promise of extras.js, once asked for
  let lastId = 0;
  const uid = () => 'r' + ++lastId;
  const query = (params) =>
    new URLSearchParams(Object.entries(params).filter(([, v]) => v != null)).toString();

  // localStorage can throw (privacy modes, sandboxed frames): then nothing is kept.
  const store = {
    get(key, fallback) {
      try {
        return JSON.parse(localStorage.getItem('rostra:' + key)) ?? fallback;
      } catch {
        return fallback;
      }
    },
    set(key, value) {
      try {
        localStorage.setItem('rostra:' + key, JSON.stringify(value));
      } catch {
        /* not kept */
      }
    },
    // Read, change and write back in one step: another widget of the site on
    // this page, or another tab, may have saved since this one read, and what
    // it saved must not be overwritten. Returns the new value.
    change(key, fallback, edit) {
      const value = edit(this.get(key, fallback));
      this.set(key, value);
      return value;
    },
  };

  // The server already renders Markdown to allow-listed HTML; this is a second
  // line of defence that also parses off-document, so nothing loads or runs.
  const TAGS = new Set('P BR EM STRONG S A UL OL LI BLOCKQUOTE CODE PRE'.split(' '));
  function safeHtml(html) {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    (function clean(node) {
      for (const el of [...node.children]) {
        if (!TAGS.has(el.tagName)) {
          el.replaceWith(el.textContent);
          continue;
        }
        for (const { name, value } of [...el.attributes]) {
          const keep =
            (name === 'href' && el.tagName === 'A' && /^(https?:|mailto:)/i.test(value)) ||
            (name === 'start' && el.tagName === 'OL');
          if (!keep) el.removeAttribute(name);
        }
        if (el.tagName === 'A') {
          el.rel = 'nofollow ugc noopener';
          el.target = '_blank';
        }
        clean(el);
      }
    })(doc.body);
    const frag = document.createDocumentFragment();
    frag.append(...doc.body.childNodes);
    return frag;
  }

  class ApiError extends Error {
    constructor(message, code, status, data) {
      super(message);
      this.code = code;
      this.status = status;
      this.data = data;
    }
  }

  // ------------------------------------------------------------------
  class RostraComments extends HTMLElement {
    static get observedAttributes() {
      return ['sso-token'];
    }

    // The host page signs its reader in or out by changing the attribute.
    attributeChangedCallback() {
      if (this.shadowRoot) this.loadSignIn();
    }

    connectedCallback() {
      if (this.shadowRoot) return;
      const attr = (name) => this.getAttribute(name);
      this.site = attr('site') || (SCRIPT && SCRIPT.dataset.site);
      this.key = attr('thread');
      this.url = attr('url') || location.href.split('#')[0];
      // `title` would show as a tooltip over the whole widget: keep it aside.
      this.articleTitle = attr('title') || document.title;
      if (this.hasAttribute('title')) {
        this.dataset.title = this.articleTitle;
        this.removeAttribute('title');
      }
      const lang = (attr('lang') || this.closest('[lang]')?.lang || navigator.language || 'en')
        .toLowerCase()
        .split('-')[0];
      this.lang = STRINGS[lang] ? lang : 'en';
      this.s = STRINGS[this.lang];
      this.plurals = new Intl.PluralRules(this.lang);
      this.sort = SORTS.includes(attr('sort')) ? attr('sort') : 'best';
      this.threadId = this.site + ':' + (this.key || this.url);
      this.own = this.loadOwn();
      this.votes = store.get('votes:' + this.site, {});
      this.reported = new Set(store.get('reported:' + this.site, []));
      this.names = new Map();
      this.whoBoxes = [];
      this.count = 0;
      this.news = []; // others' new comments, waiting behind the "N new comments" button
      this.build();
      this.start();
      this.onHash = () => this.reveal(this.linkedId());
      addEventListener('hashchange', this.onHash);
      this.clock = setInterval(() => this.tick(), 60000);
      // Live updates only while the comments are on screen and the page is shown.
      this.onShow = () => this.listen();
      document.addEventListener('visibilitychange', this.onShow);
      this.seen = new IntersectionObserver((entries) => {
        this.onScreen = entries.at(-1).isIntersecting;
        this.listen();
      });
      this.seen.observe(this);
    }

    disconnectedCallback() {
      removeEventListener('hashchange', this.onHash);
      document.removeEventListener('visibilitychange', this.onShow);
      clearInterval(this.clock);
      this.seen.disconnect();
      this.onScreen = false;
      this.listen();
    }

    // Strings -----------------------------------------------------------
    t(key, values = {}) {
      let text = this.s[key];
      if (Array.isArray(text)) text = text[this.plurals.select(values.n) === 'one' ? 0 : 1];
      return text.replace(/\{(\w+)\}/g, (_, name) => values[name] ?? '');
    }

    ago(iso) {
      const diff = Date.parse(iso) - Date.now();
      const units = [
        ['year', 31536e6],
        ['month', 2592e6],
        ['week', 6048e5],
        ['day', 864e5],
        ['hour', 36e5],
        ['minute', 6e4],
      ];
      const format = new Intl.RelativeTimeFormat(this.lang, { numeric: 'auto' });
      for (const [unit, ms] of units) {
        if (Math.abs(diff) >= ms) return format.format(Math.trunc(diff / ms), unit);
      }
      return this.t('justNow');
    }

    exact(iso) {
      return new Date(iso).toLocaleString(this.lang, { dateStyle: 'long', timeStyle: 'short' });
    }

    tick() {
      for (const time of this.shadowRoot.querySelectorAll('time')) {
        time.textContent = this.ago(time.dateTime);
      }
    }

    // Talking to the server -----------------------------------------------
    async api(path, { method = 'GET', body, token, session = this.reader?.session } = {}) {
      const headers = {};
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (token) headers['X-Edit-Token'] = token;
      // Pages are read without it, so they stay cacheable and shared.
      if (session && (method !== 'GET' || path.startsWith('auth/') || path.startsWith('me/')))
        headers.Authorization = 'Bearer ' + session;
      let response;
      try {
        response = await fetch(API + path, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          credentials: 'omit',
        });
      } catch {
        throw new ApiError(this.t('offline'), 'offline', 0);
      }
      const data = await response.json().catch(() => null);
      if (!response.ok) {
        const code = data && data.error;
        if (code === 'signed_out') this.forget();
        const message = code === 'edit_window_closed' ? this.t('windowClosed') : data && data.message;
        throw new ApiError(message || this.t('failed'), code, response.status, data);
      }
      return data;
    }

    pageQuery(cursor) {
      return query({
        site: this.site,
        key: this.key,
        url: this.key ? null : this.url,
        sort: this.sort,
        limit: PAGE,
        replies: 3,
        depth: 4,
        cursor,
      });
    }

    // Who the reader is ----------------------------------------------------
    // Signing in lives in extras.js, loaded only on pages that offer it (or
    // for a reader already signed in); a session is kept per site and sent
    // only with writes.
    get reader() {
      const kept = store.get('session:' + this.site, null);
      return kept && Date.parse(kept.expires) > Date.now() ? kept : null;
    }

    loadSignIn() {
      this.extras().then(() => this.identify());
    }

    // What most readers never use (signing in, reporting) is in extras.js,
    // fetched once for the page the first time a widget needs it.
    extras() {
      return (extras ||= new Promise((resolve) => {
        addEventListener('rostra-extras', resolve, { once: true });
        document.head.append(h('script', { src: BASE + 'extras.js' }));
      }));
    }

    forget() {
      store.set('session:' + this.site, null);
      store.set('sso:' + this.site, null);
      this.refreshWho();
    }

    refreshWho() {
      if (this.fillWho) for (const box of this.whoBoxes) this.fillWho(box);
    }

    whoBox(fields, name, email) {
      const box = h('div', {}, fields);
      this.whoBoxes.push(Object.assign(box, { fields, name, email }));
      return box;
    }

    // What this reader wrote ---------------------------------------------
    // Edit tokens are kept while the edit window is open; the ids a while
    // longer, to mark replies to the reader's comments.
    loadOwn() {
      return this.pruneOwn(store.get('own:' + this.site, {}));
    }

    pruneOwn(own) {
      const now = Date.now();
      for (const [id, entry] of Object.entries(own)) {
        if (entry.until + OWN_DAYS * 864e5 < now) delete own[id];
        else if (entry.until < now) own[id] = { until: entry.until };
      }
      return own;
    }

    // Merges `entry` into what is kept of comment `id`, or forgets it (null).
    keepOwn(id, entry) {
      this.own = store.change('own:' + this.site, {}, (own) => {
        if (entry) own[id] = { ...own[id], ...entry };
        else delete own[id];
        return this.pruneOwn(own);
      });
    }

    canChange(id) {
      const entry = this.own[id];
      return entry && entry.until > Date.now() ? entry : null;
    }

    pendingList() {
      const cutoff = Date.now() - PENDING_DAYS * 864e5;
      return store.get('pending:' + this.threadId, []).filter((p) => p.at > cutoff);
    }

    savePending(list) {
      store.set('pending:' + this.threadId, list);
    }

    // The frame ------------------------------------------------------------
    build() {
      const root = this.attachShadow({ mode: 'open' });
      const s = (key, values) => this.t(key, values);
      // Hidden until the stylesheet arrives, so readers never see it unstyled.
      const sheet = h('link', { rel: 'stylesheet', href: BASE + 'embed.css' });
      this.styled = new Promise((done) => {
        sheet.onload = done;
        sheet.onerror = () => {
          this.frame.style.visibility = 'visible';
          done();
        };
      });
      this.heading = h('h2', { class: 'count', id: 'heading' }, s('heading'));
      this.sortButtons = SORTS.map((sort) =>
        h(
          'button',
          {
            type: 'button',
            'aria-pressed': String(sort === this.sort),
            onclick: () => this.setSort(sort),
          },
          s(sort),
        ),
      );
      this.status = h('p', { class: 'status' }, s('loading'));
      this.linked = h(
        'p',
        { class: 'linked', hidden: true },
        s('linked') + ' ',
        h('button', { type: 'button', class: 'link', onclick: () => this.showAll() }, s('showAll')),
      );
      this.feed = h('div', { class: 'feed', role: 'feed', 'aria-busy': 'true', 'aria-labelledby': 'heading' });
      this.more = h('button', { type: 'button', class: 'more', hidden: true, onclick: () => this.loadMore() });
      // Floats over the comments (the bar takes no height), so nothing moves under the reader.
      this.newsButton = h('button', { type: 'button', hidden: true, onclick: () => this.showNews() });
      this.live = h('div', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' });
      this.frame = h(
        'section',
        { class: 'root', 'aria-labelledby': 'heading' },
        h('header', { class: 'top' }, this.heading),
        (this.mainForm = this.form({})),
        (this.notice = h('p', { class: 'notice', role: 'status', hidden: true })),
        h(
          'div',
          { class: 'sort', role: 'group', 'aria-label': s('sort') },
          this.sortButtons,
        ),
        this.linked,
        this.status,
        h('div', { class: 'news' }, this.newsButton),
        this.feed,
        this.more,
        this.live,
      );
      root.append(h('style', {}, '.root{visibility:hidden}'), sheet, this.frame);
    }

    say(message) {
      this.live.textContent = '';
      requestAnimationFrame(() => (this.live.textContent = message));
    }

    setCount(count) {
      this.count = Math.max(0, count);
      this.heading.textContent = this.count ? this.t('comments', { n: this.count }) : this.t('heading');
    }

    // Loading pages ---------------------------------------------------------
    // The server holds comments posted too soon after the form was shown
    // (likely bots), timed by a signed token fetched with the form.
    newFormToken() {
      this.formToken = this.api('form-token?' + query({ site: this.site })).then(
        (r) => r.token,
        () => null,
      );
    }

    async start() {
      this.newFormToken();
      if (/sso-token|login-url|email-signin/.test(this.getAttributeNames()) || this.reader || /^#rostra-signin=/.test(location.hash)) this.loadSignIn();
      await this.loadFirst();
      const id = this.linkedId();
      if (id) this.reveal(id);
    }

    async loadFirst(cursor) {
      this.feed.setAttribute('aria-busy', 'true');
      this.status.hidden = false;
      this.status.replaceChildren(this.t('loading'));
      try {
        const page = await this.api('threads?' + this.pageQuery(cursor));
        this.threadKey = page.thread.key;
        this.liveId = page.thread.id;
        // A closed thread shows what was written, and says so in place of the form and replies.
        this.mainForm.hidden = this.closed = page.thread.closed;
        this.listen();
        this.setCount(page.thread.count);
        this.feed.replaceChildren();
        this.appendPage(page);
        this.showPending();
        this.status.hidden = this.feed.children.length > 0 && !this.closed;
        this.status.replaceChildren(this.t(this.closed ? 'closed' : 'empty'));
      } catch (error) {
        // A site the server does not know takes no comments: no form to fill in for nothing.
        if (error.code === 'unknown_site') this.mainForm.hidden = true;
        this.status.replaceChildren(
          error.status ? this.t('loadFailed') : error.message,
          ' ',
          h('button', { type: 'button', class: 'link', onclick: () => this.loadFirst(cursor) }, this.t('retry')),
        );
      }
      this.feed.setAttribute('aria-busy', 'false');
    }

    appendPage(page) {
      const added = this.addComments(page.comments, this.feed, null, null);
      this.cursor = page.cursor;
      this.more.hidden = !page.cursor;
      this.more.textContent = this.t('loadMore', { n: page.more });
      this.settle(added);
      return added;
    }

    async loadMore() {
      this.more.disabled = true;
      this.feed.setAttribute('aria-busy', 'true');
      try {
        const page = await this.api('threads?' + this.pageQuery(this.cursor));
        const added = this.appendPage(page);
        this.say(this.t('loaded', { n: added.length }));
        if (added[0]) added[0].focus({ preventScroll: true });
      } catch (error) {
        this.flash(error.message, this.more);
      }
      this.more.disabled = false;
      this.feed.setAttribute('aria-busy', 'false');
    }

    setSort(sort) {
      if (sort === this.sort) return;
      this.sort = sort;
      this.sortButtons.forEach((b, i) => b.setAttribute('aria-pressed', String(SORTS[i] === sort)));
      this.linked.hidden = true;
      this.loadFirst();
    }

    showAll() {
      this.linked.hidden = true;
      history.replaceState(null, '', location.href.split('#')[0]);
      this.loadFirst();
    }

    // Adds comments (with their nested replies) to a container, skipping any
    // already shown. Returns the new top elements.
    addComments(comments, box, before, parentName) {
      const added = [];
      for (const c of comments) {
        const old = this.find(c.id);
        if (old && !old.classList.contains('pending')) continue;
        if (old) old.remove();
        const el = this.renderComment(c, parentName);
        box.insertBefore(el, before);
        added.push(el);
      }
      return added;
    }

    // Measures long comments once styles apply, to clamp them with "read more".
    async settle(elements) {
      await this.styled;
      requestAnimationFrame(() => {
        for (const el of elements) {
          const texts = [el, ...el.querySelectorAll('article')].map((a) => a.querySelector(':scope > .text.clamp'));
          for (const text of texts) {
            if (!text || text.dataset.measured) continue;
            text.dataset.measured = '1';
            if (text.scrollHeight <= text.clientHeight + 2) {
              text.classList.remove('clamp');
              continue;
            }
            const toggle = h('button', { type: 'button', class: 'link readmore', 'aria-expanded': 'false' }, this.t('readMore'));
            toggle.onclick = () => {
              const open = text.classList.toggle('clamp') === false;
              toggle.setAttribute('aria-expanded', String(open));
              toggle.textContent = this.t(open ? 'readLess' : 'readMore');
            };
            text.after(toggle);
          }
        }
      });
    }

    find(id) {
      return this.shadowRoot.getElementById('comment-' + id);
    }

    // Puts one new comment where it belongs: a top-level one first, a reply
    // after its parent's shown replies. Returns [] when its parent is not shown.
    place(c) {
      const parent = c.parent && this.find(c.parent);
      if (c.parent && !parent) return [];
      const box = parent ? parent.querySelector(':scope > .replies') : this.feed;
      if (parent) parent.querySelector(':scope > .head > .fold').hidden = false;
      return this.addComments([c], box, parent ? box.querySelector(':scope > .more-r') : box.firstChild, this.names.get(c.parent));
    }

    // One comment ----------------------------------------------------------
    renderComment(c, parentName) {
      const s = (key, values) => this.t(key, values);
      const removed = c.removed;
      const name = removed ? null : c.author.name;
      this.names.set(c.id, name);
      const art = h('article', {
        class: 'c' + (removed ? ' removed' : '') + (c.pending ? ' pending' : ''),
        id: 'comment-' + c.id,
        'data-id': c.id,
        'data-depth': c.depth,
        'aria-labelledby': 'by-' + c.id,
        tabindex: '-1',
      });
      const hasReplies = c.replies.length > 0 || c.reply_count > 0;
      const toggle = h('button', {
        type: 'button',
        class: 'fold',
        'aria-expanded': 'true',
        'aria-label': s('collapse'),
        title: s('collapse'),
        hidden: !hasReplies,
      });
      toggle.onclick = () => this.fold(art, !art.classList.contains('collapsed'));
      let author;
      if (removed) author = h('span', { class: 'who gone', id: 'by-' + c.id }, s('removed'));
      else if (c.author.website && /^https?:\/\//i.test(c.author.website))
        author = h('a', { class: 'who', id: 'by-' + c.id, href: c.author.website, rel: 'nofollow ugc noopener', target: '_blank' }, name);
      else author = h('span', { class: 'who', id: 'by-' + c.id }, name);
      const initial = name ? [...name.trim()][0] || '?' : '';
      let hue = 0;
      for (const ch of name || '') hue = (hue * 31 + ch.codePointAt(0)) % 360;
      art.append(
        h(
          'div',
          { class: 'head' },
          toggle,
          removed
            ? null
            : c.author.avatar && /^https:\/\//i.test(c.author.avatar)
              ? h('img', { class: 'avatar', src: c.author.avatar, alt: '', loading: 'lazy', referrerpolicy: 'no-referrer' })
              : h('span', { class: 'avatar', 'aria-hidden': 'true', style: `--hue:${hue}` }, initial),
          author,
          !removed && c.author.verified ? h('span', { class: 'verified', title: s('verified'), 'aria-label': s('verified') }, '✓') : null,
          c.depth > INDENT && parentName ? h('span', { class: 'to' }, s('replyingTo', { name: parentName })) : null,
          h(
            'a',
            { class: 'when', href: '#comment-' + c.id, 'aria-label': s('permalink') + ', ' + this.exact(c.created) },
            h('time', { datetime: c.created, title: this.exact(c.created) }, this.ago(c.created)),
          ),
          c.edited ? h('span', { class: 'edited', title: this.exact(c.edited) }, s('edited')) : null,
          c.pending ? h('span', { class: 'badge' }, s('pendingBadge')) : null,
          c.featured ? h('span', { class: 'badge feat' }, s('featured')) : null,
          !removed && this.own[c.parent] && !this.own[c.id] ? h('span', { class: 'badge you' }, s('replyToYou')) : null,
          h('span', { class: 'folded' }),
        ),
      );
      if (removed) art.append(h('p', { class: 'text gone' }, s('removedBody')));
      else art.append(h('div', { class: 'text clamp' }, safeHtml(c.html)));
      if (c.pending) art.append(h('p', { class: 'note' }, s('pending')));
      art.append(this.actions(c, art), h('div', { class: 'slot' }));
      const replies = h('div', {
        class: 'replies' + (c.depth + 1 > INDENT ? ' flat' : ''),
        role: 'group',
        'aria-label': s('repliesTo', { name: name || s('removed') }),
      });
      art.append(replies);
      this.addComments(c.replies, replies, null, name);
      if (c.more_replies && c.replies_cursor) {
        replies.append(this.moreReplies(c.id, c.replies_cursor, c.more_replies, name));
      }
      const mine = this.canChange(c.id);
      if (mine) {
        const left = mine.until - Date.now();
        // Past the window the server refuses changes: take the buttons away then.
        if (left < 2 ** 31) setTimeout(() => art.querySelectorAll(':scope > .acts .mine').forEach((b) => b.remove()), left);
      }
      return art;
    }

    actions(c, art) {
      const s = (key, values) => this.t(key, values);
      const acts = h('div', { class: 'acts' });
      if (c.removed) return acts;
      const mine = !!this.own[c.id];
      if (!c.pending) {
        const vote = this.votes[c.id] || 0;
        const score = h('span', { class: 'score' }, String(c.score));
        const up = h('button', { type: 'button', class: 'up', 'aria-label': s('upvote'), 'aria-pressed': String(vote === 1), disabled: mine, title: mine ? s('ownVote') : s('upvote') }, '▲');
        const down = h('button', { type: 'button', class: 'down', 'aria-label': s('downvote'), 'aria-pressed': String(vote === -1), disabled: mine, title: mine ? s('ownVote') : s('downvote') }, '▼');
        up.onclick = () => this.vote(c, art, 1, { up, down, score });
        down.onclick = () => this.vote(c, art, -1, { up, down, score });
        acts.append(h('span', { class: 'vote', role: 'group', 'aria-label': s('votes') }, up, score, down));
        const reply = h('button', { type: 'button', class: 'link reply', 'aria-expanded': 'false' }, s('reply'));
        reply.onclick = () => this.openReply(c, art, reply);
        if (!this.closed) acts.append(reply);
        if (!mine) {
          const report = h('button', { type: 'button', class: 'link report', 'aria-expanded': 'false' }, s('report'));
          report.onclick = () => this.extras().then(() => this.openReport(c, art, report));
          acts.append(this.reported.has(c.id) ? h('span', { class: 'done' }, s('reported')) : report);
        }
      }
      if (this.canChange(c.id)) {
        acts.append(
          h('button', { type: 'button', class: 'link mine edit', onclick: () => this.openEdit(c, art) }, s('edit')),
          h('button', { type: 'button', class: 'link mine del', onclick: () => this.confirmDelete(c, art) }, s('del')),
        );
      }
      return acts;
    }

    fold(art, collapse) {
      art.classList.toggle('collapsed', collapse);
      const toggle = art.querySelector(':scope > .head > .fold');
      toggle.setAttribute('aria-expanded', String(!collapse));
      toggle.setAttribute('aria-label', this.t(collapse ? 'expand' : 'collapse'));
      toggle.title = toggle.getAttribute('aria-label');
      // Replies not loaded yet count too: the "N more replies" buttons know how many.
      let n = art.querySelectorAll('article').length + 1;
      for (const more of art.querySelectorAll('.more-r')) n += Number(more.dataset.more) || 0;
      art.querySelector(':scope > .head > .folded').textContent = collapse ? this.t('hidden', { n }) : '';
    }

    moreReplies(parentId, cursor, count, parentName) {
      const button = h('button', { type: 'button', class: 'link more-r', 'data-more': count }, this.t('moreReplies', { n: count }));
      button.onclick = async () => {
        button.disabled = true;
        try {
          const page = await this.api(`comments/${parentId}/replies?` + query({ cursor, limit: 10, replies: 3, depth: 3 }));
          const box = button.parentNode;
          // A gap button (left before replies opened by a deep link) stops where
          // the shown replies resume.
          let reached = false;
          const fresh = [];
          for (const c of page.replies) {
            if (this.find(c.id)) {
              reached = button.gap;
              if (reached) break;
              continue;
            }
            fresh.push(c);
          }
          const added = this.addComments(fresh, box, button, parentName);
          this.settle(added);
          this.say(this.t('loaded', { n: added.length }));
          if (added[0]) added[0].focus({ preventScroll: true });
          if (reached || !page.cursor) button.remove();
          else {
            cursor = page.cursor;
            button.textContent = this.t('moreReplies', { n: page.more });
            button.dataset.more = page.more;
            button.disabled = false;
          }
        } catch (error) {
          button.disabled = false;
          this.flash(error.message, button);
        }
      };
      return button;
    }

    flash(message, near) {
      const note = h('p', { class: 'err', role: 'alert' }, message);
      near.after(note);
      setTimeout(() => note.remove(), 8000);
    }

    // Deep links -------------------------------------------------------------
    linkedId() {
      const match = /^#comment-(\d+)$/.exec(location.hash);
      return match ? Number(match[1]) : null;
    }

    async reveal(id) {
      if (!id) return;
      let el = this.find(id);
      if (!el) {
        try {
          const where = await this.api(`comments/${id}/context?sort=${this.sort}`);
          if (where.thread !== this.threadKey) return;
          if (!this.find(where.path[0].id)) {
            // Its top-level comment is on a later page: open the page there.
            const page = await this.api('threads?' + this.pageQuery(where.cursor));
            this.feed.replaceChildren();
            this.appendPage(page);
            this.linked.hidden = false;
          }
          for (let i = 0; i + 1 < where.path.length; i++) {
            if (this.find(where.path[i + 1].id)) continue;
            const parent = this.find(where.path[i].id);
            if (!parent) return;
            await this.openBranch(parent, where.path[i].id, where.path[i].replies_cursor);
          }
          el = this.find(id);
        } catch {
          return;
        }
      }
      if (!el) return;
      for (let a = el.parentElement.closest('article'); a; a = a.parentElement.closest('article')) {
        if (a.classList.contains('collapsed')) this.fold(a, false);
      }
      this.shadowRoot.querySelectorAll('.target').forEach((t) => t.classList.remove('target'));
      el.classList.add('target');
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }

    // Loads replies starting at a given cursor, after those already shown.
    async openBranch(parent, parentId, cursor) {
      const box = parent.querySelector(':scope > .replies');
      const gap = box.querySelector(':scope > .more-r');
      if (gap) gap.gap = true;
      const page = await this.api(`comments/${parentId}/replies?` + query({ cursor, limit: 10, replies: 3, depth: 3 }));
      const name = this.names.get(parentId);
      const added = this.addComments(page.replies, box, null, name);
      this.settle(added);
      if (page.cursor) box.append(this.moreReplies(parentId, page.cursor, page.more, name));
      // The gap now stands only for the replies between those shown and those opened.
      if (gap) gap.dataset.more = Math.max(0, gap.dataset.more - added.length - (page.cursor ? page.more : 0));
    }

    // Moderation: comments held for review are shown to their author only ----
    showPending() {
      const list = this.pendingList();
      // Once the server shows a held comment to everyone, stop keeping it here.
      const held = list.filter((p) => !this.find(p.comment.id));
      if (held.length !== list.length) this.savePending(held);
      for (const p of held) this.placePending(p.comment);
    }

    placePending(comment) {
      if (!this.find(comment.id)) this.settle(this.place(comment));
    }

    // Live updates -----------------------------------------------------------
    // One event stream while the thread exists, the widget is on screen and the
    // page is shown. Reopened streams resume after the last event seen.
    listen() {
      if (!(this.onScreen && !document.hidden && this.liveId && !this.liveOff)) {
        this.stream?.close();
        this.stream = null;
        return;
      }
      if (this.stream) return;
      const stream = (this.stream = new EventSource(API + `threads/${this.liveId}/events?` + query({ last_event_id: this.lastEvent })));
      // The browser retries lost connections by itself (sending Last-Event-ID);
      // a closed stream is an answer other than 200, such as 204 "live updates
      // are off for this thread": stop for good.
      stream.onerror = () => {
        if (stream.readyState === EventSource.CLOSED) {
          this.liveOff = true;
          this.stream = null;
        }
      };
      for (const kind of LIVE) {
        stream.addEventListener(kind, (event) => {
          this.lastEvent = event.lastEventId;
          this.update(kind, JSON.parse(event.data));
        });
      }
    }

    update(kind, c) {
      const el = this.find(c.id);
      const waiting = this.news.findIndex((n) => n.id === c.id);
      // The reader's own comments are shown already, and changed here.
      if (this.own[c.id]) return;
      if (kind === 'comment') {
        if (el || waiting >= 0) return;
        // A reply counts only under a comment that is shown or waiting too.
        if (c.parent && !this.find(c.parent) && !this.news.some((n) => n.id === c.parent)) return;
        this.news.push(c);
        this.newsChanged(true);
      } else if (waiting >= 0) {
        if (kind === 'remove') this.dropNews(c.id);
        else Object.assign(this.news[waiting], c);
      } else if (el && !el.classList.contains('removed')) {
        if (kind === 'remove') {
          this.bury(el, c.tombstone);
          this.setCount(this.count - 1);
        } else if (kind === 'edit') this.edited(el, c);
        else {
          const score = el.querySelector(':scope > .acts .score');
          score.textContent = c.score;
          score.title = this.t('points', { n: c.score });
        }
      }
    }

    newsChanged(announce) {
      const n = this.news.length;
      this.newsButton.hidden = !n;
      this.newsButton.textContent = this.t('newComments', { n });
      if (announce) this.say(this.newsButton.textContent);
    }

    dropNews(id) {
      this.news = this.news.filter((n) => n.id !== id);
      this.newsChanged();
    }

    // Puts the waiting comments in their places, oldest first.
    showNews() {
      const added = this.news.flatMap((c) => (this.find(c.id) ? [] : this.place(c)));
      this.news = [];
      this.newsChanged();
      this.setCount(this.count + added.length);
      this.status.hidden = true;
      this.settle(added);
      for (const el of added) el.classList.add('fresh');
      if (added[0]) {
        added[0].scrollIntoView({ block: 'nearest' });
        added[0].focus({ preventScroll: true });
      }
      this.say(this.t('loaded', { n: added.length }));
    }

    edited(art, c) {
      art.querySelector(':scope > .text').replaceChildren(safeHtml(c.html));
      const head = art.querySelector(':scope > .head');
      if (!head.querySelector('.edited')) head.querySelector('.folded').before(h('span', { class: 'edited' }, this.t('edited')));
    }

    // Writing ----------------------------------------------------------------
    form({ parent = null, parentName = null, edit = null, done = null }) {
      const s = (key, values) => this.t(key, values);
      const id = uid();
      const me = store.get('author', {});
      const input = (name, type, extra) =>
        h('input', { id: id + name, name, type, value: me[name] || '', ...extra });
      const name = edit ? null : input('name', 'text', { autocomplete: 'name', required: true, maxlength: 64 });
      const email = edit ? null : input('email', 'email', { autocomplete: 'email' });
      const website = edit ? null : input('website', 'url', { autocomplete: 'url', placeholder: 'https://' });
      const label = (field, text) => h('label', { for: field.id }, text);
      const notify = edit ? null : h('input', { type: 'checkbox', name: 'notify' });
      const body = h('textarea', {
        id: id + 'body',
        name: 'body',
        rows: parent || edit ? 3 : 4,
        required: true,
        'aria-describedby': id + 'hint',
      });
      if (edit) body.value = edit.source;
      const preview = h('div', { class: 'preview text', hidden: true, 'aria-live': 'polite', tabindex: '0' });
      const error = h('p', { class: 'err', id: id + 'err', role: 'alert', hidden: true });
      const tab = (key, showPreview) =>
        h('button', { type: 'button', class: 'tab', 'aria-pressed': String(!showPreview), onclick: () => setMode(showPreview) }, s(key));
      const tabs = [tab('write', false), tab('preview', true)];
      const setMode = async (showPreview, focus = true) => {
        tabs[0].setAttribute('aria-pressed', String(!showPreview));
        tabs[1].setAttribute('aria-pressed', String(showPreview));
        body.hidden = showPreview;
        preview.hidden = !showPreview;
        if (!showPreview) return focus && body.focus();
        preview.replaceChildren(s('loading'));
        if (!body.value.trim()) return preview.replaceChildren(s('nothingToPreview'));
        try {
          const { html } = await this.api('preview', { method: 'POST', body: { body: body.value } });
          preview.replaceChildren(safeHtml(html));
        } catch (e) {
          preview.replaceChildren(e.message);
        }
      };
      const submitLabel = edit ? s('save') : parent ? s('postReply') : s('post');
      const submit = h('button', { type: 'submit', class: 'primary' }, submitLabel);
      const cancel = done ? h('button', { type: 'button', class: 'link', onclick: () => done(null) }, s('cancel')) : null;
      const buttons = h('div', { class: 'buttons' }, submit, cancel);
      // The think-again nudge: the server's doubts, with the words behind them.
      const nudge = h('div', { class: 'nudge', role: 'group', 'aria-labelledby': id + 'why', hidden: true });
      let confirmed = false;
      const form = h(
        'form',
        { class: 'form' + (parent || edit ? ' inline' : ''), novalidate: true },
        edit
          ? null
          : this.whoBox(
              h(
                'div',
                { class: 'who-fields' },
                h('div', { class: 'field' }, label(name, s('name')), name),
                h('div', { class: 'field' }, label(email, s('email')), email),
                h('div', { class: 'field' }, label(website, s('website')), website),
              ),
              name,
              email,
            ),
        h(
          'div',
          { class: 'field' },
          h('div', { class: 'bar' }, label(body, parentName ? s('replyBody', { name: parentName }) : s('body')), h('span', { class: 'tabs' }, tabs)),
          body,
          preview,
          h('p', { class: 'hint', id: id + 'hint' }, s('hint')),
        ),
        notify ? h('label', { class: 'notify' }, notify, ' ', s('notify')) : null,
        error,
        nudge,
        buttons,
      );
      const fields = { invalid_name: name, invalid_email: email, invalid_website: website };
      const fail = (message, field, soft) => {
        error.className = soft ? 'err soft' : 'err';
        error.textContent = message;
        error.hidden = false;
        field = field || body;
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', (field === body ? id + 'hint ' : '') + id + 'err');
        if (field === body) setMode(false);
        else field.focus();
      };
      const thinkAgain = (spans) => {
        // Spans count characters (code points) of the text as the server kept it.
        const chars = [...body.value.replace(/\0/g, '').trim()];
        const quote = h('p', { class: 'quote' });
        let at = 0;
        for (const [start, end] of spans.sort((a, b) => a[0] - b[0])) {
          if (start < at) continue;
          quote.append(chars.slice(at, start).join(''), h('mark', {}, chars.slice(start, end).join('')));
          at = end;
        }
        quote.append(chars.slice(at).join(''));
        const edit = h('button', { type: 'button', class: 'primary' }, s('edit'));
        edit.onclick = () => {
          nudge.hidden = true;
          buttons.hidden = false;
          setMode(false);
        };
        const anyway = h('button', { type: 'button', class: 'link' }, s('postAnyway'));
        anyway.onclick = () => {
          confirmed = true;
          form.requestSubmit();
        };
        nudge.hidden = false;
        buttons.hidden = true;
        nudge.replaceChildren(h('p', { id: id + 'why', role: 'alert' }, s('thinkAgain')), quote, h('div', { class: 'buttons' }, edit, anyway));
        setMode(false, false);
        edit.focus();
      };
      body.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) form.requestSubmit();
      });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        error.hidden = nudge.hidden = true;
        buttons.hidden = false;
        for (const field of [name, email, website, body]) field && field.removeAttribute('aria-invalid');
        if (!body.value.trim()) return fail(s('needBody'));
        submit.disabled = true;
        submit.textContent = s('sending');
        try {
          if (edit) {
            const result = await this.api('comments/' + edit.id, { method: 'PATCH', body: { body: body.value }, token: edit.token });
            this.keepOwn(edit.id, { source: result.source });
            done(result);
          } else {
            const author = { name: name.value.trim(), email: email.value.trim() || null, website: website.value.trim() || null };
            const sent = {
              site: this.site,
              thread: { key: this.key, url: this.url, title: this.articleTitle },
              parent,
              author: this.reader ? { name: author.name || this.reader.reader.name, website: author.website } : author,
              body: body.value,
            };
            if (notify.checked) sent.notify = true;
            const token = await this.formToken;
            if (token) sent.form_token = token;
            if (confirmed) sent.confirm = true;
            confirmed = false;
            const result = await this.api('comments', { method: 'POST', body: sent });
            this.newFormToken();
            // Remembered only once the reader has posted: nothing is stored before.
            store.set('author', author);
            // Rejected: not shown, and the text stays for the reader to reword.
            if (result.status === 'rejected') return fail(s('rejected'), null, true);
            this.posted(result);
            body.value = '';
            setMode(false, false);
            if (done) done(result);
          }
        } catch (e) {
          // The reader's text stays in the box whatever went wrong.
          if (e.code === 'think_again') thinkAgain(e.data.spans || []);
          else fail(e.message, fields[e.code]);
        } finally {
          submit.disabled = false;
          submit.textContent = submitLabel;
        }
      });
      return form;
    }

    posted(result) {
      const comment = result.comment;
      this.keepOwn(comment.id, { token: result.edit_token, until: Date.parse(result.editable_until), source: result.source });
      const held = result.status === 'pending';
      if (held) {
        comment.pending = true;
        this.savePending([...this.pendingList(), { comment, at: Date.now() }]);
      } else this.setCount(this.count + 1);
      this.dropNews(comment.id);
      const [el] = this.place(comment);
      this.status.hidden = true;
      this.settle([el]);
      el.classList.add('fresh');
      el.scrollIntoView({ block: 'nearest' });
      el.focus({ preventScroll: true });
      this.say(this.t(held ? 'heldPosted' : 'posted'));
    }

    openReply(c, art, button) {
      const slot = art.querySelector(':scope > .slot');
      const open = slot.querySelector('form:not(.rep)');
      if (open) {
        open.remove();
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      const form = this.form({
        parent: c.id,
        parentName: c.author.name,
        done: () => {
          form.remove();
          button.setAttribute('aria-expanded', 'false');
          // Keep focus where it is (on the new reply) unless it would be lost.
          if (slot.contains(this.shadowRoot.activeElement)) button.focus();
        },
      });
      slot.replaceChildren(form);
      button.setAttribute('aria-expanded', 'true');
      form.querySelector('textarea').focus();
    }

    openEdit(c, art) {
      const entry = this.canChange(c.id);
      const slot = art.querySelector(':scope > .slot');
      const text = art.querySelector(':scope > .text');
      const more = art.querySelector(':scope > .readmore');
      if (!entry) return this.flash(this.t('windowClosed'), art.querySelector(':scope > .acts'));
      const form = this.form({
        edit: { id: c.id, token: entry.token, source: entry.source || '' },
        done: (result) => {
          form.remove();
          text.hidden = false;
          if (more) more.hidden = false;
          if (result) {
            this.edited(art, result.comment);
            this.say(this.t('saved'));
          }
          art.querySelector(':scope > .acts .edit').focus();
        },
      });
      text.hidden = true;
      if (more) more.hidden = true;
      slot.replaceChildren(form);
      form.querySelector('textarea').focus();
    }

    confirmDelete(c, art) {
      const slot = art.querySelector(':scope > .slot');
      const cancel = h('button', { type: 'button', class: 'link' }, this.t('cancel'));
      const yes = h('button', { type: 'button', class: 'danger' }, this.t('confirmYes'));
      const box = h('div', { class: 'confirm', role: 'alertdialog', 'aria-label': this.t('del') }, h('p', {}, this.t('confirmDelete')), yes, cancel);
      cancel.onclick = () => {
        box.remove();
        art.querySelector(':scope > .acts .del')?.focus();
      };
      yes.onclick = async () => {
        const entry = this.canChange(c.id);
        yes.disabled = true;
        try {
          if (!entry) throw new Error(this.t('windowClosed'));
          const result = await this.api('comments/' + c.id, { method: 'DELETE', token: entry.token });
          this.keepOwn(c.id, null);
          this.savePending(this.pendingList().filter((p) => p.comment.id !== c.id));
          if (!c.pending) this.setCount(this.count - 1);
          const next = art.nextElementSibling || art.parentElement.closest('article');
          const stone = this.bury(art, result.tombstone);
          (stone || next)?.focus();
          this.say(this.t('deleted'));
        } catch (e) {
          yes.disabled = false;
          box.append(h('p', { class: 'err', role: 'alert' }, e.message));
        }
      };
      slot.replaceChildren(box);
      yes.focus();
    }

    // A removed comment goes, or leaves a tombstone that keeps its replies.
    bury(art, tombstone) {
      if (!tombstone) return art.remove();
      const c = { id: +art.dataset.id, depth: +art.dataset.depth, created: art.querySelector('time').dateTime, removed: true, replies: [], reply_count: 1 };
      const stone = this.renderComment(c, null);
      stone.querySelector(':scope > .replies').replaceWith(art.querySelector(':scope > .replies'));
      art.replaceWith(stone);
      return stone;
    }

    vote(c, art, value, buttons) {
      // One vote at a time per comment: a quick second click waits for the
      // first answer, so the server applies them in the order they were made.
      const queue = (this.voting ||= {});
      const next = (queue[c.id] || Promise.resolve()).then(() => this.sendVote(c, art, value, buttons));
      queue[c.id] = next;
      next.finally(() => { if (queue[c.id] === next) delete queue[c.id]; });
      return next;
    }

    async sendVote(c, art, value, { up, down, score }) {
      const before = this.votes[c.id] || 0;
      const wanted = before === value ? 0 : value; // pressing again withdraws
      // Show the change at once; the server's totals follow.
      const show = (mine, total) => {
        up.setAttribute('aria-pressed', String(mine === 1));
        down.setAttribute('aria-pressed', String(mine === -1));
        score.textContent = String(total);
        score.title = this.t('points', { n: total });
      };
      const shown = Number(score.textContent);
      show(wanted, shown - before + wanted);
      try {
        const result = await this.api(`comments/${c.id}/vote`, { method: 'POST', body: { value: wanted } });
        this.votes = store.change('votes:' + this.site, {}, (votes) => {
          if (result.your_vote) votes[c.id] = result.your_vote;
          else delete votes[c.id];
          return votes;
        });
        show(result.your_vote, result.score);
        this.say(score.title);
      } catch (e) {
        show(before, shown);
        this.flash(e.message, art.querySelector(':scope > .acts'));
      }
    }
  }

  // What extras.js builds on.
  RostraComments.kit = { h, store, uid, STRINGS };
  customElements.define('rostra-comments', RostraComments);
})();
