"""Read a form the way a browser submits it: what each field would send.

Used by the tests and by bench/soak.py, whose editors submit the admin's forms.
"""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """What a browser would submit from one form of a page: its fields and their values."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.textarea: str | None = None
        self.select: str | None = None
        self.select_options: list[tuple[str, bool]] = []

    def add(self, name: str, value: str) -> None:
        if "__prefix__" not in name:  # the template row Django's JavaScript copies
            self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {key: value or "" for key, value in attrs}
        if tag == "form" and attr.get("id") == self.form_id:
            self.inside = True
        if not self.inside or ("name" not in attr and tag != "option"):
            return
        if tag == "input":
            kind = attr.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attr:
                return
            self.add(attr["name"], attr.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "textarea":
            self.textarea = attr["name"]
            self.add(self.textarea, "")
        elif tag == "select":
            self.select, self.select_options = attr["name"], []
        elif tag == "option" and self.select is not None:
            self.select_options.append((attr.get("value", ""), "selected" in attr))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None and "__prefix__" not in self.textarea:
            values = self.data[self.textarea]
            # Browsers drop the one newline that follows <textarea>.
            values[-1] += data.removeprefix("\n") if not values[-1] else data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and self.select_options:
                chosen = [self.select_options[0][0]]
            for value in chosen:
                self.add(self.select, value)
            self.select = None


def read_form(html: str, form_id: str) -> dict[str, list[str]]:
    """The values the form ``#form_id`` in ``html`` would submit, by field name (empty when
    there is no such form)."""
    reader = FormReader(form_id)
    reader.feed(html)
    return reader.data
