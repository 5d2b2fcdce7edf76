/* Rostra comment widget: the parts most readers never use, loaded by embed.js
 * the first time a widget on the page needs them: signing in, and reporting a
 * comment to the moderators.
 *
 * A session comes from the host site's sign-on token (the `sso-token`
 * attribute of <rostra-comments>) or from an emailed link that leads back to
 * the article with #rostra-signin=…. Signed-in readers comment under their
 * own name, and can download or erase their data. See docs/WIDGET.md.
 */
(() => {
  'use strict';
  const Widget = customElements.get('rostra-comments');
  if (!Widget || Widget.prototype.identify) return;
  const { h, store, uid, STRINGS } = Widget.kit;
  const REASONS = ['abuse', 'spam', 'off_topic', 'other'];

  Object.assign(STRINGS.en, {
    reportWhy: 'Why should the moderators look at this comment?',
    abuse: 'Abusive or hateful',
    spam: 'Spam or advertising',
    off_topic: 'Off-topic',
    other: 'Something else',
    reportNote: 'Note for the moderators (optional)',
    sendReport: 'Send report',
    needReason: 'Please choose a reason.',
    reportSent: 'Thank you. The moderators will take a look.',
    signedInAs: 'Commenting as {name}',
    signIn: 'Sign in',
    signOut: 'Sign out',
    emailSignIn: 'Email me a sign-in link',
    linkSent: 'We sent a sign-in link to {email}. Open it on this device to sign in.',
    needEmail: 'Please enter your name and email address first.',
    myData: 'Your data',
    download: 'Download my comments',
    erase: 'Erase my data',
    confirmErase: 'Erase all your comments and personal data on this site? Replies by others stay. This cannot be undone.',
    confirmEraseYes: 'Yes, erase',
    erased: 'Your data was erased.',
  });
  Object.assign(STRINGS.de, {
    reportWhy: 'Warum sollte die Moderation diesen Kommentar prüfen?',
    abuse: 'Beleidigend oder hasserfüllt',
    spam: 'Spam oder Werbung',
    off_topic: 'Am Thema vorbei',
    other: 'Etwas anderes',
    reportNote: 'Hinweis an die Moderation (freiwillig)',
    sendReport: 'Meldung senden',
    needReason: 'Bitte wählen Sie einen Grund.',
    reportSent: 'Danke. Die Moderation sieht sich den Kommentar an.',
    signedInAs: 'Sie kommentieren als {name}',
    signIn: 'Anmelden',
    signOut: 'Abmelden',
    emailSignIn: 'Anmeldelink per E-Mail senden',
    linkSent: 'Wir haben einen Anmeldelink an {email} gesendet. Öffnen Sie ihn auf diesem Gerät.',
    needEmail: 'Bitte geben Sie zuerst Name und E-Mail-Adresse ein.',
    myData: 'Ihre Daten',
    download: 'Meine Kommentare herunterladen',
    erase: 'Meine Daten löschen',
    confirmErase: 'Alle Ihre Kommentare und persönlichen Daten auf dieser Seite löschen? Antworten anderer bleiben. Das lässt sich nicht rückgängig machen.',
    confirmEraseYes: 'Ja, löschen',
    erased: 'Ihre Daten wurden gelöscht.',
  });

  // The sign-in parts' own styles, added to each widget that loads them.
  const CSS =
    '.signed{display:flex;align-items:center;gap:.5rem;margin:0 0 .4rem}' +
    '.ways,.mydata{font-size:.9em;margin:.3rem 0 0}.ways>*+*{margin-left:1rem}' +
    '.mydata>button{margin-right:1rem}' +
    '.notice{border-left:3px solid var(--accent);padding:.4rem .75rem;margin:.4rem 0}';

  Object.assign(Widget.prototype, {
    // Sign in or out to match the page: a new token, an emailed link, or a
    // page whose reader logged out of the site (the attribute is empty).
    async identify() {
      const sso = this.getAttribute('sso-token');
      const link = location.hash.match(/^#rostra-signin=([\w-]+)$/);
      if (link) {
        history.replaceState(null, '', location.href.split('#')[0]);
        await this.signIn('auth/email/redeem', { token: link[1] });
      } else if (sso) {
        if (store.get('sso:' + this.site) !== sso || !this.reader) await this.signIn('auth/sso', { site: this.site, token: sso }, sso);
      } else if (this.hasAttribute('sso-token') && this.reader?.sso) this.signOut(false);
      this.refreshWho();
    },

    async signIn(path, body, sso) {
      try {
        const session = await this.api(path, { method: 'POST', body, session: null });
        session.sso = !!sso;
        store.set('session:' + this.site, session);
        store.set('sso:' + this.site, sso || null);
      } catch (e) {
        this.tell(e.message);
      }
    },

    signOut(leave = true) {
      const session = this.reader?.session;
      this.forget();
      if (session) this.api('auth/session', { method: 'DELETE', session }).catch(() => {});
      const away = this.getAttribute('logout-url');
      if (leave && away) location.href = away;
    },

    // A visible note under the form (sign-in links, your data).
    tell(message) {
      this.signInStyles();
      this.notice.textContent = message;
      this.notice.hidden = !message;
    },

    async downloadMine() {
      const data = await this.api('me/comments').catch((e) => this.tell(e.message));
      if (!data) return;
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
      const link = h('a', { href: URL.createObjectURL(blob), download: `comments-${this.site}.json` });
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    },

    // Two clicks: the first arms the button and says what will happen.
    async eraseMine(button) {
      if (button.dataset.armed !== '1') {
        button.dataset.armed = '1';
        button.textContent = this.t('confirmEraseYes');
        return this.tell(this.t('confirmErase'));
      }
      try {
        await this.api('me', { method: 'DELETE' });
        this.forget();
        this.tell(this.t('erased'));
        this.loadFirst();
      } catch (e) {
        this.tell(e.message);
      }
    },

    // The signed-in line, or the name fields with the ways to sign in.
    signInStyles() {
      if (!this.shadowRoot.querySelector('style.signin')) this.shadowRoot.append(h('style', { class: 'signin' }, CSS));
    },

    fillWho(box) {
      this.signInStyles();
      const me = this.reader?.reader;
      box.replaceChildren(...(me ? this.signedLine(me) : [box.fields, this.ways(box)]));
    },

    signedLine(me) {
      const s = (key, values) => this.t(key, values);
      const erase = h('button', { type: 'button', class: 'link' }, s('erase'));
      erase.onclick = () => this.eraseMine(erase);
      const avatar = me.avatar && /^https:\/\//i.test(me.avatar);
      return [
        h(
          'p',
          { class: 'signed' },
          avatar ? h('img', { class: 'avatar', src: me.avatar, alt: '', referrerpolicy: 'no-referrer' }) : null,
          h('span', {}, s('signedInAs', { name: me.name })),
          h('span', { class: 'verified', title: s('verified'), 'aria-label': s('verified') }, '✓'),
          h('button', { type: 'button', class: 'link', onclick: () => this.signOut() }, s('signOut')),
        ),
        h(
          'details',
          { class: 'mydata' },
          h('summary', {}, s('myData')),
          h('button', { type: 'button', class: 'link', onclick: () => this.downloadMine() }, s('download')),
          erase,
        ),
      ];
    },

    ways({ name, email }) {
      const s = (key, values) => this.t(key, values);
      const ways = [];
      const login = this.getAttribute('login-url');
      if (login && /^https?:$/.test(new URL(login, location.href).protocol)) ways.push(h('a', { href: login }, s('signIn')));
      if (this.hasAttribute('email-signin')) {
        const send = h('button', { type: 'button', class: 'link' }, s('emailSignIn'));
        send.onclick = async () => {
          const address = email.value.trim();
          if (!name.value.trim() || !address) return this.tell(s('needEmail'));
          const body = { site: this.site, email: address, name: name.value.trim(), return_url: location.href.split('#')[0] };
          try {
            await this.api('auth/email', { method: 'POST', body });
            this.tell(s('linkSent', { email: address }));
          } catch (e) {
            this.tell(e.message);
          }
        };
        ways.push(send);
      }
      return ways.length ? h('p', { class: 'ways' }, ...ways) : null;
    },

    openReport(c, art, button) {
      const s = (key, values) => this.t(key, values);
      const slot = art.querySelector(':scope > .slot');
      const close = () => {
        slot.replaceChildren();
        button.setAttribute('aria-expanded', 'false');
        button.focus();
      };
      if (slot.querySelector('.rep')) return close();
      const id = uid();
      const note = h('textarea', { id: id + 'note', name: 'note', rows: 2, maxlength: 500 });
      const error = h('p', { class: 'err', role: 'alert', hidden: true });
      const send = h('button', { type: 'submit', class: 'primary' }, s('sendReport'));
      const form = h(
        'form',
        { class: 'form inline rep', novalidate: true, 'aria-label': s('report') },
        h(
          'fieldset',
          {},
          h('legend', {}, s('reportWhy')),
          REASONS.map((reason) => h('label', { class: 'opt' }, h('input', { type: 'radio', name: 'reason', value: reason }), s(reason))),
        ),
        h('div', { class: 'field' }, h('label', { for: note.id }, s('reportNote')), note),
        error,
        h('div', { class: 'buttons' }, send, h('button', { type: 'button', class: 'link', onclick: close }, s('cancel'))),
      );
      const done = () => {
        const ids = store.change('reported:' + this.site, [], (kept) => [...new Set([...kept, c.id])].slice(-500));
        this.reported = new Set(ids);
        button.replaceWith(h('span', { class: 'done' }, s('reported')));
        const thanks = h('p', { class: 'note', tabindex: '-1' }, s('reportSent'));
        slot.replaceChildren(thanks);
        thanks.focus();
        this.say(s('reportSent'));
      };
      form.onkeydown = (event) => event.key === 'Escape' && close();
      form.onsubmit = async (event) => {
        event.preventDefault();
        const reason = form.elements.reason.value;
        error.hidden = !!reason;
        error.textContent = s('needReason');
        if (!reason) return form.querySelector('input').focus();
        send.disabled = true;
        try {
          await this.api(`comments/${c.id}/report`, { method: 'POST', body: { reason, note: note.value.trim() || null } });
          done();
        } catch (e) {
          if (e.code === 'already_reported') return done();
          error.textContent = e.message;
          error.hidden = send.disabled = false;
        }
      };
      slot.replaceChildren(form);
      button.setAttribute('aria-expanded', 'true');
      form.querySelector('input').focus();
    },
  });
  dispatchEvent(new Event('rostra-extras'));
})();
