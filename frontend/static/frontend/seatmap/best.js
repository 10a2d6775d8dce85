// "Find N seats together": the count and price selects, and on maps with
// wheelchair spaces "with a wheelchair space"; the choice goes to a callback.

import { option } from '../common/dom.js';
import { gettext } from '../common/i18n.js';
import { priceText } from '../common/texts.js';

const DEFAULT_COUNT = 2;

export function createBestForm(form, { max, onFind }) {
  const count = form.querySelector('[name="count"]');
  const category = form.querySelector('[name="category"]');
  const accessible = form.querySelector('[name="accessible"]');
  const accessibleField = accessible.closest('label');
  const button = form.querySelector('button[type="submit"]');
  const limit = Number.isFinite(max) && max > 0 ? max : 10;

  count.replaceChildren(
    ...Array.from({ length: limit }, (_, i) => option(String(i + 1), String(i + 1))),
  );
  count.value = String(Math.min(DEFAULT_COUNT, limit));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (button.disabled) return;
    onFind({
      count: Number(count.value),
      category: category.value || null,
      accessible: !accessibleField.hidden && accessible.checked,
    });
  });

  return {
    /** Offer "any price" plus each category of the snapshot, keeping the current choice. */
    setCategories(categories) {
      const chosen = category.value;
      category.replaceChildren(
        option('', gettext('Any price')),
        ...categories.map((c) => option(c.code, `${c.name} (${priceText(c)})`)),
      );
      category.value = categories.some((c) => c.code === chosen) ? chosen : '';
    },

    /** Offer the wheelchair option only on maps that have wheelchair spaces. */
    setAccessible(offered) {
      accessibleField.hidden = !offered;
      if (!offered) accessible.checked = false;
    },

    setBusy(busy) {
      button.disabled = busy;
      form.setAttribute('aria-busy', String(busy));
    },
  };
}
