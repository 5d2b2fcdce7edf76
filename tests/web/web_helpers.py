"""Finding the widget's parts in a page, and posting through it."""


def comments(page):
    return page.locator("rostra-comments article.c")


def comment(page, text: str):
    """The comment whose own text (not a reply's) holds `text`."""
    return comments(page).filter(has=page.locator(":scope > .text", has_text=text))


def own_button(item, name: str):
    """A button of this comment itself, not of one of its replies."""
    return item.locator(":scope > .acts button", has_text=name)


def form(page):
    return page.locator("rostra-comments form").first


def post(page, body: str, name: str = "Browser Reader", shown: str | None = None):
    """Post through the widget's main form; returns the new comment by its shown text."""
    top = form(page)
    top.get_by_label("Name").fill(name)
    top.get_by_label("Your comment").fill(body)
    top.get_by_role("button", name="Post comment").click()
    return comment(page, shown or body)
