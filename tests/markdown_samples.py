"""Markdown made at random, to compare our renderer with real kramdown on far more
than the corpus: `blog_like` writes what blog posts hold (paragraphs with emphasis,
links, code, inline HTML, smart quotes; headings, lists, quotes, tables, fences,
HTML blocks, attribute lists, footnotes, definitions), `markup_soup` throws the
same pieces together with no grammar at all. Both are seeded: the same seed gives
the same texts."""

from __future__ import annotations

import random

WORDS = ("the model sample audio Jukebox prior level upsampler token GPU hours memory run "
         "it's don't 1990s \"quoted\" 'single' C++ x_y a*b 3.5 e.g. -- ... (paren) "
         "[bracket] 50% #tag @user").split(" ")

SOUP = ['<p>', '</p>', '<div>', '</div>', '<b>', '</b>', '<span class="x">', '</span>', '<u>',
        '</u>', '<max_hosts>', '</max_hosts>', '<img src="a" alt=b>', '<br>', '*', '**', '_',
        '`', '[', ']', '(', ')', '(/u "t\\_x")', '\n', '\n\n', '- ', '1. ', '> ', '    ',
        'text', ' ', 'word', '"', "'", '&amp;', '&', '<', '>', '<!-- c -->', '{: .c}', '|',
        '---', '#', '<code>', '</code>', '<a href=x/y>', '</a>', '<x:y>', '```\n', '~~~', '\\',
        '<h2>', '</h2>', '<table>', '<tr><td>', '</td></tr>', '</table>', '$$', '^', '[^1]',
        '[^1]: note\n', '*[HTML]: Hyper\n']


class _Writer:
    def __init__(self, seed: int) -> None:
        self.pick = random.Random(seed)

    def words(self, count: int) -> str:
        return " ".join(self.pick.choice(WORDS) for _ in range(count))

    def span(self) -> str:
        w, n = self.words(self.pick.randint(1, 3)), self.pick.randint(1, 9)
        return self.pick.choice([
            f"*{w}*", f"**{w}**", f"_{w}_", f"`{w}`", f"[{w}](https://x.org/{n})", f"[{w}][ref]",
            f'<span class="c">{w}</span>', f"<kbd>{w}</kbd>", f"![{w}](/img/{n}.png)",
            f"<sup>{n}</sup>", f"{w}[^n]", f"<b>{w}</b>", f"~~{w}~~", f"$${w}$$", w,
            f"<b>*{w}*</b>", f"<https://x.org/{w.split()[0]}>", f'[{w}](/p "T {w}")',
            f"{w}  \n{w}", f"\\*{w}\\*", f"<em>{w}</em>{{: .c}}",
            f'![{w}](/i.png){{: width="50%"}}'])

    def paragraph(self) -> str:
        parts = [self.span() if self.pick.random() < 0.3 else self.words(self.pick.randint(1, 4))
                 for _ in range(self.pick.randint(2, 8))]
        return " ".join(parts) + self.pick.choice([".", "!", "?", ":", ""])

    def block(self, depth: int = 0) -> str:
        kind = self.pick.randint(0, 17)
        if kind <= 3:
            return self.paragraph() + ("\n" + self.paragraph() if self.pick.random() < 0.3 else "")
        makers = {4: self.heading, 5: lambda: self.items(depth), 6: self.quote, 7: self.fence,
                  8: self.table, 9: self.html, 10: lambda: "    " + self.words(3) + "\n    code",
                  11: lambda: self.paragraph() + "\n{: .note}", 12: lambda: "---",
                  13: lambda: self.paragraph() + "\n" + self.pick.choice(["===", "---"]),
                  14: lambda: "## " + self.words(3) + " {#my-id}",
                  15: lambda: self.words(2) + "\n: " + self.paragraph(),
                  16: lambda: "> - " + self.paragraph() + "\n> - " + self.paragraph(),
                  17: lambda: "| `a|b` | x \\| y |\n|---|---|\n| 1 | 2 |"}
        return makers[kind]()

    def heading(self) -> str:
        return "#" * self.pick.randint(1, 4) + " " + self.paragraph()

    def items(self, depth: int) -> str:
        marker = self.pick.choice(["-", "*", "1."])
        items = []
        for _ in range(self.pick.randint(1, 4)):
            item = f"{marker} {self.paragraph()}"
            if depth < 1 and self.pick.random() < 0.3:
                item += "\n\n    " + self.block(depth + 1).replace("\n", "\n    ")
            items.append(item)
        return ("\n\n" if self.pick.random() < 0.3 else "\n").join(items)

    def quote(self) -> str:
        return "> " + self.paragraph() + ("\n>\n> " + self.paragraph()
                                          if self.pick.random() < 0.5 else "")

    def fence(self) -> str:
        language = self.pick.choice(["", "python", "sh", "ruby"])
        return f"```{language}\n{self.words(4)}\nx = 1\n```"

    def table(self) -> str:
        return f"| a | b |\n| --- | --- |\n| {self.span()} | {self.words(2)} |"

    def html(self) -> str:
        return self.pick.choice([
            f'<div class="note">\n{self.paragraph()}\n</div>',
            f"<p>{self.paragraph()}</p><p>{self.paragraph()}</p>", "<!-- note -->",
            f'<figure><img src="/a.png"><figcaption>{self.words(3)}</figcaption></figure>'])


def blog_like(seed: int, count: int) -> list[str]:
    writer = _Writer(seed)
    texts = []
    for _ in range(count):
        text = "\n\n".join(writer.block() for _ in range(writer.pick.randint(1, 5)))
        if "[ref]" in text:
            text += '\n\n[ref]: https://ref.org/x "Ref"'
        if "[^n]" in text:
            text += "\n\n[^n]: A note."
        texts.append(text)
    return texts


def markup_soup(seed: int, count: int) -> list[str]:
    pick = random.Random(seed)
    return ["".join(pick.choice(SOUP) for _ in range(pick.randint(1, 25))) for _ in range(count)]
